using SimClr.MLNet.Models;

namespace SimClr.MLNet.Training;

/// <summary>A trained classifier: encoder plus linear head, in eval mode, on the training device.</summary>
public sealed class SupervisedResult(Encoder encoder, LinearClassifier head, TrainingHistory history, IReadOnlyList<string> classNames) : IDisposable
{
    /// <summary>The encoder.</summary>
    public Encoder Encoder { get; } = encoder;
    /// <summary>The classification head.</summary>
    public LinearClassifier Head { get; } = head;
    /// <summary>Per-epoch metrics.</summary>
    public TrainingHistory History { get; } = history;
    /// <summary>Class names, by 0-based label.</summary>
    public IReadOnlyList<string> ClassNames { get; } = classNames;

    /// <inheritdoc />
    public void Dispose()
    {
        Encoder.Dispose();
        Head.Dispose();
    }
}

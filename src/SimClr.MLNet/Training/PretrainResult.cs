using SimClr.MLNet.Models;

namespace SimClr.MLNet.Training;

/// <summary>What SimCLR pretraining produced. The modules are in eval mode, on the training device.</summary>
public sealed class PretrainResult(Encoder encoder, ProjectionHead head, LinearClassifier? probe, TrainingHistory history, IReadOnlyList<string> classNames) : IDisposable
{
    /// <summary>The pretrained encoder: the part downstream tasks use.</summary>
    public Encoder Encoder { get; } = encoder;
    /// <summary>The projection head (used only by the contrastive loss).</summary>
    public ProjectionHead ProjectionHead { get; } = head;
    /// <summary>The online linear probe, or null without labelled data.</summary>
    public LinearClassifier? Probe { get; } = probe;
    /// <summary>Per-epoch metrics.</summary>
    public TrainingHistory History { get; } = history;
    /// <summary>Class names, by 0-based label.</summary>
    public IReadOnlyList<string> ClassNames { get; } = classNames;

    /// <inheritdoc />
    public void Dispose()
    {
        Encoder.Dispose();
        ProjectionHead.Dispose();
        Probe?.Dispose();
    }
}

using SimClr.MLNet.Models;
using SimClr.MLNet.Training.Methods;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>What self-supervised pretraining produced. The modules are in eval mode, on the training device.</summary>
public sealed class PretrainResult : IDisposable
{
    readonly IPretrainingObjective _method;

    internal PretrainResult(Encoder encoder, IPretrainingObjective method, LinearClassifier? probe, TrainingHistory history, IReadOnlyList<string> classNames)
    {
        Encoder = encoder;
        _method = method;
        Probe = probe;
        History = history;
        ClassNames = classNames;
    }

    /// <summary>The pretrained encoder: the part downstream tasks use.</summary>
    public Encoder Encoder { get; }

    /// <summary>The method's projection head (SimCLR: a <see cref="Models.ProjectionHead"/>; others: an <see cref="MlpHead"/>), used only by the pretraining loss.</summary>
    public nn.Module<Tensor, Tensor> ProjectionHead => _method.Projector;

    /// <summary>The online linear probe, or null without labelled data.</summary>
    public LinearClassifier? Probe { get; }

    /// <summary>Per-epoch metrics.</summary>
    public TrainingHistory History { get; }

    /// <summary>Class names, by 0-based label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Frees what only pretraining needs: the projection head, and the method's predictor, momentum target and queue. The encoder and probe stay.</summary>
    public void DisposeMethodModules() => _method.Dispose();

    /// <inheritdoc />
    public void Dispose()
    {
        Encoder.Dispose();
        _method.Dispose();
        Probe?.Dispose();
    }
}

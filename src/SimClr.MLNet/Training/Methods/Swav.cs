using System.Globalization;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// SwAV's options (Caron et al., 2020, "Unsupervised Learning of Visual Features by Contrasting Cluster
/// Assignments"). The projector has two layers, 2048 wide with BatchNorm, to 128 (<see cref="DefaultProjectionHiddenDim"/>,
/// <see cref="DefaultProjectionDim"/>; <see cref="PretrainOptions.ProjectionHiddenDim"/> and
/// <see cref="PretrainOptions.ProjectionDim"/> override them), followed by the prototypes.
/// </summary>
public sealed class SwavOptions
{
    /// <summary>SwAV's projector hidden width: 2048.</summary>
    public const int DefaultProjectionHiddenDim = 2048;
    /// <summary>SwAV's projection width: 128.</summary>
    public const int DefaultProjectionDim = 128;

    /// <summary>K, the number of prototypes (trainable cluster centres). Default: 3000, the paper's, also solo-learn's on CIFAR-10.</summary>
    public int Prototypes { get; set; } = 3000;

    /// <summary>τ of the softmax over the prototypes that predicts the other view's code. Default: 0.1, the paper's.</summary>
    public double Temperature { get; set; } = 0.1;

    /// <summary>ε of the Sinkhorn-Knopp codes; smaller gives harder assignments (<see cref="SwavLoss.Codes"/>). Default: 0.05, the paper's.</summary>
    public double SinkhornEpsilon { get; set; } = 0.05;

    /// <summary>Sinkhorn-Knopp iterations per step. Default: 3, the paper's.</summary>
    public int SinkhornIterations { get; set; } = 3;

    /// <summary>
    /// Epochs at the start during which the prototypes do not train (the encoder and projector do): the paper freezes
    /// them for its first epoch, which it found to help the optimisation. Default: 1.
    /// </summary>
    public int FrozenPrototypeEpochs { get; set; } = 1;

    /// <summary>Throws if a value is out of range, naming the option.</summary>
    public void Validate()
    {
        if (Prototypes < 2)
            throw new ArgumentOutOfRangeException("Swav.Prototypes", Prototypes, "Swav.Prototypes must be at least 2.");
        if (!(Temperature > 0 && Temperature <= 10))
            throw new ArgumentOutOfRangeException("Swav.Temperature", Temperature, "Swav.Temperature must be in (0, 10].");
        if (!(SinkhornEpsilon > 0 && SinkhornEpsilon <= 10))
            throw new ArgumentOutOfRangeException("Swav.SinkhornEpsilon", SinkhornEpsilon, "Swav.SinkhornEpsilon must be in (0, 10].");
        if (SinkhornIterations is < 1 or > 100)
            throw new ArgumentOutOfRangeException("Swav.SinkhornIterations", SinkhornIterations, "Swav.SinkhornIterations must be 1 to 100.");
        if (FrozenPrototypeEpochs < 0)
            throw new ArgumentOutOfRangeException("Swav.FrozenPrototypeEpochs", FrozenPrototypeEpochs, "Swav.FrozenPrototypeEpochs must not be negative.");
    }
}

/// <summary>
/// SwAV with two views: each view's L2-normalised projection is scored against the L2-normalised prototypes, and
/// each view's Sinkhorn-Knopp code is predicted from the other view's scores. The prototypes are normalised again
/// before every step, as in the paper. Left out, and why: multi-crop (the engine makes two views of each image; small
/// crops of 32-px images carry little), and the queue of earlier embeddings that the paper adds to the codes'
/// batch for small batches (solo-learn's CIFAR-10 setting starts it at epoch 50, beyond a CPU budget).
/// </summary>
internal sealed class SwavObjective : IPretrainingObjective
{
    readonly SwavOptions _options;
    readonly MlpHead _projector;
    readonly Linear _prototypes;

    public SwavObjective(PretrainOptions options, int featureDim)
    {
        _options = options.Swav;
        var (hidden, output) = options.ProjectionWidths(featureDim);
        _projector = new MlpHead(featureDim, new[] { hidden }, output, hiddenBatchNorm: true);
        _prototypes = nn.Linear(output, _options.Prototypes, hasBias: false);
        EmbeddingDim = output;
    }

    public IReadOnlyDictionary<string, nn.Module> Modules => new Dictionary<string, nn.Module> { ["projector"] = _projector, ["prototypes"] = _prototypes };
    public IEnumerable<Parameter> TrainableParameters => _projector.parameters().Concat(_prototypes.parameters());
    public nn.Module<Tensor, Tensor> Projector => _projector;
    public int EmbeddingDim { get; }

    public IReadOnlyDictionary<string, string> Fingerprint => new Dictionary<string, string>
    {
        ["Swav.Prototypes"] = _options.Prototypes.ToString(CultureInfo.InvariantCulture),
        ["Swav.Temperature"] = _options.Temperature.ToString("R", CultureInfo.InvariantCulture),
        ["Swav.SinkhornEpsilon"] = _options.SinkhornEpsilon.ToString("R", CultureInfo.InvariantCulture),
        ["Swav.SinkhornIterations"] = _options.SinkhornIterations.ToString(CultureInfo.InvariantCulture),
        ["Swav.FrozenPrototypeEpochs"] = _options.FrozenPrototypeEpochs.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Whether the prototypes sit out this step: they get no gradient, so the optimizer leaves them as they are.</summary>
    internal bool PrototypesFrozen(TrainingProgress progress) => progress.Epoch < _options.FrozenPrototypeEpochs;

    public ObjectiveStep Forward(Encoder encoder, Tensor views, long n, Tensor labels, TrainingProgress progress)
    {
        var prototypes = _prototypes.weight!;                     // [K, D]
        using (no_grad())
            prototypes.copy_(nn.functional.normalize(prototypes, dim: 1));
        var embeddings = nn.functional.normalize(_projector.call(encoder.call(views)), dim: 1);   // [2n, D]
        var scores = embeddings.matmul((PrototypesFrozen(progress) ? prototypes.detach() : prototypes).t());   // [2n, K]
        var loss = SwavLoss.Compute(scores[..(int)n], scores[(int)n..], _options.Temperature, _options.SinkhornEpsilon, _options.SinkhornIterations);
        return new ObjectiveStep(loss, embeddings[..(int)n]);
    }

    public void Dispose()
    {
        _projector.Dispose();
        _prototypes.Dispose();
    }
}

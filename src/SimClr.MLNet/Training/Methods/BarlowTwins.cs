using System.Globalization;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// Barlow Twins' options (Zbontar et al., 2021, "Barlow Twins: Self-Supervised Learning via Redundancy Reduction").
/// The projector has three layers, BatchNorm and ReLU after the first two. The paper's is 8192 wide on ImageNet; the
/// CIFAR-10 setting of solo-learn and lightly, 2048, is the default here (<see cref="DefaultProjectionHiddenDim"/>,
/// <see cref="DefaultProjectionDim"/>; <see cref="PretrainOptions.ProjectionHiddenDim"/> and
/// <see cref="PretrainOptions.ProjectionDim"/> override them).
/// </summary>
public sealed class BarlowTwinsOptions
{
    /// <summary>The projector's hidden width: 2048.</summary>
    public const int DefaultProjectionHiddenDim = 2048;
    /// <summary>The projection width: 2048.</summary>
    public const int DefaultProjectionDim = 2048;

    /// <summary>
    /// λ, the weight of the off-diagonal (redundancy) term. Default: null, meaning 0.0051 at a projection width of
    /// 2048 and scaled as 0.0051 × 2048 / d for other widths d (<see cref="BarlowTwinsLoss.ScaledOffDiagonalWeight"/>):
    /// the off-diagonal sum has d(d - 1) terms against d on the diagonal, so λ d is kept where it was tuned.
    /// </summary>
    public double? OffDiagonalWeight { get; set; }

    /// <summary>Throws if a value is out of range, naming the option.</summary>
    public void Validate()
    {
        if (OffDiagonalWeight is { } weight && !(weight >= 0 && double.IsFinite(weight)))
            throw new ArgumentOutOfRangeException("BarlowTwins.OffDiagonalWeight", weight, "BarlowTwins.OffDiagonalWeight must be 0 or more.");
    }
}

/// <summary>
/// Barlow Twins: the cross-correlation matrix of the two views' batch-normalised projections is pushed to the
/// identity: invariance on the diagonal, decorrelation (redundancy reduction) off it.
/// </summary>
internal sealed class BarlowTwinsObjective : IPretrainingObjective
{
    readonly MlpHead _projector;
    readonly double _offDiagonalWeight;

    public BarlowTwinsObjective(PretrainOptions options, int featureDim)
    {
        var (hidden, output) = options.ProjectionWidths(featureDim);
        _projector = new MlpHead(featureDim, new[] { hidden, hidden }, output, hiddenBatchNorm: true);
        _offDiagonalWeight = options.BarlowTwins.OffDiagonalWeight ?? BarlowTwinsLoss.ScaledOffDiagonalWeight(output);
        EmbeddingDim = output;
    }

    public IReadOnlyDictionary<string, nn.Module> Modules => new Dictionary<string, nn.Module> { ["projector"] = _projector };
    public IEnumerable<Parameter> TrainableParameters => _projector.parameters();
    public nn.Module<Tensor, Tensor> Projector => _projector;
    public int EmbeddingDim { get; }

    public IReadOnlyDictionary<string, string> Fingerprint => new Dictionary<string, string>
    {
        ["BarlowTwins.OffDiagonalWeight"] = _offDiagonalWeight.ToString("R", CultureInfo.InvariantCulture),
    };

    public ObjectiveStep Forward(Encoder encoder, Tensor views, long n, Tensor labels, TrainingProgress progress)
    {
        var projections = _projector.call(encoder.call(views));   // [2n, D]
        var z1 = projections[..(int)n];
        return new ObjectiveStep(BarlowTwinsLoss.Compute(z1, projections[(int)n..], _offDiagonalWeight), z1);
    }

    public void Dispose() => _projector.Dispose();
}

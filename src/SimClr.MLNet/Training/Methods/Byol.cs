using System.Globalization;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// BYOL's options (Grill et al., 2020, "Bootstrap Your Own Latent: A New Approach to Self-Supervised Learning").
/// Projector and predictor are MLPs with BatchNorm, 4096 wide, to 256 (<see cref="DefaultProjectionHiddenDim"/>,
/// <see cref="DefaultProjectionDim"/>; <see cref="PretrainOptions.ProjectionHiddenDim"/> and
/// <see cref="PretrainOptions.ProjectionDim"/> override the projector's).
/// </summary>
public sealed class ByolOptions
{
    /// <summary>BYOL's projector hidden width: 4096.</summary>
    public const int DefaultProjectionHiddenDim = 4096;
    /// <summary>BYOL's projection width: 256.</summary>
    public const int DefaultProjectionDim = 256;

    /// <summary>
    /// The target network's momentum at the first step, τ_base. It rises to 1 on a cosine schedule over the run:
    /// τ = 1 - (1 - τ_base)(cos(π k / K) + 1) / 2 at step k of K. Default: 0.99 (the paper's 0.996 is for
    /// ImageNet's longer runs).
    /// </summary>
    public double BaseMomentum { get; set; } = 0.99;

    /// <summary>Hidden width of the predictor. Default: 4096, as the paper.</summary>
    public int PredictorHiddenDim { get; set; } = 4096;

    /// <summary>Throws if a value is out of range, naming the option.</summary>
    public void Validate()
    {
        if (!(BaseMomentum >= 0 && BaseMomentum <= 1))
            throw new ArgumentOutOfRangeException("Byol.BaseMomentum", BaseMomentum, "Byol.BaseMomentum must be in [0, 1].");
        if (PredictorHiddenDim < 1)
            throw new ArgumentOutOfRangeException("Byol.PredictorHiddenDim", PredictorHiddenDim, "Byol.PredictorHiddenDim must be at least 1.");
    }
}

/// <summary>
/// BYOL: the online projection goes through a predictor and regresses, by the normalised MSE, the target
/// network's projection of the other view; symmetric over the two views (the mean of both directions). The target
/// moves after each optimizer step, as in the paper.
/// </summary>
internal sealed class ByolObjective : IPretrainingObjective
{
    readonly ByolOptions _options;
    readonly MlpHead _projector, _predictor;
    readonly MomentumTarget _target;

    public ByolObjective(PretrainOptions options, Encoder encoder)
    {
        _options = options.Byol;
        var (hidden, output) = options.ProjectionWidths(encoder.FeatureDim);
        MlpHead NewProjector() => new(encoder.FeatureDim, new[] { hidden }, output, hiddenBatchNorm: true);
        _projector = NewProjector();
        _predictor = new MlpHead(output, new[] { _options.PredictorHiddenDim }, output, hiddenBatchNorm: true);
        _target = new MomentumTarget(encoder, _projector, NewProjector);
        EmbeddingDim = output;
    }

    public IReadOnlyDictionary<string, nn.Module> Modules => new Dictionary<string, nn.Module>
    {
        ["projector"] = _projector, ["predictor"] = _predictor, ["target_encoder"] = _target.Encoder, ["target_projector"] = _target.Projector,
    };

    public IEnumerable<Parameter> TrainableParameters => _projector.parameters().Concat(_predictor.parameters());
    public nn.Module<Tensor, Tensor> Projector => _projector;
    public int EmbeddingDim { get; }

    public IReadOnlyDictionary<string, string> Fingerprint => new Dictionary<string, string>
    {
        ["Byol.BaseMomentum"] = _options.BaseMomentum.ToString("R", CultureInfo.InvariantCulture),
        ["Byol.PredictorHiddenDim"] = _options.PredictorHiddenDim.ToString(CultureInfo.InvariantCulture),
    };

    public ObjectiveStep Forward(Encoder encoder, Tensor views, long n, Tensor labels, TrainingProgress progress)
    {
        var projections = _projector.call(encoder.call(views));   // [2n, D]
        var predictions = _predictor.call(projections);            // [2n, D]
        var targets = _target.Project(views);                       // [2n, D], no gradient
        var p1 = predictions[..(int)n];
        var p2 = predictions[(int)n..];
        var loss = (NormalizedMseLoss.Compute(p1, targets[(int)n..]) + NormalizedMseLoss.Compute(p2, targets[..(int)n])) / 2;
        double momentum = MomentumUpdate.Cosine(_options.BaseMomentum, progress.Step, progress.TotalSteps);
        return new ObjectiveStep(loss, projections[..(int)n],
            AfterOptimizerStep: () => _target.Update(momentum),
            Metrics: () => new[] { new StepMetric("momentum", momentum, 1) });
    }

    public void Dispose()
    {
        _projector.Dispose();
        _predictor.Dispose();
        _target.Dispose();
    }
}

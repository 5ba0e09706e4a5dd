using System.Globalization;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// SimSiam's options (Chen and He, 2021, "Exploring Simple Siamese Representation Learning"). The projector is the
/// paper's CIFAR-10 one: two layers, 2048 wide, BatchNorm on the hidden layer and on the output
/// (<see cref="DefaultProjectionHiddenDim"/>, <see cref="DefaultProjectionDim"/>; <see cref="PretrainOptions.ProjectionHiddenDim"/>
/// and <see cref="PretrainOptions.ProjectionDim"/> override them).
/// </summary>
public sealed class SimSiamOptions
{
    /// <summary>SimSiam's projector hidden width: 2048.</summary>
    public const int DefaultProjectionHiddenDim = 2048;
    /// <summary>SimSiam's projection width: 2048.</summary>
    public const int DefaultProjectionDim = 2048;

    /// <summary>Hidden width of the predictor, its bottleneck. Default: 512, a quarter of the projection, as the paper.</summary>
    public int PredictorHiddenDim { get; set; } = 512;

    /// <summary>Throws if a value is out of range, naming the option.</summary>
    public void Validate()
    {
        if (PredictorHiddenDim < 1)
            throw new ArgumentOutOfRangeException("SimSiam.PredictorHiddenDim", PredictorHiddenDim, "SimSiam.PredictorHiddenDim must be at least 1.");
    }
}

/// <summary>
/// SimSiam: each view's prediction is pulled towards the other view's projection, which is treated as a constant
/// (the stop-gradient that, the paper shows, is what prevents collapse). No negatives, no momentum encoder.
/// </summary>
internal sealed class SimSiamObjective : IPretrainingObjective
{
    readonly SimSiamOptions _options;
    readonly MlpHead _projector, _predictor;

    public SimSiamObjective(PretrainOptions options, int featureDim)
    {
        _options = options.SimSiam;
        var (hidden, output) = options.ProjectionWidths(featureDim);
        _projector = new MlpHead(featureDim, new[] { hidden }, output, hiddenBatchNorm: true, outputBatchNorm: true);
        _predictor = new MlpHead(output, new[] { _options.PredictorHiddenDim }, output, hiddenBatchNorm: true);
        EmbeddingDim = output;
    }

    public IReadOnlyDictionary<string, nn.Module> Modules => new Dictionary<string, nn.Module> { ["projector"] = _projector, ["predictor"] = _predictor };
    public IEnumerable<Parameter> TrainableParameters => _projector.parameters().Concat(_predictor.parameters());
    public nn.Module<Tensor, Tensor> Projector => _projector;
    public int EmbeddingDim { get; }

    public IReadOnlyDictionary<string, string> Fingerprint => new Dictionary<string, string>
    {
        ["SimSiam.PredictorHiddenDim"] = _options.PredictorHiddenDim.ToString(CultureInfo.InvariantCulture),
    };

    public ObjectiveStep Forward(Encoder encoder, Tensor views, long n, Tensor labels, TrainingProgress progress)
    {
        var projections = _projector.call(encoder.call(views));   // [2n, D]
        var predictions = _predictor.call(projections);            // [2n, D]
        var z1 = projections[..(int)n];
        var z2 = projections[(int)n..];
        var loss = (NegativeCosineLoss.Compute(predictions[..(int)n], z2) + NegativeCosineLoss.Compute(predictions[(int)n..], z1)) / 2;
        return new ObjectiveStep(loss, z1);
    }

    public void Dispose()
    {
        _projector.Dispose();
        _predictor.Dispose();
    }
}

using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// SimCLR (Chen et al., 2020): the projection head, then NT-Xent between the two views with the batch's other
/// images as negatives. Its options are <see cref="PretrainOptions"/>' own (Temperature, ProjectionBatchNorm, ...).
/// Module names ("head", "loss") are those of checkpoints written before there were other methods.
/// </summary>
internal sealed class SimClrObjective : IPretrainingObjective
{
    readonly ProjectionHead _head;
    readonly NtXentLoss _loss;
    readonly PretrainOptions _options;

    public SimClrObjective(PretrainOptions options, int featureDim)
    {
        _options = options;
        var (hidden, output) = options.ProjectionWidths(featureDim);
        _head = new ProjectionHead(featureDim, hidden, output, options.ProjectionBatchNorm);
        _loss = new NtXentLoss(options.Temperature, options.LearnTemperature, options.SameViewNegatives);
        EmbeddingDim = output;
    }

    public IReadOnlyDictionary<string, nn.Module> Modules => new Dictionary<string, nn.Module> { ["head"] = _head, ["loss"] = _loss };
    public IEnumerable<Parameter> TrainableParameters => _head.parameters().Concat(_loss.parameters());
    public nn.Module<Tensor, Tensor> Projector => _head;
    public int EmbeddingDim { get; }

    public IReadOnlyDictionary<string, string> Fingerprint => new Dictionary<string, string>
    {
        ["ProjectionBatchNorm"] = _options.ProjectionBatchNorm.ToString(),
    };

    public ObjectiveStep Forward(Encoder encoder, Tensor views, long n, TrainingProgress progress)
    {
        var projections = _head.call(encoder.call(views));     // [2n, D]
        var z1 = projections[..(int)n];
        var z2 = projections[(int)n..];
        return new ObjectiveStep(_loss.call(z1, z2), z1, Metrics: () => Metrics(z1, z2));
    }

    IEnumerable<StepMetric> Metrics(Tensor z1, Tensor z2)
    {
        var similarities = _loss.Similarities(nn.functional.normalize(z1, dim: 1), nn.functional.normalize(z2, dim: 1));
        var metrics = new List<StepMetric> { new("c_acc", ContrastiveAccuracy.Compute(similarities), 1) };
        if (_options.LearnTemperature)
            metrics.Add(new("temperature", _loss.Temperature, 1));
        return metrics;
    }

    public void Dispose()
    {
        _head.Dispose();
        _loss.Dispose();
    }
}

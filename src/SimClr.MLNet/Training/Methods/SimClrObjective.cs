using System.Globalization;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// SimCLR (Chen et al., 2020): the projection head, then NT-Xent between the two views with the batch's other
/// images as negatives; with <see cref="PretrainOptions.SupervisedContrastiveWeight"/>, plus SuNCEt on the labelled
/// images' projections. Its options are <see cref="PretrainOptions"/>' own (Temperature, ProjectionBatchNorm, ...).
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

    public IReadOnlyDictionary<string, string> Fingerprint
    {
        get
        {
            var fingerprint = new Dictionary<string, string> { ["ProjectionBatchNorm"] = _options.ProjectionBatchNorm.ToString() };
            // Only when set, so that checkpoints written before the option existed still resume.
            if (_options.SupervisedContrastiveWeight > 0)
                fingerprint[nameof(PretrainOptions.SupervisedContrastiveWeight)] = _options.SupervisedContrastiveWeight.ToString("R", CultureInfo.InvariantCulture);
            return fingerprint;
        }
    }

    public ObjectiveStep Forward(Encoder encoder, Tensor views, long n, Tensor labels, TrainingProgress progress)
    {
        var projections = _head.call(encoder.call(views));     // [2n, D]
        var z1 = projections[..(int)n];
        var z2 = projections[(int)n..];
        var loss = _loss.call(z1, z2);
        Tensor? supervised = null;
        long l = labels.shape[0];
        if (_options.SupervisedContrastiveWeight > 0 && l > 0)
        {
            // Both views of each labelled image: its other view is always one of its positives (SuNCEt's two supervised views).
            var labeledProjections = cat(new[] { z1[(int)(n - l)..], z2[(int)(n - l)..] }, 0);   // [2l, D]
            supervised = SupervisedContrastiveLoss.Compute(labeledProjections, cat(new[] { labels, labels }, 0), _loss.Temperature);
            loss = loss + supervised.mul(_options.SupervisedContrastiveWeight);
        }
        return new ObjectiveStep(loss, z1, Metrics: () => Metrics(z1, z2, supervised, l));
    }

    IEnumerable<StepMetric> Metrics(Tensor z1, Tensor z2, Tensor? supervised, long labeled)
    {
        var similarities = _loss.Similarities(nn.functional.normalize(z1, dim: 1), nn.functional.normalize(z2, dim: 1));
        var metrics = new List<StepMetric> { new("c_acc", ContrastiveAccuracy.Compute(similarities), 1) };
        if (supervised is not null)
            metrics.Add(new("s_loss", supervised.item<float>(), labeled));
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

using System.Globalization;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// MoCo v2's options (Chen, Fan, Girshick and He, 2020, "Improved Baselines with Momentum Contrastive Learning",
/// on He et al., 2020, "Momentum Contrast for Unsupervised Visual Representation Learning"). Its projector is an
/// MLP without BatchNorm, 2048 wide, to 128 (<see cref="DefaultProjectionHiddenDim"/>, <see cref="DefaultProjectionDim"/>;
/// <see cref="PretrainOptions.ProjectionHiddenDim"/> and <see cref="PretrainOptions.ProjectionDim"/> override them).
/// </summary>
public sealed class MoCoOptions
{
    /// <summary>MoCo v2's projector hidden width: 2048.</summary>
    public const int DefaultProjectionHiddenDim = 2048;
    /// <summary>MoCo v2's projection width: 128.</summary>
    public const int DefaultProjectionDim = 128;

    /// <summary>
    /// Negative keys kept, K. Each step enqueues the keys of its n images and drops the n oldest, so K should be a
    /// multiple of the images per step (it must be at least that many). Default: 4096, the common CIFAR-10 value
    /// (the paper's 65,536 is for ImageNet's 1.28 million images).
    /// </summary>
    public int QueueSize { get; set; } = 4096;

    /// <summary>Momentum m of the key encoder: key = m key + (1 - m) online, every step. Default: 0.99.</summary>
    public double Momentum { get; set; } = 0.99;

    /// <summary>InfoNCE temperature. Default: 0.2, MoCo v2's.</summary>
    public double Temperature { get; set; } = 0.2;

    /// <summary>Throws if a value is out of range, naming the option.</summary>
    public void Validate()
    {
        if (QueueSize < 1)
            throw new ArgumentOutOfRangeException("MoCo.QueueSize", QueueSize, "MoCo.QueueSize must be at least 1.");
        if (!(Momentum >= 0 && Momentum < 1))
            throw new ArgumentOutOfRangeException("MoCo.Momentum", Momentum, "MoCo.Momentum must be in [0, 1).");
        if (!(Temperature > 0 && Temperature <= 10))
            throw new ArgumentOutOfRangeException("MoCo.Temperature", Temperature, "MoCo.Temperature must be in (0, 10].");
    }
}

/// <summary>
/// MoCo v2, symmetrised as in MoCo v3 and lightly's CIFAR-10 benchmarks: each view's query is contrasted with the
/// other view's key (from the momentum encoder, updated before the keys are computed, as in the paper) and the
/// queue; the second view's keys are then enqueued. On one device there is no shuffled BatchNorm; the symmetric
/// loss is what keeps the key encoder's batch statistics from giving the positive away.
/// </summary>
internal sealed class MoCoObjective : IPretrainingObjective
{
    readonly MoCoOptions _options;
    readonly MlpHead _projector;
    readonly MomentumTarget _target;
    readonly KeyQueue _queue;

    public MoCoObjective(PretrainOptions options, Encoder encoder)
    {
        _options = options.MoCo;
        var (hidden, output) = options.ProjectionWidths(encoder.FeatureDim);
        MlpHead NewProjector() => new(encoder.FeatureDim, new[] { hidden }, output, hiddenBatchNorm: false);
        _projector = NewProjector();
        _target = new MomentumTarget(encoder, _projector, NewProjector);
        _queue = new KeyQueue(_options.QueueSize, output);
        EmbeddingDim = output;
    }

    public IReadOnlyDictionary<string, nn.Module> Modules => new Dictionary<string, nn.Module>
    {
        ["projector"] = _projector, ["key_encoder"] = _target.Encoder, ["key_projector"] = _target.Projector, ["queue"] = _queue,
    };

    public IEnumerable<Parameter> TrainableParameters => _projector.parameters();
    public nn.Module<Tensor, Tensor> Projector => _projector;
    public int EmbeddingDim { get; }

    public IReadOnlyDictionary<string, string> Fingerprint => new Dictionary<string, string>
    {
        ["MoCo.QueueSize"] = _options.QueueSize.ToString(CultureInfo.InvariantCulture),
        ["MoCo.Momentum"] = _options.Momentum.ToString("R", CultureInfo.InvariantCulture),
        ["MoCo.Temperature"] = _options.Temperature.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Refuses a queue shorter than one step's keys.</summary>
    public void CheckImagesPerStep(long imagesPerStep)
    {
        if (_options.QueueSize < imagesPerStep)
            throw new ArgumentOutOfRangeException("MoCo.QueueSize", _options.QueueSize,
                $"MoCo.QueueSize ({_options.QueueSize}) must be at least the {imagesPerStep} images of one step (a multiple of it is best).");
    }

    public ObjectiveStep Forward(Encoder encoder, Tensor views, long n, Tensor labels, TrainingProgress progress)
    {
        var queries = _projector.call(encoder.call(views));      // [2n, D]
        Tensor keys;
        using (no_grad())
        {
            _target.Update(_options.Momentum);
            keys = nn.functional.normalize(_target.Project(views), dim: 1);   // [2n, D]
        }
        var q1 = queries[..(int)n];
        var q2 = queries[(int)n..];
        var k1 = keys[..(int)n];
        var k2 = keys[(int)n..];
        var queue = _queue.Keys;
        var loss = (InfoNceLoss.Compute(q1, k2, queue, _options.Temperature) + InfoNceLoss.Compute(q2, k1, queue, _options.Temperature)) / 2;
        return new ObjectiveStep(loss, q1,
            AfterOptimizerStep: () => _queue.Enqueue(k2),
            Metrics: () => new[] { new StepMetric("c_acc", Accuracy(q1, k2, queue), 1) });
    }

    /// <summary>How often the positive key beats every queued negative (computed before the enqueue).</summary>
    double Accuracy(Tensor queries, Tensor keys, Tensor queue)
        => InfoNceLoss.Logits(queries, keys, queue, _options.Temperature).argmax(1).eq(0).to(ScalarType.Float32).mean().item<float>();

    public void Dispose()
    {
        _projector.Dispose();
        _target.Dispose();
        _queue.Dispose();
    }
}

using System.Globalization;
using SimClr.MLNet.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>
/// An encoder plus a linear head trained with cross-entropy on weakly augmented labelled images: the supervised
/// baseline when the encoder is new, fine-tuning when it is pretrained.
/// </summary>
internal sealed class SupervisedRun : ITrainingRun, IDisposable
{
    readonly SupervisedOptions _options;
    readonly ImageTensorSet _labeled;
    readonly long[] _labeledRows;
    readonly ImageTensorSet? _validation;
    readonly Device _device;
    readonly ClassifierUnderTraining _classifier;
    readonly int _seed;
    readonly bool _pretrained;

    public SupervisedRun(SupervisedOptions options, ImageTensorSet labeled, ImageTensorSet? validation, Device device, Encoder? pretrained)
    {
        _options = options;
        _labeled = labeled;
        _labeledRows = labeled.LabeledIndices();
        if (_labeledRows.Length == 0)
            throw new ArgumentException("Supervised training needs labelled images; no row has a label.", nameof(labeled));
        _validation = validation;
        _device = device;
        _seed = options.Seed ?? TrainingOptions.Defaults.Seed;
        _pretrained = pretrained != null;
        _classifier = new ClassifierUnderTraining(options, pretrained?.Spec ?? options.EncoderSpec ?? EncoderSpec.ReferenceDefault,
            labeled.ClassNames.Count, pretrained, device, _seed, (ulong)_seed + 2);
        StepsPerEpoch = (_labeledRows.Length + options.BatchSize - 1) / options.BatchSize;
    }

    public Encoder Encoder => _classifier.Encoder;
    public LinearClassifier Head => _classifier.Head;
    public OptimizerHelper Optimizer => _classifier.Optimizer;

    public string Kind => "supervised";
    public int StepsPerEpoch { get; }
    public OptimizerHelper ScheduledOptimizer => Optimizer;
    public IReadOnlyDictionary<string, nn.Module> Modules => _classifier.Modules;
    public IReadOnlyDictionary<string, OptimizerHelper> Optimizers => _classifier.Optimizers;
    public IReadOnlyDictionary<string, Generator> Generators => _classifier.Generators;

    public Dictionary<string, string> Fingerprint => new()
    {
        ["BatchSize"] = _options.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["Seed"] = _seed.ToString(CultureInfo.InvariantCulture),
        ["Images"] = _labeledRows.Length.ToString(CultureInfo.InvariantCulture),
        ["Pretrained"] = _pretrained.ToString(),
        ["Optimizer"] = _options.Optimizer.ToString(),
    };

    public IEnumerable<StepMetric> TrainStep(int epoch, int step)
    {
        using var scope = NewDisposeScope();
        var rows = EpochOrder.Slice(_labeledRows.Length, _seed, epoch, 2, step, _options.BatchSize).Select(i => _labeledRows[i]).ToArray();
        var (images, labels) = _labeled.Gather(rows);
        return TrainStep(images, labels, timer: null);
    }

    /// <summary>One step on a uint8 batch [n, 3, S, S] with 0-based labels [n].</summary>
    public List<StepMetric> TrainStep(Tensor images, Tensor labels, PhaseTimer? timer)
    {
        using var scope = NewDisposeScope();
        timer?.Start("augmentation");
        Tensor inputs;
        using (no_grad())
            inputs = _classifier.Augmenter.Apply(images.to(_device), _classifier.AugmentationRandom);    // [n, 3, S, S] float
        var targets = labels.to(_device);

        timer?.Start("forward");
        var logits = Head.call(Encoder.call(inputs));                              // [n, classes]
        var loss = nn.functional.cross_entropy(logits, targets);

        timer?.Start("backward");
        Optimizer.zero_grad();
        loss.backward();

        timer?.Start("optimizer");
        Optimizer.step();

        timer?.Start("metrics");
        double count = targets.shape[0];
        var metrics = new List<StepMetric>
        {
            new("loss", loss.item<float>(), count),
            new("acc", logits.argmax(1).eq(targets).to(ScalarType.Float32).mean().item<float>(), count),
        };
        timer?.Stop();
        return metrics;
    }

    public IReadOnlyDictionary<string, double> Evaluate()
        => Features.Validate(Encoder, Head, _validation, _options.EvaluationBatchSize, _device);

    public void Dispose() => _classifier.Dispose();
}

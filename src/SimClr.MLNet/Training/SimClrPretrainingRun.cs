using TorchSharp;
using System.Globalization;
using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>
/// SimCLR pretraining with an online linear probe, as the Keras reference trains it. Each step takes a batch of
/// unlabelled and a batch of labelled images; two strong views of all of them train the encoder and projection
/// head with NT-Xent; the probe trains on weakly augmented labelled images, on features from the encoder in
/// eval mode (no gradient reaches the encoder).
/// </summary>
internal sealed class SimClrPretrainingRun : ITrainingRun, IDisposable
{
    readonly PretrainOptions _options;
    readonly ImageTensorSet _unlabeled, _labeled;
    readonly long[] _labeledRows;
    readonly ImageTensorSet? _validation;
    readonly Device _device;
    readonly ImageAugmenter _strong, _weak;
    readonly Generator _augmentationRandom;
    readonly int _seed;

    public SimClrPretrainingRun(PretrainOptions options, ImageTensorSet unlabeled, ImageTensorSet labeled, ImageTensorSet? validation, Device device)
    {
        _options = options;
        _unlabeled = unlabeled;
        _labeled = labeled;
        _labeledRows = labeled.LabeledIndices();
        _validation = validation;
        _device = device;
        _seed = options.Seed ?? TrainingOptions.Defaults.Seed;
        ClassCount = labeled.ClassNames.Count;

        int classCount = ClassCount;
        (Encoder, Head, Loss, Probe) = Runtime.TorchRuntime.WithSeed(_seed, () =>
        {
            var encoder = Models.Encoder.Create(options.EncoderSpec);
            int width = encoder.FeatureDim;
            return (encoder,
                new ProjectionHead(width, options.ProjectionHiddenDim ?? width, options.ProjectionDim ?? width, options.ProjectionBatchNorm),
                new NtXentLoss(options.Temperature, options.LearnTemperature, options.SameViewNegatives),
                classCount >= 2 ? new LinearClassifier(width, classCount) : null);
        });
        Encoder.Precision = options.Precision;
        Encoder.to(device); Head.to(device); Loss.to(device); Probe?.to(device);

        var contrastiveParameters = Encoder.parameters().Concat(Head.parameters()).Concat(Loss.parameters());
        ContrastiveOptimizer = OptimizerFactory.Create(options, (contrastiveParameters, options.LearningRate));
        ProbeOptimizer = Probe is null ? null : (OptimizerHelper)optim.Adam(Probe.parameters(), options.ProbeLearningRate);
        _strong = new ImageAugmenter(options.ContrastiveAugmentation);
        _weak = new ImageAugmenter(options.ProbeAugmentation);
        _augmentationRandom = new Generator((ulong)_seed + 1);

        long total = unlabeled.Count + _labeledRows.Length;
        StepsPerEpoch = (int)Math.Max(1, total / options.BatchSize);
        UnlabeledBatch = unlabeled.Count / StepsPerEpoch;
        LabeledBatch = _labeledRows.Length / StepsPerEpoch;
        if (UnlabeledBatch + LabeledBatch < 2)
            throw new ArgumentException($"Pretraining needs at least 2 images per step; there are {total} images for {StepsPerEpoch} steps.");
    }

    public Encoder Encoder { get; }
    public ProjectionHead Head { get; }
    public NtXentLoss Loss { get; }
    public LinearClassifier? Probe { get; }
    public OptimizerHelper ContrastiveOptimizer { get; }
    public OptimizerHelper? ProbeOptimizer { get; }
    public int ClassCount { get; }

    /// <summary>Unlabelled images per step (the reference: 500 of 100,000).</summary>
    public int UnlabeledBatch { get; }

    /// <summary>Labelled images per step (the reference: 25 of 5,000).</summary>
    public int LabeledBatch { get; }

    public string Kind => "pretrain";
    public int StepsPerEpoch { get; }
    public OptimizerHelper ScheduledOptimizer => ContrastiveOptimizer;

    public IReadOnlyDictionary<string, nn.Module> Modules
    {
        get
        {
            var modules = new Dictionary<string, nn.Module> { ["encoder"] = Encoder, ["head"] = Head, ["loss"] = Loss };
            if (Probe != null)
                modules["probe"] = Probe;
            return modules;
        }
    }

    public IReadOnlyDictionary<string, OptimizerHelper> Optimizers
    {
        get
        {
            var optimizers = new Dictionary<string, OptimizerHelper> { ["contrastive"] = ContrastiveOptimizer };
            if (ProbeOptimizer != null)
                optimizers["probe"] = ProbeOptimizer;
            return optimizers;
        }
    }

    public IReadOnlyDictionary<string, Generator> Generators => new Dictionary<string, Generator> { ["augmentation"] = _augmentationRandom };

    public Dictionary<string, string> Fingerprint => new()
    {
        ["BatchSize"] = _options.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["Seed"] = _seed.ToString(CultureInfo.InvariantCulture),
        ["Images"] = $"{_unlabeled.Count}+{_labeledRows.Length}",
        ["Optimizer"] = _options.Optimizer.ToString(),
        ["ProjectionBatchNorm"] = _options.ProjectionBatchNorm.ToString(),
    };

    public IEnumerable<StepMetric> TrainStep(int epoch, int step)
    {
        using var scope = NewDisposeScope();
        var unlabeledRows = EpochOrder.Slice(_unlabeled.Count, _seed, epoch, 0, step, UnlabeledBatch).ToArray();
        var labeledRows = EpochOrder.Slice(_labeledRows.Length, _seed, epoch, 1, step, LabeledBatch).Select(i => _labeledRows[i]).ToArray();
        var (unlabeledImages, _) = _unlabeled.Gather(unlabeledRows);
        var (labeledImages, labels) = _labeled.Gather(labeledRows);
        return TrainStep(unlabeledImages, labeledImages, labels, timer: null);
    }

    /// <summary>One step on given uint8 batches ([u, 3, S, S], [l, 3, S, S]) and 0-based labels ([l]).</summary>
    public List<StepMetric> TrainStep(Tensor unlabeledImages, Tensor labeledImages, Tensor labels, PhaseTimer? timer)
    {
        using var scope = NewDisposeScope();
        timer?.Start("augmentation");
        var images = cat(new[] { unlabeledImages, labeledImages }, 0).to(_device);      // [n, 3, S, S] uint8
        long n = images.shape[0];
        Tensor views;
        using (no_grad())
            views = cat(new[] { _strong.Apply(images, _augmentationRandom), _strong.Apply(images, _augmentationRandom) }, 0);   // [2n, 3, S, S]

        timer?.Start("forward");
        var projections = Head.call(Encoder.call(views));                                 // [2n, D]
        var z1 = projections[..(int)n];
        var z2 = projections[(int)n..];
        var loss = Loss.call(z1, z2);

        timer?.Start("backward");
        ContrastiveOptimizer.zero_grad();
        loss.backward();

        timer?.Start("optimizer");
        ContrastiveOptimizer.step();

        timer?.Start("metrics");
        var metrics = new List<StepMetric> { new("c_loss", loss.item<float>(), 1) };
        using (no_grad())
        {
            var similarities = Loss.Similarities(nn.functional.normalize(z1, dim: 1), nn.functional.normalize(z2, dim: 1));
            metrics.Add(new("c_acc", ContrastiveAccuracy.Compute(similarities), 1));
        }
        if (_options.LearnTemperature)
            metrics.Add(new("temperature", Loss.Temperature, 1));

        if (Probe != null && ProbeOptimizer != null && labeledImages.shape[0] > 0)
        {
            timer?.Start("probe");
            Tensor features;
            using (no_grad())
            {
                Encoder.eval();
                features = Encoder.call(_weak.Apply(labeledImages.to(_device), _augmentationRandom));   // [l, D]
                Encoder.train();
            }
            var logits = Probe.call(features);
            var targets = labels.to(_device);
            var probeLoss = nn.functional.cross_entropy(logits, targets);
            ProbeOptimizer.zero_grad();
            probeLoss.backward();
            ProbeOptimizer.step();
            double count = targets.shape[0];
            metrics.Add(new("p_loss", probeLoss.item<float>(), count));
            metrics.Add(new("p_acc", logits.argmax(1).eq(targets).to(ScalarType.Float32).mean().item<float>(), count));
        }
        timer?.Stop();
        return metrics;
    }

    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var values = new Dictionary<string, double>();
        if (_validation == null || _validation.Count == 0)
            return values;
        using var scope = NewDisposeScope();
        var validationRows = _validation.LabeledIndices();
        if (validationRows.Length == 0)
            return values;
        var (validationImages, validationLabels) = _validation.Gather(validationRows);
        var features = Features.Extract(Encoder, validationImages, _options.EvaluationBatchSize, _device);
        var labels = validationLabels.to(_device);
        if (Probe != null)
        {
            var (loss, accuracy) = Features.Score(Probe, features, labels);
            values["val_p_loss"] = loss;
            values["val_p_acc"] = accuracy;
        }
        if (_options.KnnNeighbors > 0 && _labeledRows.Length > 0)
        {
            var (bankImages, bankLabels) = _labeled.Gather(_labeledRows);
            var bank = Features.Extract(Encoder, bankImages, _options.EvaluationBatchSize, _device);
            values["knn_acc"] = KnnClassifier.Accuracy(features, labels, bank, bankLabels.to(_device), ClassCount, _options.KnnNeighbors);
        }
        return values;
    }

    public void Dispose()
    {
        ContrastiveOptimizer.Dispose();
        ProbeOptimizer?.Dispose();
        _augmentationRandom.Dispose();
    }
}

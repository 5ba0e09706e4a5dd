using System.Globalization;
using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training.Methods;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>
/// Self-supervised pretraining with an online linear probe, whatever the method. Each step takes a batch of
/// unlabelled and a batch of labelled images; two strong views of all of them train the encoder and the method's
/// heads on the method's objective (<see cref="IPretrainingObjective"/>); the probe trains on weakly augmented
/// labelled images, on features from the encoder in eval mode (no gradient reaches the encoder), as the Keras
/// reference does. The collapse monitor (emb_std) and the kNN monitor are the same for every method.
/// </summary>
internal sealed class SelfSupervisedRun : ITrainingRun, IDisposable
{
    readonly PretrainOptions _options;
    readonly ImageTensorSet _unlabeled, _labeled;
    readonly long[] _labeledRows;
    readonly ImageTensorSet? _validation;
    readonly Device _device;
    readonly ImageAugmenter _strong, _weak;
    readonly Generator _augmentationRandom;
    readonly int _seed;

    public SelfSupervisedRun(PretrainOptions options, ImageTensorSet unlabeled, ImageTensorSet labeled, ImageTensorSet? validation, Device device)
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
        // The order of creation fixes which random numbers each module's initial weights get: encoder, the method's
        // heads, probe (SimCLR's order before there were other methods).
        (Encoder, Objective, Probe) = Runtime.TorchRuntime.WithSeed(_seed, () =>
        {
            var encoder = Models.Encoder.Create(options.EncoderSpec);
            encoder.Precision = options.Precision;
            var objective = PretrainingObjectives.Create(options, encoder);
            return (encoder, objective, classCount >= 2 ? new LinearClassifier(encoder.FeatureDim, classCount) : null);
        });
        Encoder.to(device);
        foreach (var module in Objective.Modules.Values)
            module.to(device);
        Probe?.to(device);

        ContrastiveOptimizer = OptimizerFactory.Create(options, (Encoder.parameters().Concat(Objective.TrainableParameters), options.LearningRate));
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
        Objective.CheckImagesPerStep(UnlabeledBatch + LabeledBatch);
    }

    public Encoder Encoder { get; }
    public IPretrainingObjective Objective { get; }
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
            var modules = new Dictionary<string, nn.Module> { ["encoder"] = Encoder };
            foreach (var (name, module) in Objective.Modules)
                modules[name] = module;
            if (Probe != null)
                modules["probe"] = Probe;
            return modules;
        }
    }

    public IReadOnlyDictionary<string, OptimizerHelper> Optimizers
    {
        get
        {
            // "contrastive" for every method: the name checkpoints have used since SimCLR was the only one.
            var optimizers = new Dictionary<string, OptimizerHelper> { ["contrastive"] = ContrastiveOptimizer };
            if (ProbeOptimizer != null)
                optimizers["probe"] = ProbeOptimizer;
            return optimizers;
        }
    }

    public IReadOnlyDictionary<string, Generator> Generators => new Dictionary<string, Generator> { ["augmentation"] = _augmentationRandom };

    public Dictionary<string, string> Fingerprint
    {
        get
        {
            var fingerprint = new Dictionary<string, string>
            {
                ["BatchSize"] = _options.BatchSize.ToString(CultureInfo.InvariantCulture),
                ["Seed"] = _seed.ToString(CultureInfo.InvariantCulture),
                ["Images"] = $"{_unlabeled.Count}+{_labeledRows.Length}",
                ["Optimizer"] = _options.Optimizer.ToString(),
                ["Method"] = _options.Method.ToString(),
            };
            foreach (var (name, value) in Objective.Fingerprint)
                fingerprint[name] = value;
            return fingerprint;
        }
    }

    public IEnumerable<StepMetric> TrainStep(int epoch, int step)
    {
        using var scope = NewDisposeScope();
        var unlabeledRows = EpochOrder.Slice(_unlabeled.Count, _seed, epoch, 0, step, UnlabeledBatch).ToArray();
        var labeledRows = EpochOrder.Slice(_labeledRows.Length, _seed, epoch, 1, step, LabeledBatch).Select(i => _labeledRows[i]).ToArray();
        var (unlabeledImages, _) = _unlabeled.Gather(unlabeledRows);
        var (labeledImages, labels) = _labeled.Gather(labeledRows);
        return TrainStep(unlabeledImages, labeledImages, labels, new TrainingProgress((long)epoch * StepsPerEpoch + step, StepsPerEpoch, _options.Epochs), timer: null);
    }

    /// <summary>One step on given uint8 batches ([u, 3, S, S], [l, 3, S, S]) and 0-based labels ([l]).</summary>
    public List<StepMetric> TrainStep(Tensor unlabeledImages, Tensor labeledImages, Tensor labels, TrainingProgress progress, PhaseTimer? timer)
    {
        using var scope = NewDisposeScope();
        timer?.Start("augmentation");
        var images = cat(new[] { unlabeledImages, labeledImages }, 0).to(_device);      // [n, 3, S, S] uint8
        long n = images.shape[0];
        Tensor views;
        using (no_grad())
            views = cat(new[] { _strong.Apply(images, _augmentationRandom), _strong.Apply(images, _augmentationRandom) }, 0);   // [2n, 3, S, S]

        timer?.Start("forward");
        var objective = Objective.Forward(Encoder, views, n, labels.to(_device), progress);

        timer?.Start("backward");
        ContrastiveOptimizer.zero_grad();
        objective.Loss.backward();

        timer?.Start("optimizer");
        ContrastiveOptimizer.step();

        timer?.Start("metrics");
        var metrics = new List<StepMetric> { new("c_loss", objective.Loss.item<float>(), 1) };
        using (no_grad())
        {
            if (objective.Metrics != null)
                metrics.AddRange(objective.Metrics());
            metrics.Add(new("emb_std", EmbeddingSpread.Std(objective.Embeddings), 1));
        }
        timer?.Start("momentum");
        objective.AfterOptimizerStep?.Invoke();

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

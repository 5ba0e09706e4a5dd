using System.Diagnostics;
using System.Globalization;
using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using SimClr.MLNet.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>
/// SimCLRv2 distillation: a student encoder plus linear head learns from a fixed teacher's softened predictions on
/// weakly augmented batches drawn from the unlabelled and labelled images together, plus the cross-entropy on the
/// batch's labelled rows: loss = (1 - w) * distillation + w * cross-entropy. Options turn it into FixMatch (Sohn et al.,
/// 2020): targets from the student itself on the weak view, thresholded into pseudo-labels, learnt on a strong view.
/// </summary>
internal sealed class DistillRun : ITrainingRun, IDisposable
{
    readonly DistillOptions _options;
    readonly ImageTensorSet _unlabeled, _labeled;
    readonly ImageTensorSet? _validation;
    readonly Device _device;
    readonly ClassifierUnderTraining _classifier;
    readonly Action<string> _log;
    readonly int _seed;
    readonly string _studentStart;
    // The caller's teacher is copied: the run sets precision, device and eval mode on its own modules only.
    readonly Encoder _teacherEncoder;
    readonly LinearClassifier _teacherHead;
    // The teacher's per-step pass on a float32 CPU run goes through ONNX Runtime (OnnxRuntimeEncoder: a faster pass).
    readonly OnnxRuntimeEncoder? _onnxTeacher;
    // DistillOptions.StudentAugmentation: the strong view, drawn from the classifier's augmentation stream after the weak one.
    readonly ImageAugmenter? _studentAugmenter;
    Tensor? _targets;   // DistillTargets.Once: [unlabelled + labelled, C] probabilities, on the device

    public DistillRun(DistillOptions options, ImageTensorSet unlabeled, ImageTensorSet labeled, ImageTensorSet? validation, Device device,
        Encoder teacherEncoder, LinearClassifier teacherHead, Encoder? studentStart, Action<string>? log = null, LinearClassifier? studentHead = null,
        EncoderSpec? studentSpec = null)
    {
        _options = options;
        _unlabeled = unlabeled;
        _labeled = labeled;
        _validation = validation;
        _device = device;
        _log = log ?? (_ => { });
        _seed = options.Seed ?? TrainingOptions.Defaults.Seed;
        // "pretrained" names any given encoder: the value predates starting from a whole classifier, and checkpoints keep it.
        _studentStart = studentHead != null ? "classifier" : studentStart != null ? "pretrained" : "scratch";
        PoolSize = unlabeled.Count + labeled.Count;
        if (PoolSize == 0)
            throw new ArgumentException("Distillation needs images; the unlabelled and labelled sets are both empty.", nameof(unlabeled));
        LabeledImages = labeled.LabeledIndices().Length;

        int classCount = teacherHead.ClassCount;
        _classifier = new ClassifierUnderTraining(options, studentSpec ?? studentStart?.Spec ?? teacherEncoder.Spec, classCount, studentStart, device, _seed, (ulong)_seed + 3, studentHead);
        // Made after the student, so the student's initial weights depend only on the seed; then overwritten.
        (_teacherEncoder, _teacherHead) = Runtime.TorchRuntime.WithSeed(_seed, () =>
            (Models.Encoder.Create(teacherEncoder.Spec), new LinearClassifier(teacherHead.FeatureDim, classCount)));
        _teacherEncoder.load_state_dict(teacherEncoder.state_dict());
        _teacherHead.load_state_dict(teacherHead.state_dict());
        foreach (var parameter in _teacherEncoder.parameters().Concat(_teacherHead.parameters()))
            parameter.requires_grad = false;
        _teacherEncoder.Precision = options.Precision;
        _teacherEncoder.to(device);
        _teacherHead.to(device);
        _teacherEncoder.eval();
        _teacherHead.eval();
        if (options.Targets == DistillTargets.PerStep && device.type == DeviceType.CPU && options.Precision == ComputePrecision.Float32)
            _onnxTeacher = OnnxTeacherOrNull();
        StepsPerEpoch = (PoolSize + options.BatchSize - 1) / options.BatchSize;
        _studentAugmenter = options.StudentAugmentation is { } strong ? new ImageAugmenter(strong) : null;
    }

    /// <summary>The teacher in ONNX Runtime, or null where ONNX Runtime does not load: libtorch then runs it, slower but the same.</summary>
    OnnxRuntimeEncoder? OnnxTeacherOrNull()
    {
        try
        {
            return new OnnxRuntimeEncoder(_teacherEncoder, get_num_threads());
        }
        catch (Exception e) when (OnnxRuntimeCheck.IsLoadFailure(e))
        {
            _log($"distill: ONNX Runtime did not load ({e.Message.ReplaceLineEndings(" ")}); the teacher's pass runs in libtorch.");
            return null;
        }
    }

    /// <summary>What runs the teacher's pass on every batch: ONNX Runtime (a float32 CPU run), libtorch, or nothing (Once, Self).</summary>
    public string TeacherRuntime => _options.Targets != DistillTargets.PerStep ? "none" : _onnxTeacher != null ? "ONNX Runtime" : "libtorch";

    /// <summary>With <see cref="DistillTargets.Once"/>, after <see cref="PrepareTargets"/>: the teacher's probabilities, unlabelled images first.</summary>
    internal Tensor? CachedTargets => _targets;

    public Encoder Encoder => _classifier.Encoder;
    public LinearClassifier Head => _classifier.Head;
    public OptimizerHelper Optimizer => _classifier.Optimizer;

    /// <summary>Images drawn from: every unlabelled image and every image of the labelled set.</summary>
    public int PoolSize { get; }

    /// <summary>Images of the pool that have a label.</summary>
    public int LabeledImages { get; }

    public string Kind => "distill";
    public int StepsPerEpoch { get; }
    public OptimizerHelper ScheduledOptimizer => Optimizer;
    public IReadOnlyDictionary<string, nn.Module> Modules => _classifier.Modules;
    public IReadOnlyDictionary<string, OptimizerHelper> Optimizers => _classifier.Optimizers;
    public IReadOnlyDictionary<string, Generator> Generators => _classifier.Generators;

    public Dictionary<string, string> Fingerprint => new()
    {
        ["BatchSize"] = _options.BatchSize.ToString(CultureInfo.InvariantCulture),
        ["Seed"] = _seed.ToString(CultureInfo.InvariantCulture),
        ["Images"] = $"{_unlabeled.Count}+{_labeled.Count}",
        ["Optimizer"] = _options.Optimizer.ToString(),
        ["Temperature"] = _options.Temperature.ToString("R", CultureInfo.InvariantCulture),
        ["LabeledLossWeight"] = _options.LabeledLossWeight.ToString("R", CultureInfo.InvariantCulture),
        ["Targets"] = _options.Targets.ToString(),
        ["StudentStart"] = _studentStart,
        ["PseudoLabelThreshold"] = _options.PseudoLabelThreshold?.ToString("R", CultureInfo.InvariantCulture) ?? "none",
        ["TeacherFlipAveraging"] = _options.TeacherFlipAveraging.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// With <see cref="DistillTargets.Once"/>, scores every image with the teacher (un-augmented, in batches of
    /// EvaluationBatchSize) unless done already; the first step calls it, a trainer may call it earlier.
    /// </summary>
    public void PrepareTargets()
    {
        if (_options.Targets != DistillTargets.Once || _targets is not null)
            return;
        var watch = Stopwatch.StartNew();
        using (var scope = NewDisposeScope())
        {
            Tensor Pass(Tensor images) => Features.Extract(_teacherEncoder, images, _options.EvaluationBatchSize, _device,
                features => DistillationLoss.TeacherProbabilities(_teacherHead.call(features), _options.Temperature), _teacherHead.ClassCount);
            Tensor Probabilities(ImageTensorSet set) => _options.TeacherFlipAveraging
                ? Pass(set.Images).add_(Pass(set.Images.flip(3))).div_(2)
                : Pass(set.Images);
            // Detached: the cache lives as long as the run, not as long as the step that may have asked for it.
            _targets = cat(new[] { Probabilities(_unlabeled), Probabilities(_labeled) }, 0).DetachFromDisposeScope();
        }
        _log($"distill: teacher targets for {PoolSize:N0} images in {watch.Elapsed.TotalSeconds:F1} s");
    }

    public IEnumerable<StepMetric> TrainStep(int epoch, int step)
    {
        PrepareTargets();
        using var scope = NewDisposeScope();
        var rows = EpochOrder.Slice(PoolSize, _seed, epoch, 3, step, _options.BatchSize).ToArray();
        // Pool rows 0..U-1 are the unlabelled images, then the labelled set's; the batch lists the unlabelled first.
        var unlabeledRows = rows.Where(r => r < _unlabeled.Count).ToArray();
        var labeledRows = rows.Where(r => r >= _unlabeled.Count).Select(r => r - _unlabeled.Count).ToArray();
        var (unlabeledImages, _) = _unlabeled.Gather(unlabeledRows);
        var (labeledImages, _) = _labeled.Gather(labeledRows);
        var images = cat(new[] { unlabeledImages, labeledImages }, 0);
        // An unlabelled set may carry labels (a labelled data set used as unlabelled); distillation ignores them.
        var labels = tensor(unlabeledRows.Select(_ => -1L).Concat(labeledRows.Select(r => _labeled.Labels[r])).ToArray());
        var targets = _targets?.index_select(0, tensor(unlabeledRows.Concat(labeledRows.Select(r => r + _unlabeled.Count)).ToArray(), device: _device));
        return TrainStep(images, labels, targets, timer: null);
    }

    /// <summary>
    /// The teacher's probabilities for float images [n, 3, S, S]; with <see cref="DistillOptions.TeacherFlipAveraging"/>,
    /// averaged with those for the mirrored images, both in one teacher pass (eval mode: the batch's rows do not interact).
    /// </summary>
    internal Tensor TeacherProbabilities(Tensor inputs)
    {
        Tensor Logits(Tensor images) => _teacherHead.call(_onnxTeacher?.Features(images) ?? _teacherEncoder.call(images));
        if (!_options.TeacherFlipAveraging)
            return DistillationLoss.TeacherProbabilities(Logits(inputs), _options.Temperature);
        using var scope = NewDisposeScope();
        long count = inputs.shape[0];
        var both = DistillationLoss.TeacherProbabilities(Logits(cat(new[] { inputs, inputs.flip(3) }, 0)), _options.Temperature);
        return both.narrow(0, 0, count).add(both.narrow(0, count, count)).div_(2).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One step on a uint8 batch [n, 3, S, S] with 0-based labels [n] (-1 = unlabelled) and, with
    /// <see cref="DistillTargets.Once"/>, the teacher's probabilities [n, C] for those images; null lets the
    /// teacher (or, with <see cref="DistillTargets.Self"/>, the student) score the weakly augmented batch.
    /// </summary>
    public List<StepMetric> TrainStep(Tensor images, Tensor labels, Tensor? teacherProbabilities, PhaseTimer? timer)
    {
        using var scope = NewDisposeScope();
        timer?.Start("augmentation");
        Tensor inputs, studentInputs;
        using (no_grad())
        {
            var deviceImages = images.to(_device);
            inputs = _classifier.Augmenter.Apply(deviceImages, _classifier.AugmentationRandom);    // [n, 3, S, S] float
            studentInputs = _studentAugmenter?.Apply(deviceImages, _classifier.AugmentationRandom) ?? inputs;
        }
        var targets = labels.to(_device);
        var labeledPositions = labels.ge(0).nonzero().flatten().to(_device);
        long labeledCount = labeledPositions.shape[0];
        long count = targets.shape[0];

        timer?.Start("teacher");
        if (teacherProbabilities is null)
        {
            using (no_grad())
                teacherProbabilities = _options.Targets == DistillTargets.Self
                    ? StudentProbabilities(inputs)
                    : TeacherProbabilities(inputs);
        }
        teacherProbabilities = teacherProbabilities.to(_device);
        var distillTargets = _options.PseudoLabelThreshold is { } threshold
            ? DistillationLoss.PseudoLabels(teacherProbabilities, threshold)
            : teacherProbabilities;

        timer?.Start("forward");
        Tensor logits, labeledLogits;
        if (_studentAugmenter is null)
        {
            logits = Head.call(Encoder.call(inputs));                              // [n, classes]
            labeledLogits = logits.index_select(0, labeledPositions);
        }
        else
        {
            // The labelled rows' weak views join the strong batch: one forward pass, BatchNorm statistics over both.
            var all = Head.call(Encoder.call(cat(new[] { studentInputs, inputs.index_select(0, labeledPositions) }, 0)));
            logits = all.narrow(0, 0, count);
            labeledLogits = all.narrow(0, count, labeledCount);
        }
        var distillLoss = DistillationLoss.Compute(logits, distillTargets, _options.Temperature);
        var labeledTargets = targets.index_select(0, labeledPositions);
        var crossEntropy = labeledCount > 0 ? nn.functional.cross_entropy(labeledLogits, labeledTargets) : tensor(0f, device: _device);
        double weight = _options.LabeledLossWeight;
        var loss = distillLoss.mul(1 - weight).add(crossEntropy.mul(weight));

        timer?.Start("backward");
        Optimizer.zero_grad();
        loss.backward();

        timer?.Start("optimizer");
        Optimizer.step();

        timer?.Start("metrics");
        var predicted = logits.argmax(1);
        // Metrics of the labelled rows weigh by their number; a batch without any adds nothing to the epoch's mean.
        var metrics = new List<StepMetric>
        {
            new("loss", loss.item<float>(), count),
            new("distill_loss", distillLoss.item<float>(), count),
            new("ce_loss", crossEntropy.item<float>(), labeledCount),
            new("acc", labeledCount > 0 ? labeledLogits.argmax(1).eq(labeledTargets).to(ScalarType.Float32).mean().item<float>() : 0, labeledCount),
            new("agree", predicted.eq(teacherProbabilities.argmax(1)).to(ScalarType.Float32).mean().item<float>(), count),
        };
        if (_options.PseudoLabelThreshold != null)
            // The share of rows whose target passed the threshold (FixMatch's mask rate).
            metrics.Add(new("pseudo_labeled", distillTargets.sum(1).mean().item<float>(), count));
        timer?.Stop();
        return metrics;
    }

    /// <summary>
    /// The student's own probabilities at the temperature, with BatchNorm on its running statistics as when it
    /// scores validation images, so that a row's target does not depend on the rows it is batched with.
    /// </summary>
    Tensor StudentProbabilities(Tensor inputs)
    {
        bool wasTraining = Encoder.training;
        Encoder.eval();
        try
        {
            return DistillationLoss.TeacherProbabilities(Head.call(Encoder.call(inputs)), _options.Temperature);
        }
        finally
        {
            Encoder.train(wasTraining);
        }
    }

    public IReadOnlyDictionary<string, double> Evaluate()
        => Features.Validate(Encoder, Head, _validation, _options.EvaluationBatchSize, _device);

    public void Dispose()
    {
        _classifier.Dispose();
        _teacherEncoder.Dispose();
        _teacherHead.Dispose();
        _onnxTeacher?.Dispose();
        _targets?.Dispose();
    }
}

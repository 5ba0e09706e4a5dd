using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Data;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Training;

/// <summary>Distillation (SimCLRv2 step 3) on tiny images: the teacher stays as it was, and the student follows it.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class DistillTests : IClassFixture<DistillTests.Fixture>
{
    const int Size = 32;
    static readonly EncoderSpec Tiny = new(EncoderArchitecture.Reference, 8, Size);
    static readonly string[] Colours = ["red", "green", "blue"];

    /// <summary>
    /// A teacher trained on deliberately wrong labels (red called green, green blue, blue red): a student that
    /// follows the teacher is then told apart from one that learns the true labels.
    /// </summary>
    public sealed class Fixture : IDisposable
    {
        public Fixture()
        {
            using var shifted = ColourSet(seed: 1, count: 60, label: i => (i % 3 + 1) % 3);
            Teacher = new SupervisedTrainer(new SupervisedOptions
            {
                EncoderSpec = Tiny, Epochs = 15, BatchSize = 15, Seed = 2, LearningRate = 3e-3,
            }).Fit(shifted);
        }

        public SupervisedResult Teacher { get; }

        public void Dispose() => Teacher.Dispose();
    }

    readonly Fixture _fixture;

    public DistillTests(Fixture fixture) => _fixture = fixture;

    /// <summary>Images dominated by red, green or blue (class i % 3), with noise and a grey square; labels from <paramref name="label"/>.</summary>
    static ImageTensorSet ColourSet(int seed, int count, Func<int, long>? label = null, bool unlabeled = false)
    {
        TorchRuntime.EnsureInitialized();
        var random = new Random(seed);
        var bytes = new byte[count * 3 * Size * Size];
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            int x0 = random.Next(Size - 10), y0 = random.Next(Size - 10);
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < Size; y++)
                    for (int x = 0; x < Size; x++)
                    {
                        bool inSquare = x >= x0 && x < x0 + 10 && y >= y0 && y < y0 + 10;
                        int value = inSquare ? 128 : c == i % 3 ? 200 : 50;
                        bytes[((i * 3 + c) * Size + y) * Size + x] = (byte)Math.Clamp(value + random.Next(-40, 41), 0, 255);
                    }
            labels[i] = unlabeled ? -1 : label?.Invoke(i) ?? i % 3;
        }
        return new ImageTensorSet(tensor(bytes, new long[] { count, 3, Size, Size }), labels, Colours);
    }

    static DistillOptions Options(int epochs = 1, DistillTargets targets = DistillTargets.Once) => new()
    {
        Epochs = epochs, BatchSize = 24, Seed = 5, Targets = targets, EvaluationBatchSize = 64,
    };

    /// <summary>Predicted classes of un-augmented images.</summary>
    static long[] Predict(Encoder encoder, LinearClassifier head, ImageTensorSet set)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var features = Features.Extract(encoder, set.Images, 64, CPU);
        return head.call(features).argmax(1).data<long>().ToArray();
    }

    static List<Tensor> State(nn.Module module) => module.parameters().Concat(module.buffers()).Select(t => t.detach().clone()).ToList();

    [Theory]
    [InlineData(DistillTargets.Once, ComputePrecision.Float32)]
    [InlineData(DistillTargets.PerStep, ComputePrecision.Float32)]
    [InlineData(DistillTargets.PerStep, ComputePrecision.BFloat16)]
    public void TheTeacherAndTheStudentStartAreNeverChanged(DistillTargets targets, ComputePrecision precision)
    {
        // SmallResNet18 has BatchNorm: a teacher run in training mode would move its running statistics.
        var spec = new EncoderSpec(EncoderArchitecture.SmallResNet18, 4, 16);
        using var unlabeled = SyntheticShapes.CreateSet(seed: 1, first: 0, count: 24, 16, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(seed: 2, first: 0, count: 12, 16);
        TorchRuntime.Seed(7);
        using var teacherEncoder = Encoder.Create(spec);
        using var teacherHead = new LinearClassifier(teacherEncoder.FeatureDim, 10);
        using var start = Encoder.Create(spec);
        teacherEncoder.train();
        teacherHead.train();
        var before = State(teacherEncoder).Concat(State(teacherHead)).ToList();
        var startBefore = State(start);
        var options = Options(epochs: 2, targets);
        options.BatchSize = 12;
        options.Precision = precision;

        using var student = new SimClrDistiller(options).Fit(unlabeled, labeled, null, teacherEncoder, teacherHead, studentStart: start);

        var after = State(teacherEncoder).Concat(State(teacherHead)).ToList();
        Assert.Equal(before.Count, after.Count);
        Assert.All(before.Zip(after), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.All(startBefore.Zip(State(start)), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.True(teacherEncoder.training);
        Assert.True(teacherHead.training);
        Assert.Equal(ComputePrecision.Float32, teacherEncoder.Precision);
        Assert.All(teacherEncoder.parameters().Concat(teacherHead.parameters()), p => Assert.True(p.requires_grad));
        // The student did train, from the start it was given.
        Assert.Contains(student.Encoder.parameters().Zip(start.parameters()), pair => !TensorAssert.Same(pair.First, pair.Second));
        Assert.Equal(precision, student.Encoder.Precision);

        // And an evaluation-mode teacher stays in evaluation mode.
        teacherEncoder.eval();
        using (new SimClrDistiller(Options(targets: targets)).Fit(unlabeled, labeled, null, teacherEncoder, teacherHead)) { }
        Assert.False(teacherEncoder.training);
    }

    /// <remarks>Width 4: a student half the teacher's width (SimCLRv2's big-to-small distillation).</remarks>
    [Theory]
    [InlineData(DistillTargets.Once, 8)]
    [InlineData(DistillTargets.PerStep, 8)]
    [InlineData(DistillTargets.Once, 4)]
    public void AStudentFromScratchLearnsToAgreeWithTheTeacher(DistillTargets targets, int studentWidth)
    {
        using var heldOut = ColourSet(seed: 9, count: 30);
        var teacher = Predict(_fixture.Teacher.Encoder, _fixture.Teacher.Head, heldOut);
        double teacherShifted = teacher.Select((p, i) => p == (heldOut.Labels[i] + 1) % 3 ? 1.0 : 0).Average();
        Assert.True(teacherShifted >= 0.9, $"the teacher learnt its shifted labels on {teacherShifted:P0} of held-out images");

        using var unlabeled = ColourSet(seed: 3, count: 96, unlabeled: true);
        using var labeled = ColourSet(seed: 4, count: 24);
        var options = Options(epochs: 8, targets);
        options.LabeledLossWeight = 0;   // all the student knows comes from the teacher
        options.LearningRate = 3e-3;
        var studentSpec = Tiny with { Width = studentWidth };
        if (studentWidth != Tiny.Width)
            options.EncoderSpec = studentSpec;
        var log = new List<string>();
        using var student = new SimClrDistiller(options, log.Add).Fit(unlabeled, labeled, heldOut, _fixture.Teacher.Encoder, _fixture.Teacher.Head);

        Assert.Equal(studentSpec, student.Encoder.Spec);
        Assert.Equal(studentWidth == Tiny.Width, log.All(line => !line.Contains("(teacher: Reference width 8)")));

        var predicted = Predict(student.Encoder, student.Head, heldOut);
        double agreement = predicted.Zip(teacher, (s, t) => s == t ? 1.0 : 0).Average();
        double accuracy = predicted.Select((p, i) => p == heldOut.Labels[i] ? 1.0 : 0).Average();
        Assert.True(agreement >= 0.9, $"the student agrees with the teacher on {agreement:P0} of held-out images");
        Assert.True(accuracy <= 0.1, $"the student matches the true labels on {accuracy:P0}: it learnt them, not the teacher");
        var agree = student.History.Series("agree");
        Assert.True(agree[^1] > agree[0] + 0.2 && agree[^1] >= 0.85, $"agree went from {agree[0]:F2} to {agree[^1]:F2}");
        var losses = student.History.Series("distill_loss");
        Assert.True(losses[^1] < losses[0] - 0.2, $"distill_loss went from {losses[0]:F3} to {losses[^1]:F3}");
        Assert.Equal(accuracy, student.History.Series("val_acc")[^1], 5);
        foreach (var metric in new[] { "loss", "distill_loss", "ce_loss", "acc", "agree", "val_loss", "val_acc", "lr" })
            Assert.Contains(metric, student.History.MetricNames);
    }

    /// <summary>
    /// Self-training: a student given the teacher's encoder and head starts with exactly the teacher's logits and so
    /// agrees with it from the first epoch, where a student from scratch does not.
    /// </summary>
    [Fact]
    public void AStudentFromTheTeachersClassifierStartsWithTheTeachersPredictions()
    {
        var teacher = _fixture.Teacher;
        using var heldOut = ColourSet(seed: 14, count: 30);
        using var unlabeled = ColourSet(seed: 15, count: 48, unlabeled: true);
        using var labeled = ColourSet(seed: 16, count: 24);
        using (var run = new DistillRun(Options(), unlabeled, labeled, null, CPU, teacher.Encoder, teacher.Head, teacher.Encoder, studentHead: teacher.Head))
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            run.Encoder.eval();
            run.Head.eval();
            var inputs = heldOut.Images.to(ScalarType.Float32).div(255f);
            var expected = teacher.Head.call(teacher.Encoder.call(inputs));
            Assert.True(TensorAssert.Same(expected, run.Head.call(run.Encoder.call(inputs))));
            Assert.Equal("classifier", run.Fingerprint["StudentStart"]);
        }

        var log = new List<string>();
        using var fromTeacher = new SimClrDistiller(Options(), log.Add).Fit(unlabeled, labeled, null, teacher.Encoder, teacher.Head, teacher.Encoder, teacher.Head);
        using var fromScratch = new SimClrDistiller(Options()).Fit(unlabeled, labeled, null, teacher.Encoder, teacher.Head);
        double teacherStart = fromTeacher.History.Series("agree")[0], scratchStart = fromScratch.History.Series("agree")[0];
        Assert.True(teacherStart >= 0.9 && teacherStart > scratchStart + 0.3, $"first-epoch agreement: from the teacher {teacherStart:F2}, from scratch {scratchStart:F2}");
        Assert.Contains(log, line => line.Contains("student from a given classifier (encoder and head)"));
    }

    /// <remarks>Width 4: a student narrower than its teacher takes the same step.</remarks>
    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public void AStepCombinesTheTwoLossesWithTheLabelledWeight(int studentWidth)
    {
        using var unlabeled = ColourSet(seed: 5, count: 6, unlabeled: true);
        using var labeled = ColourSet(seed: 6, count: 6);
        var options = Options(targets: DistillTargets.PerStep);
        options.Augmentation = AugmentationOptions.None;   // the step sees the images as they are
        options.LabeledLossWeight = 0.3;
        options.Temperature = 2;
        using var run = new DistillRun(options, unlabeled, labeled, null, CPU, _fixture.Teacher.Encoder, _fixture.Teacher.Head, studentStart: null,
            studentSpec: Tiny with { Width = studentWidth });
        Assert.Equal(studentWidth, run.Encoder.Spec.Width);
        using var scope = NewDisposeScope();
        var images = cat(new[] { unlabeled.Images.narrow(0, 0, 3), labeled.Images.narrow(0, 0, 3) }, 0);
        var labels = tensor(new long[] { -1, -1, -1, labeled.Labels[0], labeled.Labels[1], labeled.Labels[2] });
        var inputs = images.to(ScalarType.Float32).div(255f);
        Tensor studentLogits, teacherProbabilities;
        using (no_grad())
        {
            studentLogits = run.Head.call(run.Encoder.call(inputs));
            teacherProbabilities = DistillationLoss.TeacherProbabilities(_fixture.Teacher.Head.call(_fixture.Teacher.Encoder.call(inputs)), 2);
        }
        double distill = DistillationLoss.Compute(studentLogits, teacherProbabilities, 2).item<float>();
        var labeledRows = tensor(new long[] { 3, 4, 5 });
        double crossEntropy = nn.functional.cross_entropy(studentLogits.index_select(0, labeledRows), labels.index_select(0, labeledRows)).item<float>();
        var predicted = studentLogits.argmax(1).data<long>().ToArray();
        var teacher = teacherProbabilities.argmax(1).data<long>().ToArray();

        var metrics = run.TrainStep(images, labels, teacherProbabilities: null, timer: null).ToDictionary(m => m.Name);

        Assert.Equal(distill, metrics["distill_loss"].Value, 4);
        Assert.Equal(crossEntropy, metrics["ce_loss"].Value, 4);
        Assert.Equal(0.7 * distill + 0.3 * crossEntropy, metrics["loss"].Value, 4);
        Assert.Equal(Enumerable.Range(3, 3).Average(i => predicted[i] == labeled.Labels[i - 3] ? 1.0 : 0), metrics["acc"].Value, 5);
        Assert.Equal(predicted.Zip(teacher, (s, t) => s == t ? 1.0 : 0).Average(), metrics["agree"].Value, 5);
        Assert.Equal((6.0, 3.0, 3.0, 6.0), (metrics["loss"].Weight, metrics["ce_loss"].Weight, metrics["acc"].Weight, metrics["distill_loss"].Weight));
        Assert.NotEqual(metrics["distill_loss"].Value, metrics["ce_loss"].Value, 3);   // the weighting is visible

        // A batch without labels: the cross-entropy is 0 and carries no weight into the epoch's mean.
        var unlabeledOnly = run.TrainStep(images.narrow(0, 0, 3), labels.narrow(0, 0, 3), null, null).ToDictionary(m => m.Name);
        Assert.Equal((0.0, 0.0), (unlabeledOnly["ce_loss"].Value, unlabeledOnly["ce_loss"].Weight));
        Assert.Equal(0.7 * unlabeledOnly["distill_loss"].Value, unlabeledOnly["loss"].Value, 5);
    }

    /// <summary>
    /// TeacherFlipAveraging, checked against the average written out in float64: a copy of the teacher scores the
    /// images and, separately, the images with their columns reversed by an index (not by flip), at temperature 2.
    /// PerStep's loss uses that average as its target, and Once caches it for every image of the pool.
    /// </summary>
    [Fact]
    public void FlipAveragingTargetsAreTheMeanOfTheTeachersAnswersOnTheImageAndItsMirror()
    {
        using var unlabeled = ColourSet(seed: 21, count: 6, unlabeled: true);
        using var labeled = ColourSet(seed: 22, count: 3);
        var teacher = _fixture.Teacher;
        using var scope = NewDisposeScope();
        var images = cat(new[] { unlabeled.Images, labeled.Images }, 0);
        var inputs = images.to(ScalarType.Float64).div(255.0);
        var reversedColumns = arange(Size - 1, -1, -1, dtype: ScalarType.Int64);
        using var encoder64 = Encoder.Create(teacher.Encoder.Spec);
        using var head64 = new LinearClassifier(teacher.Head.FeatureDim, 3);
        encoder64.load_state_dict(teacher.Encoder.state_dict());
        head64.load_state_dict(teacher.Head.state_dict());
        encoder64.to(ScalarType.Float64);
        head64.to(ScalarType.Float64);
        encoder64.eval();
        head64.eval();
        Tensor expected, plain;
        using (no_grad())
        {
            // The encoder returns float32: its head runs in float64 on the widened features.
            Tensor Probabilities(Tensor x) => nn.functional.softmax(head64.call(encoder64.call(x).to(ScalarType.Float64)).div(2.0), 1);
            plain = Probabilities(inputs);
            expected = plain.add(Probabilities(inputs.index_select(3, reversedColumns))).div(2.0);
        }
        Assert.True(expected.sub(plain).abs().max().item<double>() > 1e-3, "the mirror images must change the teacher's answers for this test to mean anything");

        var options = Options(targets: DistillTargets.PerStep);
        options.Augmentation = AugmentationOptions.None;
        options.Temperature = 2;
        options.TeacherFlipAveraging = true;
        using (var run = new DistillRun(options, unlabeled, labeled, null, CPU, teacher.Encoder, teacher.Head, studentStart: null))
        {
            Tensor studentLogits;
            using (no_grad())
                studentLogits = run.Head.call(run.Encoder.call(inputs.to(ScalarType.Float32))).to(ScalarType.Float64);
            double averaged = DistillationLoss.Compute(studentLogits, expected, 2).item<double>();
            double single = DistillationLoss.Compute(studentLogits, plain, 2).item<double>();
            var labels = tensor(Enumerable.Repeat(-1L, 6).Concat(labeled.Labels).ToArray());
            var metrics = run.TrainStep(images, labels, teacherProbabilities: null, timer: null).ToDictionary(m => m.Name);
            Assert.Equal(averaged, metrics["distill_loss"].Value, 5);
            Assert.NotEqual(single, metrics["distill_loss"].Value, 5);
        }

        options.Targets = DistillTargets.Once;
        using (var run = new DistillRun(options, unlabeled, labeled, null, CPU, teacher.Encoder, teacher.Head, studentStart: null))
        {
            run.PrepareTargets();
            var cached = run.CachedTargets!.to(ScalarType.Float64);
            Assert.Equal(new long[] { 9, 3 }, cached.shape);
            Assert.True(cached.allclose(expected, rtol: 0, atol: 1e-5), $"largest difference {cached.sub(expected).abs().max().item<double>():G3}");
        }
    }

    /// <summary>
    /// On a float32 CPU run, PerStep's teacher scores each batch in ONNX Runtime, from the exported graph; its
    /// probabilities at temperature 2 match a float64 copy of the teacher run by libtorch. SmallResNet18, with BatchNorm
    /// statistics moved away from their initial values, so a graph that normalised with the batch's own statistics,
    /// or with the initial ones, would not match. bf16 keeps the teacher in libtorch.
    /// </summary>
    [Fact]
    public void OnTheCpuTheTeachersPassRunsInOnnxRuntimeAndMatchesFloat64()
    {
        var spec = new EncoderSpec(EncoderArchitecture.SmallResNet18, 4, 16);
        using var unlabeled = SyntheticShapes.CreateSet(seed: 1, first: 0, count: 10, 16, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(seed: 2, first: 0, count: 6, 16);
        using var scope = NewDisposeScope();
        TorchRuntime.Seed(11);
        using var teacherEncoder = Encoder.Create(spec);
        using var teacherHead = new LinearClassifier(teacherEncoder.FeatureDim, labeled.ClassNames.Count);
        teacherEncoder.train();
        using (no_grad())
            for (int i = 0; i < 3; i++)
                teacherEncoder.call(rand(8, 3, 16, 16).mul(0.5).add(0.3));
        teacherEncoder.eval();
        var inputs = rand(7, 3, 16, 16);

        using var encoder64 = Encoder.Create(spec);
        using var head64 = new LinearClassifier(teacherHead.FeatureDim, teacherHead.ClassCount);
        encoder64.load_state_dict(teacherEncoder.state_dict());
        head64.load_state_dict(teacherHead.state_dict());
        encoder64.to(ScalarType.Float64);
        head64.to(ScalarType.Float64);
        encoder64.eval();
        Tensor expected, withInitialStatistics;
        using (no_grad())
        {
            expected = nn.functional.softmax(head64.call(encoder64.call(inputs.to(ScalarType.Float64)).to(ScalarType.Float64)).div(2.0), 1);
            using var fresh = Encoder.Create(spec);
            fresh.load_state_dict(teacherEncoder.state_dict());
            foreach (var (name, buffer) in fresh.named_buffers().Where(b => b.name.EndsWith("running_mean") || b.name.EndsWith("running_var")))
                buffer.fill_(name.EndsWith("running_var") ? 1 : 0);
            fresh.eval();
            withInitialStatistics = nn.functional.softmax(teacherHead.call(fresh.call(inputs)).to(ScalarType.Float64).div(2.0), 1);
        }
        Assert.True(expected.sub(withInitialStatistics).abs().max().item<double>() > 1e-3, "the BatchNorm statistics must matter for this test to mean anything");

        var options = Options(targets: DistillTargets.PerStep);
        options.Temperature = 2;
        using (var run = new DistillRun(options, unlabeled, labeled, null, CPU, teacherEncoder, teacherHead, studentStart: null))
        {
            Assert.Equal("ONNX Runtime", run.TeacherRuntime);
            Tensor actual;
            using (no_grad())
                actual = run.TeacherProbabilities(inputs).to(ScalarType.Float64);
            Assert.Equal(new long[] { 7, labeled.ClassNames.Count }, actual.shape);
            Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-6), $"largest difference {actual.sub(expected).abs().max().item<double>():G3}");
        }

        options.Precision = ComputePrecision.BFloat16;
        using (var run = new DistillRun(options, unlabeled, labeled, null, CPU, teacherEncoder, teacherHead, studentStart: null))
            Assert.Equal("libtorch", run.TeacherRuntime);
        using (var run = new DistillRun(Options(targets: DistillTargets.Once), unlabeled, labeled, null, CPU, teacherEncoder, teacherHead, studentStart: null))
            Assert.Equal("none", run.TeacherRuntime);
    }

    /// <summary>
    /// FixMatch's step written out: the student's own evaluation-mode prediction on the weak view, thresholded into
    /// pseudo-labels, is the target of its training-mode logits on the strong view; the labelled rows' cross-entropy
    /// uses their weak view, in the same forward pass. The student starts from weights that are not the teacher's, so
    /// targets taken from the teacher would not match, and SmallResNet18's BatchNorm tells the two modes apart.
    /// </summary>
    [Fact]
    public void AFixMatchStepLearnsOnTheStrongViewWhatTheStudentSaysOnTheWeakView()
    {
        var spec = new EncoderSpec(EncoderArchitecture.SmallResNet18, 4, Size);
        using var unlabeled = ColourSet(seed: 17, count: 8, unlabeled: true);
        using var labeled = ColourSet(seed: 18, count: 4);
        TorchRuntime.Seed(3);
        using var teacherEncoder = Encoder.Create(spec);
        using var teacherHead = new LinearClassifier(teacherEncoder.FeatureDim, 3);
        using var startEncoder = Encoder.Create(spec);
        using var startHead = new LinearClassifier(startEncoder.FeatureDim, 3);
        using var scope = NewDisposeScope();
        var images = cat(new[] { unlabeled.Images.narrow(0, 0, 6), labeled.Images.narrow(0, 0, 3) }, 0);
        var labels = tensor(new long[] { -1, -1, -1, -1, -1, -1, labeled.Labels[0], labeled.Labels[1], labeled.Labels[2] });
        var labeledRows = tensor(new long[] { 6, 7, 8 });
        // Grayscale always, nothing else: a strong view that is deterministic, so the test can compute it.
        var grayscale = new AugmentationOptions { FlipProbability = 0, GrayscaleProbability = 1 };
        var weak = images.to(ScalarType.Float32).div(255f);
        var strong = new ImageAugmenter(grayscale).Apply(images, new Generator(0));

        // The expected step, on a copy of the student's start.
        using var copyEncoder = Encoder.Create(spec);
        using var copyHead = new LinearClassifier(copyEncoder.FeatureDim, 3);
        copyEncoder.load_state_dict(startEncoder.state_dict());
        copyHead.load_state_dict(startHead.state_dict());
        Tensor ownProbabilities, logits, labeledLogits;
        using (no_grad())
        {
            copyEncoder.eval();
            ownProbabilities = copyHead.call(copyEncoder.call(weak)).softmax(1);
            copyEncoder.train();
            var all = copyHead.call(copyEncoder.call(cat(new[] { strong, weak.index_select(0, labeledRows) }, 0)));
            (logits, labeledLogits) = (all.narrow(0, 0, 9), all.narrow(0, 9, 3));
        }
        // A threshold between two rows' confidences, so that some rows are kept and some are not.
        var confidences = ownProbabilities.max(1).values.data<float>().Order().ToArray();
        double threshold = (confidences[4] + confidences[5]) / 2;
        var pseudoLabels = DistillationLoss.PseudoLabels(ownProbabilities, threshold);
        double distill = DistillationLoss.Compute(logits, pseudoLabels, 1).item<float>();
        double crossEntropy = nn.functional.cross_entropy(labeledLogits, labels.index_select(0, labeledRows)).item<float>();
        double agree = logits.argmax(1).eq(ownProbabilities.argmax(1)).to(ScalarType.Float32).mean().item<float>();

        var options = Options(targets: DistillTargets.Self);
        options.Augmentation = AugmentationOptions.None;
        options.StudentAugmentation = grayscale;
        options.PseudoLabelThreshold = threshold;
        options.LabeledLossWeight = 0.3;
        using var run = new DistillRun(options, unlabeled, labeled, null, CPU, teacherEncoder, teacherHead, startEncoder, studentHead: startHead);
        var metrics = run.TrainStep(images, labels, teacherProbabilities: null, timer: null).ToDictionary(m => m.Name);

        Assert.Equal(distill, metrics["distill_loss"].Value, 4);
        Assert.Equal(crossEntropy, metrics["ce_loss"].Value, 4);
        Assert.Equal(0.7 * distill + 0.3 * crossEntropy, metrics["loss"].Value, 4);
        Assert.Equal(4.0 / 9, metrics["pseudo_labeled"].Value, 5);
        Assert.Equal(agree, metrics["agree"].Value, 5);
        // What the test tells apart: the same targets learnt on the weak view give another loss.
        double onWeakView;
        using (no_grad())
            onWeakView = DistillationLoss.Compute(copyHead.call(copyEncoder.call(weak)), pseudoLabels, 1).item<float>();
        Assert.True(Math.Abs(onWeakView - distill) > 1e-3, $"weak view {onWeakView}, strong view {distill}");
    }

    [Fact]
    public void TheSameSeedGivesTheSameRunAndTheTargetModesDiffer()
    {
        using var unlabeled = ColourSet(seed: 7, count: 48, unlabeled: true);
        using var labeled = ColourSet(seed: 8, count: 24);
        using var first = new SimClrDistiller(Options()).Fit(unlabeled, labeled, null, _fixture.Teacher.Encoder, _fixture.Teacher.Head);
        using var second = new SimClrDistiller(Options()).Fit(unlabeled, labeled, null, _fixture.Teacher.Encoder, _fixture.Teacher.Head);
        var other = Options();
        other.Seed = 6;
        using var third = new SimClrDistiller(other).Fit(unlabeled, labeled, null, _fixture.Teacher.Encoder, _fixture.Teacher.Head);
        using var perStep = new SimClrDistiller(Options(targets: DistillTargets.PerStep)).Fit(unlabeled, labeled, null, _fixture.Teacher.Encoder, _fixture.Teacher.Head);
        // PerStep's teacher runs in ONNX Runtime on the CPU: its threads must not make the run depend on timing.
        using var perStepAgain = new SimClrDistiller(Options(targets: DistillTargets.PerStep)).Fit(unlabeled, labeled, null, _fixture.Teacher.Encoder, _fixture.Teacher.Head);

        Assert.Equal(first.History.Series("loss"), second.History.Series("loss"));
        Assert.All(first.Encoder.parameters().Concat(first.Head.parameters()).Zip(second.Encoder.parameters().Concat(second.Head.parameters())),
            pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.NotEqual(first.History.Series("loss"), third.History.Series("loss"));
        // Same seed, same batches and augmentations: only where the targets come from differs.
        Assert.NotEqual(first.History.Series("distill_loss"), perStep.History.Series("distill_loss"));
        Assert.Equal(perStep.History.Series("loss"), perStepAgain.History.Series("loss"));
        Assert.All(perStep.Encoder.parameters().Zip(perStepAgain.Encoder.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
    }

    [Fact]
    public void BadOptionsAreRejectedByName()
    {
        using var unlabeled = ColourSet(seed: 10, count: 6, unlabeled: true);
        using var labeled = ColourSet(seed: 11, count: 6);
        var teacher = _fixture.Teacher;
        SupervisedResult Fit(DistillOptions options, Encoder? start = null, LinearClassifier? head = null)
            => new SimClrDistiller(options).Fit(unlabeled, labeled, null, teacher.Encoder, head ?? teacher.Head, start);

        var cold = Options();
        cold.Temperature = 0;
        Assert.Equal("Temperature", Assert.Throws<ArgumentOutOfRangeException>(() => Fit(cold)).ParamName);
        var heavy = Options();
        heavy.LabeledLossWeight = 1.5;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Fit(heavy));
        Assert.Equal("LabeledLossWeight", error.ParamName);
        Assert.Contains("[0, 1]", error.Message);
        var unsure = Options();
        unsure.PseudoLabelThreshold = 1.5;
        Assert.Equal("PseudoLabelThreshold", Assert.Throws<ArgumentOutOfRangeException>(() => Fit(unsure)).ParamName);
        var mirroredSelf = Options(targets: DistillTargets.Self);
        mirroredSelf.TeacherFlipAveraging = true;
        var self = Assert.Throws<ArgumentException>(() => Fit(mirroredSelf));
        Assert.Equal("TeacherFlipAveraging", self.ParamName);
        Assert.Contains("Once or PerStep", self.Message);
        var noView = Options();
        noView.StudentAugmentation = new AugmentationOptions { MinArea = 0 };
        Assert.Equal("StudentAugmentation.MinArea", Assert.Throws<ArgumentOutOfRangeException>(() => Fit(noView)).ParamName);

        // The student learns the teacher's answers on the same images: any architecture, but the teacher's image size.
        using var larger = Encoder.Create(new EncoderSpec(EncoderArchitecture.Reference, 8, 48));
        var start = Assert.Throws<ArgumentException>(() => Fit(Options(), start: larger));
        Assert.Equal("studentStart", start.ParamName);
        Assert.Contains("image size", start.Message);
        var spec = Options();
        spec.EncoderSpec = new EncoderSpec(EncoderArchitecture.Reference, 8, 48);
        var size = Assert.Throws<ArgumentException>(() => Fit(spec));
        Assert.Equal("EncoderSpec", size.ParamName);
        Assert.Contains("image size", size.Message);
        using var wider = Encoder.Create(new EncoderSpec(EncoderArchitecture.Reference, 16, Size));
        var both = Options();
        both.EncoderSpec = Tiny with { Width = 4 };
        var conflict = Assert.Throws<ArgumentException>(() => Fit(both, start: wider));
        Assert.Equal("studentStart", conflict.ParamName);
        Assert.Contains("EncoderSpec", conflict.Message);

        using var fourClasses = new LinearClassifier(teacher.Encoder.FeatureDim, 4);
        var classes = Assert.Throws<ArgumentException>(() => Fit(Options(), head: fourClasses));
        Assert.Equal("teacherHead", classes.ParamName);
        Assert.Contains("4 classes", classes.Message);

        var headAlone = Assert.Throws<ArgumentException>(() => new SimClrDistiller(Options()).Fit(unlabeled, labeled, null, teacher.Encoder, teacher.Head, null, teacher.Head));
        Assert.Equal("studentHead", headAlone.ParamName);
        var wrongHead = Assert.Throws<ArgumentException>(() => new SimClrDistiller(Options()).Fit(unlabeled, labeled, null, teacher.Encoder, teacher.Head, teacher.Encoder, fourClasses));
        Assert.Equal("studentHead", wrongHead.ParamName);
        Assert.Contains("4 classes", wrongHead.Message);
    }

    [Fact]
    public void CheckpointsSaveTheStudentAsAClassifierAndResumeToTheSameWeights()
    {
        using var dir = new TempDirectory();
        using var unlabeled = ColourSet(seed: 12, count: 48, unlabeled: true);
        using var labeled = ColourSet(seed: 13, count: 24);
        using var uninterrupted = new SimClrDistiller(Options(epochs: 2)).Fit(unlabeled, labeled, null, _fixture.Teacher.Encoder, _fixture.Teacher.Head);

        var firstEpoch = Options(epochs: 1);
        firstEpoch.CheckpointDirectory = dir.Path;
        using (new SimClrDistiller(firstEpoch).Fit(unlabeled, labeled, null, _fixture.Teacher.Encoder, _fixture.Teacher.Head)) { }
        var path = Checkpoint.PathFor(dir.Path, "distill");
        Assert.Equal("distill", Checkpoint.ReadInfo(path).Kind);
        var rest = Options(epochs: 2);
        rest.CheckpointDirectory = dir.Path;
        rest.Resume = true;
        using var resumed = new SimClrDistiller(rest).Fit(unlabeled, labeled, null, _fixture.Teacher.Encoder, _fixture.Teacher.Head);

        Assert.Equal(new[] { 1, 2 }, resumed.History.Epochs.Select(e => e.Epoch));
        Assert.All(uninterrupted.Encoder.parameters().Concat(uninterrupted.Head.parameters()).Zip(resumed.Encoder.parameters().Concat(resumed.Head.parameters())),
            pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));

        var (encoder, head) = Checkpoint.LoadClassifier(path);
        using (encoder)
        using (head)
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            Assert.False(encoder.training || head.training);
            Assert.Equal(Tiny, encoder.Spec);
            var inputs = labeled.Images.to(ScalarType.Float32).div(255f);
            var expected = resumed.Head.call(resumed.Encoder.call(inputs));
            var loaded = head.call(encoder.call(inputs));
            Assert.True(TensorAssert.Same(expected, loaded));
            Assert.True(expected.std().item<float>() > 0.01);   // real logits, not a constant
        }

        // A pretraining checkpoint has an encoder and a projection head, but no classifier.
        using var pretrained = Encoder.Create(Tiny);
        var pretrainPath = dir.Combine("pretrain.checkpoint.zip");
        Checkpoint.Save(pretrainPath, new CheckpointInfo { Kind = "pretrain", RunName = "pretrain", Encoder = Tiny, ClassNames = Colours },
            new Dictionary<string, nn.Module> { ["encoder"] = pretrained }, new Dictionary<string, TorchSharp.Modules.OptimizerHelper>(),
            new Dictionary<string, Generator>());
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadClassifier(pretrainPath));
        Assert.Contains(pretrainPath, error.Message);
        Assert.Contains("no classification head", error.Message);
        using var encoderOnly = Checkpoint.LoadEncoder(pretrainPath);
        Assert.All(pretrained.parameters().Zip(encoderOnly.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
    }

    [Fact]
    public void SupervisedCheckpointsLoadAsClassifiers()
    {
        using var dir = new TempDirectory();
        using var labeled = ColourSet(seed: 14, count: 12);
        var options = new SupervisedOptions { EncoderSpec = Tiny, Epochs = 1, BatchSize = 12, Seed = 1, CheckpointDirectory = dir.Path };
        using var trained = new SupervisedTrainer(options).Fit(labeled);

        var (encoder, head) = Checkpoint.LoadClassifier(Checkpoint.PathFor(dir.Path, "baseline"));
        using (encoder)
        using (head)
        {
            Assert.Equal(3, head.ClassCount);
            Assert.All(trained.Head.parameters().Zip(head.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
            Assert.All(trained.Encoder.parameters().Zip(encoder.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        }
    }
}

using SimClr.MLNet.Data;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;
using SimClr.MLNet.Training.Methods;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

/// <summary>Every method through the shared engine: a few steps on tiny images, resume, fine-tuning, the collapse monitor.</summary>
[Collection(LibtorchGlobalState.Name)]
public class MethodTrainingTests
{
    internal const int Size = 16;
    internal static readonly EncoderSpec Tiny = new(EncoderArchitecture.SmallResNet18, 4, Size);

    public static TheoryData<PretrainingMethod> AllMethods => new(Enum.GetValues<PretrainingMethod>());

    /// <summary>Tiny heads and a short queue, so that a step takes milliseconds.</summary>
    internal static PretrainOptions Options(PretrainingMethod method, int epochs = 2) => new()
    {
        Method = method, Epochs = epochs, BatchSize = 16, EncoderSpec = Tiny, Seed = 7, KnnNeighbors = 3, EvaluationBatchSize = 32,
        ProjectionHiddenDim = 32, ProjectionDim = 16,
        MoCo = { QueueSize = 32 }, Byol = { PredictorHiddenDim = 16 }, SimSiam = { PredictorHiddenDim = 8 }, Swav = { Prototypes = 8 },
    };

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void EachMethodTrainsRecordsItsMonitorsAndItsEncoderFineTunes(PretrainingMethod method)
    {
        using var unlabeled = SyntheticShapes.CreateSet(seed: 1, first: 0, count: 48, Size, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(seed: 2, first: 0, count: 16, Size);
        using var validation = SyntheticShapes.CreateSet(seed: 3, first: 0, count: 12, Size);
        var log = new List<string>();

        using var pretrained = new SelfSupervisedPretrainer(Options(method), log.Add).Fit(unlabeled, labeled, validation);
        using var fineTuned = new SupervisedTrainer(new SupervisedOptions { Epochs = 1, BatchSize = 8, Seed = 1 }).Fit(labeled, validation, pretrained.Encoder);

        foreach (var metric in new[] { "c_loss", "emb_std", "p_acc", "val_p_acc", "knn_acc" })
            Assert.All(pretrained.History.Series(metric), value => Assert.True(double.IsFinite(value), $"{metric} = {value}"));
        var spread = pretrained.History.Series("emb_std");
        Assert.All(spread, value => Assert.InRange(value, 1e-4, 1.0));
        Assert.Contains(log, line => line.Contains(MethodNames.Display(method)));
        Assert.Single(fineTuned.History.Epochs);
        using var scope = NewDisposeScope();
        Assert.Equal(16, pretrained.ProjectionHead.call(zeros(2, pretrained.Encoder.FeatureDim)).shape[1]);
    }

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void ResumingMidEpochGivesTheSameWeightsAsAnUninterruptedRun(PretrainingMethod method)
    {
        // MoCo's queue and key encoder and BYOL's target must come back from the checkpoint bit for bit, or the
        // steps after the resume compute other losses and the encoders part.
        using var dir = new TempDirectory();
        using var unlabeled = SyntheticShapes.CreateSet(seed: 4, first: 0, count: 48, Size, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(seed: 5, first: 0, count: 16, Size);
        using var uninterrupted = new SelfSupervisedPretrainer(Options(method)).Fit(unlabeled, labeled);

        using var cancel = new CancellationTokenSource();
        var interrupted = Options(method);
        interrupted.CheckpointDirectory = dir.Path;
        interrupted.StepCompleted = (epoch, step, _) => { if (epoch == 1 && step == 2) cancel.Cancel(); };
        interrupted.CancellationToken = cancel.Token;
        Assert.ThrowsAny<OperationCanceledException>(() => new SelfSupervisedPretrainer(interrupted).Fit(unlabeled, labeled));
        var resume = Options(method);
        resume.CheckpointDirectory = dir.Path;
        resume.Resume = true;
        using var resumed = new SelfSupervisedPretrainer(resume).Fit(unlabeled, labeled);

        Assert.All(uninterrupted.Encoder.state_dict().Zip(resumed.Encoder.state_dict()),
            pair => Assert.True(TensorAssert.Same(pair.First.Value, pair.Second.Value), pair.First.Key));
        Assert.Equal(uninterrupted.History.Series("c_loss"), resumed.History.Series("c_loss"));
    }

    [Fact]
    public void ResumingWithAnotherMethodIsRefused()
    {
        using var dir = new TempDirectory();
        using var unlabeled = SyntheticShapes.CreateSet(seed: 6, first: 0, count: 32, Size, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(seed: 7, first: 0, count: 0, Size);
        var first = Options(PretrainingMethod.Byol, epochs: 1);
        first.CheckpointDirectory = dir.Path;
        using (new SelfSupervisedPretrainer(first).Fit(unlabeled, labeled)) { }

        var other = Options(PretrainingMethod.SimSiam, epochs: 2);
        other.CheckpointDirectory = dir.Path;
        other.Resume = true;
        var error = Assert.Throws<InvalidOperationException>(() => new SelfSupervisedPretrainer(other).Fit(unlabeled, labeled));
        Assert.Contains("Method = Byol", error.Message);
    }

    [Fact]
    public void AQueueShorterThanOneStepIsRefusedByName()
    {
        using var unlabeled = SyntheticShapes.CreateSet(seed: 8, first: 0, count: 32, Size, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(seed: 9, first: 0, count: 0, Size);
        var options = Options(PretrainingMethod.MoCo);
        options.MoCo.QueueSize = 8;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SelfSupervisedPretrainer(options).Fit(unlabeled, labeled));
        Assert.Equal("MoCo.QueueSize", error.ParamName);
    }

    [Theory]
    [InlineData(nameof(PretrainOptions.ProjectionBatchNorm))]
    [InlineData(nameof(PretrainOptions.LearnTemperature))]
    [InlineData(nameof(PretrainOptions.SameViewNegatives))]
    public void SimClrOptionsAreRefusedForOtherMethods(string option)
    {
        var options = Options(PretrainingMethod.BarlowTwins);
        typeof(PretrainOptions).GetProperty(option)!.SetValue(options, true);
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(option, error.ParamName);
        Assert.Contains("BarlowTwins", error.Message);
    }

    [Fact]
    public void TheCollapseMonitorReadsZeroForAConstantEncoderAndWarnsOnce()
    {
        using var scope = NewDisposeScope();
        using var encoder = Encoder.Create(Tiny);
        using (no_grad())
            foreach (var parameter in encoder.parameters())
                parameter.zero_();
        encoder.eval();
        var features = encoder.call(rand(20, 3, Size, Size));   // every image to the same point
        Assert.True(EmbeddingSpread.Std(features) < 1e-6);

        var log = new List<string>();
        var monitor = new CollapseMonitor(embeddingDim: 64, threshold: 0.1, "pretrain", log.Add);
        monitor.Check(new EpochMetrics(1, 1, new Dictionary<string, double> { ["emb_std"] = 0.1 }));    // healthy: about 1/8
        monitor.Check(new EpochMetrics(2, 1, new Dictionary<string, double> { ["emb_std"] = 0.001 }));
        monitor.Check(new EpochMetrics(3, 1, new Dictionary<string, double> { ["emb_std"] = 0.0005 }));
        var warning = Assert.Single(log);
        Assert.Contains("epoch 2", warning);
        Assert.Contains("collapsing", warning);
    }
}

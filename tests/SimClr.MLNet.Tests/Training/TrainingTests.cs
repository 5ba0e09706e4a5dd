using SimClr.MLNet.Data;
using SimClr.MLNet.Models;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Training;

/// <summary>The three experiments and the training loop, on tiny synthetic images.</summary>
[Collection(LibtorchGlobalState.Name)]
public class TrainingTests
{
    const int Size = 32;
    static readonly EncoderSpec TinyEncoder = new(EncoderArchitecture.Reference, 16, Size);

    static PretrainOptions Pretrain(int epochs = 2) => new()
    {
        Epochs = epochs, BatchSize = 48, EncoderSpec = TinyEncoder, Seed = 3, KnnNeighbors = 5, EvaluationBatchSize = 64,
    };

    static SupervisedOptions Supervised(int epochs = 2) => new()
    {
        Epochs = epochs, BatchSize = 16, EncoderSpec = TinyEncoder, Seed = 3, EvaluationBatchSize = 64,
    };

    [Fact]
    public void TheThreeExperimentsRunAndRecordTheReferenceMetrics()
    {
        using var unlabeled = SyntheticShapes.CreateSet(seed: 1, first: 0, count: 96, Size, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(seed: 2, first: 0, count: 40, Size);
        using var validation = SyntheticShapes.CreateSet(seed: 3, first: 0, count: 30, Size);

        using var baseline = new SupervisedTrainer(Supervised()).Fit(labeled, validation);
        using var pretrained = new SelfSupervisedPretrainer(Pretrain()).Fit(unlabeled, labeled, validation);
        using var fineTuned = new SupervisedTrainer(Supervised()).Fit(labeled, validation, pretrained.Encoder);

        Assert.Equal(2, baseline.History.Epochs.Count);
        Assert.Equal(new[] { "loss", "acc", "val_loss", "val_acc", "lr" }, baseline.History.MetricNames);
        foreach (var metric in new[] { "c_loss", "c_acc", "p_loss", "p_acc", "val_p_loss", "val_p_acc", "knn_acc" })
            Assert.Contains(metric, pretrained.History.MetricNames);
        Assert.Equal(2, fineTuned.History.Epochs.Count);
        Assert.Equal(16, pretrained.Encoder.FeatureDim);
        Assert.Equal(10, fineTuned.Head.ClassCount);
    }

    [Fact]
    public void FineTuningLeavesThePretrainedEncoderUnchanged()
    {
        using var labeled = SyntheticShapes.CreateSet(seed: 2, first: 0, count: 20, Size);
        using var pretrained = Encoder.Create(TinyEncoder);
        var before = pretrained.parameters().Select(p => p.clone()).ToList();

        using var fineTuned = new SupervisedTrainer(Supervised(epochs: 1)).Fit(labeled, pretrained: pretrained);

        Assert.All(pretrained.parameters().Zip(before), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.Contains(fineTuned.Encoder.parameters().Zip(before), pair => !TensorAssert.Same(pair.First, pair.Second));
    }

    [Fact]
    public void ContrastiveLossDecreasesOnAToyTask()
    {
        using var unlabeled = SyntheticShapes.CreateSet(seed: 4, first: 0, count: 64, Size, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(seed: 5, first: 0, count: 0, Size);
        // Weak views and 40 steps: enough for the tiny encoder to start telling images apart.
        var options = Pretrain(epochs: 10);
        options.BatchSize = 16;
        options.ContrastiveAugmentation = SimClr.MLNet.Augmentation.AugmentationOptions.Classification;

        using var result = new SelfSupervisedPretrainer(options).Fit(unlabeled, labeled);

        var losses = result.History.Series("c_loss");
        Assert.True(losses[^1] < losses[0] - 0.1, $"c_loss went from {losses[0]:F3} to {losses[^1]:F3}");
    }

    [Fact]
    public void TheSameSeedGivesTheSameRun()
    {
        using var labeled = SyntheticShapes.CreateSet(seed: 6, first: 0, count: 24, Size);
        using var first = new SupervisedTrainer(Supervised(epochs: 1)).Fit(labeled);
        using var second = new SupervisedTrainer(Supervised(epochs: 1)).Fit(labeled);
        var other = Supervised(epochs: 1);
        other.Seed = 4;
        using var third = new SupervisedTrainer(other).Fit(labeled);

        Assert.Equal(first.History.Series("loss"), second.History.Series("loss"));
        Assert.All(first.Encoder.parameters().Zip(second.Encoder.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.NotEqual(first.History.Series("loss"), third.History.Series("loss"));
    }

    [Fact]
    public void ValidatingLessOftenSkipsOnlyTheMetricsNotTheTraining()
    {
        using var labeled = SyntheticShapes.CreateSet(seed: 13, first: 0, count: 24, Size);
        using var validation = SyntheticShapes.CreateSet(seed: 14, first: 0, count: 16, Size);
        using var everyEpoch = new SupervisedTrainer(Supervised(epochs: 4)).Fit(labeled, validation);
        var options = Supervised(epochs: 4);
        options.ValidationFrequency = 3;
        using var everyThird = new SupervisedTrainer(options).Fit(labeled, validation);

        // After the third epoch and the last; the others carry no val_* at all, not a stale or zero value.
        Assert.Equal(new[] { false, false, true, true }, everyThird.History.Epochs.Select(e => e.Values.Keys.Any(name => name.StartsWith("val_"))));
        Assert.Equal(everyEpoch.History.Series("loss"), everyThird.History.Series("loss"));
        Assert.Equal(everyEpoch.History.Series("val_loss")[2..], everyThird.History.Series("val_loss")[2..]);
        Assert.All(everyEpoch.Encoder.parameters().Zip(everyThird.Encoder.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.All(everyEpoch.Head.parameters().Zip(everyThird.Head.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ResumingFromACheckpointGivesTheSameWeightsAsAnUninterruptedRun(bool midEpoch)
    {
        using var dir = new TempDirectory();
        using var unlabeled = SyntheticShapes.CreateSet(seed: 7, first: 0, count: 64, Size, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(seed: 8, first: 0, count: 32, Size);

        var straight = Pretrain(epochs: 2);
        straight.BatchSize = 32;
        using var uninterrupted = new SelfSupervisedPretrainer(straight).Fit(unlabeled, labeled);

        // The same run, stopped after epoch 1 (or after step 1 of epoch 2), then resumed in a fresh trainer.
        using var cancel = new CancellationTokenSource();
        var interrupted = Pretrain(epochs: 2);
        interrupted.BatchSize = 32;
        interrupted.CheckpointDirectory = dir.Path;
        interrupted.StepCompleted = (epoch, step, steps) => { if (midEpoch ? epoch == 2 && step == 1 : epoch == 1 && step == steps) cancel.Cancel(); };
        interrupted.CancellationToken = cancel.Token;
        Assert.ThrowsAny<OperationCanceledException>(() => new SelfSupervisedPretrainer(interrupted).Fit(unlabeled, labeled));
        var info = Checkpoint.ReadInfo(Checkpoint.PathFor(dir.Path, "pretrain"));
        Assert.Equal(midEpoch ? (1, 1) : (1, 0), (info.CompletedEpochs, info.StepInEpoch));

        var resume = Pretrain(epochs: 2);
        resume.BatchSize = 32;
        resume.CheckpointDirectory = dir.Path;
        resume.Resume = true;
        using var resumed = new SelfSupervisedPretrainer(resume).Fit(unlabeled, labeled);

        Assert.Equal(new[] { 1, 2 }, resumed.History.Epochs.Select(e => e.Epoch));
        Assert.All(uninterrupted.Encoder.parameters().Zip(resumed.Encoder.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.All(uninterrupted.Probe!.parameters().Zip(resumed.Probe!.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.Equal(uninterrupted.History.Series("c_loss")[1], resumed.History.Series("c_loss")[1], 5);
    }

    [Fact]
    public void ADivergingLossStopsTrainingAndKeepsTheLastGoodCheckpoint()
    {
        using var dir = new TempDirectory();
        using var labeled = SyntheticShapes.CreateSet(seed: 9, first: 0, count: 32, Size);
        var good = Supervised(epochs: 1);
        good.CheckpointDirectory = dir.Path;
        using (new SupervisedTrainer(good).Fit(labeled)) { }
        var path = Checkpoint.PathFor(dir.Path, "baseline");
        var saved = File.ReadAllBytes(path);

        var exploding = Supervised(epochs: 3);
        exploding.CheckpointDirectory = dir.Path;
        exploding.Resume = true;
        exploding.LearningRate = 1e30;

        var error = Assert.Throws<TrainingDivergedException>(() => new SupervisedTrainer(exploding).Fit(labeled));
        Assert.Contains("epoch 2", error.Message);
        Assert.Contains(path, error.Message);
        Assert.Contains("precision fp32", error.Message);
        Assert.Contains($"CPU: {SimClr.MLNet.Runtime.CpuFeatures.Summary}", error.Message);
        Assert.Contains("simclr doctor", error.Message);
        Assert.DoesNotContain("Float32", error.Message);   // never suggested to a run that already is Float32
        Assert.Equal(saved, File.ReadAllBytes(path));
    }

    [Fact]
    public void ResumingWithDifferentSettingsIsRefused()
    {
        using var dir = new TempDirectory();
        using var labeled = SyntheticShapes.CreateSet(seed: 10, first: 0, count: 16, Size);
        var first = Supervised(epochs: 1);
        first.CheckpointDirectory = dir.Path;
        using (new SupervisedTrainer(first).Fit(labeled)) { }

        var changed = Supervised(epochs: 2);
        changed.BatchSize = 8;
        changed.CheckpointDirectory = dir.Path;
        changed.Resume = true;
        var error = Assert.Throws<InvalidOperationException>(() => new SupervisedTrainer(changed).Fit(labeled));
        Assert.Contains("BatchSize", error.Message);
    }

    [Fact]
    public void ImagesOfAnotherSizeAreRejected()
    {
        using var labeled = SyntheticShapes.CreateSet(seed: 11, first: 0, count: 4, 40);
        var error = Assert.Throws<ArgumentException>(() => new SupervisedTrainer(Supervised()).Fit(labeled));
        Assert.Contains("Encoder.ImageSize", error.Message);
    }

    [Fact]
    public void BadOptionsAreRejectedByName()
    {
        var options = Pretrain();
        options.BatchSize = 1;
        Assert.Contains("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(options.Validate).Message);
        var supervised = Supervised();
        supervised.Epochs = 0;
        Assert.Contains("Epochs", Assert.Throws<ArgumentOutOfRangeException>(supervised.Validate).Message);
        var rarely = Supervised();
        rarely.ValidationFrequency = 0;
        Assert.Contains("ValidationFrequency must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(rarely.Validate).Message);
    }

    [Fact]
    public void CheckpointEncoderLoadsWithItsWeights()
    {
        using var dir = new TempDirectory();
        using var labeled = SyntheticShapes.CreateSet(seed: 12, first: 0, count: 16, Size);
        var options = Supervised(epochs: 1);
        options.CheckpointDirectory = dir.Path;
        using var trained = new SupervisedTrainer(options).Fit(labeled);

        using var loaded = Checkpoint.LoadEncoder(Checkpoint.PathFor(dir.Path, "baseline"));

        Assert.Equal(trained.Encoder.Spec, loaded.Spec);
        Assert.All(trained.Encoder.parameters().Zip(loaded.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        File.WriteAllText(dir.Combine("bad.zip"), "not a zip");
        Assert.Contains("bad.zip", Assert.Throws<InvalidDataException>(() => Checkpoint.LoadEncoder(dir.Combine("bad.zip"))).Message);
    }
}

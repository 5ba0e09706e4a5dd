using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Data;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Training;

/// <summary>No tensor outlives its training step.</summary>
[Collection(LibtorchGlobalState.Name)]
public class StepMemoryTests
{
    static readonly EncoderSpec Tiny = new(EncoderArchitecture.SmallResNet18, 4, 16);

    static long LiveAfter(Action step, int warmUp, int more)
    {
        for (int i = 0; i < warmUp; i++) step();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < more; i++) step();
        return DisposeScopeManager.Statistics.ThreadTotalLiveCount - before;
    }

    [Fact]
    public void PretrainingStepsLeaveNoTensorsBehind()
    {
        using var unlabeled = SyntheticShapes.CreateSet(1, 0, 32, 16, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(2, 0, 16, 16);
        using var run = new SelfSupervisedRun(new PretrainOptions { EncoderSpec = Tiny, BatchSize = 16, ProjectionBatchNorm = true, LearnTemperature = true },
            unlabeled, labeled, labeled, CPU);
        int step = 0;
        Assert.Equal(0, LiveAfter(() => { run.TrainStep(0, step++ % run.StepsPerEpoch).ToList(); run.Evaluate(); }, warmUp: 2, more: 3));
        // The counter sees a leak: one tensor kept per step.
        var kept = new List<Tensor>();
        Assert.Equal(3, LiveAfter(() => kept.Add(ones(1)), warmUp: 0, more: 3));
        kept.ForEach(t => t.Dispose());
    }

    [Fact]
    public void SupervisedStepsLeaveNoTensorsBehind()
    {
        using var labeled = SyntheticShapes.CreateSet(3, 0, 24, 16);
        using var run = new SupervisedRun(new SupervisedOptions { EncoderSpec = Tiny, BatchSize = 8 }, labeled, labeled, CPU, pretrained: null);
        int step = 0;
        Assert.Equal(0, LiveAfter(() => { run.TrainStep(0, step++ % run.StepsPerEpoch).ToList(); run.Evaluate(); }, warmUp: 2, more: 3));
    }

    [Theory]
    [InlineData(DistillTargets.Once)]
    [InlineData(DistillTargets.PerStep)]
    public void DistillationStepsLeaveNoTensorsBehind(DistillTargets targets)
    {
        using var unlabeled = SyntheticShapes.CreateSet(4, 0, 16, 16, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(5, 0, 8, 16);
        using var teacherEncoder = Encoder.Create(Tiny);
        using var teacherHead = new LinearClassifier(teacherEncoder.FeatureDim, 10);
        using var run = new DistillRun(new DistillOptions { BatchSize = 8, Targets = targets }, unlabeled, labeled, labeled, CPU,
            teacherEncoder, teacherHead, studentStart: null);
        int step = 0;
        Assert.Equal(0, LiveAfter(() => { run.TrainStep(0, step++ % run.StepsPerEpoch).ToList(); run.Evaluate(); }, warmUp: 2, more: 3));
    }
}

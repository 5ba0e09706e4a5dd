using SimClr.MLNet.Data;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Losses;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;
using SimClr.MLNet.Training.Methods;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

/// <summary>SimCLR with SuNCEt (<see cref="PretrainOptions.SupervisedContrastiveWeight"/>): the step's loss, the engine, resume, refusals.</summary>
[Collection(LibtorchGlobalState.Name)]
public class SuNCEtPretrainingTests
{
    const int Size = MethodTrainingTests.Size;
    static readonly EncoderSpec Tiny = MethodTrainingTests.Tiny;

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public void TheStepLossIsNtXentPlusTheWeightedSuNCEtOfBothViewsOfTheLabelledImages(double weight)
    {
        const long n = 6;
        long[] labels = { 0, 1, 0, 1 };   // the last 4 of the 6 images
        var options = new PretrainOptions { EncoderSpec = Tiny, Temperature = 0.2, ProjectionDim = 8, SupervisedContrastiveWeight = weight };
        TorchRuntime.Seed(21);
        using var scope = NewDisposeScope();
        using var encoder = Encoder.Create(Tiny);
        using var objective = PretrainingObjectives.Create(options, encoder);
        var views = rand(2 * n, 3, Size, Size);

        var step = objective.Forward(encoder, views, n, tensor(labels), new TrainingProgress(0, StepsPerEpoch: 1, Epochs: 1));
        var metrics = step.Metrics!().ToDictionary(m => m.Name, m => m.Value);

        // The same modules in the same (train) mode give the same projections; the head has no BatchNorm here.
        Tensor z1, z2;
        using (no_grad())
        {
            var projections = objective.Projector.call(encoder.call(views));
            z1 = projections[..(int)n];
            z2 = projections[(int)n..];
        }
        using var ntXent = new NtXentLoss(0.2);
        double expectedNtXent = ntXent.call(z1, z2).item<float>();
        var labeled = cat(new[] { z1[2..], z2[2..] }, 0);
        double expectedSuNCEt = SupervisedContrastiveLossTests.ExplicitLoss(SupervisedContrastiveLossTests.ToArray(labeled), labels.Concat(labels).ToArray(), 0.2);
        Assert.True(expectedSuNCEt > 0.1);
        Assert.Equal(expectedNtXent + weight * expectedSuNCEt, step.Loss.item<float>(), 4);
        if (weight > 0)
            Assert.Equal(expectedSuNCEt, metrics["s_loss"], 4);
        else
            Assert.DoesNotContain("s_loss", metrics.Keys);
    }

    [Fact]
    public void PretrainingRecordsSuNCEtAndRefusesToResumeWithAnotherWeight()
    {
        using var dir = new TempDirectory();
        using var unlabeled = SyntheticShapes.CreateSet(seed: 1, first: 0, count: 32, Size, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(seed: 2, first: 0, count: 16, Size);
        PretrainOptions Options(double weight) => new()
        {
            EncoderSpec = Tiny, Epochs = 1, BatchSize = 16, Seed = 3, KnnNeighbors = 0, ProjectionDim = 8,
            SupervisedContrastiveWeight = weight, CheckpointDirectory = dir.Path,
        };
        var log = new List<string>();

        using (var result = new SelfSupervisedPretrainer(Options(1), log.Add).Fit(unlabeled, labeled))
        {
            var supervised = Assert.Single(result.History.Series("s_loss"));
            Assert.True(double.IsFinite(supervised) && supervised > 0, $"s_loss = {supervised}");
        }
        Assert.Contains(log, line => line.Contains("SimCLR + SuNCEt x 1,"));

        var other = Options(0.5);
        other.Resume = true;
        var error = Assert.Throws<InvalidOperationException>(() => new SelfSupervisedPretrainer(other).Fit(unlabeled, labeled));
        Assert.Contains("SupervisedContrastiveWeight", error.Message);
    }

    [Theory]
    [InlineData(PretrainingMethod.SimClr, -1, typeof(ArgumentOutOfRangeException))]
    [InlineData(PretrainingMethod.SimClr, double.NaN, typeof(ArgumentOutOfRangeException))]
    [InlineData(PretrainingMethod.MoCo, 1, typeof(ArgumentException))]
    public void BadWeightsAndOtherMethodsAreRefusedByName(PretrainingMethod method, double weight, Type exception)
    {
        var options = new PretrainOptions { Method = method, SupervisedContrastiveWeight = weight };
        var error = Assert.Throws(exception, options.Validate);
        Assert.Equal(nameof(PretrainOptions.SupervisedContrastiveWeight), ((ArgumentException)error).ParamName);
    }
}

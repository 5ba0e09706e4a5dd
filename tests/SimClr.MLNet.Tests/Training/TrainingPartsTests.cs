using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Data;
using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Training;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Training;

[Collection(LibtorchGlobalState.Name)]
public class TrainingPartsTests
{
    [Fact]
    public void CosineScheduleWarmsUpThenDecaysToZero()
    {
        Assert.Equal(0.25, LearningRates.At(LearningRateSchedule.Cosine, 1.0, 0, 100, 4), 10);
        Assert.Equal(1.0, LearningRates.At(LearningRateSchedule.Cosine, 1.0, 4, 100, 4), 10);
        Assert.Equal(0.5, LearningRates.At(LearningRateSchedule.Cosine, 1.0, 52, 100, 4), 10);
        Assert.True(LearningRates.At(LearningRateSchedule.Cosine, 1.0, 99, 100, 4) < 0.01);
        Assert.Equal(0.3, LearningRates.At(LearningRateSchedule.Constant, 0.3, 77, 100, 0));
    }

    [Fact]
    public void EpochOrderIsAPermutationThatDependsOnSeedAndEpochOnly()
    {
        var order = EpochOrder.Permutation(50, 1, 0, 0);
        Assert.Equal(Enumerable.Range(0, 50), order.Order());
        Assert.Equal(order, EpochOrder.Permutation(50, 1, 0, 0));
        Assert.NotEqual(order, EpochOrder.Permutation(50, 1, 1, 0));
        Assert.NotEqual(order, EpochOrder.Permutation(50, 2, 0, 0));
        // A fixed value: the permutation must not change between processes or .NET versions.
        Assert.Equal(SeedMixer.Mix(1, 2, 3), SeedMixer.Mix(1, 2, 3));
        Assert.Equal(442676199, SeedMixer.Mix(1, 0, 0));
    }

    [Fact]
    public void HistoryRoundTripsThroughJsonAndWritesCsv()
    {
        var history = new TrainingHistory();
        history.Add(new EpochMetrics(1, 2.5, new Dictionary<string, double> { ["loss"] = 1.25, ["acc"] = 0.5 }));
        history.Add(new EpochMetrics(2, 2.0, new Dictionary<string, double> { ["loss"] = 1.0, ["acc"] = 0.75, ["val_acc"] = 0.5 }));

        var back = TrainingHistory.FromJson(history.ToJson());

        Assert.Equal(history.Series("acc"), back.Series("acc"));
        Assert.Equal("epoch,seconds,loss,acc,val_acc\n1,2.5,1.25,0.5,\n2,2,1,0.75,0.5\n", history.ToCsv());
        Assert.Throws<InvalidOperationException>(() => history.Add(new EpochMetrics(4, 1, new Dictionary<string, double>())));
    }

    [Fact]
    public void NonFiniteMetricsKeepTheHistoryValidJson()
    {
        var history = new TrainingHistory();
        history.Add(new EpochMetrics(1, 1.0, new Dictionary<string, double> { ["loss"] = double.NaN, ["val_loss"] = double.PositiveInfinity, ["acc"] = 0.5 }));
        history.Add(new EpochMetrics(2, 1.0, new Dictionary<string, double> { ["loss"] = double.NegativeInfinity, ["acc"] = 0.75 }));

        var json = history.ToJson();
        using var document = System.Text.Json.JsonDocument.Parse(json);   // throws on invalid JSON
        Assert.Equal("NaN", document.RootElement[0].GetProperty("metrics").GetProperty("loss").GetString());
        var back = TrainingHistory.FromJson(json);
        Assert.True(double.IsNaN(back.Series("loss")[0]));
        Assert.Equal(double.NegativeInfinity, back.Series("loss")[1]);
        Assert.Equal(double.PositiveInfinity, back.Series("val_loss")[0]);
        Assert.Equal(new[] { 0.5, 0.75 }, back.Series("acc"));
    }

    [Fact]
    public void EncodersMapImagesToFeaturesOfTheirWidth()
    {
        TorchRuntime.Seed(1);
        using var scope = NewDisposeScope();
        using var reference = Encoder.Create(new EncoderSpec(EncoderArchitecture.Reference, 8, 48));
        using var resnet = Encoder.Create(new EncoderSpec(EncoderArchitecture.SmallResNet18, 4, 16));
        Assert.Equal(new long[] { 2, 8 }, reference.call(rand(2, 3, 48, 48)).shape);
        Assert.Equal(new long[] { 2, 32 }, resnet.call(rand(2, 3, 16, 16)).shape);
        Assert.Equal(5, ReferenceEncoder.MapSizeAfterConvs(96));
        Assert.Throws<ArgumentOutOfRangeException>(() => Encoder.Create(new EncoderSpec(EncoderArchitecture.Reference, 8, 16)));
    }

    [Fact]
    public void BFloat16EncoderStaysCloseToFloat32()
    {
        TorchRuntime.Seed(2);
        using var scope = NewDisposeScope();
        using var encoder = Encoder.Create(new EncoderSpec(EncoderArchitecture.SmallResNet18, 4, 16));
        encoder.eval();
        var images = rand(2, 3, 16, 16);
        var full = encoder.call(images);
        encoder.Precision = ComputePrecision.BFloat16;
        var half = encoder.call(images);
        Assert.Equal(ScalarType.Float32, half.dtype);
        double relative = ((half - full).norm() / full.norm()).item<float>();
        Assert.True(relative < 0.05, $"relative error {relative}");
        // Gradients reach the float32 master weights through the casts.
        encoder.train();
        encoder.call(images).sum().backward();
        Assert.All(encoder.parameters(), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));
    }

    [Fact]
    public void SyntheticShapesAreDeterministicAndBalanced()
    {
        var a = new byte[3 * 24 * 24];
        var b = new byte[3 * 24 * 24];
        SyntheticShapes.Draw(5, 17, 24, a);
        SyntheticShapes.Draw(5, 17, 24, b);
        Assert.Equal(a, b);
        SyntheticShapes.Draw(5, 18, 24, b);
        Assert.NotEqual(a, b);
        using var set = SyntheticShapes.CreateSet(5, 0, 20, 24);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(2, set.Labels.Count(l => l == c)));
    }
}

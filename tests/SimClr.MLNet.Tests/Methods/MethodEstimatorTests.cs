using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.MLNet.Data;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training.Methods;

namespace SimClr.MLNet.Tests.Methods;

/// <summary>Every method from the ML.NET API: pretrain, fine-tune the encoder, save, reload in a new context, score the same.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class MethodEstimatorTests : IDisposable
{
    readonly TempDirectory _directory = new();
    readonly MLContext _ml = new(seed: 1);

    public MethodEstimatorTests() => ToyStl10.Write(_directory.Path, train: 30, test: 12, unlabeled: 30);

    public void Dispose() => _directory.Dispose();

    /// <summary>Every method but SimCLR, whose estimator path the MLNet tests cover; a new method is picked up here by itself.</summary>
    public static TheoryData<PretrainingMethod> MethodsBesideSimClr => new(Enum.GetValues<PretrainingMethod>().Where(m => m != PretrainingMethod.SimClr));

    [Theory]
    [MemberData(nameof(MethodsBesideSimClr))]
    public void EachMethodPretrainsFineTunesAndItsZipScoresTheSameAfterReload(PretrainingMethod method)
    {
        var train = _ml.Data.LoadStl10(_directory.Path, Stl10Split.Train);
        var test = _ml.Data.LoadStl10(_directory.Path, Stl10Split.Test);
        var options = new SimClrPretrainOptions
        {
            Method = method, UnlabeledData = _ml.Data.LoadStl10(_directory.Path, Stl10Split.Unlabeled),
            EncoderSpec = new EncoderSpec(EncoderArchitecture.SmallResNet18, 4, 32), Epochs = 1, BatchSize = 20, KnnNeighbors = 0,
            ProjectionHiddenDim = 16, ProjectionDim = 8, MoCo = { QueueSize = 40 }, Byol = { PredictorHiddenDim = 8 }, SimSiam = { PredictorHiddenDim = 4 }, Swav = { Prototypes = 6 },
        };

        using var encoder = _ml.Transforms.SimClrPretrain(options).Fit(train);
        using var classifier = _ml.MulticlassClassification.Trainers.SimClrFineTune(new SimClrFineTuneOptions { Encoder = encoder, Epochs = 1, BatchSize = 10 }).Fit(train);
        var path = _directory.Combine($"{method}.zip");
        _ml.Model.Save(classifier, test.Schema, path);
        var other = new MLContext(seed: 7);
        using var loaded = Assert.IsType<TransformerChain<ITransformer>>(other.Model.Load(path, out _));

        Assert.Contains("emb_std", encoder.History.MetricNames);
        var before = DataViewReading.Column<VBuffer<float>>(classifier.Transform(test), "Score");
        var after = DataViewReading.Column<VBuffer<float>>(loaded.Transform(other.Data.LoadStl10(_directory.Path, Stl10Split.Test)), "Score");
        double maxDiff = before.Zip(after).SelectMany(p => p.First.DenseValues().Zip(p.Second.DenseValues(), (a, b) => Math.Abs(a - b))).Max();
        Assert.True(maxDiff <= 1e-4, $"max |diff| {maxDiff}");
        Assert.Equal(3, other.MulticlassClassification.Evaluate(loaded.Transform(test)).ConfusionMatrix.NumberOfClasses);
    }
}

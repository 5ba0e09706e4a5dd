using Microsoft.ML;
using SimClr.MLNet.Data;
using SimClr.MLNet.Embeddings;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Tests.Cli;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.Tests.Embeddings;

/// <summary>Features from a saved classifier .zip and from its checkpoint: the same numbers, either way.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class ModelEmbeddingsTests : IDisposable
{
    readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AClassifierZipAndItsCheckpointGiveTheSameFeatures()
    {
        var folder = _dir.Combine("images");
        TinyPipelines.WriteImageFolder(folder, perClass: 4);   // 16x16 images: the encoder's own size, so no resizing differs
        var images = ImageFolderDataView.Open(folder);
        using var set = ImageTensorSet.FromDataView(images, 16);
        var options = new SupervisedOptions
        {
            EncoderSpec = new EncoderSpec(EncoderArchitecture.SmallResNet18, 2, 16), Epochs = 1, BatchSize = 4, CheckpointDirectory = _dir.Path,
        };
        using var trained = new SupervisedTrainer(options).Fit(set);
        var ml = new MLContext(seed: 1);
        var zip = _dir.Combine("baseline.zip");
        using (var model = StockScoringModels.Classifier(trained.Encoder, trained.Head, trained.ClassNames, "Image", "Label", null, true))
            ml.Model.Save(model, images.Schema, zip);

        var fromZip = ModelEmbeddings.Compute(zip, images);
        var fromCheckpoint = ModelEmbeddings.Compute(Checkpoint.PathFor(_dir.Path, "baseline"), images);

        Assert.Equal(8, fromZip.Count);
        Assert.Equal(trained.Encoder.FeatureDim, fromZip.Dimension);
        Assert.Equal(fromCheckpoint.Labels, fromZip.Labels);
        Assert.Equal(new[] { "a", "a", "a", "a", "b", "b", "b", "b" }, Enumerable.Range(0, 8).Select(fromZip.LabelName));
        Assert.All(Enumerable.Range(0, 8), i => Assert.All(fromZip.Vectors[i].Zip(fromCheckpoint.Vectors[i]),
            pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-4, $"{pair.First} vs {pair.Second}")));
    }

    [Fact]
    public void AFileThatIsNeitherIsRefusedByName()
    {
        var folder = _dir.Combine("images");
        TinyPipelines.WriteImageFolder(folder, perClass: 1);
        var notAModel = _dir.Combine("notes.zip");
        File.WriteAllText(notAModel, "not a zip");
        var error = Assert.Throws<InvalidDataException>(() => ModelEmbeddings.Compute(notAModel, ImageFolderDataView.Open(folder)));
        Assert.Contains(notAModel, error.Message);
    }
}

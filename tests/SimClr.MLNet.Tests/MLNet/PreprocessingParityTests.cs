using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.MLNet.Data;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.MLNet;

/// <summary>
/// Training and a saved model resize an image the same way: 96x96 images scored by a 32 px model through TorchSharp
/// (the images read as training reads them) and through the reloaded .zip give the same scores.
/// </summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class PreprocessingParityTests : IDisposable
{
    readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A96PixelImageScoresTheSameThroughTorchSharpAndThroughTheReloadedZip()
    {
        var folder = _dir.Combine("images");
        for (int i = 0; i < 6; i++)
            SyntheticImages.WritePlanesAsPng(Path.Combine(folder, i % 2 == 0 ? "a" : "b", $"{i}.png"), SyntheticImages.PatternPlanes(i), 96);
        var images = ImageFolderDataView.Open(folder);
        using var set = ImageTensorSet.FromDataView(images, 32);
        using var trained = new SupervisedTrainer(new SupervisedOptions
        {
            EncoderSpec = new EncoderSpec(EncoderArchitecture.SmallResNet18, 2, 32), Epochs = 1, BatchSize = 3,
        }).Fit(set);
        var ml = new MLContext(seed: 1);
        var zip = _dir.Combine("model.zip");
        using (var model = StockScoringModels.Classifier(trained.Encoder, trained.Head, trained.ClassNames, "Image", "Label", null, true))
            ml.Model.Save(model, images.Schema, zip);

        float[] torchScores;
        using (var scope = NewDisposeScope())
        using (no_grad())
            torchScores = nn.functional.softmax(trained.Head.call(trained.Encoder.call(set.Images.to(ScalarType.Float32).div(255f))), 1)
                .contiguous().data<float>().ToArray();
        using var loaded = (TransformerChain<ITransformer>)new MLContext(seed: 2).Model.Load(zip, out _);
        var zipScores = DataViewReading.Column<VBuffer<float>>(loaded.Transform(ImageFolderDataView.Open(folder)), "Score")
            .SelectMany(v => v.DenseValues()).ToArray();

        Assert.Equal(torchScores.Length, zipScores.Length);
        double worst = torchScores.Zip(zipScores, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-4, $"largest difference {worst}");
    }
}

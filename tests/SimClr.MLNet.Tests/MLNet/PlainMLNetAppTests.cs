using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.MLNet.Data;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.MLNet;

/// <summary>
/// A saved model is scored by a separate process that references only stock ML.NET packages (and ONNX Runtime),
/// not this library and not TorchSharp, and it gets the same numbers as this process.
/// </summary>
[Collection(LibtorchGlobalState.Name)]
public class PlainMLNetAppTests
{
    [Fact]
    public void AFineTunedZipScoresTheSameInAPlainMLNetProcess()
    {
        using var dir = new TempDirectory();
        ToyStl10.Write(dir.Path, train: 30, test: 6, unlabeled: 0);
        var ml = new MLContext(seed: 2);
        var train = ml.Data.LoadStl10(dir.Path, Stl10Split.Train);
        using var model = ml.MulticlassClassification.Trainers.SimClrFineTune(new SimClrFineTuneOptions
        {
            EncoderSpec = new EncoderSpec(EncoderArchitecture.SmallResNet18, 4, 32), Epochs = 1, BatchSize = 10,
        }).Fit(train);
        var zip = dir.Combine("finetuned.zip");
        ml.Model.Save(model, train.Schema, zip);

        // The test images as PNG files in a folder per true class, scored here through LoadImages and there through
        // a PredictionEngine, one file at a time and as a class-per-folder tree.
        var files = Enumerable.Range(0, 6).Select(i =>
        {
            var path = dir.Combine("images", ToyStl10.ClassNames[i % 3], $"{i}.png");
            var planes = ToyStl10.Image(i, i % 3, 5);
            SyntheticImages.WritePlanesAsPng(path, planes, Stl10Format.ImageSize);
            return path;
        }).ToList();
        var expectedLabels = PlainScorer.AssertScoresMatch(ml, model, zip, files);

        int expectedCorrect = Enumerable.Range(0, files.Count)
            .Count(i => model.ClassNames[(int)expectedLabels[i] - 1] == ToyStl10.ClassNames[i % 3]);
        var folder = Assert.Single(PlainScorer.Run(zip, ["--folder", dir.Combine("images")]));
        Assert.Equal(files.Count, folder.GetProperty("images").GetInt32());
        Assert.Equal(expectedCorrect, folder.GetProperty("correct").GetInt32());
    }
}

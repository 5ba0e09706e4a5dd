using System.Text.Json;
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
    static string ScorerPath()
    {
        // tests/SimClr.MLNet.Tests/bin/<Configuration>/<tfm>/ -> tests/SimClr.PlainMLNetScorer/bin/<Configuration>/<tfm>/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tests = output.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(tests, "SimClr.PlainMLNetScorer", "bin", output.Parent.Name, output.Name, "SimClr.PlainMLNetScorer.dll");
    }

    static List<JsonElement> RunScorer(string model, IEnumerable<string> images)
    {
        var (exitCode, output, error) = ChildProcess.Run(ChildProcess.Dotnet, new[] { ScorerPath(), model }.Concat(images), TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, $"scorer failed ({exitCode}): {error}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }

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
        var paths = ml.Data.LoadFromEnumerable(files.Select(f => new ImagePath { Path = f }));
        var images = ml.Transforms.LoadImages("Image", null, nameof(ImagePath.Path)).Fit(paths).Transform(paths);
        var scored = model.Transform(images);
        var expectedScores = DataViewReading.Column<VBuffer<float>>(scored, "Score");
        var expectedLabels = DataViewReading.Column<uint>(scored, "PredictedLabel");

        var results = RunScorer(zip, files);

        Assert.Equal(files.Count, results.Count);
        for (int i = 0; i < files.Count; i++)
        {
            var score = results[i].GetProperty("score").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var expected = expectedScores[i].DenseValues().ToArray();
            Assert.Equal(expected.Length, score.Length);
            Assert.True(expected.Zip(score, (a, b) => Math.Abs(a - b)).Max() <= 1e-4);
            Assert.Equal(expectedLabels[i], results[i].GetProperty("predictedLabel").GetUInt32());
        }

        int expectedCorrect = Enumerable.Range(0, files.Count)
            .Count(i => model.ClassNames[(int)expectedLabels[i] - 1] == ToyStl10.ClassNames[i % 3]);
        var folder = Assert.Single(RunScorer(zip, ["--folder", dir.Combine("images")]));
        Assert.Equal(files.Count, folder.GetProperty("images").GetInt32());
        Assert.Equal(expectedCorrect, folder.GetProperty("correct").GetInt32());
    }

    sealed class ImagePath
    {
        public string Path { get; set; } = "";
    }
}

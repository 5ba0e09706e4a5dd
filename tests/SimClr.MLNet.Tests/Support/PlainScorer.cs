using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace SimClr.MLNet.Tests.Support;

/// <summary>
/// tests/SimClr.PlainMLNetScorer: a separate process that references only stock ML.NET packages (and ONNX Runtime),
/// not this library and not TorchSharp, and scores a saved .zip.
/// </summary>
public static class PlainScorer
{
    static string Path()
    {
        // tests/SimClr.MLNet.Tests/bin/<Configuration>/<tfm>/ -> tests/SimClr.PlainMLNetScorer/bin/<Configuration>/<tfm>/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        var tests = output.Parent!.Parent!.Parent!.Parent!.FullName;
        return System.IO.Path.Combine(tests, "SimClr.PlainMLNetScorer", "bin", output.Parent.Name, output.Name, "SimClr.PlainMLNetScorer.dll");
    }

    /// <summary>One JSON object per line of the scorer's output.</summary>
    public static List<JsonElement> Run(string model, IEnumerable<string> arguments)
    {
        var (exitCode, output, error) = ChildProcess.Run(ChildProcess.Dotnet, new[] { Path(), model }.Concat(arguments), TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, $"scorer failed ({exitCode}): {error}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }

    /// <summary>
    /// Scores <paramref name="files"/> with <paramref name="model"/> (a transformer in this process) and with
    /// <paramref name="zip"/> in the plain process, and asserts the same scores (1e-4) and labels.
    /// Returns the predicted labels (1-based keys).
    /// </summary>
    public static uint[] AssertScoresMatch(MLContext ml, ITransformer model, string zip, IReadOnlyList<string> files)
    {
        var paths = ml.Data.LoadFromEnumerable(files.Select(f => new ImagePath { Path = f }));
        var images = ml.Transforms.LoadImages("Image", null, nameof(ImagePath.Path)).Fit(paths).Transform(paths);
        var scored = model.Transform(images);
        var expectedScores = DataViewReading.Column<VBuffer<float>>(scored, "Score");
        var expectedLabels = DataViewReading.Column<uint>(scored, "PredictedLabel");

        var results = Run(zip, files);

        Assert.Equal(files.Count, results.Count);
        for (int i = 0; i < files.Count; i++)
        {
            var score = results[i].GetProperty("score").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var expected = expectedScores[i].DenseValues().ToArray();
            Assert.Equal(expected.Length, score.Length);
            Assert.True(expected.Zip(score, (a, b) => Math.Abs(a - b)).Max() <= 1e-4);
            Assert.Equal(expectedLabels[i], results[i].GetProperty("predictedLabel").GetUInt32());
        }
        return expectedLabels.ToArray();
    }

    sealed class ImagePath
    {
        public string Path { get; set; } = "";
    }
}

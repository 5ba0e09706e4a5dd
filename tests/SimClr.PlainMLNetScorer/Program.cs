// A plain ML.NET application: it references Microsoft.ML, Microsoft.ML.ImageAnalytics, Microsoft.ML.OnnxTransformer
// and ONNX Runtime, and nothing of SimClr.MLNet or TorchSharp.
//
// Usage:
//   SimClr.PlainMLNetScorer MODEL.zip IMAGE...                 one JSON line per image: Score and PredictedLabel
//                                                              (classifiers) or Features (encoders)
//   SimClr.PlainMLNetScorer MODEL.zip --folder ROOT [--last N]  scores ROOT/<class>/* (the last N files of each class,
//                                                              by name) and prints the accuracy against the folder names
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: SimClr.PlainMLNetScorer MODEL.zip IMAGE... | MODEL.zip --folder ROOT [--last N]");
    return 2;
}

var ml = new MLContext(seed: 1);
var model = ml.Model.Load(args[0], out _);
// Disposing deletes the copy of the ONNX graph that loading extracts to the temp folder.
using var disposeModel = model as IDisposable;
var outputSchema = model.GetOutputSchema(ml.Data.LoadFromEnumerable(Array.Empty<ImageInput>()).Schema);
bool classifier = outputSchema.GetColumnOrNull("Score") != null;

if (args[1] == "--folder")
{
    if (!classifier)
    {
        Console.Error.WriteLine($"--folder needs a classifier; {args[0]} has no Score column.");
        return 2;
    }
    int last = args.Length > 4 && args[3] == "--last" ? int.Parse(args[4]) : int.MaxValue;
    VBuffer<ReadOnlyMemory<char>> keyValues = default;
    outputSchema["PredictedLabel"].GetKeyValues(ref keyValues);
    var classes = keyValues.DenseValues().Select(v => v.ToString()).ToArray();
    using var engine = ml.Model.CreatePredictionEngine<ImageInput, ClassPrediction>(model);
    int total = 0, correct = 0;
    foreach (var folder in Directory.GetDirectories(args[2]).OrderBy(d => d, StringComparer.Ordinal))
    {
        var files = Directory.GetFiles(folder).OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();
        foreach (var file in files.Skip(Math.Max(0, files.Length - last)))
        {
            using var image = MLImage.CreateFromFile(file);
            var predicted = classes[engine.Predict(new ImageInput { Image = image }).PredictedLabel - 1];
            total++;
            if (predicted == Path.GetFileName(folder))
                correct++;
        }
    }
    Console.WriteLine(JsonSerializer.Serialize(new { images = total, correct, accuracy = (double)correct / total }));
    return 0;
}

using var perImage = classifier ? ml.Model.CreatePredictionEngine<ImageInput, ClassPrediction>(model) : null;
using var features = classifier ? null : ml.Model.CreatePredictionEngine<ImageInput, FeaturePrediction>(model);
foreach (var path in args.Skip(1))
{
    using var image = MLImage.CreateFromFile(path);
    var input = new ImageInput { Image = image };
    if (perImage != null)
    {
        var prediction = perImage.Predict(input);
        Console.WriteLine(JsonSerializer.Serialize(new { image = path, score = prediction.Score, predictedLabel = prediction.PredictedLabel }));
    }
    else
    {
        Console.WriteLine(JsonSerializer.Serialize(new { image = path, features = features!.Predict(input).Features }));
    }
}
return 0;

sealed class ImageInput
{
    // The declared size only types the column; the model resizes whatever image it gets.
    [ImageType(96, 96)]
    public MLImage Image { get; set; } = null!;
}

sealed class ClassPrediction
{
    public float[] Score { get; set; } = [];
    public uint PredictedLabel { get; set; }
}

sealed class FeaturePrediction
{
    public float[] Features { get; set; } = [];
}

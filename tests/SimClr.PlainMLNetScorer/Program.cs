// Usage: SimClr.PlainMLNetScorer MODEL.zip IMAGE...
// Prints one JSON object per image: the model's Score and PredictedLabel (classifiers) or Features (encoders).
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: SimClr.PlainMLNetScorer MODEL.zip IMAGE...");
    return 2;
}

var ml = new MLContext(seed: 1);
var model = ml.Model.Load(args[0], out _);
bool classifier = model.GetOutputSchema(ml.Data.LoadFromEnumerable(Array.Empty<ImageInput>()).Schema).GetColumnOrNull("Score") != null;
var classes = classifier ? ml.Model.CreatePredictionEngine<ImageInput, ClassPrediction>(model) : null;
var features = classifier ? null : ml.Model.CreatePredictionEngine<ImageInput, FeaturePrediction>(model);
foreach (var path in args.Skip(1))
{
    using var image = MLImage.CreateFromFile(path);
    object result = classes != null
        ? classes.Predict(new ImageInput { Image = image }) is var p ? new { image = path, score = p.Score, predictedLabel = p.PredictedLabel } : null!
        : new { image = path, features = features!.Predict(new ImageInput { Image = image }).Features };
    Console.WriteLine(JsonSerializer.Serialize(result));
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

using Microsoft.ML;
using Microsoft.ML.Transforms.Image;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// Output schema shapes, derived from stock ML.NET estimators so they carry exactly the types and annotations
/// ML.NET itself would produce (SchemaShape.Column has no public constructor).
/// </summary>
internal static class SchemaShapes
{
    const string Scratch = "__simclr_shape";
    static readonly MLContext Context = new(seed: 0);

    /// <summary><paramref name="input"/> plus a known-size float vector column <paramref name="name"/>.</summary>
    public static SchemaShape WithFloatVector(SchemaShape input, string name, string imageColumn)
    {
        var shape = Context.Transforms.ResizeImages(Scratch, 1, 1, imageColumn)
            .Append(Context.Transforms.ExtractPixels(name, Scratch, ImagePixelExtractingEstimator.ColorBits.Red))
            .GetOutputSchema(input);
        return new SchemaShape(shape.Where(c => c.Name != Scratch));
    }

    /// <summary>
    /// <paramref name="input"/> plus the columns a stock multiclass trainer adds (Score and PredictedLabel) and the
    /// encoder's features in <paramref name="featureColumn"/>, which our classifiers output too.
    /// </summary>
    public static SchemaShape WithMulticlassOutputs(SchemaShape input, string labelColumn, string imageColumn, string featureColumn = "Features")
    {
        var withFeatures = WithFloatVector(input, featureColumn, imageColumn);
        return Context.MulticlassClassification.Trainers.LbfgsMaximumEntropy(labelColumn, featureColumn).GetOutputSchema(withFeatures);
    }
}

using Microsoft.ML;

namespace SimClr.Cli.Pipelines;

/// <summary>Scores a saved model the way a user would: load the .zip, Transform, MulticlassClassification.Evaluate.</summary>
public static class ModelEvaluator
{
    public static ModelEvaluation Evaluate(MLContext ml, string modelFile, IDataView validation, IReadOnlyList<string> classNames)
    {
        var model = ml.Model.Load(modelFile, out _);
        // Loading extracts the model's ONNX graph to a temporary file, which only disposing deletes.
        using (model as IDisposable)
        {
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(validation));
            return new ModelEvaluation(metrics.MicroAccuracy, metrics.MacroAccuracy, metrics.LogLoss, metrics.ConfusionMatrix.Counts, classNames);
        }
    }
}

using Microsoft.ML.Data;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// The result of <see cref="SimClrFineTuneTrainer.Fit"/> and <see cref="SimClrDistillTrainer.Fit"/>: a multiclass
/// classifier over images that adds <c>Score</c> (a probability per class, in the order of
/// <see cref="StockModelTransformer.ClassNames"/>) and <c>PredictedLabel</c> (a key over the class names), so
/// <c>MulticlassClassification.Evaluate</c> and <c>MapKeyToValue</c> work on its output. Its history has loss acc
/// val_loss val_acc lr; a distilled one also has distill_loss ce_loss agree.
/// </summary>
public sealed class SimClrClassifierTransformer : StockModelTransformer
{
    internal SimClrClassifierTransformer(TransformerChain<Microsoft.ML.ITransformer> model, string imageColumnName,
        Encoder encoder, LinearClassifier head, TrainingHistory history, IReadOnlyList<string> classNames)
        : base(model, imageColumnName, encoder, history, classNames)
        => Head = head;

    /// <summary>The trained classification head (TorchSharp).</summary>
    public LinearClassifier Head { get; }

    /// <inheritdoc />
    public override void Dispose()
    {
        base.Dispose();
        Head.Dispose();
    }
}

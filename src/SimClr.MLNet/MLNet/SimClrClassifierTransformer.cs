using Microsoft.ML.Data;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// The result of <see cref="SimClrFineTuneTrainer.Fit"/>: a multiclass classifier over images that adds
/// <c>Score</c> (a probability per class) and <c>PredictedLabel</c> (a key over the class names), so
/// <c>MulticlassClassification.Evaluate</c> and <c>MapKeyToValue</c> work on its output.
/// </summary>
public sealed class SimClrClassifierTransformer : StockModelTransformer, IDisposable
{
    internal SimClrClassifierTransformer(TransformerChain<Microsoft.ML.ITransformer> model, string imageColumnName,
        Encoder encoder, LinearClassifier head, TrainingHistory history, IReadOnlyList<string> classNames)
        : base(model, imageColumnName)
    {
        Encoder = encoder;
        Head = head;
        History = history;
        ClassNames = classNames;
    }

    /// <summary>The trained encoder (TorchSharp), in eval mode.</summary>
    public Encoder Encoder { get; }

    /// <summary>The trained classification head (TorchSharp).</summary>
    public LinearClassifier Head { get; }

    /// <summary>Per-epoch metrics: loss acc val_loss val_acc lr.</summary>
    public TrainingHistory History { get; }

    /// <summary>The classes, in the order of Score's slots and of PredictedLabel's key values.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Frees the TorchSharp modules; the ML.NET model (ONNX) keeps working.</summary>
    public void Dispose()
    {
        Encoder.Dispose();
        Head.Dispose();
    }
}

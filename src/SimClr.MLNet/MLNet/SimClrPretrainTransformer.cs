using Microsoft.ML.Data;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// The result of <see cref="SimClrPretrainEstimator.Fit"/>: adds the encoder's features (a float vector) to the
/// rows. It also holds the trained TorchSharp encoder, for fine-tuning with <see cref="SimClrFineTuneOptions.Encoder"/>,
/// and the per-epoch history.
/// </summary>
public sealed class SimClrPretrainTransformer : StockModelTransformer, IDisposable
{
    internal SimClrPretrainTransformer(TransformerChain<Microsoft.ML.ITransformer> model, string imageColumnName, string featureColumnName,
        Encoder encoder, TrainingHistory history, IReadOnlyList<string> classNames)
        : base(model, imageColumnName)
    {
        FeatureColumnName = featureColumnName;
        Encoder = encoder;
        History = history;
        ClassNames = classNames;
    }

    /// <summary>The output column.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The trained encoder (TorchSharp), in eval mode.</summary>
    public Encoder Encoder { get; }

    /// <summary>Per-epoch metrics: c_loss c_acc p_loss p_acc val_p_loss val_p_acc knn_acc lr.</summary>
    public TrainingHistory History { get; }

    /// <summary>The label classes of the training data, by key value - 1.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Frees the TorchSharp encoder; the ML.NET model (ONNX) keeps working.</summary>
    public void Dispose() => Encoder.Dispose();
}

using Microsoft.ML.Data;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// The result of <see cref="SimClrPretrainEstimator.Fit"/>: adds the encoder's features (a float vector) to the
/// rows. Its <see cref="StockModelTransformer.Encoder"/> is what <see cref="SimClrFineTuneOptions.Encoder"/> fine-tunes;
/// its history has c_loss (the method's loss) emb_std (the collapse monitor) p_loss p_acc val_p_loss val_p_acc knn_acc lr,
/// and the method's own metrics (SimCLR and MoCo: c_acc; BYOL: momentum).
/// </summary>
public sealed class SimClrPretrainTransformer : StockModelTransformer
{
    internal SimClrPretrainTransformer(TransformerChain<Microsoft.ML.ITransformer> model, string imageColumnName, string featureColumnName,
        Encoder encoder, TrainingHistory history, IReadOnlyList<string> classNames)
        : base(model, imageColumnName, encoder, history, classNames)
        => FeatureColumnName = featureColumnName;

    /// <summary>The output column.</summary>
    public string FeatureColumnName { get; }
}

using Microsoft.ML;
using SimClr.MLNet.Data;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// Options of <see cref="SimClrCatalog.SimClrPretrain"/>: the pretraining hyperparameters (defaults: the Keras
/// reference's, see <see cref="PretrainOptions"/>) plus the columns and extra data.
/// </summary>
public sealed class SimClrPretrainOptions : PretrainOptions
{
    /// <summary>Image column of the input (MLImage). Default: "Image".</summary>
    public string ImageColumnName { get; set; } = ImageColumns.Image;

    /// <summary>Key-typed label column; rows with a missing label only take part in contrastive learning. Default: "Label".</summary>
    public string LabelColumnName { get; set; } = ImageColumns.Label;

    /// <summary>Output column: the encoder's features, a float vector of the encoder's width. Default: "Features".</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>Extra images to pretrain on (for example STL-10's 100,000); their labels are ignored. Default: null.</summary>
    public IDataView? UnlabeledData { get; set; }

    /// <summary>Labelled images on which the online probe is scored after every ValidationFrequency-th epoch and the last (val_p_loss, val_p_acc, knn_acc). Default: null.</summary>
    public IDataView? ValidationData { get; set; }
}

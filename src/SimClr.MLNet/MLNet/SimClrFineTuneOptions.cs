using Microsoft.ML;
using SimClr.MLNet.Data;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// Options of <see cref="SimClrCatalog.SimClrFineTune"/>: the supervised hyperparameters (defaults: the Keras
/// reference's, see <see cref="SupervisedOptions"/>), the encoder to start from, and the columns.
/// </summary>
public sealed class SimClrFineTuneOptions : SupervisedOptions
{
    /// <summary>
    /// The pretrained encoder: the transformer returned by <c>SimClrPretrain(...).Fit</c>, or a pipeline model that
    /// contains it. Null with no <see cref="EncoderCheckpoint"/> trains from scratch: the supervised baseline.
    /// Default: null.
    /// </summary>
    public ITransformer? Encoder { get; set; }

    /// <summary>A checkpoint file of a pretraining or supervised run to start from, instead of <see cref="Encoder"/>. Default: null.</summary>
    public string? EncoderCheckpoint { get; set; }

    /// <summary>Image column of the input (MLImage). Default: "Image".</summary>
    public string ImageColumnName { get; set; } = ImageColumns.Image;

    /// <summary>Key-typed label column. Default: "Label".</summary>
    public string LabelColumnName { get; set; } = ImageColumns.Label;

    /// <summary>Labelled images scored after every ValidationFrequency-th epoch and the last (val_loss, val_acc). Default: null.</summary>
    public IDataView? ValidationData { get; set; }
}

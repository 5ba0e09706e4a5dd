using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// A multiclass trainer over images: fine-tunes a pretrained SimCLR encoder with a new linear head, or, without
/// one, trains encoder and head from scratch (the supervised baseline). Create it with
/// <c>mlContext.MulticlassClassification.Trainers.SimClrFineTune(options)</c>.
/// </summary>
public sealed class SimClrFineTuneTrainer : IEstimator<SimClrClassifierTransformer>
{
    readonly MLContextAccess _context;
    readonly SimClrFineTuneOptions _options;

    internal SimClrFineTuneTrainer(MLContextAccess context, SimClrFineTuneOptions options)
    {
        _context = context;
        _options = options;
    }

    /// <summary>Trains on the labelled rows of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, no row has a label, or the encoder does not fit; the message names what.</exception>
    public SimClrClassifierTransformer Fit(IDataView input)
    {
        var options = _options.Copy<SimClrFineTuneOptions>();
        options.Validate();
        _context.Apply(options, nameof(SimClrFineTuneTrainer));
        ImageSchema.CheckImageColumn(input.Schema, options.ImageColumnName, nameof(options.ImageColumnName));
        ImageSchema.CheckLabelColumn(input.Schema, options.LabelColumnName, nameof(options.LabelColumnName));
        var log = _context.Logger("SimClrFineTune");

        using var loaded = options.EncoderCheckpoint == null ? null : Checkpoint.LoadEncoder(options.EncoderCheckpoint);
        var pretrained = loaded ?? TrainerInputs.FindEncoder(options.Encoder, nameof(options.Encoder), nameof(options.EncoderCheckpoint));
        if (loaded != null && options.Encoder != null)
            throw new ArgumentException("Give either Encoder or EncoderCheckpoint, not both.", nameof(options.EncoderCheckpoint));
        int size = (pretrained?.Spec ?? options.EncoderSpec ?? EncoderSpec.ReferenceDefault).ImageSize;

        log($"Reading images at {size}x{size} px.");
        using var all = ImageTensorSet.FromDataView(input, size, options.ImageColumnName, options.LabelColumnName);
        var rows = all.LabeledIndices();
        if (rows.Length == 0)
            throw new ArgumentException($"No row of the training data has a label in column '{options.LabelColumnName}'; fine-tuning needs labelled images.", nameof(input));
        using var labeled = all.Subset(rows);
        using var validation = options.ValidationData == null ? null
            : TrainerInputs.ReadValidation(options.ValidationData, options.ImageColumnName, options.LabelColumnName, size);

        var result = new SupervisedTrainer(options, log).Fit(labeled, validation, pretrained);
        var model = StockScoringModels.Classifier(result.Encoder, result.Head, result.ClassNames, options.ImageColumnName, options.LabelColumnName,
            options.GpuDeviceId, options.FallbackToCpu, sessionOptions: _context.OnnxSessionOptions);
        return new SimClrClassifierTransformer(model, options.ImageColumnName, result.Encoder, result.Head, result.History, result.ClassNames);
    }

    /// <summary>The input schema plus Score and PredictedLabel, as ML.NET's own multiclass trainers add them.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ImageSchema.CheckImageColumn(inputSchema, _options.ImageColumnName, nameof(SimClrFineTuneOptions.ImageColumnName));
        ImageSchema.CheckLabelColumn(inputSchema, _options.LabelColumnName, nameof(SimClrFineTuneOptions.LabelColumnName));
        return SchemaShapes.WithMulticlassOutputs(inputSchema, _options.LabelColumnName, _options.ImageColumnName);
    }
}

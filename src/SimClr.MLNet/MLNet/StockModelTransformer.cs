using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// A fitted SimCLR transformer: a chain of stock ML.NET transformers (image resizing, pixel extraction, ONNX
/// scoring with the weights inside, key mapping) that does the work, plus what training produced. Third-party
/// code cannot write its own model format into an ML.NET .zip, so saving writes the stock chain: a saved model
/// loads with Microsoft.ML, Microsoft.ML.ImageAnalytics and Microsoft.ML.OnnxTransformer alone, as a
/// <see cref="TransformerChain{TLastTransformer}"/>. The TorchSharp modules stay in memory for fine-tuning.
/// </summary>
public abstract class StockModelTransformer : ITransformer, IDisposable
{
    private protected StockModelTransformer(TransformerChain<ITransformer> model, string imageColumnName,
        Encoder encoder, TrainingHistory history, IReadOnlyList<string> classNames)
    {
        Model = model;
        ImageColumnName = imageColumnName;
        Encoder = encoder;
        History = history;
        ClassNames = classNames;
    }

    /// <summary>The trained encoder (TorchSharp), in eval mode.</summary>
    public Encoder Encoder { get; }

    /// <summary>Per-epoch metrics of the training run.</summary>
    public TrainingHistory History { get; }

    /// <summary>The label classes, by key value - 1.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The stock ML.NET transformers that score; this is what a saved .zip holds.</summary>
    public TransformerChain<ITransformer> Model { get; }

    /// <summary>The image column the model reads.</summary>
    public string ImageColumnName { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ImageSchema.CheckImageColumn(inputSchema, ImageColumnName, "ImageColumnName");
        return Model.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ImageSchema.CheckImageColumn(inputSchema, ImageColumnName, "ImageColumnName");
        return ((ITransformer)Model).GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ImageSchema.CheckImageColumn(input.Schema, ImageColumnName, "ImageColumnName");
        return Model.Transform(input);
    }

    /// <summary>Saves the stock chain; ML.NET loads it back as a TransformerChain.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)Model).Save(ctx);

    /// <summary>Frees the TorchSharp modules; the ML.NET model (ONNX) keeps working.</summary>
    public virtual void Dispose() => Encoder.Dispose();
}

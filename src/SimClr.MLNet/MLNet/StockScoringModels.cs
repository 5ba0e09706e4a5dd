using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Transforms.Onnx;
using SimClr.MLNet.Data;
using SimClr.MLNet.Models;
using SimClr.MLNet.Onnx;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// Assembles the stock ML.NET chains that score a trained encoder: ResizeImages (stretch to the training size),
/// ExtractPixels (RGB planes scaled to [0, 1], as the encoder was trained on), ApplyOnnxModel with the exported
/// graph embedded, and for classifiers the key mapping that turns the best class into a PredictedLabel key.
/// The ONNX Runtime session options passed in (the fitting MLContext's) apply to the chain as fitted; a saved .zip
/// takes them from the MLContext that loads it.
/// </summary>
public static class StockScoringModels
{
    const string ResizedColumn = "SimClrResizedImage";
    const string PixelsColumn = "SimClrPixels";
    const string ProbabilitiesColumn = "SimClrProbabilities";
    const string OneHotColumn = "SimClrBestClass";
    const string DecoderLabelColumn = "SimClrDecoderLabel";

    /// <summary>Image column to <paramref name="featureColumn"/>: the encoder's features.</summary>
    public static TransformerChain<ITransformer> FeatureExtractor(Encoder encoder, string imageColumn, string featureColumn, int? gpuDeviceId, bool fallbackToCpu,
        OnnxSessionOptions? sessionOptions = null)
    {
        var ml = ScoringContext(sessionOptions);
        var onnx = OnnxModels.FeatureExtractor(encoder, PixelsColumn, featureColumn);
        var pipeline = Preprocessing(ml, encoder.Spec.ImageSize, imageColumn)
            .Append(ml.Transforms.ApplyOnnxModel(new[] { featureColumn }, new[] { PixelsColumn }, new MemoryStream(onnx), gpuDeviceId, fallbackToCpu))
            .Append(ml.Transforms.DropColumns(ResizedColumn, PixelsColumn));
        return Fit(pipeline, ml, imageColumn, encoder.Spec.ImageSize);
    }

    /// <summary>
    /// Image column to <c>Score</c> (class probabilities from the trained head), <c>PredictedLabel</c> (a key over
    /// <paramref name="classNames"/>, the same key as the training labels) and <paramref name="featureColumn"/> (the
    /// encoder's features, the embeddings the head classifies).
    /// </summary>
    /// <remarks>
    /// <para>
    /// PredictedLabel must be a scalar key over the class names: a PredictionEngine reads it as <c>uint</c>, and
    /// MapKeyToValue turns it into a <c>string</c>. Among stock components only a trainer's prediction transformer
    /// makes a scalar key out of a vector. So the graph also outputs the one-hot vector of its best class, and a
    /// LbfgsMaximumEntropy "decoder", trained on the C one-hot vectors, maps it to the label key; this is checked
    /// to be exact for every class. Its own Score is then replaced by the head's probabilities.
    /// </para>
    /// <para>
    /// What was tried instead (ML.NET 5.0.1, OnnxTransformer 5.0.1):
    /// an ONNX class index of shape [N] (ArgMax, keepdims 0) becomes <c>Vector&lt;Int64, 1&gt;</c>; MapValue to the
    /// class names and MapValueToKey keep the shape, giving <c>Vector&lt;Key&lt;UInt32, 0-2&gt;&gt;</c>. Evaluate accepts
    /// that (it takes the prediction from Score and only needs a column named PredictedLabel to exist; a float vector
    /// passes too), but a PredictionEngine fails with "Can't bind the IDataView column 'PredictedLabel' of type
    /// 'Vector&lt;Key&lt;UInt32, 0-2&gt;&gt;' to field or property 'PredictedLabel' of type 'System.UInt32'", and
    /// MapKeyToValue gives <c>Vector&lt;String&gt;</c>.
    /// An ONNX output declared with rank 0 is typed as a scalar Int64 column, but reading any row throws
    /// ArgumentNullException ('source'): OnnxTransformer's getter for every non-vector output
    /// (Mapper.MakeObjectGetter, meant for sequences and maps) enumerates the value as a sequence. It would also tie
    /// the graph to batch size 1.
    /// No stock transform turns a one-slot vector into a scalar: Expression applies its lambda to each slot and
    /// returns a vector; MapValue, MapValueToKey, ConvertType and Hash keep the input's shape; Concatenate always makes
    /// a vector. A prediction transformer with given weights cannot be built either (the constructors of
    /// MaximumEntropyModelParameters and MulticlassPredictionTransformer are internal), and CustomMapping needs our
    /// assembly when the .zip is loaded.
    /// </para>
    /// </remarks>
    public static TransformerChain<ITransformer> Classifier(Encoder encoder, LinearClassifier head, IReadOnlyList<string> classNames,
        string imageColumn, string labelColumn, int? gpuDeviceId, bool fallbackToCpu, string featureColumn = "Features", OnnxSessionOptions? sessionOptions = null)
    {
        var ml = ScoringContext(sessionOptions);
        var onnx = OnnxModels.Classifier(encoder, head, PixelsColumn, ProbabilitiesColumn, OneHotColumn, featureColumn);
        var decoder = TrainDecoder(ml, classNames, labelColumn);
        var sample = SampleImages(ml, imageColumn, encoder.Spec.ImageSize);
        var scoring = Preprocessing(ml, encoder.Spec.ImageSize, imageColumn)
            .Append(ml.Transforms.ApplyOnnxModel(new[] { ProbabilitiesColumn, OneHotColumn, featureColumn }, new[] { PixelsColumn }, new MemoryStream(onnx), gpuDeviceId, fallbackToCpu))
            .Fit(sample);
        var decoded = decoder.Transform(scoring.Transform(sample));
        var tidy = ml.Transforms.CopyColumns("Score", ProbabilitiesColumn)
            .Append(ml.Transforms.DropColumns(ResizedColumn, PixelsColumn, ProbabilitiesColumn, OneHotColumn))
            .Fit(decoded);
        return new TransformerChain<ITransformer>(scoring.Cast<ITransformer>().Append(decoder).Concat(tidy).ToArray());
    }

    static MLContext ScoringContext(OnnxSessionOptions? sessionOptions)
    {
        var ml = new MLContext(seed: 0);
        if (sessionOptions != null)
            ml.SetOnnxSessionOption(sessionOptions);
        return ml;
    }

    static EstimatorChain<ImagePixelExtractingTransformer> Preprocessing(MLContext ml, int size, string imageColumn)
        => ImageResizing.Estimator(ml, size, ResizedColumn, imageColumn)
            .Append(ml.Transforms.ExtractPixels(PixelsColumn, ResizedColumn,
                ImagePixelExtractingEstimator.ColorBits.Rgb, ImagePixelExtractingEstimator.ColorsOrder.ARGB,
                interleavePixelColors: false, offsetImage: 0f, scaleImage: 1f / 255f));

    /// <summary>A maximum-entropy model that maps the one-hot vector of class k to label key k + 1.</summary>
    static ITransformer TrainDecoder(MLContext ml, IReadOnlyList<string> classNames, string labelColumn)
    {
        int count = classNames.Count;
        var rows = Enumerable.Range(0, count * 4).Select(i => new DecoderRow
        {
            Name = classNames[i % count],
            OneHot = Enumerable.Range(0, count).Select(c => c == i % count ? 1f : 0f).ToArray(),
        }).ToList();
        var schema = SchemaDefinition.Create(typeof(DecoderRow));
        // The shape ML.NET gives an ONNX output of shape [N, C]: dims (1, C).
        schema[nameof(DecoderRow.OneHot)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1, count);
        schema[nameof(DecoderRow.OneHot)].ColumnName = OneHotColumn;
        schema[nameof(DecoderRow.Name)].ColumnName = DecoderLabelColumn;
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var keys = ml.Data.LoadFromEnumerable(classNames.Select(n => new DecoderRow { Name = n }), SchemaDefinition.Create(typeof(DecoderRow)));
        var labeled = ml.Transforms.Conversion.MapValueToKey(labelColumn, DecoderLabelColumn, keyData: ml.Transforms.SelectColumns(nameof(DecoderRow.Name)).Fit(keys).Transform(keys))
            .Fit(data).Transform(data);
        var decoder = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(labelColumn, OneHotColumn, l1Regularization: 0, l2Regularization: 1e-4f).Fit(labeled);
        CheckDecoder(decoder, labeled, labelColumn, count);
        return decoder;
    }

    static void CheckDecoder(ITransformer decoder, IDataView labeled, string labelColumn, int count)
    {
        var scored = decoder.Transform(labeled);
        using var cursor = scored.GetRowCursor(new[] { scored.Schema[labelColumn], scored.Schema["PredictedLabel"] });
        var label = cursor.GetGetter<uint>(scored.Schema[labelColumn]);
        var predicted = cursor.GetGetter<uint>(scored.Schema["PredictedLabel"]);
        uint expected = 0, actual = 0;
        while (cursor.MoveNext())
        {
            label(ref expected);
            predicted(ref actual);
            if (expected != actual)
                throw new InvalidOperationException($"Internal error: the label decoder maps class {expected} to {actual} ({count} classes).");
        }
    }

    static TransformerChain<ITransformer> Fit<T>(EstimatorChain<T> pipeline, MLContext ml, string imageColumn, int size) where T : class, ITransformer
    {
        var fitted = pipeline.Fit(SampleImages(ml, imageColumn, size));
        return new TransformerChain<ITransformer>(fitted.Cast<ITransformer>().ToArray());
    }

    /// <summary>One image row: the stock estimators need data to fit on, though they learn nothing from it.</summary>
    static IDataView SampleImages(MLContext ml, string imageColumn, int size)
    {
        var schema = SchemaDefinition.Create(typeof(ImageRow));
        schema[nameof(ImageRow.Image)].ColumnType = new ImageDataViewType(size, size);
        schema[nameof(ImageRow.Image)].ColumnName = imageColumn;
        var pixels = new byte[size * size * 4];
        return ml.Data.LoadFromEnumerable(new[] { new ImageRow { Image = MLImage.CreateFromPixels(size, size, MLPixelFormat.Bgra32, pixels) } }, schema);
    }

    sealed class ImageRow
    {
        [ImageType(1, 1)]   // registers MLImage as a column type; the schema below sets the real size
        public MLImage Image { get; set; } = null!;
    }

    sealed class DecoderRow
    {
        public string Name { get; set; } = "";
        public float[] OneHot { get; set; } = Array.Empty<float>();
    }
}

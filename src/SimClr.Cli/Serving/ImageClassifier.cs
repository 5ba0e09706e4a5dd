using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Transforms.Onnx;
using SimClr.MLNet.Data;

namespace SimClr.Cli.Serving;

/// <summary>
/// A saved classifier .zip, as <c>simclr predict</c> and <c>simclr serve</c> score it, concurrently. A PredictionEngine is not thread-safe, and Microsoft.Extensions.ML's
/// PredictionEnginePool (its documented answer for ASP.NET Core) is not served on this project's package feed; so
/// each request borrows an engine from an ObjectPool (ASP.NET Core's own, in the shared framework) and returns it.
/// The model itself, shared by every engine, is read-only while scoring.
/// </summary>
public sealed class ImageClassifier : IDisposable
{
    readonly MLContext _ml = new(seed: 1);
    readonly ITransformer _model;
    readonly ObjectPool<PredictionEngine<ImageInput, ImagePrediction>> _engines;

    /// <exception cref="InvalidDataException">The file is not a readable ML.NET model, or not an image classifier of ours; the message names it.</exception>
    /// <param name="modelPath">The classifier .zip.</param>
    /// <param name="onnxThreads">ONNX Runtime threads per scoring call; 0 for ONNX Runtime's default (one per physical core).</param>
    public ImageClassifier(string modelPath, int onnxThreads = 0)
    {
        if (onnxThreads > 0)
            _ml.SetOnnxSessionOption(new OnnxSessionOptions { IntraOpNumThreads = onnxThreads });
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"Model file '{modelPath}' does not exist.", modelPath);
        try
        {
            _model = _ml.Model.Load(modelPath, out _);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{modelPath}' is not a readable ML.NET model ({e.Message.ReplaceLineEndings(" ")}).", e);
        }
        var schema = _model.GetOutputSchema(_ml.Data.LoadFromEnumerable(Array.Empty<ImageInput>()).Schema);
        if (schema.GetColumnOrNull("Score") is null || schema.GetColumnOrNull("PredictedLabel") is not { } predicted)
            throw new InvalidDataException($"'{modelPath}' is not an image classifier of SimClr.MLNet (no Score and PredictedLabel columns); use baseline.zip, finetuned.zip, distilled.zip or probe.zip from a run.");
        ClassNames = ImageColumns.GetClassNames(predicted);
        var features = schema.GetColumnOrNull("Features");
        HasFeatures = features is not null;
        FeatureCount = features?.Type is VectorDataViewType vector ? vector.Size : 0;
        ModelPath = modelPath;
        _engines = new DefaultObjectPool<PredictionEngine<ImageInput, ImagePrediction>>(new EnginePolicy(_ml, _model, HasFeatures), Environment.ProcessorCount * 2);
    }

    /// <summary>How many features the model outputs; 0 when it has none or its schema leaves the size open.</summary>
    public int FeatureCount { get; }

    /// <summary>The model file.</summary>
    public string ModelPath { get; }

    /// <summary>The classes, in score order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Whether the model also outputs the encoder's features (models saved since classifiers give them).</summary>
    public bool HasFeatures { get; }

    /// <summary>
    /// Class probabilities (in <see cref="ClassNames"/> order) and, when the model gives them, the encoder's features;
    /// <paramref name="image"/> is disposed before this returns.
    /// </summary>
    /// <remarks>
    /// ML.NET's ResizeImages passes an image already at the model's size through unchanged, and the engine disposes
    /// what that step last gave out at its next prediction: with a pool, on whichever request borrows the engine next,
    /// maybe while the caller disposes the same image (<c>MLImage.Dispose</c> is not thread-safe). Under 4 clients
    /// posting 32x32 images to <c>simclr serve</c> that was a NullReferenceException in the resize step about once in
    /// 100,000 requests. Disposed while the engine is still held, the image is no one else's when the engine next runs.
    /// </remarks>
    public (float[] Probabilities, float[]? Features) PredictAndDispose(MLImage image)
    {
        var engine = _engines.Get();
        try
        {
            var prediction = engine.Predict(new ImageInput { Image = image });
            return (prediction.Score, HasFeatures ? prediction.Features : null);
        }
        finally
        {
            image.Dispose();
            _engines.Return(engine);
        }
    }

    public void Dispose() => (_model as IDisposable)?.Dispose();

    /// <summary>Engines are made on demand and kept; the pool never disposes them, since that would dispose the shared model.</summary>
    sealed class EnginePolicy(MLContext ml, ITransformer model, bool hasFeatures) : PooledObjectPolicy<PredictionEngine<ImageInput, ImagePrediction>>
    {
        public override PredictionEngine<ImageInput, ImagePrediction> Create()
        {
            var output = SchemaDefinition.Create(typeof(ImagePrediction), SchemaDefinition.Direction.Write);
            if (!hasFeatures)
                output.Remove(output[nameof(ImagePrediction.Features)]);
            return ml.Model.CreatePredictionEngine<ImageInput, ImagePrediction>(model, ignoreMissingColumns: true, outputSchemaDefinition: output);
        }

        public override bool Return(PredictionEngine<ImageInput, ImagePrediction> engine) => true;
    }

    /// <summary>One image; the declared size only types the column, the model resizes what it is given.</summary>
    public sealed class ImageInput
    {
        [ImageType(96, 96)]
        public MLImage Image { get; set; } = null!;
    }

    /// <summary>What the model outputs.</summary>
    public sealed class ImagePrediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}

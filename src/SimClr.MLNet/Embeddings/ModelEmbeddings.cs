using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.MLNet.Data;
using SimClr.MLNet.Training;
using static TorchSharp.torch;

namespace SimClr.MLNet.Embeddings;

/// <summary>
/// The encoder's features of every image in a folder, from whatever a run left behind: a saved .zip (a probe or
/// classifier, whose graph outputs <c>Features</c> beside its scores, or a SimClrPretrain feature extractor), or an
/// encoder checkpoint. In an ML.NET pipeline the same features are simply the <c>Features</c> column of <c>Transform</c>.
/// </summary>
public static class ModelEmbeddings
{
    /// <summary>Features of every row of <paramref name="images"/>, in row order.</summary>
    /// <exception cref="InvalidDataException">The file is neither a checkpoint nor an ML.NET model with a Features output; the message names it.</exception>
    public static EmbeddingSet Compute(string modelPath, ImageFolderDataView images, int batchSize = TrainingOptions.Defaults.EvaluationBatchSize)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"Model file '{modelPath}' does not exist.", modelPath);
        var paths = Enumerable.Range(0, (int)images.RowCount).Select(row => images.GetPath(row)).ToArray();
        var classNames = ImageColumns.GetClassNames(images.Schema[ImageColumns.Label]);
        if (IsCheckpoint(modelPath))
        {
            using var encoder = Checkpoint.LoadEncoder(modelPath);
            using var set = ImageTensorSet.FromDataView(images, encoder.Spec.ImageSize);
            return new EmbeddingSet(paths, set.Labels.Select(l => (int)l).ToArray(), classNames, Compute(encoder, set, batchSize));
        }
        return FromZip(modelPath, images, paths, classNames);
    }

    /// <summary>Features ([N][D]) of an in-memory image set, from an encoder in eval mode, in batches.</summary>
    public static float[][] Compute(Models.Encoder encoder, ImageTensorSet images, int batchSize = TrainingOptions.Defaults.EvaluationBatchSize)
    {
        using var scope = NewDisposeScope();
        var device = encoder.parameters().First().device;
        return Rows(Features.Extract(encoder, images.Images, batchSize, device).cpu());
    }

    static EmbeddingSet FromZip(string modelPath, ImageFolderDataView images, string[] paths, string[] classNames)
    {
        var ml = new MLContext(seed: 1).UseOneOnnxThreadPerRow();
        ITransformer model;
        try
        {
            model = ml.Model.Load(modelPath, out _);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{modelPath}' is neither an encoder checkpoint nor a readable ML.NET model ({e.Message.ReplaceLineEndings(" ")}).", e);
        }
        using var disposeModel = model as IDisposable;
        var scored = model.Transform(images);
        if (scored.Schema.GetColumnOrNull("Features") is not { Type: VectorDataViewType { ItemType: NumberDataViewType } } column)
            throw new InvalidDataException($"'{modelPath}' outputs no Features column: it is not a SimClr.MLNet model, or one saved before classifiers gave their features; use the run's encoder checkpoint (checkpoints/*.checkpoint.zip) instead.");
        var vectors = new List<float[]>();
        var labels = new List<int>();
        using var cursor = scored.GetRowCursor(new[] { column, scored.Schema[ImageColumns.Label] });
        var getFeatures = cursor.GetGetter<VBuffer<float>>(column);
        var getLabel = cursor.GetGetter<uint>(scored.Schema[ImageColumns.Label]);
        VBuffer<float> buffer = default;
        uint key = 0;
        while (cursor.MoveNext())
        {
            getFeatures(ref buffer);
            getLabel(ref key);
            vectors.Add(buffer.DenseValues().ToArray());
            labels.Add((int)key - 1);
        }
        return new EmbeddingSet(paths, labels, classNames, vectors.ToArray());
    }

    static bool IsCheckpoint(string path)
    {
        try
        {
            Checkpoint.ReadInfo(path);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            return false;
        }
    }

    static float[][] Rows(Tensor features)
    {
        var flat = features.contiguous().data<float>().ToArray();
        int width = (int)features.shape[1];
        return Enumerable.Range(0, (int)features.shape[0]).Select(i => flat.AsSpan(i * width, width).ToArray()).ToArray();
    }
}

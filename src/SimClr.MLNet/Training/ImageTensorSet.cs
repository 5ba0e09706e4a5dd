using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.MLNet.Data;
using SimClr.MLNet.Runtime;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>
/// Images held in memory as one uint8 tensor [N, 3, S, S] (CPU), with 0-based labels (-1 = unlabeled): what the
/// trainers sample batches from. Keeping uint8 until a batch is augmented costs a quarter of float32's memory.
/// </summary>
public sealed class ImageTensorSet : IDisposable
{
    /// <summary>Wraps existing tensors; the set owns <paramref name="images"/>.</summary>
    public ImageTensorSet(Tensor images, long[] labels, IReadOnlyList<string> classNames)
    {
        if (images.dtype != ScalarType.Byte || images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != images.shape[3])
            throw new ArgumentException($"Images must be uint8 [N, 3, S, S]; got {images.dtype} [{string.Join(", ", images.shape)}].", nameof(images));
        if (labels.Length != images.shape[0])
            throw new ArgumentException($"{images.shape[0]} images but {labels.Length} labels.", nameof(labels));
        foreach (var label in labels)
            if (label < -1 || label >= classNames.Count)
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Labels must be -1 (unlabeled) or 0..{classNames.Count - 1}.");
        Images = images;
        Labels = labels;
        ClassNames = classNames.ToArray();
    }

    /// <summary>[N, 3, S, S] uint8.</summary>
    public Tensor Images { get; }

    /// <summary>0-based class per image; -1 where unlabeled.</summary>
    public long[] Labels { get; }

    /// <summary>Class names, by 0-based label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Image side in pixels.</summary>
    public int ImageSize => (int)Images.shape[2];

    /// <summary>Indices of the labelled images.</summary>
    public long[] LabeledIndices() => Enumerable.Range(0, Count).Where(i => Labels[i] >= 0).Select(i => (long)i).ToArray();

    /// <summary>The images at <paramref name="indices"/> (uint8 [k, 3, S, S]) and their labels (int64 [k]).</summary>
    public (Tensor Images, Tensor Labels) Gather(long[] indices)
    {
        var index = tensor(indices);
        return (Images.index_select(0, index), tensor(indices.Select(i => Labels[i]).ToArray()));
    }

    /// <summary>A new set holding only <paramref name="rows"/>, in that order.</summary>
    public ImageTensorSet Subset(long[] rows)
    {
        var (images, _) = Gather(rows);
        return new ImageTensorSet(images, rows.Select(r => Labels[r]).ToArray(), ClassNames);
    }

    /// <summary>A new set with the rows of <paramref name="parts"/> one after the other; all must share size and classes.</summary>
    public static ImageTensorSet Concat(IReadOnlyList<ImageTensorSet> parts)
    {
        if (parts.Count == 0)
            throw new ArgumentException("Nothing to concatenate.", nameof(parts));
        return new ImageTensorSet(cat(parts.Select(p => p.Images).ToArray(), 0), parts.SelectMany(p => p.Labels).ToArray(), parts[0].ClassNames);
    }

    /// <summary>
    /// Reads every row of <paramref name="data"/> into memory, resized to <paramref name="imageSize"/> where needed by
    /// <see cref="ImageResizing"/>, exactly as a saved model resizes what it scores.
    /// </summary>
    /// <param name="data">The rows.</param>
    /// <param name="imageSize">Side of the square images to train on.</param>
    /// <param name="imageColumn">An <see cref="MLImage"/> column.</param>
    /// <param name="labelColumn">A key-typed label column, or null (all rows unlabeled).</param>
    /// <param name="classNames">Class names when there is no label column.</param>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type; the message names it.</exception>
    public static ImageTensorSet FromDataView(IDataView data, int imageSize, string imageColumn = ImageColumns.Image,
        string? labelColumn = ImageColumns.Label, IReadOnlyList<string>? classNames = null)
    {
        TorchRuntime.EnsureInitialized();
        var image = data.Schema.GetColumnOrNull(imageColumn)
            ?? throw new ArgumentException($"The data has no image column '{imageColumn}'. Columns: {string.Join(", ", data.Schema.Select(c => c.Name))}.", nameof(imageColumn));
        if (image.Type.RawType != typeof(MLImage))
            throw new ArgumentException($"Column '{imageColumn}' must hold images (MLImage, from LoadImages, LoadStl10 or LoadImageFolder); it is {image.Type}.", nameof(imageColumn));
        DataViewSchema.Column? label = null;
        if (labelColumn != null)
        {
            label = data.Schema.GetColumnOrNull(labelColumn)
                ?? throw new ArgumentException($"The data has no label column '{labelColumn}'.", nameof(labelColumn));
            if (label.Value.Type is not KeyDataViewType)
                throw new ArgumentException($"Label column '{labelColumn}' must be a key type (use MapValueToKey); it is {label.Value.Type}.", nameof(labelColumn));
            classNames = ImageColumns.GetClassNames(label.Value);
        }
        classNames ??= Array.Empty<string>();

        int recordBytes = 3 * imageSize * imageSize;
        var chunks = new List<Tensor>();
        var labels = new List<long>();
        const int chunkRows = 512;
        var buffer = new byte[chunkRows * recordBytes];
        int inChunk = 0;
        // Rows of another size are read through the resize transform; its getter runs only when called.
        const string resizedName = "__simclr_resized";
        var withResized = ImageResizing.Estimator(new MLContext(seed: 0), imageSize, resizedName, imageColumn).Fit(data).Transform(data);
        var resizedColumn = withResized.Schema[resizedName];
        var columns = label is null ? new[] { image, resizedColumn } : new[] { image, resizedColumn, label.Value };
        using (var cursor = withResized.GetRowCursor(columns.Select(c => withResized.Schema[c.Name])))
        {
            var imageGetter = cursor.GetGetter<MLImage>(withResized.Schema[image.Name]);
            var resizedGetter = cursor.GetGetter<MLImage>(resizedColumn);
            var labelGetter = label is null ? null : cursor.GetGetter<uint>(withResized.Schema[label.Value.Name]);
            MLImage? value = null, resized = null;
            while (cursor.MoveNext())
            {
                imageGetter(ref value!);
                uint key = 0;
                labelGetter?.Invoke(ref key);
                labels.Add((long)key - 1);
                var target = buffer.AsSpan(inChunk * recordBytes, recordBytes);
                if (value.Width == imageSize && value.Height == imageSize)
                    ImagePixels.ToRgbPlanes(value, target);
                else
                {
                    resizedGetter(ref resized!);
                    ImagePixels.ToRgbPlanes(resized, target);
                }
                if (++inChunk == chunkRows)
                {
                    chunks.Add(tensor(buffer, new long[] { chunkRows, 3, imageSize, imageSize }));
                    inChunk = 0;
                }
            }
            value?.Dispose();
            resized?.Dispose();
        }
        if (inChunk > 0)
            chunks.Add(tensor(buffer.AsSpan(0, inChunk * recordBytes).ToArray(), new long[] { inChunk, 3, imageSize, imageSize }));
        var images = chunks.Count switch
        {
            0 => empty(new long[] { 0, 3, imageSize, imageSize }, ScalarType.Byte),
            1 => chunks[0],
            _ => cat(chunks.ToArray(), 0),
        };
        if (chunks.Count > 1)
            foreach (var chunk in chunks)
                chunk.Dispose();
        return new ImageTensorSet(images, labels.ToArray(), classNames);
    }

    /// <inheritdoc />
    public void Dispose() => Images.Dispose();
}

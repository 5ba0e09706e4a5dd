using System.Globalization;
using System.Text;
using SimClr.MLNet.Embeddings;
using SimClr.MLNet.IO;
using SimClr.MLNet.Training;
using SkiaSharp;

namespace SimClr.Cli.Reporting;

/// <summary>
/// Embeddings as files: <c>embeddings.csv</c> (path, label, features) for any tool, and the TensorBoard projector's
/// inputs (<c>tensors.tsv</c>, <c>metadata.tsv</c>, <c>sprite.png</c>, <c>projector_config.pbtxt</c>), which the
/// standalone projector (projector.tensorflow.org, "Load") opens as they are.
/// </summary>
public static class ProjectorFiles
{
    /// <summary>The projector shows sprites up to 8192 px square, so thumbnails shrink as the set grows.</summary>
    const int MaxSpriteSide = 8192;
    const int MaxThumbnail = 32;

    /// <param name="thumbnails">The images of <paramref name="embeddings"/>, row for row, at any size.</param>
    public static void Write(string directory, EmbeddingSet embeddings, ImageTensorSet thumbnails)
    {
        if (thumbnails.Count != embeddings.Count)
            throw new ArgumentException($"{thumbnails.Count} thumbnails for {embeddings.Count} embeddings.", nameof(thumbnails));
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "embeddings.csv"), Csv(embeddings));
        AtomicFile.WriteAllText(Path.Combine(directory, "tensors.tsv"), Lines(embeddings, row => string.Join('\t', row.Select(Number))));
        var metadata = new StringBuilder("path\tlabel\n");
        for (int i = 0; i < embeddings.Count; i++)
            metadata.Append(Clean(embeddings.Paths[i])).Append('\t').Append(Clean(embeddings.LabelName(i))).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(directory, "metadata.tsv"), metadata.ToString());
        int thumbnail = WriteSprite(Path.Combine(directory, "sprite.png"), thumbnails);
        AtomicFile.WriteAllText(Path.Combine(directory, "projector_config.pbtxt"),
            "embeddings {\n  tensor_path: \"tensors.tsv\"\n  metadata_path: \"metadata.tsv\"\n" +
            $"  sprite {{\n    image_path: \"sprite.png\"\n    single_image_dim: {thumbnail}\n    single_image_dim: {thumbnail}\n  }}\n}}\n");
    }

    /// <summary>The thumbnails in a square grid, row-major, as the projector expects; returns the thumbnail side.</summary>
    static int WriteSprite(string path, ImageTensorSet images)
    {
        int perSide = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(images.Count)));
        int side = Math.Max(1, Math.Min(MaxThumbnail, MaxSpriteSide / perSide));
        using var surface = SKSurface.Create(new SKImageInfo(perSide * side, perSide * side));
        surface.Canvas.Clear(SKColors.White);
        for (int i = 0; i < images.Count; i++)
            ImageRendering.Draw(surface.Canvas, images.Images[i], i % perSide * side, i / perSide * side, side);
        using var png = surface.Snapshot().Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, png.Span);
        return side;
    }

    static string Csv(EmbeddingSet embeddings)
    {
        var text = new StringBuilder("path,label");
        for (int j = 0; j < embeddings.Dimension; j++)
            text.Append(",f").Append(j.ToString(CultureInfo.InvariantCulture));
        text.Append('\n');
        for (int i = 0; i < embeddings.Count; i++)
            text.Append(Quoted(embeddings.Paths[i])).Append(',').Append(Quoted(embeddings.LabelName(i))).Append(',')
                .Append(string.Join(',', embeddings.Vectors[i].Select(Number))).Append('\n');
        return text.ToString();
    }

    static string Lines(EmbeddingSet embeddings, Func<float[], string> line)
        => string.Concat(embeddings.Vectors.Select(v => line(v) + "\n"));

    static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.</summary>
    static string Quoted(string field) => field.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? field : $"\"{field.Replace("\"", "\"\"")}\"";

    /// <summary>TSV has no quoting: tabs and line breaks in a field become spaces.</summary>
    static string Clean(string field) => field.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}

using SimClr.MLNet.Augmentation;
using SimClr.MLNet.IO;
using SimClr.MLNet.Training;
using SkiaSharp;
using static TorchSharp.torch;

namespace SimClr.Cli.Reporting;

/// <summary>
/// The reference's augmentation figure: eight images in four rows, original, weakly augmented (classification
/// preset), strongly augmented twice (contrastive preset: the two views SimCLR compares).
/// </summary>
public static class AugmentationGrid
{
    const int Columns = 8;
    const int Margin = 4;
    const int LabelWidth = 190;

    public static void Write(string path, ImageTensorSet images, AugmentationOptions weak, AugmentationOptions strong, int seed)
    {
        using var scope = NewDisposeScope();
        int count = Math.Min(Columns, images.Count);
        if (count == 0)
            throw new ArgumentException("There are no images to show.", nameof(images));
        var (originals, _) = images.Gather(Enumerable.Range(0, count).Select(i => (long)i).ToArray());
        using var generator = new Generator((ulong)seed);
        var rows = new (string Label, Tensor Images)[]
        {
            ("original", originals),
            ("weak (classification)", new ImageAugmenter(weak).Apply(originals, generator)),
            ("strong (view 1)", new ImageAugmenter(strong).Apply(originals, generator)),
            ("strong (view 2)", new ImageAugmenter(strong).Apply(originals, generator)),
        };
        int side = Math.Max(96, images.ImageSize);
        using var surface = SKSurface.Create(new SKImageInfo(LabelWidth + count * (side + Margin) + Margin, rows.Length * (side + Margin) + Margin));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKPaint { Color = SKColors.Black, TextSize = 15, IsAntialias = true, Typeface = SKTypeface.FromFamilyName("DejaVu Sans") };
        for (int r = 0; r < rows.Length; r++)
        {
            int y = Margin + r * (side + Margin);
            canvas.DrawText(rows[r].Label, 6, y + side / 2f + 5, font);
            for (int c = 0; c < count; c++)
                ImageRendering.Draw(canvas, rows[r].Images[c], LabelWidth + Margin + c * (side + Margin), y, side);
        }
        using var png = surface.Snapshot().Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, png.Span);
    }
}

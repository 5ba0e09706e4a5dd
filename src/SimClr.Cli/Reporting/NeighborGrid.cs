using SimClr.MLNet.Embeddings;
using SimClr.MLNet.IO;
using SimClr.MLNet.Training;
using SkiaSharp;

namespace SimClr.Cli.Reporting;

/// <summary>
/// lightly's nearest-neighbour figure: one row per query image, then its nearest images by cosine similarity of the
/// encoder's features. A neighbour of the query's class is framed green, of another class red; each is captioned
/// with its similarity.
/// </summary>
public static class NeighborGrid
{
    const int Side = 64, Margin = 6, Caption = 16, Frame = 3;

    /// <param name="queryImages">The queries' images, row for row with <paramref name="neighbors"/>.</param>
    /// <param name="queryLabels">The queries' class names ("" when unknown).</param>
    /// <param name="bankImages">The images the neighbours index.</param>
    /// <param name="bankLabels">Their class names ("" when unknown): classes are compared by name, so the two sets may list them differently.</param>
    public static void Write(string path, ImageTensorSet queryImages, IReadOnlyList<string> queryLabels, ImageTensorSet bankImages,
        IReadOnlyList<string> bankLabels, Neighbor[][] neighbors)
    {
        int k = neighbors.Length == 0 ? 0 : neighbors.Max(n => n.Length);
        int cell = Side + 2 * Frame;
        using var surface = SKSurface.Create(new SKImageInfo(Margin + (k + 1) * (cell + Margin) + Margin, Margin + neighbors.Length * (cell + Caption + Margin)));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, TextSize = 12, IsAntialias = true, Typeface = SKTypeface.FromFamilyName("DejaVu Sans") };
        using var same = new SKPaint { Color = new SKColor(0x2e, 0x9e, 0x44) };
        using var other = new SKPaint { Color = new SKColor(0xd6, 0x2f, 0x2f) };
        for (int q = 0; q < neighbors.Length; q++)
        {
            int y = Margin + q * (cell + Caption + Margin);
            ImageRendering.Draw(canvas, queryImages.Images[q], Margin + Frame, y + Frame, Side);
            canvas.DrawText(queryLabels[q].Length > 0 ? queryLabels[q] : "query", Margin + Frame, y + cell + Caption - 3, text);
            for (int j = 0; j < neighbors[q].Length; j++)
            {
                var (row, similarity) = neighbors[q][j];
                int x = Margin + (j + 1) * (cell + Margin) + Margin;
                if (queryLabels[q].Length > 0 && bankLabels[row].Length > 0)
                    canvas.DrawRect(x, y, cell, cell, bankLabels[row] == queryLabels[q] ? same : other);
                ImageRendering.Draw(canvas, bankImages.Images[row], x + Frame, y + Frame, Side);
                canvas.DrawText(similarity.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), x + Frame, y + cell + Caption - 3, text);
            }
        }
        using var png = surface.Snapshot().Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, png.Span);
    }
}

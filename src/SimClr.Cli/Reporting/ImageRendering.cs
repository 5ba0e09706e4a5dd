using SkiaSharp;
using static TorchSharp.torch;

namespace SimClr.Cli.Reporting;

/// <summary>Draws image tensors into Skia bitmaps.</summary>
internal static class ImageRendering
{
    /// <summary>Draws a [3, S, S] tensor (uint8, or float in [0, 1]) into <paramref name="canvas"/> at (x, y), scaled to <paramref name="side"/> pixels.</summary>
    public static void Draw(SKCanvas canvas, Tensor image, int x, int y, int side)
    {
        using var scope = NewDisposeScope();
        var bytes = image.dtype == ScalarType.Byte ? image : (image * 255).round().clamp(0, 255).to(ScalarType.Byte);
        var planes = bytes.contiguous().data<byte>().ToArray();
        int size = (int)image.shape[1], plane = size * size;
        using var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int row = 0; row < size; row++)
            for (int column = 0; column < size; column++)
            {
                int p = row * size + column;
                bitmap.SetPixel(column, row, new SKColor(planes[p], planes[plane + p], planes[2 * plane + p]));
            }
        // Nearest-neighbour keeps small images' pixels visible instead of blurring them.
        using var paint = new SKPaint { FilterQuality = SKFilterQuality.None };
        canvas.DrawBitmap(bitmap, new SKRect(x, y, x + side, y + side), paint);
    }
}

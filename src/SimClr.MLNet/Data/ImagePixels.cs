using Microsoft.ML.Data;

namespace SimClr.MLNet.Data;

/// <summary>Converts <see cref="MLImage"/> pixels to RGB planes (channel, y, x), the layout the encoders take.</summary>
public static class ImagePixels
{
    /// <summary>Writes the image's pixels as 3 x height x width bytes of R, G, B planes.</summary>
    /// <exception cref="NotSupportedException">The image's pixel format is neither BGRA32 nor RGBA32.</exception>
    public static void ToRgbPlanes(MLImage image, Span<byte> planes)
    {
        int pixels = image.Width * image.Height;
        if (planes.Length < 3 * pixels)
            throw new ArgumentException($"Need {3 * pixels} bytes for a {image.Width}x{image.Height} image.", nameof(planes));
        var (r, b) = image.PixelFormat switch
        {
            MLPixelFormat.Bgra32 => (2, 0),
            MLPixelFormat.Rgba32 => (0, 2),
            _ => throw new NotSupportedException($"Images in pixel format {image.PixelFormat} are not supported; use BGRA32 or RGBA32."),
        };
        var source = image.Pixels;
        for (int p = 0; p < pixels; p++)
        {
            planes[p] = source[4 * p + r];
            planes[pixels + p] = source[4 * p + 1];
            planes[2 * pixels + p] = source[4 * p + b];
        }
    }
}

using SimClr.MLNet.Data;
using SkiaSharp;

namespace SimClr.MLNet.Tests.Support;

/// <summary>Small, deterministic images for tests: no test reads real data.</summary>
public static class SyntheticImages
{
    public static readonly string[] ClassNames = ["airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"];

    /// <summary>RGB planes (3 x size x size, row-major) whose pixels encode the image index and position.</summary>
    public static byte[] PatternPlanes(int index, int size = Stl10Format.ImageSize)
    {
        var planes = new byte[3 * size * size];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    planes[(c * size + y) * size + x] = (byte)(index * 31 + c * 80 + y * 3 + x * 7);
        return planes;
    }

    /// <summary>Writes an STL-10-format folder with the given number of rows per split; labels cycle 1..10.</summary>
    public static void WriteStl10(string directory, int train, int test = 0, int unlabeled = 0)
    {
        Stl10Writer.WriteClassNames(directory, ClassNames);
        Stl10Writer.WriteSplit(directory, Stl10Split.Train, Enumerable.Range(0, train).Select(i => PatternPlanes(i)),
            Enumerable.Range(0, train).Select(i => (byte)(i % 10 + 1)));
        if (test > 0)
            Stl10Writer.WriteSplit(directory, Stl10Split.Test, Enumerable.Range(0, test).Select(i => PatternPlanes(1000 + i)),
                Enumerable.Range(0, test).Select(i => (byte)(i % 10 + 1)));
        if (unlabeled > 0)
            Stl10Writer.WriteSplit(directory, Stl10Split.Unlabeled, Enumerable.Range(0, unlabeled).Select(i => PatternPlanes(2000 + i)));
    }

    /// <summary>Writes RGB planes (3 x size x size) as a PNG file.</summary>
    public static void WritePlanesAsPng(string path, byte[] planes, int size)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        int plane = size * size;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                bitmap.SetPixel(x, y, new SKColor(planes[y * size + x], planes[plane + y * size + x], planes[2 * plane + y * size + x]));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>Writes a PNG, WebP, BMP or JPEG (by extension) of a solid colour with a pattern.</summary>
    public static void WriteImageFile(string path, int size, byte red, byte green, byte blue)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(red + x), green, (byte)(blue + y)));
        if (path.EndsWith(".bmp", StringComparison.OrdinalIgnoreCase))
        {
            File.WriteAllBytes(path, EncodeBmp(bitmap));
            return;
        }
        var format = System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => SKEncodedImageFormat.Png,
            ".webp" => SKEncodedImageFormat.Webp,
            _ => SKEncodedImageFormat.Jpeg,
        };
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>A 24-bit uncompressed BMP, written by hand: Skia decodes BMP but cannot encode it.</summary>
    static byte[] EncodeBmp(SKBitmap bitmap)
    {
        int stride = (3 * bitmap.Width + 3) / 4 * 4;
        using var bmp = new MemoryStream();
        using (var writer = new BinaryWriter(bmp))
        {
            writer.Write((byte)'B'); writer.Write((byte)'M');
            writer.Write(54 + stride * bitmap.Height); writer.Write(0); writer.Write(54);
            writer.Write(40); writer.Write(bitmap.Width); writer.Write(bitmap.Height);
            writer.Write((short)1); writer.Write((short)24); writer.Write(0); writer.Write(stride * bitmap.Height);
            writer.Write(2835); writer.Write(2835); writer.Write(0); writer.Write(0);
            for (int y = bitmap.Height - 1; y >= 0; y--)   // bottom row first, BGR, rows padded to 4 bytes
            {
                for (int x = 0; x < bitmap.Width; x++)
                {
                    var pixel = bitmap.GetPixel(x, y);
                    writer.Write(pixel.Blue); writer.Write(pixel.Green); writer.Write(pixel.Red);
                }
                writer.Write(new byte[stride - 3 * bitmap.Width]);
            }
        }
        return bmp.ToArray();
    }

    /// <summary>A valid 1x1 GIF (one white pixel): Skia decodes GIF but cannot encode it.</summary>
    public static readonly byte[] OnePixelGif =
    [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
        0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44,
        0x01, 0x00, 0x3B,
    ];
}

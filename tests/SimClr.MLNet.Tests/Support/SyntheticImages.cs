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

    /// <summary>Writes a PNG (or JPEG, by extension) of a solid colour with a pattern.</summary>
    public static void WriteImageFile(string path, int size, byte red, byte green, byte blue)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(red + x), green, (byte)(blue + y)));
        var format = path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg;
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
    }
}

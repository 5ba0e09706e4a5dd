using Microsoft.ML.Data;

namespace SimClr.MLNet.Data;

/// <summary>Decodes one image file, with errors that name the file and say what is wrong with it.</summary>
public static class ImageFileReader
{
    /// <summary>The formats <see cref="MLImage"/> decodes (through SkiaSharp), as users know them.</summary>
    public const string ReadableFormats = "PNG, JPEG, BMP, GIF or WebP";

    /// <summary>The file extensions of <see cref="ReadableFormats"/>, lower case; matched case-insensitively.</summary>
    public static IReadOnlyList<string> Extensions { get; } = Array.AsReadOnly(new[] { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" });

    /// <summary>Whether <paramref name="path"/> ends with one of <paramref name="extensions"/> (default <see cref="Extensions"/>), ignoring case.</summary>
    public static bool HasImageExtension(string path, IReadOnlyList<string>? extensions = null)
        => (extensions ?? Extensions).Any(extension => path.EndsWith(extension, StringComparison.OrdinalIgnoreCase));

    /// <summary>Decodes <paramref name="path"/>; the caller owns the image.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file cannot be read or decoded as an image (corrupt, truncated, another kind of file, no permission).</exception>
    public static MLImage Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        try
        {
            return MLImage.CreateFromFile(path);
        }
        // MLImage reports a file it cannot decode as "Invalid path (Parameter 'imagePath')", which sends users
        // looking at the path instead of the file's contents.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' is not a readable image ({ReadableFormats}); it may be corrupt, truncated or another kind of file.", e);
        }
    }
}

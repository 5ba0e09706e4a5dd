namespace SimClr.MLNet.Data;

/// <summary>
/// The STL-10 binary layout: each record is 3 x 96 x 96 bytes, channel planes R, G, B, each plane stored
/// column-major (x varies slowest); labels are single bytes 1..10.
/// </summary>
public static class Stl10Format
{
    /// <summary>Image side, in pixels.</summary>
    public const int ImageSize = 96;

    /// <summary>Bytes per image record.</summary>
    public const int RecordBytes = 3 * ImageSize * ImageSize;

    /// <summary>File with one class name per line.</summary>
    public const string ClassNamesFile = "class_names.txt";

    /// <summary>The folder the official tarball extracts to.</summary>
    public const string ArchiveFolder = "stl10_binary";

    /// <summary>The image file of a single split.</summary>
    public static string ImageFile(Stl10Split split) => split switch
    {
        Stl10Split.Train => "train_X.bin",
        Stl10Split.Test => "test_X.bin",
        Stl10Split.Unlabeled => "unlabeled_X.bin",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "A single split (Train, Test or Unlabeled) is needed here."),
    };

    /// <summary>The label file of a single split, or null for Unlabeled.</summary>
    public static string? LabelFile(Stl10Split split) => split switch
    {
        Stl10Split.Train => "train_y.bin",
        Stl10Split.Test => "test_y.bin",
        Stl10Split.Unlabeled => null,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "A single split (Train, Test or Unlabeled) is needed here."),
    };

    /// <summary>Converts one record to interleaved row-major pixels (y, x, channel) in BGRA order.</summary>
    public static void RecordToBgra(ReadOnlySpan<byte> record, Span<byte> bgra)
    {
        const int plane = ImageSize * ImageSize;
        for (int x = 0; x < ImageSize; x++)
        {
            for (int y = 0; y < ImageSize; y++)
            {
                int source = x * ImageSize + y;
                int target = (y * ImageSize + x) * 4;
                bgra[target] = record[2 * plane + source];
                bgra[target + 1] = record[plane + source];
                bgra[target + 2] = record[source];
                bgra[target + 3] = 255;
            }
        }
    }

    /// <summary>Converts one record to RGB planes, each row-major (channel, y, x).</summary>
    public static void RecordToRgbPlanes(ReadOnlySpan<byte> record, Span<byte> chw)
    {
        const int plane = ImageSize * ImageSize;
        for (int c = 0; c < 3; c++)
            for (int x = 0; x < ImageSize; x++)
                for (int y = 0; y < ImageSize; y++)
                    chw[c * plane + y * ImageSize + x] = record[c * plane + x * ImageSize + y];
    }

    /// <summary>The inverse of <see cref="RecordToRgbPlanes"/>: row-major RGB planes to one record.</summary>
    public static void RgbPlanesToRecord(ReadOnlySpan<byte> chw, Span<byte> record)
    {
        const int plane = ImageSize * ImageSize;
        for (int c = 0; c < 3; c++)
            for (int x = 0; x < ImageSize; x++)
                for (int y = 0; y < ImageSize; y++)
                    record[c * plane + x * ImageSize + y] = chw[c * plane + y * ImageSize + x];
    }
}

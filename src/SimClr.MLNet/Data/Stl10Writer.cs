using SimClr.MLNet.IO;

namespace SimClr.MLNet.Data;

/// <summary>
/// Writes files in the official STL-10 binary layout, so tests and benchmarks can make small datasets that go
/// through exactly the same reader as the real one. Every file is written to a temporary name, then renamed.
/// </summary>
public static class Stl10Writer
{
    /// <summary>Writes class_names.txt, one name per line.</summary>
    public static void WriteClassNames(string directory, IEnumerable<string> classNames)
        => AtomicFile.WriteAllText(Path.Combine(directory, Stl10Format.ClassNamesFile),
            string.Concat(classNames.Select(name => name + "\n")));

    /// <summary>
    /// Writes one split. Each image is 3 x 96 x 96 bytes of RGB planes in row-major order (channel, y, x), the
    /// layout <see cref="Stl10Format.RecordToRgbPlanes"/> reads back; labels are 1-based, and omitted for Unlabeled.
    /// </summary>
    public static void WriteSplit(string directory, Stl10Split split, IEnumerable<byte[]> rgbPlanes, IEnumerable<byte>? labels = null)
    {
        WriteImages(Path.Combine(directory, Stl10Format.ImageFile(split)), rgbPlanes);
        var labelFile = Stl10Format.LabelFile(split);
        if (labelFile != null && labels == null)
            throw new ArgumentNullException(nameof(labels), $"Split {split} needs labels.");
        if (labelFile == null && labels != null)
            throw new ArgumentException($"Split {split} has no label file.", nameof(labels));
        if (labelFile != null)
            AtomicFile.WriteAllBytes(Path.Combine(directory, labelFile), labels!.ToArray());
    }

    /// <summary>Streams images (RGB planes, row-major) into one STL-10 image file.</summary>
    public static void WriteImages(string path, IEnumerable<byte[]> rgbPlanes)
        => AtomicFile.Write(path, stream =>
        {
            var record = new byte[Stl10Format.RecordBytes];
            int index = 0;
            foreach (var image in rgbPlanes)
            {
                if (image.Length != Stl10Format.RecordBytes)
                    throw new ArgumentException($"Image {index} has {image.Length} bytes; STL-10 images have {Stl10Format.RecordBytes}.", nameof(rgbPlanes));
                Stl10Format.RgbPlanesToRecord(image, record);
                stream.Write(record);
                index++;
            }
        });
}

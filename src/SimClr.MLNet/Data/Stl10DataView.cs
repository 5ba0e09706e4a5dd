using Microsoft.ML.Data;
using Microsoft.Win32.SafeHandles;

namespace SimClr.MLNet.Data;

/// <summary>
/// STL-10 in its official binary layout as an <see cref="Microsoft.ML.IDataView"/>. Rows are read from disk
/// on demand, so memory stays flat even on the 2.76 GB unlabeled file; labels (a few KB) are read and checked
/// when the view is opened.
/// </summary>
public sealed class Stl10DataView : ImageDataView
{
    readonly Segment[] _segments;

    Stl10DataView(string directory, IReadOnlyList<string> classNames, Segment[] segments)
        : base(classNames, Stl10Format.ImageSize, Stl10Format.ImageSize)
    {
        Directory = directory;
        _segments = segments;
        RowCount = segments.Sum(s => s.Count);
    }

    /// <summary>The folder holding the .bin files.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public override long RowCount { get; }

    /// <summary>
    /// Opens a split. <paramref name="directory"/> may be the folder with the .bin files or the folder the
    /// official tarball was extracted into (holding <c>stl10_binary/</c>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file of the split, or class_names.txt, is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed; the message names the file and, for labels, the row.</exception>
    public static Stl10DataView Open(string directory, Stl10Split split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        directory = ResolveDirectory(directory);
        var classNames = ReadClassNames(directory);
        var splits = split == Stl10Split.TrainAndUnlabeled ? new[] { Stl10Split.Train, Stl10Split.Unlabeled } : new[] { split };
        var segments = splits.Select(s => OpenSegment(directory, s, classNames.Count)).ToArray();
        return new Stl10DataView(directory, classNames, segments);
    }

    static string ResolveDirectory(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException(
                $"STL-10 folder '{directory}' does not exist. Get the data with 'simclr download stl10 --to {directory}'.");
        var nested = Path.Combine(directory, Stl10Format.ArchiveFolder);
        if (!File.Exists(Path.Combine(directory, Stl10Format.ClassNamesFile)) && System.IO.Directory.Exists(nested))
            return nested;
        return directory;
    }

    static List<string> ReadClassNames(string directory)
    {
        var path = Path.Combine(directory, Stl10Format.ClassNamesFile);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"STL-10 class names file '{path}' is missing; the official layout has it beside train_X.bin.", path);
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (names.Count == 0)
            throw new InvalidDataException($"'{path}' lists no class names.");
        return names;
    }

    static Segment OpenSegment(string directory, Stl10Split split, int classCount)
    {
        var imagePath = Path.Combine(directory, Stl10Format.ImageFile(split));
        if (!File.Exists(imagePath))
            throw new FileNotFoundException($"STL-10 image file '{imagePath}' is missing.", imagePath);
        long bytes = new FileInfo(imagePath).Length;
        if (bytes % Stl10Format.RecordBytes != 0)
            throw new InvalidDataException(
                $"'{imagePath}' is {bytes:N0} bytes, not a whole number of {Stl10Format.RecordBytes:N0}-byte records " +
                $"(record {bytes / Stl10Format.RecordBytes} is cut short); the file is truncated or not STL-10.");
        long count = bytes / Stl10Format.RecordBytes;

        byte[]? labels = null;
        if (Stl10Format.LabelFile(split) is { } labelName)
        {
            var labelPath = Path.Combine(directory, labelName);
            if (!File.Exists(labelPath))
                throw new FileNotFoundException($"STL-10 label file '{labelPath}' is missing.", labelPath);
            labels = File.ReadAllBytes(labelPath);
            if (labels.Length != count)
                throw new InvalidDataException(
                    $"'{imagePath}' holds {count:N0} images but '{labelPath}' holds {labels.Length:N0} labels; they must match.");
            for (int row = 0; row < labels.Length; row++)
                if (labels[row] < 1 || labels[row] > classCount)
                    throw new InvalidDataException(
                        $"'{labelPath}' row {row}: label {labels[row]} is outside 1..{classCount}.");
        }
        return new Segment(imagePath, count, labels);
    }

    private protected override ImageRowReader OpenReader() => new Reader(_segments);

    sealed record Segment(string ImagePath, long Count, byte[]? Labels);

    sealed class Reader : ImageRowReader
    {
        readonly Segment[] _segments;
        readonly SafeFileHandle?[] _files;
        readonly byte[] _record = new byte[Stl10Format.RecordBytes];
        readonly byte[] _bgra = new byte[Stl10Format.ImageSize * Stl10Format.ImageSize * 4];

        public Reader(Segment[] segments)
        {
            _segments = segments;
            _files = new SafeFileHandle?[segments.Length];
        }

        public override MLImage ReadImage(long row)
        {
            ReadRecord(row, _record);
            Stl10Format.RecordToBgra(_record, _bgra);
            return MLImage.CreateFromPixels(Stl10Format.ImageSize, Stl10Format.ImageSize, MLPixelFormat.Bgra32, _bgra);
        }

        public override uint ReadLabel(long row)
        {
            var (segment, local) = Locate(row);
            return _segments[segment].Labels is { } labels ? labels[local] : 0u;
        }

        void ReadRecord(long row, byte[] record)
        {
            var (segment, local) = Locate(row);
            var file = _files[segment] ??= File.OpenHandle(_segments[segment].ImagePath, FileMode.Open, FileAccess.Read,
                FileShare.Read, FileOptions.RandomAccess);
            int read = RandomAccess.Read(file, record, local * Stl10Format.RecordBytes);
            if (read != record.Length)
                throw new InvalidDataException($"'{_segments[segment].ImagePath}' record {local}: file ended early (was it truncated while open?).");
        }

        (int Segment, long Local) Locate(long row)
        {
            for (int s = 0; s < _segments.Length; s++)
            {
                if (row < _segments[s].Count)
                    return (s, row);
                row -= _segments[s].Count;
            }
            throw new ArgumentOutOfRangeException(nameof(row));
        }

        public override void Dispose()
        {
            foreach (var file in _files)
                file?.Dispose();
        }
    }
}

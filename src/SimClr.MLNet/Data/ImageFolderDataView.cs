using Microsoft.ML.Data;

namespace SimClr.MLNet.Data;

/// <summary>
/// A folder of images laid out as <c>root/&lt;class&gt;/*.png|jpg|jpeg|bmp|gif|webp</c>, plus an optional folder of
/// unlabeled images, as an <see cref="Microsoft.ML.IDataView"/>. Files are listed when the view is opened and
/// decoded only when a cursor reads them.
/// </summary>
public sealed class ImageFolderDataView : ImageDataView
{
    readonly ImageFile[] _files;
    readonly bool _skipCorrupt;
    long _skipped;

    ImageFolderDataView(string root, IReadOnlyList<string> classNames, ImageFile[] files, bool skipCorrupt)
        : base(classNames, 0, 0)
    {
        Root = root;
        _files = files;
        _skipCorrupt = skipCorrupt;
    }

    /// <summary>The root folder.</summary>
    public string Root { get; }

    /// <summary>Rows listed, including any that a skipping cursor later drops.</summary>
    public override long RowCount => _files.Length;

    /// <summary>Images skipped as corrupt so far, by all cursors (only with <see cref="ImageFolderOptions.SkipCorruptImages"/>).</summary>
    public long SkippedImageCount => Interlocked.Read(ref _skipped);

    /// <summary>The path of a row's file.</summary>
    public string GetPath(long row) => _files[row].Path;

    /// <inheritdoc />
    public override long? GetRowCount() => _skipCorrupt ? null : RowCount;

    /// <summary>Lists the images under <paramref name="root"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The root or the unlabeled folder does not exist.</exception>
    /// <exception cref="InvalidDataException">There are no classes, a class has no images, or the range selects none.</exception>
    public static ImageFolderDataView Open(string root, ImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        options ??= new ImageFolderOptions();
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        var rootFull = Path.GetFullPath(root);
        string? unlabeledFull = options.UnlabeledFolder == null ? null : Path.GetFullPath(Path.Combine(rootFull, options.UnlabeledFolder));
        if (unlabeledFull != null && !Directory.Exists(unlabeledFull))
            throw new DirectoryNotFoundException($"Unlabeled image folder '{unlabeledFull}' does not exist.");

        var classNames = options.ClassNames?.ToArray() ?? Directory.EnumerateDirectories(rootFull)
            .Where(d => !PathEquals(d, unlabeledFull))
            .Select(Path.GetFileName).OfType<string>()
            .Where(name => !name.StartsWith('.'))
            .OrderBy(name => name, StringComparer.Ordinal).ToArray();
        if (classNames.Length == 0 && unlabeledFull == null)
            throw new InvalidDataException(
                $"Image folder '{root}' holds no class folders; expected {root}/<class>/*{string.Join("|*", options.Extensions)}.");

        var files = new List<ImageFile>();
        for (int c = 0; c < classNames.Length; c++)
        {
            var folder = Path.Combine(rootFull, classNames[c]);
            if (!Directory.Exists(folder))
                throw new DirectoryNotFoundException($"Class folder '{folder}' (class '{classNames[c]}') does not exist.");
            var images = ListImages(folder, options.Extensions);
            if (images.Length == 0)
                throw new InvalidDataException($"Class folder '{folder}' holds no images ({string.Join(", ", options.Extensions)}).");
            // With an unlabelled folder, "no class files" is a real request: the unlabelled images alone, keyed by the classes.
            if (unlabeledFull != null && options.FilesPerClass.Equals(..0))
                continue;
            var (offset, length) = SelectedRange(options.FilesPerClass, images.Length, folder);
            uint label = options.IgnoreLabels ? 0u : (uint)(c + 1);
            for (int i = offset; i < offset + length; i++)
                files.Add(new ImageFile(images[i], label));
        }
        if (unlabeledFull != null)
        {
            var images = ListImages(unlabeledFull, options.Extensions);
            if (images.Length == 0)
                throw new InvalidDataException($"Unlabeled image folder '{unlabeledFull}' holds no images ({string.Join(", ", options.Extensions)}).");
            files.AddRange(images.Select(path => new ImageFile(path, 0u)));
        }
        return new ImageFolderDataView(rootFull, classNames, files.ToArray(), options.SkipCorruptImages);
    }

    static string[] ListImages(string folder, IReadOnlyList<string> extensions)
        => Directory.EnumerateFiles(folder)
            .Where(f => ImageFileReader.HasImageExtension(f, extensions))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToArray();

    static (int Offset, int Length) SelectedRange(Range range, int count, string folder)
    {
        try
        {
            var (offset, length) = range.GetOffsetAndLength(count);
            if (length == 0)
                throw new ArgumentOutOfRangeException(nameof(range));
            return (offset, length);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new InvalidDataException(
                $"FilesPerClass {range} selects no files in class folder '{folder}', which holds {count} images.");
        }
    }

    static bool PathEquals(string a, string? b)
        => b != null && string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)),
            Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);

    private protected override ImageRowReader OpenReader() => new Reader(this);

    readonly record struct ImageFile(string Path, uint Label);

    sealed class Reader : ImageRowReader
    {
        readonly ImageFolderDataView _view;
        long _decodedRow = -1;
        MLImage? _decoded;

        public Reader(ImageFolderDataView view) => _view = view;

        public override bool Prepare(long row)
        {
            if (!_view._skipCorrupt)
                return true;
            // To skip a corrupt file the cursor must decode it before it lands on the row.
            ReleaseDecoded();
            try
            {
                _decoded = Decode(row);
                _decodedRow = row;
                return true;
            }
            catch (InvalidDataException)
            {
                Interlocked.Increment(ref _view._skipped);
                return false;
            }
        }

        public override MLImage ReadImage(long row)
        {
            if (_decodedRow == row && _decoded != null)
            {
                var image = _decoded;
                _decoded = null;
                return image;
            }
            return Decode(row);
        }

        public override uint ReadLabel(long row) => _view._files[row].Label;

        MLImage Decode(long row)
        {
            try
            {
                return ImageFileReader.Read(_view._files[row].Path);
            }
            catch (FileNotFoundException e)
            {
                // Listed when the view was opened and gone since: as unreadable as a corrupt file, and skipped like one.
                throw new InvalidDataException(e.Message, e);
            }
        }

        void ReleaseDecoded()
        {
            _decoded?.Dispose();
            _decoded = null;
            _decodedRow = -1;
        }

        public override void Dispose() => ReleaseDecoded();
    }
}

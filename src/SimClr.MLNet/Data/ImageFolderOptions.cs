namespace SimClr.MLNet.Data;

/// <summary>Options for <see cref="Microsoft.ML.SimClrDataCatalogExtensions.LoadImageFolder"/>.</summary>
public sealed class ImageFolderOptions
{
    /// <summary>
    /// A folder of unlabeled images (its files, not subfolders), read after the class folders with a missing
    /// label. Relative paths are taken from the root; a folder inside the root is not read as a class.
    /// Default: null (none).
    /// </summary>
    public string? UnlabeledFolder { get; set; }

    /// <summary>
    /// The classes, in key order. Default: null, meaning every subfolder of the root, sorted by ordinal name.
    /// Each named class must have a folder.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>
    /// Which files of each class folder to read, by position after sorting by ordinal file name. For example
    /// <c>..500</c> (the first 500), <c>^500..</c> (the last 500), <c>500..^500</c> (the rest). A range that selects
    /// no file is an error, except <c>..0</c> with an <see cref="UnlabeledFolder"/>: the unlabelled images alone,
    /// with the class folders' names as the label key.
    /// Default: <see cref="Range.All"/>.
    /// </summary>
    public Range FilesPerClass { get; set; } = Range.All;

    /// <summary>Read the class folders' images with a missing label (for an unlabeled split). Default: false.</summary>
    public bool IgnoreLabels { get; set; }

    /// <summary>
    /// What a corrupt or unreadable image does. Default: false, the cursor throws an
    /// <see cref="InvalidDataException"/> naming the file, because a broken file in a training set is a data
    /// problem to fix, not to hide. True: the row is skipped and counted in
    /// <see cref="ImageFolderDataView.SkippedImageCount"/>; the view's row count is then unknown (null).
    /// </summary>
    public bool SkipCorruptImages { get; set; }

    /// <summary>
    /// File extensions read as images, case-insensitively; other files are not read. Default:
    /// <see cref="ImageFileReader.Extensions"/>, every format it decodes (.png, .jpg, .jpeg, .bmp, .gif, .webp).
    /// </summary>
    public IReadOnlyList<string> Extensions { get; set; } = ImageFileReader.Extensions;
}

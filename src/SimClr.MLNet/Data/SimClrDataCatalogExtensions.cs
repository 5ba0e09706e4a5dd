using SimClr.MLNet.Data;

// In Microsoft.ML, as ML.NET's ImageEstimatorsCatalog is, so that `using Microsoft.ML;` finds the extensions.
namespace Microsoft.ML;

/// <summary>Loaders for image datasets, as extensions of <see cref="MLContext.Data"/>.</summary>
public static class SimClrDataCatalogExtensions
{
    /// <summary>
    /// Loads a split of STL-10 in its official binary layout (train_X.bin, train_y.bin, test_X.bin,
    /// test_y.bin, unlabeled_X.bin, class_names.txt), streaming rows from disk.
    /// </summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="directory">The folder with the .bin files, or the folder holding <c>stl10_binary/</c>.</param>
    /// <param name="split">Which rows to read.</param>
    /// <returns>
    /// A view with columns <c>Image</c> (96x96 <see cref="Microsoft.ML.Data.MLImage"/>), <c>Label</c> (key over
    /// the 10 class names; missing for unlabeled rows) and <c>Index</c> (Int64).
    /// </returns>
    public static Stl10DataView LoadStl10(this DataOperationsCatalog catalog, string directory, Stl10Split split)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return Stl10DataView.Open(directory, split);
    }

    /// <summary>
    /// Loads <c>root/&lt;class&gt;/*.png|jpg|jpeg|bmp|gif|webp</c> (and optionally a folder of unlabeled images), with the
    /// same columns as <see cref="LoadStl10"/>. Images keep their size; the SimCLR estimators resize them.
    /// </summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="root">The folder holding one subfolder per class.</param>
    /// <param name="options">Unlabeled folder, class order, per-class file range; see <see cref="ImageFolderOptions"/>.</param>
    public static ImageFolderDataView LoadImageFolder(this DataOperationsCatalog catalog, string root, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return ImageFolderDataView.Open(root, options);
    }
}

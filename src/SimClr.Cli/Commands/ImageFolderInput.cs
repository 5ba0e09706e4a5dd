using SimClr.MLNet.Data;

namespace SimClr.Cli.Commands;

/// <summary>
/// The image folders that embed and neighbors read: class folders (labelled), optionally with a subfolder of
/// unlabelled images, or a flat folder of images (unlabelled).
/// </summary>
internal static class ImageFolderInput
{
    /// <param name="path">The folder.</param>
    /// <param name="unlabeledFolder">A subfolder of unlabelled images (not a class), or null.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">It holds no images.</exception>
    public static ImageFolderDataView Open(string path, string? unlabeledFolder = null)
    {
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException($"Image folder '{path}' does not exist.");
        bool classFolders = Directory.EnumerateDirectories(path).Any(d => !Path.GetFileName(d).StartsWith('.'));
        return ImageFolderDataView.Open(path, new ImageFolderOptions { UnlabeledFolder = classFolders ? unlabeledFolder : "." });
    }
}

using SimClr.MLNet.Data;

namespace SimClr.Cli.Commands;

/// <summary>The image folders that embed, neighbors and serve read: class folders (labelled) or a flat folder of images (unlabelled).</summary>
internal static class ImageFolderInput
{
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">It holds no images.</exception>
    public static ImageFolderDataView Open(string path)
    {
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException($"Image folder '{path}' does not exist.");
        bool classFolders = Directory.EnumerateDirectories(path).Any(d => !Path.GetFileName(d).StartsWith('.'));
        return classFolders ? ImageFolderDataView.Open(path) : ImageFolderDataView.Open(path, new ImageFolderOptions { UnlabeledFolder = "." });
    }
}

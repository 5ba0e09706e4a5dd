using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.MLNet.Data;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Support.DataViewReading;

namespace SimClr.MLNet.Tests.Data;

public class ImageFolderDataViewTests
{
    readonly MLContext _ml = new(seed: 1);

    static TempDirectory MakeFolder(int perClass = 3, bool unlabeled = false)
    {
        var dir = new TempDirectory();
        string[] classes = ["cat", "ant", "bee"];
        for (int c = 0; c < classes.Length; c++)
            for (int i = 0; i < perClass; i++)
                SyntheticImages.WriteImageFile(dir.Combine(classes[c], $"{i:D3}.{(i % 2 == 0 ? "png" : "jpg")}"), 10, (byte)(c * 80), (byte)i, 0);
        if (unlabeled)
            for (int i = 0; i < 2; i++)
                SyntheticImages.WriteImageFile(dir.Combine("unlabeled", $"u{i}.png"), 12, 5, 5, 5);
        return dir;
    }

    [Fact]
    public void ReadsClassFoldersSortedWithKeyLabels()
    {
        using var dir = MakeFolder();
        var view = _ml.Data.LoadImageFolder(dir.Path);

        Assert.Equal(new[] { "ant", "bee", "cat" }, ImageColumns.GetClassNames(view.Schema["Label"]));
        Assert.Equal(new uint[] { 1, 1, 1, 2, 2, 2, 3, 3, 3 }, Column<uint>(view, "Label"));
        var images = Column<MLImage>(view, "Image");
        Assert.Equal(10, images[0].Width);
        Assert.Equal((byte)(80 + 3), Pixel(images[0], 3, 0).R); // 'ant' was written second, with red 80 + x
        Assert.EndsWith(Path.Combine("cat", "002.png"), view.GetPath(8));
    }

    [Fact]
    public void ReadsEveryFormatItCanDecodeByDefaultAndNothingElse()
    {
        using var dir = new TempDirectory();
        foreach (var name in new[] { "a.png", "b.JPG", "c.jpeg", "d.webp", "e.bmp" })
            SyntheticImages.WriteImageFile(dir.Combine("cat", name), 10, 100, 50, 20);
        File.WriteAllBytes(dir.Combine("cat", "f.gif"), SyntheticImages.OnePixelGif);
        File.WriteAllText(dir.Combine("cat", "notes.txt"), "not an image");

        var view = _ml.Data.LoadImageFolder(dir.Path);

        Assert.Equal(6, view.GetRowCount());
        var images = Column<MLImage>(view, "Image");
        Assert.Equal(new[] { 10, 10, 10, 10, 10, 1 }, images.Select(i => i.Width));
        Assert.Equal((byte)(100 + 3), Pixel(images[4], 3, 7).R);   // the BMP is lossless, and its rows run bottom-up
        Assert.Equal((byte)(20 + 7), Pixel(images[4], 3, 7).B);
        Assert.Equal((byte)255, Pixel(images[5], 0, 0).G);
    }

    [Fact]
    public void UnlabeledFolderGivesMissingLabelsAndIsNotAClass()
    {
        using var dir = MakeFolder(perClass: 1, unlabeled: true);
        var view = _ml.Data.LoadImageFolder(dir.Path, new ImageFolderOptions { UnlabeledFolder = "unlabeled" });

        Assert.Equal(3, ImageColumns.GetClassNames(view.Schema["Label"]).Length);
        Assert.Equal(new uint[] { 1, 2, 3, 0, 0 }, Column<uint>(view, "Label"));
    }

    [Fact]
    public void FilesPerClassSelectsByPositionAndIgnoreLabelsClearsThem()
    {
        using var dir = MakeFolder(perClass: 5);
        var first = _ml.Data.LoadImageFolder(dir.Path, new ImageFolderOptions { FilesPerClass = ..2 });
        var last = _ml.Data.LoadImageFolder(dir.Path, new ImageFolderOptions { FilesPerClass = ^1.. });
        var middle = _ml.Data.LoadImageFolder(dir.Path, new ImageFolderOptions { FilesPerClass = 2..^1, IgnoreLabels = true });

        Assert.Equal(6, first.GetRowCount());
        Assert.EndsWith("001.jpg", first.GetPath(1));
        Assert.Equal(3, last.GetRowCount());
        Assert.EndsWith("004.png", last.GetPath(0));
        Assert.Equal(6, middle.GetRowCount());
        Assert.All(Column<uint>(middle, "Label"), label => Assert.Equal(0u, label));
        Assert.Equal(3, ImageColumns.GetClassNames(middle.Schema["Label"]).Length);
    }

    [Fact]
    public void CorruptImageFailsNamingTheFile()
    {
        using var dir = MakeFolder(perClass: 2);
        var broken = dir.Combine("bee", "001.jpg");
        File.WriteAllBytes(broken, [0xFF, 0xD8, 1, 2, 3]);
        var view = _ml.Data.LoadImageFolder(dir.Path);

        var error = Assert.Throws<InvalidDataException>(() => Column<MLImage>(view, "Image"));
        Assert.Contains(broken, error.Message);
    }

    [Fact]
    public void CorruptImageIsSkippedAndCountedWhenAsked()
    {
        using var dir = MakeFolder(perClass: 2);
        File.WriteAllText(dir.Combine("bee", "001.jpg"), "not an image");
        var view = _ml.Data.LoadImageFolder(dir.Path, new ImageFolderOptions { SkipCorruptImages = true });

        var labels = Column<uint>(view, "Label");

        Assert.Equal(new uint[] { 1, 1, 2, 3, 3 }, labels);
        Assert.Equal(1, view.SkippedImageCount);
        Assert.Null(view.GetRowCount());
    }

    [Fact]
    public void EmptyRootAndEmptyClassFolderAreRejected()
    {
        using var empty = new TempDirectory();
        Assert.Contains("no class folders", Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageFolder(empty.Path)).Message);

        using var dir = MakeFolder(perClass: 1);
        Directory.CreateDirectory(dir.Combine("empty"));
        File.WriteAllText(dir.Combine("empty", "notes.txt"), "x");
        var error = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageFolder(dir.Path));
        Assert.Contains(dir.Combine("empty"), error.Message);

        Assert.Throws<DirectoryNotFoundException>(() => _ml.Data.LoadImageFolder(dir.Combine("missing")));
    }

    [Fact]
    public void RangeThatSelectsNothingIsRejected()
    {
        using var dir = MakeFolder(perClass: 2);
        var error = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadImageFolder(dir.Path, new ImageFolderOptions { FilesPerClass = 5..10 }));
        Assert.Contains("FilesPerClass", error.Message);
    }
}

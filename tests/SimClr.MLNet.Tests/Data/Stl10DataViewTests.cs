using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.MLNet.Data;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Support.DataViewReading;

namespace SimClr.MLNet.Tests.Data;

public class Stl10DataViewTests
{
    readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void TrainSplitRoundTripsPixelsLabelsAndClassNames()
    {
        using var dir = new TempDirectory();
        SyntheticImages.WriteStl10(dir.Path, train: 12);

        var view = _ml.Data.LoadStl10(dir.Path, Stl10Split.Train);

        Assert.Equal(12, view.GetRowCount());
        var images = Column<MLImage>(view, "Image");
        var expected = SyntheticImages.PatternPlanes(5);
        const int size = Stl10Format.ImageSize;
        foreach (var (x, y) in new[] { (0, 0), (95, 0), (0, 95), (17, 61) })
        {
            var (r, g, b) = Pixel(images[5], x, y);
            Assert.Equal(expected[(0 * size + y) * size + x], r);
            Assert.Equal(expected[(1 * size + y) * size + x], g);
            Assert.Equal(expected[(2 * size + y) * size + x], b);
        }
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (uint)(i % 10 + 1)), Column<uint>(view, "Label"));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), Column<long>(view, "Index"));
        Assert.Equal(SyntheticImages.ClassNames, ImageColumns.GetClassNames(view.Schema["Label"]));
        Assert.Equal(10ul, ((KeyDataViewType)view.Schema["Label"].Type).Count);
    }

    [Fact]
    public void UnlabeledRowsHaveMissingLabelsAndTrainAndUnlabeledConcatenates()
    {
        using var dir = new TempDirectory();
        SyntheticImages.WriteStl10(dir.Path, train: 3, unlabeled: 4);

        Assert.All(Column<uint>(_ml.Data.LoadStl10(dir.Path, Stl10Split.Unlabeled), "Label"), label => Assert.Equal(0u, label));
        var both = _ml.Data.LoadStl10(dir.Path, Stl10Split.TrainAndUnlabeled);
        Assert.Equal(new uint[] { 1, 2, 3, 0, 0, 0, 0 }, Column<uint>(both, "Label"));
    }

    [Fact]
    public void ShuffledCursorVisitsEveryRowOnceInAnotherOrder()
    {
        using var dir = new TempDirectory();
        SyntheticImages.WriteStl10(dir.Path, train: 5, unlabeled: 20);
        var view = _ml.Data.LoadStl10(dir.Path, Stl10Split.TrainAndUnlabeled);

        var order = Column<long>(view, "Index", new Random(3));

        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), order.Order());
        Assert.NotEqual(Enumerable.Range(0, 25).Select(i => (long)i), order);
        Assert.Equal(order, Column<long>(view, "Index", new Random(3)));
    }

    [Fact]
    public void StockImageTransformsApply()
    {
        using var dir = new TempDirectory();
        SyntheticImages.WriteStl10(dir.Path, train: 2);
        var view = _ml.Data.LoadStl10(dir.Path, Stl10Split.Train);

        var pixels = _ml.Transforms.ResizeImages("Small", 8, 8, "Image")
            .Append(_ml.Transforms.ExtractPixels("Pixels", "Small"))
            .Fit(view).Transform(view);

        var vectors = Column<VBuffer<float>>(pixels, "Pixels");
        Assert.Equal(2, vectors.Count);
        Assert.Equal(3 * 8 * 8, vectors[0].Length);
    }

    [Fact]
    public void AcceptsTheFolderTheTarballExtractsTo()
    {
        using var dir = new TempDirectory();
        SyntheticImages.WriteStl10(dir.Combine(Stl10Format.ArchiveFolder), train: 2);
        Assert.Equal(2, _ml.Data.LoadStl10(dir.Path, Stl10Split.Train).GetRowCount());
    }

    [Fact]
    public void TruncatedImageFileIsRejectedWithFileAndRecord()
    {
        using var dir = new TempDirectory();
        SyntheticImages.WriteStl10(dir.Path, train: 3);
        var x = dir.Combine("train_X.bin");
        using (var stream = File.OpenWrite(x))
            stream.SetLength(stream.Length - 100);

        var error = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadStl10(dir.Path, Stl10Split.Train));
        Assert.Contains(x, error.Message);
        Assert.Contains("record 2", error.Message);
    }

    [Fact]
    public void LabelOutsideRangeIsRejectedWithFileAndRow()
    {
        using var dir = new TempDirectory();
        SyntheticImages.WriteStl10(dir.Path, train: 4);
        var y = dir.Combine("train_y.bin");
        File.WriteAllBytes(y, [1, 2, 11, 3]);

        var error = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadStl10(dir.Path, Stl10Split.Train));
        Assert.Contains(y, error.Message);
        Assert.Contains("row 2", error.Message);
        Assert.Contains("label 11", error.Message);
    }

    [Fact]
    public void ZeroLabelIsRejected()
    {
        using var dir = new TempDirectory();
        SyntheticImages.WriteStl10(dir.Path, train: 2);
        File.WriteAllBytes(dir.Combine("train_y.bin"), [0, 1]);
        Assert.Contains("row 0", Assert.Throws<InvalidDataException>(() => _ml.Data.LoadStl10(dir.Path, Stl10Split.Train)).Message);
    }

    [Fact]
    public void ImageAndLabelCountsMustMatch()
    {
        using var dir = new TempDirectory();
        SyntheticImages.WriteStl10(dir.Path, train: 4);
        File.WriteAllBytes(dir.Combine("train_y.bin"), [1, 2, 3]);

        var error = Assert.Throws<InvalidDataException>(() => _ml.Data.LoadStl10(dir.Path, Stl10Split.Train));
        Assert.Contains("4 images", error.Message);
        Assert.Contains("3 labels", error.Message);
    }

    [Fact]
    public void MissingClassNamesAndMissingFolderAreNamed()
    {
        using var dir = new TempDirectory();
        SyntheticImages.WriteStl10(dir.Path, train: 1);
        File.Delete(dir.Combine("class_names.txt"));

        var missingNames = Assert.Throws<FileNotFoundException>(() => _ml.Data.LoadStl10(dir.Path, Stl10Split.Train));
        Assert.Contains("class_names.txt", missingNames.Message);
        var missingDir = Assert.Throws<DirectoryNotFoundException>(() => _ml.Data.LoadStl10(dir.Combine("nope"), Stl10Split.Train));
        Assert.Contains("nope", missingDir.Message);
        Stl10Writer.WriteClassNames(dir.Path, SyntheticImages.ClassNames);
        var missingSplit = Assert.Throws<FileNotFoundException>(() => _ml.Data.LoadStl10(dir.Path, Stl10Split.Test));
        Assert.Contains("test_X.bin", missingSplit.Message);
    }

    [Fact]
    public void FormatConversionsAreInverse()
    {
        var planes = SyntheticImages.PatternPlanes(7);
        var record = new byte[Stl10Format.RecordBytes];
        var back = new byte[Stl10Format.RecordBytes];
        Stl10Format.RgbPlanesToRecord(planes, record);
        Stl10Format.RecordToRgbPlanes(record, back);
        Assert.Equal(planes, back);
        Assert.NotEqual(planes, record);
    }
}

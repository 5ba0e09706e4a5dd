using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Cli.CliRunner;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>What a run says about problems in its data and options: the file or option, and what to do.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class RunMessageTests
{
    [Fact]
    public void ACorruptTrainingImageIsNamedAndLeavesNoEmptyOutputFolder()
    {
        using var dir = new TempDirectory();
        var images = dir.Combine("images");
        TinyPipelines.WriteImageFolder(images);
        File.WriteAllText(Path.Combine(images, "b", "broken.png"), "a text file named like an image");

        var (code, output) = RunPipeline(dir, TinyPipelines.ImageFolder(images), "--out", dir.Combine("runs", "first"));

        Assert.Equal(1, code);
        var error = ErrorAfterLog(output);
        Assert.Contains("broken.png' is not a readable image", error);
        Assert.DoesNotContain("Invalid path", error);
        Assert.False(Directory.Exists(dir.Combine("runs")), "the failed run left its output folder behind");
    }

    [Fact]
    public void ABatchLargerThanTheDataIsClampedWithAWarning()
    {
        using var dir = new TempDirectory();
        var (code, output) = RunPipeline(dir, TinyPipelines.Synthetic(batchSize: 500, labeled: 16), "--out", dir.Combine("out"));

        Assert.True(code == 0, output);
        Assert.Contains("warning: experiments.baseline.batchSize 500 is more than the 16 labelled images; using 16.", output);
    }
}

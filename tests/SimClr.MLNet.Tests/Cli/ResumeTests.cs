using System.Text.Json;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Cli.CliRunner;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>
/// <c>--resume</c> continues only the run it finds, with the settings and data it was started with; a fresh run does
/// not mix with an earlier one unless <c>--force</c> clears it.
/// </summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class ResumeTests
{
    static (int ExitCode, string Output) Run(TempDirectory dir, string json, params string[] options)
        => RunPipeline(dir, json, ["--out", dir.Combine("out"), .. options]);

    static void AssertSucceeded((int ExitCode, string Output) run) => Assert.True(run.ExitCode == 0, run.Output);

    [Fact]
    public void ResumingWithChangedSettingsNamesWhatDiffers()
    {
        using var dir = new TempDirectory();
        AssertSucceeded(Run(dir, TinyPipelines.Synthetic(epochs: 1)));

        var (code, output) = Run(dir, TinyPipelines.Synthetic(epochs: 2), "--resume");

        Assert.Equal(1, code);
        var error = OneErrorLine(output);
        Assert.Contains("experiments.baseline.epochs was 1, now 2", error);
        Assert.Contains("--force", error);
    }

    [Fact]
    public void ResumingWithOtherDataNamesWhatDiffers()
    {
        using var dir = new TempDirectory();
        var images = dir.Combine("images");
        TinyPipelines.WriteImageFolder(images);
        AssertSucceeded(Run(dir, TinyPipelines.ImageFolder(images)));
        SyntheticImages.WriteImageFile(Path.Combine(images, "a", "new.png"), 16, 9, 9, 9);

        var (code, output) = Run(dir, TinyPipelines.ImageFolder(images), "--resume");

        Assert.Equal(1, code);
        var error = ErrorAfterLog(output);
        Assert.Contains("other data", error);
        Assert.Contains("data.labeledImages was 6, now 7", error);
    }

    [Fact]
    public void AFreshRunIntoAFolderWithAnEarlierRunRefuses()
    {
        using var dir = new TempDirectory();
        AssertSucceeded(Run(dir, TinyPipelines.Synthetic()));
        var modelWritten = File.GetLastWriteTimeUtc(dir.Combine("out", "baseline.zip"));

        var (code, output) = Run(dir, TinyPipelines.Synthetic(epochs: 2));

        Assert.Equal(1, code);
        var error = OneErrorLine(output);
        Assert.Contains("holds an earlier run", error);
        Assert.Contains("--resume", error);
        Assert.Contains("--force", error);
        Assert.Equal(modelWritten, File.GetLastWriteTimeUtc(dir.Combine("out", "baseline.zip")));
    }

    [Fact]
    public void ForceClearsTheEarlierRunsStateAndCheckpoints()
    {
        using var dir = new TempDirectory();
        AssertSucceeded(Run(dir, TinyPipelines.Synthetic(epochs: 1)));
        // A checkpoint the new pipeline does not write: --force must remove it with the state.
        var stale = dir.Combine("out", "checkpoints", "pretrain.checkpoint.zip");
        File.WriteAllText(stale, "from an earlier run");

        var forced = Run(dir, TinyPipelines.Synthetic(epochs: 2), "--force");

        AssertSucceeded(forced);
        Assert.DoesNotContain("already finished", forced.Output);
        Assert.False(File.Exists(stale));
        var state = JsonDocument.Parse(File.ReadAllText(dir.Combine("out", "run-state.json"))).RootElement;
        Assert.Equal("2", state.GetProperty("Settings").GetProperty("baseline").GetProperty("experiments.baseline.epochs").GetString());
        var resumed = Run(dir, TinyPipelines.Synthetic(epochs: 2), "--resume");
        AssertSucceeded(resumed);
        Assert.Contains("baseline: already finished in an earlier run", resumed.Output);
    }

    [Fact]
    public void ResumingWhereThereIsNothingToResumeSaysSo()
    {
        using var dir = new TempDirectory();
        var (code, output) = Run(dir, TinyPipelines.Synthetic(), "--resume");

        Assert.Equal(1, code);
        Assert.Contains("Nothing to resume", OneErrorLine(output));
        Assert.False(Directory.Exists(dir.Combine("out")), "a failed run left its empty output folder behind");
    }

    [Fact]
    public void ResumeAndForceTogetherAreACommandLineMistake()
    {
        using var dir = new TempDirectory();
        var (code, output) = Run(dir, TinyPipelines.Synthetic(), "--resume", "--force");

        Assert.Equal(2, code);
        Assert.Contains("--resume", OneErrorLine(output));
    }
}

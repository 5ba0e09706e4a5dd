using SimClr.Cli.Pipelines;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>
/// The files in pipelines/ are what users run first and what the README's CIFAR-10 figures come from: a bad option
/// must fail here, not an hour into a run, and the tuning runs must compare what the published pipeline uses.
/// </summary>
public sealed class ShippedPipelineTests
{
    static readonly string PipelinesFolder = FindPipelinesFolder();

    static string FindPipelinesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SimClr.MLNet.sln")))
                return Path.Combine(dir.FullName, "pipelines");
        }
        throw new InvalidOperationException($"No SimClr.MLNet.sln above {AppContext.BaseDirectory}.");
    }

    static PipelineDefinition Load(string relativePath) => PipelineFile.Load(Path.Combine(PipelinesFolder, relativePath));

    static string[] RelativePaths() => Directory
        .EnumerateFiles(PipelinesFolder, "*.json", SearchOption.AllDirectories)
        .Select(file => Path.GetRelativePath(PipelinesFolder, file))
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static TheoryData<string> ShippedFiles() => new(RelativePaths());

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void EveryShippedPipelineLoadsAndValidates(string file)
    {
        var pipeline = Load(file);
        Assert.False(string.IsNullOrWhiteSpace(pipeline.Name));
    }

    [Fact]
    public void TheDocumentedPipelinesAreShipped()
    {
        var files = RelativePaths();
        Assert.Contains("quickstart.json", files);
        Assert.Contains("cifar10-5k-labels.json", files);
        Assert.Contains(Path.Combine("cifar10-tuning", "chosen.json"), files);
    }

    [Fact]
    public void CifarTuningRunsUseTheProtocolSplits()
    {
        var published = Load("cifar10-5k-labels.json");
        var tuning = Directory.GetFiles(Path.Combine(PipelinesFolder, "cifar10-tuning"), "*.json");
        Assert.NotEmpty(tuning);
        foreach (var file in tuning)
            Assert.Equal(published.Data, PipelineFile.Load(file).Data);
    }

    [Fact]
    public void TheChosenTuningRunIsThePublishedPretrainingShortened()
    {
        var published = Load("cifar10-5k-labels.json");
        var chosen = Load(Path.Combine("cifar10-tuning", "chosen.json"));
        Assert.Equal(published.Encoder, chosen.Encoder);
        Assert.Equal(published.Seed, chosen.Seed);
        Assert.Equal(published.Experiments.Pretrain! with { Epochs = 3 }, chosen.Experiments.Pretrain);
    }
}

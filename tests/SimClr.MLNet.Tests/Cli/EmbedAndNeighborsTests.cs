using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Cli.CliRunner;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>simclr embed and simclr neighbors on a tiny run's model and image folder.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class EmbedAndNeighborsTests : IClassFixture<EmbedAndNeighborsTests.TinyRun>
{
    /// <summary>A baseline trained on a 2-class folder of 16 px images (4 per class).</summary>
    public sealed class TinyRun : IDisposable
    {
        public TinyRun()
        {
            TinyPipelines.WriteImageFolder(Images, perClass: 4);
            (ExitCode, Output) = RunPipeline(Directory, TinyPipelines.ImageFolder(Images), "--out", Directory.Combine("run"));
        }

        public TempDirectory Directory { get; } = new();
        public string Images => Directory.Combine("images");
        public string Model => Directory.Combine("run", "baseline.zip");
        public int ExitCode { get; }
        public string Output { get; }
        public void Dispose() => Directory.Dispose();
    }

    readonly TinyRun _run;

    public EmbedAndNeighborsTests(TinyRun run)
    {
        _run = run;
        Assert.True(run.ExitCode == 0, run.Output);
    }

    [Theory]
    [InlineData("baseline.zip")]
    [InlineData("checkpoints/baseline.checkpoint.zip")]
    public void EmbedWritesTheCsvAndTheProjectorFiles(string model)
    {
        var out_ = _run.Directory.Combine("embed-" + Path.GetFileNameWithoutExtension(model));
        var (code, output) = Run("embed", "--model", _run.Directory.Combine("run", model), "--data", _run.Images, "--out", out_);

        Assert.True(code == 0, output);
        Assert.Contains("8 images", output);
        var csv = File.ReadAllLines(Path.Combine(out_, "embeddings.csv"));
        Assert.Equal(9, csv.Length);
        Assert.StartsWith("path,label,f0,f1,", csv[0]);
        Assert.Equal("a", csv[1].Split(',')[1]);
        var tensors = File.ReadAllLines(Path.Combine(out_, "tensors.tsv"));
        Assert.Equal(8, tensors.Length);
        Assert.Equal(csv[0].Split(',').Length - 2, tensors[0].Split('\t').Length);
        Assert.Equal("path\tlabel", File.ReadAllLines(Path.Combine(out_, "metadata.tsv"))[0]);
        Assert.Contains("single_image_dim: 32", File.ReadAllText(Path.Combine(out_, "projector_config.pbtxt")));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(out_, "sprite.png"))[..4]);
    }

    [Fact]
    public void NeighborsDrawsAGridAndCountsSameClassNeighbours()
    {
        var png = _run.Directory.Combine("neighbors.png");
        var (code, output) = Run("neighbors", "--model", _run.Model, "--data", _run.Images, "--queries", "3", "-k", "4", "--out", png);

        Assert.True(code == 0, output);
        Assert.Contains("3 queries x 4 neighbours", output);
        Assert.Contains("of 12 neighbours share the query's class", output);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public void AModelThatIsNotOursIsOneLine()
    {
        var bogus = _run.Directory.Combine("bogus.zip");
        File.WriteAllText(bogus, "nothing");
        var (code, output) = Run("embed", "--model", bogus, "--data", _run.Images, "--out", _run.Directory.Combine("x"));
        Assert.NotEqual(0, code);
        Assert.Contains("bogus.zip", OneErrorLine(output));
    }
}

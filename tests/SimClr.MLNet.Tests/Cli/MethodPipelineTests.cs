using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Cli.CliRunner;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>"method" in a pipeline file: every method runs end to end, and its options are checked with the line they are on.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class MethodPipelineTests
{
    [Theory]
    [InlineData("MoCo", "\"moCo\": { \"queueSize\": 32, \"temperature\": 0.2 },", "MoCo v2", "moCo (queueSize 32, momentum 0.99, temperature 0.2)")]
    [InlineData("BYOL", "\"byol\": { \"predictorHiddenDim\": 8 },", "BYOL", "predictorHiddenDim 8")]
    [InlineData("SimSiam", "\"simSiam\": { \"predictorHiddenDim\": 4 },", "SimSiam", "predictorHiddenDim 4")]
    [InlineData("BarlowTwins", "\"barlowTwins\": { \"offDiagonalWeight\": 0.05 },", "Barlow Twins", "offDiagonalWeight 0.05")]
    [InlineData("SwAV", "\"swav\": { \"prototypes\": 8 },", "SwAV", "swav (prototypes 8, temperature 0.1, sinkhornEpsilon 0.05, sinkhornIterations 3, frozenPrototypeEpochs 1)")]
    [InlineData("SimCLR", "\"temperature\": 0.2,", "SimCLR", "temperature 0.2")]
    public void EachMethodRunsFromAPipelineFileAndItsReportNamesIt(string method, string options, string title, string reportedSetting)
    {
        using var dir = new TempDirectory();
        var (code, output) = RunPipeline(dir, TinyPipelines.WithMethod(method, options), "--out", dir.Combine("out"));

        Assert.True(code == 0, output);
        Assert.True(File.Exists(dir.Combine("out", "finetuned.zip")));
        var report = File.ReadAllText(dir.Combine("out", "report.md"));
        Assert.Contains($"| {title} + linear probe | 1 |", report);
        Assert.Contains($"| {title} fine-tuned | 1 |", report);
        Assert.Contains($"Pretraining monitors ({title}, last epoch)", report);
        Assert.Contains(reportedSetting, report);
        Assert.DoesNotContain("SimClr.MLNet.", report);   // an options object shown by its type name instead of its values
        Assert.Contains("emb_std", output);
    }

    [Fact]
    public void APipelineThatPretrainsDrawsNeighboursAndAMapIntoItsReport()
    {
        using var dir = new TempDirectory();
        var (code, output) = RunPipeline(dir, TinyPipelines.WithMethod("SimCLR", "", validation: 40), "--out", dir.Combine("out"));

        Assert.True(code == 0, output);
        foreach (var picture in new[] { "neighbors.png", "map.png" })
        {
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(dir.Combine("out", picture))[..4]);
            Assert.Contains($"]({picture})", File.ReadAllText(dir.Combine("out", "report.md")));
        }
    }

    [Theory]
    [InlineData("\"method\": \"Moco2\",", "line 7: 'experiments.pretrain.method' must be one of SimClr, MoCo, Byol, SimSiam, BarlowTwins, Swav.")]
    [InlineData("\"method\": \"MoCo\", \"moCo\": { \"queue\": 64 },", "line 7: unknown option 'queue' in 'experiments.pretrain.moCo'.")]
    [InlineData("\"method\": \"MoCo\", \"moCo\": { \"queueSize\": 0 },", "line 7: experiments.pretrain: MoCo.QueueSize must be at least 1.")]
    [InlineData("\"method\": \"MoCo\",\n \"byol\": { },", "line 8: experiments.pretrain.byol holds options of Byol, but the method is MoCo")]
    [InlineData("\"method\": \"SimSiam\", \"temperature\": 0.5,", "line 7: experiments.pretrain.temperature is SimCLR's, but the method is SimSiam, which has none.")]
    [InlineData("\"method\": \"Byol\", \"projectionBatchNorm\": true,", "line 7: experiments.pretrain: ProjectionBatchNorm is a SimCLR option; Method is Byol.")]
    [InlineData("\"method\": \"Byol\", \"byol\": { \"baseMomentum\": 1.5 },", "line 7: experiments.pretrain: Byol.BaseMomentum must be in [0, 1].")]
    [InlineData("\"method\": \"Swav\", \"temperature\": 0.5,", "line 7: experiments.pretrain.temperature is SimCLR's, but the method is Swav; SwAV's is swav.temperature.")]
    [InlineData("\"method\": \"Swav\", \"swav\": { \"sinkhornEpsilon\": 0 },", "line 7: experiments.pretrain: Swav.SinkhornEpsilon must be in (0, 10].")]
    public void BadMethodOptionsAreOneLineWithTheirLine(string options, string expected)
    {
        using var dir = new TempDirectory();
        var (code, output) = RunPipeline(dir, TinyPipelines.WithMethod("SimCLR", "").Replace("\"method\": \"SimCLR\", ", options), "--out", dir.Combine("out"));

        Assert.NotEqual(0, code);
        var error = OneErrorLine(output);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("(Parameter", error);
    }

    /// <summary>Options are copied by name onto the library's options: every option of a pipeline file must be some experiment's, under the same name and type.</summary>
    [Fact]
    public void EveryPipelineOptionReachesALibraryOptionOfTheSameNameAndType()
    {
        var libraryTypes = new[] { typeof(SimClr.MLNet.Training.PretrainOptions), typeof(SimClr.MLNet.Training.DistillOptions) };
        foreach (var option in typeof(SimClr.Cli.Pipelines.ExperimentOptions).GetProperties())
        {
            if (option.Name == nameof(SimClr.Cli.Pipelines.ExperimentOptions.StudentStart))
                continue;   // read by the pipeline runner itself
            if (option.Name == nameof(SimClr.Cli.Pipelines.ExperimentOptions.Encoder))
            {
                // Resolved by the runner (ExperimentSettings.EncoderOf) into the library's EncoderSpec, with the pipeline's image size.
                Assert.All(libraryTypes, t => Assert.Equal(typeof(SimClr.MLNet.Models.EncoderSpec), t.GetProperty("EncoderSpec")!.PropertyType));
                continue;
            }
            var target = libraryTypes.Select(t => t.GetProperty(option.Name)).FirstOrDefault(p => p != null);
            Assert.True(target != null, $"{option.Name} is no library option");
            var fileType = Nullable.GetUnderlyingType(option.PropertyType) ?? option.PropertyType;
            if (option.Name != nameof(SimClr.Cli.Pipelines.ExperimentOptions.Precision))   // written fp32, bf16 or auto
                Assert.True(target!.PropertyType.IsAssignableFrom(fileType) || Nullable.GetUnderlyingType(target.PropertyType) == fileType, option.Name);
        }
    }
}

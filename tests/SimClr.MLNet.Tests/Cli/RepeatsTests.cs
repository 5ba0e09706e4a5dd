using SimClr.Cli.Reporting;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Cli.CliRunner;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>"repeats": each supervised experiment once per seed, from one pretrained encoder, with mean ± sd in the report.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class RepeatsTests
{
    [Fact]
    public void RepeatsTrainEachSupervisedExperimentPerSeedAndPretrainOnce()
    {
        using var dir = new TempDirectory();
        var (code, output) = RunPipeline(dir, TinyPipelines.AllExperiments(repeats: 2), "--out", dir.Combine("out"));
        Assert.True(code == 0, output);
        foreach (var file in new[] { "baseline.zip", "baseline-2.zip", "probe.zip", "finetuned.zip", "finetuned-2.zip", "distilled.zip", "distilled-2.zip", "distill-2.json" })
            Assert.True(File.Exists(dir.Combine("out", file)), $"{file} is missing");
        Assert.False(File.Exists(dir.Combine("out", "probe-2.zip")), "pretraining ran twice");
        // Another seed trains another model: the first epoch's training loss differs.
        Assert.NotEqual(Loss(dir.Combine("out", "baseline.json")), Loss(dir.Combine("out", "baseline-2.json")));
        Assert.NotEqual(Loss(dir.Combine("out", "distill.json")), Loss(dir.Combine("out", "distill-2.json")));

        var report = File.ReadAllText(dir.Combine("out", "report.md"));
        Assert.Contains("| Supervised baseline, seed 2 | 1 |", report);
        Assert.Contains("| SimCLR distilled | 2 |", report);
        Assert.Contains("gain over the baseline", report);
        Assert.Contains("Training time of all experiments", report);
    }

    [Fact]
    public void MoreRepeatsOnResumeTrainOnlyTheNewSeeds()
    {
        using var dir = new TempDirectory();
        var out_ = dir.Combine("out");
        var (code, output) = RunPipeline(dir, TinyPipelines.AllExperiments(repeats: 1), "--out", out_);
        Assert.True(code == 0, output);
        (code, output) = RunPipeline(dir, TinyPipelines.AllExperiments(repeats: 2), "--out", out_, "--resume");
        Assert.True(code == 0, output);
        foreach (var name in new[] { "baseline", "pretrain", "finetune", "distill" })
            Assert.Contains($"{name}: already finished in an earlier run", output);
        Assert.Contains("== distill-2", output);
        Assert.True(File.Exists(Path.Combine(out_, "distilled-2.zip")));
    }

    [Fact]
    public void RepeatsOnTheCommandLineOverrideThePipelinesAndAreCheckedByName()
    {
        using var dir = new TempDirectory();
        var (code, output) = RunPipeline(dir, TinyPipelines.AllExperiments(repeats: 2), "--out", dir.Combine("out"), "--repeats", "1");
        Assert.True(code == 0, output);
        Assert.True(File.Exists(dir.Combine("out", "distilled.zip")));
        Assert.Empty(Directory.GetFiles(dir.Combine("out"), "*-2.*"));
        Assert.Contains("--repeats 1", File.ReadAllText(dir.Combine("out", "report.md")));

        foreach (var bad in new[] { "0", "11" })
        {
            (code, output) = RunPipeline(dir, TinyPipelines.AllExperiments(repeats: 2), "--out", dir.Combine("bad"), "--repeats", bad);
            Assert.Equal(2, code);
            Assert.Equal("error: --repeats must be 1 to 10.", OneErrorLine(output));
        }
    }

    [Fact]
    public void MeanDeviationAndTheErrorOfAGainAreTheTextbookOnes()
    {
        var stats = RepeatStatistics.Of([0.6, 0.7, 0.8]);
        Assert.Equal(3, stats.Count);
        Assert.Equal(0.7, stats.Mean, 12);
        Assert.Equal(0.1, stats.StandardDeviation, 12);   // sample deviation: sqrt((0.01 + 0 + 0.01) / 2)
        var (difference, error) = stats.DifferenceFrom(RepeatStatistics.Of([0.5, 0.5, 0.5]));
        Assert.Equal(0.2, difference, 12);
        Assert.Equal(Math.Sqrt(0.01 / 3), error, 12);
        Assert.True(double.IsNaN(RepeatStatistics.Of([0.5]).StandardDeviation));
    }

    [Fact]
    public void AGainOrALossIsRealOnlyBeyondTwiceItsError()
    {
        Assert.Equal("a gain of more than twice its error", ReportWriter.Verdict(0.05, 0.01));
        Assert.Equal("a loss of more than twice its error", ReportWriter.Verdict(-0.05, 0.01));
        Assert.Equal("within twice its error: not shown to be real", ReportWriter.Verdict(0.015, 0.01));
        Assert.Equal("within twice its error: not shown to be real", ReportWriter.Verdict(0.05, double.NaN));
    }

    static double Loss(string historyJson)
        => SimClr.MLNet.Training.TrainingHistory.FromJson(File.ReadAllText(historyJson)).Epochs[0]["loss"];
}

using SimClr.Cli.Pipelines;
using SimClr.MLNet.Models;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;
using static SimClr.MLNet.Tests.Cli.CliRunner;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>
/// An experiment's own "encoder" (SimCLRv2's big-to-small recipe): which encoder each experiment trains, what a run's
/// settings record about it, and a whole pipeline with a narrower baseline and student than its pretrained encoder.
/// </summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class ExperimentEncoderTests
{
    static PipelineDefinition Parse(string json) => PipelineFile.Parse(json, "test.json");

    static string Pipeline(string encoder, string baselineEncoder = "", string distill = "") => $$"""
        {
          "data": { "source": "synthetic", "imageSize": 16 },
          "encoder": {{encoder}},
          "experiments": {
            "baseline": { {{baselineEncoder}} "epochs": 2 },
            "pretrain": { "epochs": 1 },
            "finetune": { "epochs": 1 },
            "distill": { {{distill}} "epochs": 1 }
          }
        }
        """;

    const string Width2 = """{ "architecture": "SmallResNet18", "width": 2 }""";
    const string Width4 = """{ "architecture": "SmallResNet18", "width": 4 }""";

    [Fact]
    public void EachExperimentTrainsItsOwnEncoderElseThePipelines()
    {
        var pipeline = Parse(Pipeline(Width4, $"\"encoder\": {Width2},", $"\"encoder\": {Width2}, \"studentStart\": \"Scratch\","));
        var small = new EncoderSpec(EncoderArchitecture.SmallResNet18, 2, 16);
        var big = small with { Width = 4 };
        Assert.Equal(small, ExperimentSettings.EncoderOf(pipeline, "baseline"));
        Assert.Equal(big, ExperimentSettings.EncoderOf(pipeline, "pretrain"));
        Assert.Equal(big, ExperimentSettings.EncoderOf(pipeline, "finetune"));
        Assert.Equal(small, ExperimentSettings.EncoderOf(pipeline, "distill"));

        // Without its own, the student has its teacher's encoder, which is pretraining's, not the pipeline's.
        var plain = Parse(Pipeline(Width2).Replace("\"pretrain\": { \"epochs\": 1 }", $"\"pretrain\": {{ \"encoder\": {Width4}, \"epochs\": 1 }}"));
        Assert.Equal(small, ExperimentSettings.EncoderOf(plain, "baseline"));
        Assert.Equal(big, ExperimentSettings.EncoderOf(plain, "distill"));
    }

    [Fact]
    public void ABaselineKeepsItsSettingsWhereverItsEncoderIsWritten()
    {
        var inPipeline = RunFingerprint.Settings(Parse(Pipeline(Width2)), null);
        var inExperiment = RunFingerprint.Settings(Parse(Pipeline(Width4, $"\"encoder\": {Width2},", $"\"encoder\": {Width2}, \"studentStart\": \"Scratch\",")), null);

        // A resumed run reuses the baseline after the encoder moved into it, and retrains pretraining, which changed.
        Assert.Equal(inPipeline["baseline"], inExperiment["baseline"]);
        Assert.Equal("2", inExperiment["baseline"]["encoder.width"]);
        Assert.Equal("4", inExperiment["pretrain"]["encoder.width"]);
        Assert.NotEqual(inPipeline["pretrain"], inExperiment["pretrain"]);
        // The student depends on its teacher's encoder as well as its own.
        Assert.Equal("2", inExperiment["distill"]["encoder.width"]);
        Assert.Equal("4", inExperiment["distill"]["experiments.pretrain.encoder.width"]);
        Assert.DoesNotContain(inPipeline["distill"].Keys, key => key.StartsWith("experiments.pretrain.encoder", StringComparison.Ordinal));
        Assert.DoesNotContain(inExperiment["baseline"].Keys, key => key.StartsWith("experiments.baseline.encoder", StringComparison.Ordinal));
    }

    [Fact]
    public void ABigEncoderDistilsIntoASmallStudentThatScoresInAPlainMLNetProcess()
    {
        using var dir = new TempDirectory();
        var output = dir.Combine("out");
        var (code, log) = RunPipeline(dir, TinyPipelines.BigToSmall, "--out", output);
        Assert.True(code == 0, log);

        var checkpoints = Path.Combine(output, "checkpoints");
        var small = new EncoderSpec(EncoderArchitecture.SmallResNet18, 2, 16);
        Assert.Equal(small, Checkpoint.ReadInfo(Checkpoint.PathFor(checkpoints, "baseline")).Encoder);
        Assert.Equal(small with { Width = 4 }, Checkpoint.ReadInfo(Checkpoint.PathFor(checkpoints, "finetune")).Encoder);
        Assert.Equal(small, Checkpoint.ReadInfo(Checkpoint.PathFor(checkpoints, "distill")).Encoder);
        Assert.Contains("SmallResNet18 width 2 at 16 px (teacher: SmallResNet18 width 4), student from scratch", log);
        var report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("- encoder: SmallResNet18, width 4; baseline: SmallResNet18, width 2; distill: SmallResNet18, width 2\n", report);
        // The wider fine-tuned model's gain over the narrower baseline is flagged; the student's, of the baseline's size, is not.
        var means = report.Split('\n').Where(line => line.StartsWith("| SimCLR fine-tuned | 2 |") || line.StartsWith("| SimCLR distilled | 2 |")).ToList();
        Assert.Equal(2, means.Count);
        Assert.EndsWith("; not like for like: SmallResNet18 width 4 against the baseline's SmallResNet18 width 2 |", means[0]);
        Assert.DoesNotContain("not like for like", means[1]);

        var images = Enumerable.Range(0, 3).Select(i =>
        {
            var path = dir.Combine($"{i}.png");
            SyntheticImages.WriteImageFile(path, 16, (byte)(70 * i), 120, (byte)(200 - 60 * i));
            return path;
        }).ToList();
        var ml = new Microsoft.ML.MLContext(seed: 1);
        var distilled = Path.Combine(output, "distilled.zip");
        PlainScorer.AssertScoresMatch(ml, ml.Model.Load(distilled, out _), distilled, images);
    }

    [Fact]
    public void AStudentThatStartsFromTheBaselineDependsOnTheBaselinesSettings()
    {
        var fromBaseline = RunFingerprint.Settings(Parse(Pipeline(Width4, $"\"encoder\": {Width2},", $"\"encoder\": {Width2}, \"studentStart\": \"Baseline\",")), null);
        var fromScratch = RunFingerprint.Settings(Parse(Pipeline(Width4, $"\"encoder\": {Width2},", $"\"encoder\": {Width2}, \"studentStart\": \"Scratch\",")), null);

        // A resumed run whose baseline changed must retrain a student that started from it, and only such a student.
        Assert.Equal("2", fromBaseline["distill"]["experiments.baseline.epochs"]);
        Assert.DoesNotContain("experiments.baseline.epochs", fromScratch["distill"].Keys);
    }

    /// <summary>
    /// Each student starts from the baseline of its own repeat, not from the teacher or random weights. At a learning
    /// rate this small training leaves the head as it started (BatchNorm's statistics still move, so encoders are not
    /// compared); the two repeats' baselines differ, so a student paired with the wrong one fails too.
    /// </summary>
    [Fact]
    public void AStudentThatStartsFromTheBaselineBeginsWithItsRepeatsBaseline()
    {
        using var dir = new TempDirectory();
        var output = dir.Combine("out");
        var pipeline = TinyPipelines.BigToSmall.Replace("\"studentStart\": \"Scratch\",", "\"studentStart\": \"Baseline\", \"learningRate\": 1e-12,");
        Assert.NotEqual(TinyPipelines.BigToSmall, pipeline);
        var (code, log) = RunPipeline(dir, pipeline, "--out", output);
        Assert.True(code == 0, log);
        Assert.Contains("distill-2: the student starts from baseline-2's encoder and head (baseline-2.zip).", log);

        var checkpoints = Path.Combine(output, "checkpoints");
        float[] Head(string run)
        {
            var (encoder, head) = Checkpoint.LoadClassifier(Checkpoint.PathFor(checkpoints, run));
            using (encoder)
            using (head)
                return head.parameters().SelectMany(parameter => parameter.data<float>().ToArray()).ToArray();
        }
        Assert.NotEqual(Head("baseline"), Head("baseline-2"));
        Assert.Equal(Head("baseline"), Head("distill"), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(Head("baseline-2"), Head("distill-2"), (a, b) => Math.Abs(a - b) < 1e-6);
    }
}

using System.Text.RegularExpressions;
using SimClr.Cli.Reporting;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Cli.CliRunner;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>The simclr command line: parsing, one-line errors with non-zero exit codes, and the files a run writes.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class CliTests : IClassFixture<CliTests.TinyQuickstart>
{
    /// <summary>One tiny quickstart shared by the tests that need a run's outputs.</summary>
    public sealed class TinyQuickstart : IDisposable
    {
        public TinyQuickstart() => (ExitCode, Output) = CliRunner.Run("quickstart", "--tiny", "--out", Directory.Path);
        public TempDirectory Directory { get; } = new();
        public int ExitCode { get; }
        public string Output { get; }
        public void Dispose() => Directory.Dispose();
    }

    readonly TinyQuickstart _run;

    public CliTests(TinyQuickstart run) => _run = run;

    [Fact]
    public void QuickstartWritesModelsPlotsHistoryAndReport()
    {
        Assert.True(_run.ExitCode == 0, _run.Output);
        foreach (var file in new[]
        {
            "baseline.zip", "probe.zip", "finetuned.zip", "distilled.zip", "checkpoints/pretrain.checkpoint.zip",
            "baseline.csv", "pretrain.json", "finetune.csv", "distill.csv", "curves-accuracy.png", "curves-loss.png", "augmentations.png", "report.md",
        })
            Assert.True(File.Exists(_run.Directory.Combine(file)), $"{file} is missing");
        var png = File.ReadAllBytes(_run.Directory.Combine("curves-accuracy.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        var report = File.ReadAllText(_run.Directory.Combine("report.md"));
        Assert.Contains("| Supervised baseline | 1 |", report);
        Assert.Contains("Confusion matrix: SimCLR fine-tuned", report);
        Assert.Contains("| SimCLR distilled | 1 |", report);
        Assert.Contains("precision: Float32 as requested", report);
        Assert.Contains("SimCLR fine-tuned", _run.Output);
        Assert.Contains("finetune epoch 1:", _run.Output);
    }

    [Fact]
    public void ThePipelinesDistilledZipScoresTheSameInAPlainMLNetProcess()
    {
        Assert.True(_run.ExitCode == 0, _run.Output);
        using var dir = new TempDirectory();
        var files = Enumerable.Range(0, 4).Select(i =>
        {
            var path = dir.Combine($"{i}.png");
            SyntheticImages.WriteImageFile(path, 32, (byte)(60 * i), (byte)(200 - 40 * i), 90);
            return path;
        }).ToList();
        var ml = new Microsoft.ML.MLContext(seed: 1);
        var model = ml.Model.Load(_run.Directory.Combine("distilled.zip"), out _);
        PlainScorer.AssertScoresMatch(ml, model, _run.Directory.Combine("distilled.zip"), files);
    }

    [Theory]
    [InlineData("Once")]
    [InlineData("PerStep")]
    public void BenchDistillTimesTheTeachersTargets(string targets)
    {
        var (code, output) = CliRunner.Run("bench", "distill", "--size", "16", "--encoder", "SmallResNet18", "--width", "4",
            "--unlabeled", "6", "--labeled", "2", "--steps", "1", "--targets", targets);
        Assert.True(code == 0, output);
        Assert.Contains($"simclr distill targets {targets} size=16", output);
        // The teacher's phase is timed, and costs something only when it scores every batch.
        Assert.Contains("teacher", output);
    }

    [Fact]
    public void BenchDistillTakesAWiderTeacherAndRejectsABadWidth()
    {
        var (code, output) = CliRunner.Run("bench", "distill", "--size", "16", "--encoder", "SmallResNet18", "--width", "4",
            "--unlabeled", "6", "--labeled", "2", "--steps", "1", "--targets", "PerStep", "--teacher-width", "8");
        Assert.True(code == 0, output);
        Assert.Contains("simclr distill targets PerStep teacher width 8 size=16", output);

        var (badCode, badOutput) = CliRunner.Run("bench", "distill", "--teacher-width", "0");
        Assert.NotEqual(0, badCode);
        Assert.Contains("--teacher-width must be at least 1", badOutput);
    }

    [Fact]
    public void PredictPrintsTheTopClassesAndJson()
    {
        var image = _run.Directory.Combine("shape.png");
        SyntheticImages.WritePlanesAsPng(image, SyntheticImages.PatternPlanes(3, 40), 40);
        var model = _run.Directory.Combine("finetuned.zip");

        var (code, output) = CliRunner.Run("predict", "--model", model, image, "--top", "2");
        Assert.True(code == 0, output);
        Assert.Contains("shape.png", output);

        var (jsonCode, json) = CliRunner.Run("predict", "--model", model, image, "--json");
        Assert.Equal(0, jsonCode);
        var parsed = System.Text.Json.JsonDocument.Parse(json).RootElement;
        var predictions = parsed[0].GetProperty("predictions");
        Assert.Equal(3, predictions.GetArrayLength());
        Assert.Contains(predictions[0].GetProperty("class").GetString(), SimClr.MLNet.Data.SyntheticShapes.ClassNames);
    }

    [Fact]
    public void PredictReportsUnreadableImagesAndStillPredictsTheRest()
    {
        using var dir = new TempDirectory();
        var good = dir.Combine("good.png");
        SyntheticImages.WritePlanesAsPng(good, SyntheticImages.PatternPlanes(3, 32), 32);
        var corrupt = dir.Combine("corrupt.png");
        File.WriteAllText(corrupt, "a text file named like an image");
        var missing = dir.Combine("missing.png");
        var model = _run.Directory.Combine("finetuned.zip");

        var (code, output) = CliRunner.Run("predict", "--model", model, good, corrupt, missing);

        Assert.Equal(1, code);
        Assert.Contains("good.png", output);
        var errors = output.Split('\n').Where(line => line.StartsWith("error:")).ToList();
        Assert.Equal(2, errors.Count);
        Assert.Contains("corrupt.png' is not a readable image", errors[0]);
        Assert.Contains("missing.png' does not exist", errors[1]);
        Assert.DoesNotContain("Invalid path", output);

        var (jsonCode, json) = CliRunner.Run("predict", "--model", model, good, corrupt, "--json");
        Assert.Equal(1, jsonCode);
        var results = System.Text.Json.JsonDocument.Parse(json).RootElement;
        Assert.Equal(3, results[0].GetProperty("predictions").GetArrayLength());
        Assert.Contains("not a readable image", results[1].GetProperty("error").GetString());
    }

    [Fact]
    public void PredictTakesFoldersAsTheirImagesSubfoldersIncludedInPathOrder()
    {
        using var dir = new TempDirectory();
        foreach (var name in new[] { "b.png", "a.webp", Path.Combine("sub", "c.bmp") })
            SyntheticImages.WriteImageFile(dir.Combine("photos", name), 32, 100, 50, 20);
        File.WriteAllText(dir.Combine("photos", "notes.txt"), "not an image, and not read");
        Directory.CreateDirectory(dir.Combine("empty"));
        var model = _run.Directory.Combine("finetuned.zip");

        var (code, json) = CliRunner.Run("predict", "--model", model, dir.Combine("photos"), dir.Combine("empty"), "--json");

        Assert.Equal(1, code);
        var results = System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateArray().ToList();
        Assert.Equal(new[] { dir.Combine("photos", "a.webp"), dir.Combine("photos", "b.png"), dir.Combine("photos", "sub", "c.bmp"), dir.Combine("empty") },
            results.Select(r => r.GetProperty("image").GetString()));
        Assert.All(results.Take(3), r => Assert.Equal(3, r.GetProperty("predictions").GetArrayLength()));
        Assert.Equal($"Folder '{dir.Combine("empty")}' holds no images (PNG, JPEG, BMP, GIF or WebP), subfolders included.", results[3].GetProperty("error").GetString());
    }

    [Fact]
    public void PredictLeavesNoFilesInTheTempFolder()
    {
        using var dir = new TempDirectory();
        var image = dir.Combine("shape.png");
        SyntheticImages.WritePlanesAsPng(image, SyntheticImages.PatternPlanes(3, 32), 32);
        // A temp folder of its own, so that other tests' files do not count; and no diagnostics socket in it.
        var temp = Directory.CreateDirectory(dir.Combine("tmp")).FullName;
        var environment = new Dictionary<string, string> { ["TMPDIR"] = temp, ["DOTNET_EnableDiagnostics"] = "0" };
        string[] predict = ["predict", "--model", _run.Directory.Combine("finetuned.zip"), image];
        // The first run in a temp folder leaves ONNX Runtime's session file (.ses), which every later run reuses.
        Assert.Equal(0, CliProcess.Run(environment, predict).ExitCode);
        var before = Directory.GetFileSystemEntries(temp, "*", SearchOption.AllDirectories);

        var (code, output) = CliProcess.Run(environment, predict);

        Assert.True(code == 0, output);
        Assert.Contains("shape.png", output);
        Assert.Equal(before, Directory.GetFileSystemEntries(temp, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void ResumingAFinishedRunReusesItsExperiments()
    {
        var (code, output) = CliRunner.Run("quickstart", "--tiny", "--out", _run.Directory.Path, "--resume");
        Assert.True(code == 0, output);
        Assert.Contains("baseline: already finished in an earlier run", output);
        Assert.Contains("finetune: already finished in an earlier run", output);
        Assert.Contains("distill: already finished in an earlier run", output);
    }

    [Fact]
    public void ARunThatValidatesLessOftenLeavesThoseEpochsBlankAndReportsTheLast()
    {
        using var dir = new TempDirectory();
        var json = TinyPipelines.Synthetic(epochs: 3).Replace("\"epochs\": 3,", "\"epochs\": 3, \"validationFrequency\": 2,");
        Assert.Contains("validationFrequency", json);
        var (code, output) = RunPipeline(dir, json, "--out", dir.Combine("out"));
        Assert.True(code == 0, output);

        var rows = File.ReadAllLines(dir.Combine("out", "baseline.csv"));
        var column = Array.IndexOf(rows[0].Split(','), "val_acc");
        Assert.Equal(new[] { false, true, true }, rows[1..].Select(row => row.Split(',')[column].Length > 0));
        var finalAccuracy = double.Parse(rows[^1].Split(',')[column], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Matches($@"\| Supervised baseline \| 3 \| [^|]+ \| [0-9.]+% / {Regex.Escape(ReportWriter.Percent(finalAccuracy))} \|", File.ReadAllText(dir.Combine("out", "report.md")));
        Assert.True(File.Exists(dir.Combine("out", "curves-accuracy.png")));
    }

    [Fact]
    public void EveryCommandHasHelp()
    {
        foreach (var command in new[] { "quickstart", "run", "predict", "visualize-augmentations", "download stl10", "bench pretrain", "bench supervised", "bench distill", "bench data", "bench scoring", "doctor", "embed", "neighbors", "serve", "bench serve" })
        {
            var (code, output) = CliRunner.Run([.. command.Split(' '), "--help"]);
            Assert.Equal(0, code);
            Assert.Contains("USAGE", output);
        }
    }

    [Fact]
    public void MissingPipelineFileIsOneLine()
    {
        var (code, output) = CliRunner.Run("run", "/nonexistent/pipeline.json");
        Assert.NotEqual(0, code);
        Assert.Contains("/nonexistent/pipeline.json", OneErrorLine(output));
    }

    [Fact]
    public void MalformedJsonNamesTheLine()
    {
        using var dir = new TempDirectory();
        var (code, output) = RunPipeline(dir, "{\n  \"name\": \"x\",\n  \"seed\": ,\n}\n");
        Assert.NotEqual(0, code);
        Assert.Contains("line 3", OneErrorLine(output));
    }

    [Theory]
    [InlineData("{ \"experiments\": { \"pretrain\": { \"epoch\": 3 } } }", "unknown option 'epoch'")]
    [InlineData("{ \"experiments\": { \"distil\": { } } }", "unknown experiment 'distil'; the experiments are baseline, pretrain, finetune and distill.")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"distill\": { } } }", "experiments.distill needs experiments.finetune")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"finetune\": { }, \"distill\": { \"labeledLossWeight\": 1.5 } } }", "experiments.distill: LabeledLossWeight")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"finetune\": { }, \"distill\": { \"studentStart\": \"sideways\" } } }", "'experiments.distill.studentStart' must be one of Pretrained, Scratch, Teacher, Baseline.")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"finetune\": { }, \"distill\": { \"studentStart\": \"Baseline\" } } }", "experiments.distill.studentStart is Baseline, but the pipeline has no experiments.baseline to start from.")]
    [InlineData("{ \"experiments\": { \"baseline\": { \"encoder\": { \"architecture\": \"SmallResNet18\", \"width\": 4 } }, \"pretrain\": { }, \"finetune\": { }, \"distill\": { \"studentStart\": \"Baseline\" } } }", "but the baseline's encoder (SmallResNet18 width 4) is not the student's (Reference width 128); give both the same \"encoder\".")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"finetune\": { \"targets\": \"Once\" } } }", "'targets' is not an option of experiments.finetune (it applies to distill only).")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"finetune\": { }, \"distill\": { \"targets\": \"Self\", \"pseudoLabelThreshold\": 95 } } }", "experiments.distill: PseudoLabelThreshold must be in [0, 1].")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"finetune\": { \"pseudoLabelThreshold\": 0.95 } } }", "'pseudoLabelThreshold' is not an option of experiments.finetune (it applies to distill only).")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"finetune\": { }, \"distill\": { \"studentAugmentation\": { \"jitter\": 2 } } } }", "experiments.distill: StudentAugmentation.Jitter must be in [0, 1].")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"finetune\": { }, \"distill\": { \"targets\": \"Teacher\" } } }", "'experiments.distill.targets' must be one of Once, PerStep, Self.")]
    [InlineData("{ \"experiments\": { \"baseline\": { \"encoderLearningRateScale\": 0.1 } } }", "'encoderLearningRateScale' is not an option of experiments.baseline (it applies to finetune and distill only).")]
    [InlineData("{ \"repeats\": 0, \"experiments\": { \"baseline\": { } } }", "repeats 0 is out of range; use 1 to 10.")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"finetune\": { \"encoder\": { \"architecture\": \"SmallResNet18\", \"width\": 4 } } } }", "'encoder' is not an option of experiments.finetune (it applies to baseline, pretrain and distill only).")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"finetune\": { }, \"distill\": { \"encoder\": { \"architecture\": \"SmallResNet18\", \"width\": 4 } } } }", "experiments.distill.encoder (SmallResNet18 width 4) is not the pretrained encoder (Reference width 128), so the student cannot start from the pretrained encoder; set \"studentStart\": \"Scratch\".")]
    [InlineData("{ \"experiments\": { \"pretrain\": { }, \"finetune\": { }, \"distill\": { \"studentStart\": \"Teacher\", \"encoder\": { \"architecture\": \"Reference\", \"width\": 64 } } } }", "so the student cannot start from the teacher; set")]
    [InlineData("{ \"experiments\": { \"baseline\": { \"encoder\": { \"architecture\": \"SmallResNet18\", \"width\": 0 } } } }", "experiments.baseline.encoder: Encoder width must be at least 1.")]
    [InlineData("{ \"experiments\": { \"pretrain\": { \"supervisedContrastiveWeight\": -1 } } }", "experiments.pretrain: SupervisedContrastiveWeight must be in [0, 100].")]
    [InlineData("{ \"experiments\": { \"pretrain\": { \"method\": \"BYOL\", \"supervisedContrastiveWeight\": 1 } } }", "experiments.pretrain: SupervisedContrastiveWeight is a SimCLR option; Method is Byol.")]
    [InlineData("{ \"experiments\": { \"baseline\": { \"supervisedContrastiveWeight\": 1 } } }", "'supervisedContrastiveWeight' is not an option of experiments.baseline (it applies to pretrain only).")]
    [InlineData("{ \"experiments\": { \"baseline\": { \"precision\": \"fp16\" } } }", "experiments.baseline: Unknown precision 'fp16'; use fp32, bf16 or auto.")]
    [InlineData("{ \"data\": { \"source\": \"cifar\" }, \"experiments\": { \"baseline\": { } } }", "data.source 'cifar' is unknown")]
    [InlineData("{ \"experiments\": { \"baseline\": { \"temperature\": 0.5 } } }", "'temperature' is not an option of experiments.baseline")]
    [InlineData("{ \"experiments\": { \"pretrain\": { \"epochs\": 0 } } }", "Epochs must be at least 1")]
    [InlineData("{ \"experiments\": { \"baseline\": { \"validationFrequency\": 0 } } }", "experiments.baseline: ValidationFrequency must be at least 1")]
    [InlineData("{ \"experiments\": { \"finetune\": { } } }", "experiments.finetune needs experiments.pretrain")]
    [InlineData("{ \"experiments\": { \"pretrain\": { \"optimizer\": \"Adamm\" } } }", "'experiments.pretrain.optimizer' must be one of Adam, AdamW, Sgd.")]
    [InlineData("{ \"experiments\": { \"baseline\": { \"schedule\": 1 } } }", "'experiments.baseline.schedule' must be one of Constant, Cosine.")]
    [InlineData("{ \"encoder\": { \"architecture\": \"resnet\" } }", "'encoder.architecture' must be one of Reference, SmallResNet18.")]
    [InlineData("{ \"experiments\": { \"baseline\": { \"epochs\": \"three\" } } }", "'experiments.baseline.epochs' must be a whole number.")]
    [InlineData("{ \"experiments\": { \"baseline\": { \"learningRate\": true } } }", "'experiments.baseline.learningRate' must be a number.")]
    [InlineData("{ \"experiments\": { \"baseline\": { \"augmentation\": 0.5 } } }", "'experiments.baseline.augmentation' must be an object { } with the options minArea, brightness")]
    [InlineData("{ \"data\": { \"imageSize\": 4096 }, \"experiments\": { \"baseline\": { } } }", "data.imageSize 4096 is out of range; use 8 to 1024 px.")]
    public void BadPipelinesAreOneLine(string json, string expected)
    {
        using var dir = new TempDirectory();
        var (code, output) = RunPipeline(dir, json, "--out", dir.Combine("out"));
        Assert.NotEqual(0, code);
        var error = OneErrorLine(output);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("System.", error);
        Assert.DoesNotContain("(Parameter", error);
        Assert.False(Directory.Exists(dir.Combine("out")), "a failed run left its output folder behind");
    }

    [Fact]
    public void MissingDataPathIsOneLine()
    {
        using var dir = new TempDirectory();
        var (code, output) = RunPipeline(dir, "{ \"data\": { \"source\": \"imageFolder\" }, \"experiments\": { \"baseline\": { } } }",
            "--data", dir.Combine("no-such-folder"), "--out", dir.Combine("out"));
        Assert.NotEqual(0, code);
        Assert.Contains("no-such-folder", OneErrorLine(output));
    }

    [Fact]
    public void UnwritableOutputDirectoryIsOneLine()
    {
        using var dir = new TempDirectory();
        var blocker = dir.Combine("file");
        File.WriteAllText(blocker, "a file where the output folder should go");
        var (code, output) = CliRunner.Run("quickstart", "--tiny", "--out", Path.Combine(blocker, "out"));
        Assert.NotEqual(0, code);
        Assert.Contains("Cannot write to output directory", OneErrorLine(output));
    }

    [Fact]
    public void AModelThatIsNotOursOrIsCorruptIsOneLine()
    {
        using var dir = new TempDirectory();
        var image = dir.Combine("x.png");
        SyntheticImages.WritePlanesAsPng(image, SyntheticImages.PatternPlanes(1, 16), 16);
        var corrupt = dir.Combine("corrupt.zip");
        File.WriteAllText(corrupt, "not a zip at all");
        var (code, output) = CliRunner.Run("predict", "--model", corrupt, image);
        Assert.NotEqual(0, code);
        Assert.Contains("corrupt.zip", OneErrorLine(output));

        var checkpoint = _run.Directory.Combine("checkpoints", "pretrain.checkpoint.zip");
        var (notOurs, message) = CliRunner.Run("predict", "--model", checkpoint, image);
        Assert.NotEqual(0, notOurs);
        Assert.Contains("pretrain.checkpoint.zip", OneErrorLine(message));
    }

    [Fact]
    public void UnknownCommandLineOptionIsOneLine()
    {
        var (code, output) = CliRunner.Run("quickstart", "--epochs", "3");
        Assert.NotEqual(0, code);
        Assert.Contains("Unknown option 'epochs'", OneErrorLine(output));
    }

    [Fact]
    public void VisualizeAugmentationsWritesThePng()
    {
        using var dir = new TempDirectory();
        SyntheticImages.WriteStl10(dir.Combine("stl"), train: 10);
        var png = dir.Combine("grid.png");
        var (code, output) = CliRunner.Run("visualize-augmentations", "--data", dir.Combine("stl"), "--out", png, "--size", "32");
        Assert.True(code == 0, output);
        Assert.True(new FileInfo(png).Length > 1000);
    }
}

using SimClr.Cli.Pipelines;
using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Training;
using SimClr.MLNet.Training.Methods;

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

    /// <summary>The width-8 pipeline published until issue 11; the tuning and method runs compare with it.</summary>
    static readonly string Width8Pipeline = Path.Combine("cifar10-tuning", "width8-18-epochs.json");

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

    /// <summary>The width-8 pipeline's pretraining is the 3-epoch run that won on validation, at full length.</summary>
    [Fact]
    public void TheWidth8PretrainingIsTheWinningTuningRunLengthened()
    {
        var width8 = Load(Width8Pipeline);
        var winner = Load(Path.Combine("cifar10-tuning", "reference-augmentation.json"));
        Assert.Equal(width8.Encoder, winner.Encoder);
        Assert.Equal(width8.Seed, winner.Seed);
        Assert.Equal(width8.Experiments.Pretrain, winner.Experiments.Pretrain! with { Epochs = width8.Experiments.Pretrain!.Epochs });
    }

    /// <summary>The fine-tuning variants reuse the width-8 pipeline's pretraining and change only what they say.</summary>
    [Theory]
    [InlineData("finetune-encoder-rate.json")]
    [InlineData("finetune-longer.json")]
    public void TheFineTuningVariantsChangeOnlyWhatTheySay(string file)
    {
        var width8 = Load(Width8Pipeline);
        var variant = Load(Path.Combine("cifar10-tuning", file));
        Assert.Equal(width8.Experiments.Pretrain, variant.Experiments.Pretrain);
        var finetune = width8.Experiments.Finetune!;
        var expected = file == "finetune-longer.json" ? finetune with { Epochs = 80 } : finetune with { EncoderLearningRateScale = 0.1 };
        Assert.Equal(expected, variant.Experiments.Finetune);
    }

    /// <summary>The distillation variants reuse the width-8 pipeline's pretraining and fine-tuning, and change only what they say.</summary>
    [Theory]
    [InlineData("distill-from-scratch.json")]
    [InlineData("distill-longer.json")]
    [InlineData("distill-strong-augmentation.json")]
    [InlineData("distill-from-teacher.json")]
    [InlineData("distill-fixmatch.json")]
    public void TheDistillationVariantsChangeOnlyWhatTheySay(string file)
    {
        var width8 = Load(Width8Pipeline);
        var variant = Load(Path.Combine("cifar10-tuning", file));
        Assert.Equal(width8.Experiments.Pretrain, variant.Experiments.Pretrain);
        Assert.Equal(width8.Experiments.Finetune, variant.Experiments.Finetune);
        var distill = width8.Experiments.Distill!;
        var expected = file switch
        {
            "distill-longer.json" => distill with { Epochs = 15 },
            // The student sees the pretraining's strong views; the teacher's targets still come from the clean images.
            "distill-strong-augmentation.json" => distill with { Epochs = 15, Augmentation = width8.Experiments.Pretrain!.ContrastiveAugmentation },
            "distill-from-teacher.json" => distill with { Epochs = 15, StudentStart = StudentStart.Teacher },
            // FixMatch: the student is its own teacher, from where fine-tuning ended, at a quarter of the rate.
            "distill-fixmatch.json" => distill with
            {
                Epochs = 6, LearningRate = 0.0005, StudentStart = StudentStart.Teacher, Targets = DistillTargets.Self, PseudoLabelThreshold = 0.95,
                StudentAugmentation = new AugmentationOptions { MinArea = 0.5, Brightness = 0.5, Jitter = 0.15 },
            },
            _ => distill with { StudentStart = StudentStart.Scratch },
        };
        Assert.Equal(expected, variant.Experiments.Distill);
    }

    /// <summary>
    /// The width-16 run is the width-8 pipeline at width 16, precision Auto; the bf16 run the width-8 pipeline in
    /// bf16. Neither distils.
    /// </summary>
    [Theory]
    [InlineData("width16-bf16.json", 16, "auto")]
    [InlineData("precision-bf16.json", 8, "bf16")]
    public void TheWidthAndPrecisionRunsChangeOnlyTheWidthAndThePrecision(string file, int width, string precision)
    {
        var width8 = Load(Width8Pipeline);
        var variant = Load(Path.Combine("cifar10-tuning", file));
        Assert.Equal(width8.Encoder with { Width = width }, variant.Encoder);
        Assert.Equal((width8.Seed, width8.Repeats), (variant.Seed, variant.Repeats));
        Assert.Null(variant.Experiments.Distill);
        Assert.Equal(width8.Experiments.Baseline! with { Precision = precision }, variant.Experiments.Baseline);
        Assert.Equal(width8.Experiments.Pretrain! with { Precision = precision }, variant.Experiments.Pretrain);
        Assert.Equal(width8.Experiments.Finetune! with { Precision = precision }, variant.Experiments.Finetune);
    }

    /// <summary>The longer width-16 run pretrains for 30 epochs instead of 18 and fine-tunes once; the width-16 run's baselines are its comparison.</summary>
    [Fact]
    public void TheLongerWidth16RunChangesOnlyThePretrainingEpochs()
    {
        var width16 = Load(Path.Combine("cifar10-tuning", "width16-bf16.json"));
        var longer = Load(Path.Combine("cifar10-tuning", "width16-bf16-longer.json"));
        Assert.Equal((width16.Encoder, width16.Seed, width16.Data), (longer.Encoder, longer.Seed, longer.Data));
        Assert.Equal(width16.Experiments.Pretrain! with { Epochs = 30 }, longer.Experiments.Pretrain);
        Assert.Equal(width16.Experiments.Finetune, longer.Experiments.Finetune);
        Assert.Null(longer.Experiments.Baseline);
        Assert.Null(longer.Experiments.Distill);
    }

    /// <summary>
    /// The SuNCEt runs are the width-8 pipeline and the width-16 one with the supervised contrastive term at the
    /// paper's weight, and without distillation; their baselines are those runs' own.
    /// </summary>
    [Theory]
    [InlineData("cifar10-tuning/width8-18-epochs.json", "suncet.json")]
    [InlineData("cifar10-tuning/width16-bf16.json", "width16-bf16-suncet.json")]
    public void TheSuNCEtRunsChangeOnlyTheSupervisedContrastiveWeight(string original, string file)
    {
        var published = Load(original);
        var variant = Load(Path.Combine("cifar10-tuning", file));
        Assert.Equal((published.Encoder, published.Seed, published.Repeats), (variant.Encoder, variant.Seed, variant.Repeats));
        Assert.Equal(published.Experiments.Baseline, variant.Experiments.Baseline);
        Assert.Equal(published.Experiments.Pretrain! with { SupervisedContrastiveWeight = 1 }, variant.Experiments.Pretrain);
        Assert.Equal(published.Experiments.Finetune, variant.Experiments.Finetune);
        Assert.Null(variant.Experiments.Distill);
    }

    /// <summary>
    /// SimCLRv2's big-to-small run: the width-16 run's pretraining and fine-tuning, the width-8 pipeline's baseline,
    /// and its distillation into a width-8 student, from scratch and for longer.
    /// </summary>
    [Fact]
    public void TheBigToSmallRunDistilsTheWidth16RunIntoWidth8()
    {
        var width8 = Load(Width8Pipeline);
        var width16 = Load(Path.Combine("cifar10-tuning", "width16-bf16.json"));
        var variant = Load(Path.Combine("cifar10-tuning", "distill-width16-to-width8.json"));
        Assert.Equal((width16.Encoder, width16.Seed, width16.Repeats), (variant.Encoder, variant.Seed, variant.Repeats));
        Assert.Equal(width16.Experiments.Pretrain, variant.Experiments.Pretrain);
        Assert.Equal(width16.Experiments.Finetune, variant.Experiments.Finetune);
        Assert.Equal(width8.Experiments.Baseline! with { Encoder = width8.Encoder }, variant.Experiments.Baseline);
        Assert.Equal(width8.Experiments.Distill! with { Encoder = width8.Encoder, Epochs = 20, StudentStart = StudentStart.Scratch },
            variant.Experiments.Distill);
        // Its baselines are the width-8 pipeline's: the same settings, so --resume reuses them when copied.
        Assert.Equal(RunFingerprint.Settings(width8, null)["baseline"], RunFingerprint.Settings(variant, null)["baseline"]);
        Assert.Equal(RunFingerprint.Settings(width16, null)["finetune-3"], RunFingerprint.Settings(variant, null)["finetune-3"]);
    }

    /// <summary>
    /// The big-to-small run's distillation variants change only the distillation, so a folder holding that run's
    /// baselines, pretraining and fine-tuning (every seed a variant has) resumes them without retraining (their comments say to do so).
    /// </summary>
    [Theory]
    [InlineData("distill-width16-to-width8-consistent.json", 20, DistillTargets.PerStep, null)]
    [InlineData("distill-width16-to-width8-patient.json", 40, DistillTargets.PerStep, null)]
    [InlineData("distill-width16-to-width8-patient-bf16.json", 40, DistillTargets.PerStep, "auto")]
    public void TheDistillationVariantsReuseTheBigToSmallRun(string file, int epochs, DistillTargets targets, string? precision)
    {
        var original = Load(Path.Combine("cifar10-tuning", "distill-width16-to-width8.json"));
        var variant = Load(Path.Combine("cifar10-tuning", file));
        Assert.Equal((original.Data, original.Encoder, original.Seed), (variant.Data, variant.Encoder, variant.Seed));
        Assert.Equal(original.Experiments.Distill! with { Epochs = epochs, Targets = targets, Precision = precision }, variant.Experiments.Distill);
        var originalRuns = RunFingerprint.Settings(original, null);
        var variantRuns = RunFingerprint.Settings(variant, null);
        foreach (var (run, settings) in variantRuns)
        {
            if (run.StartsWith("distill", StringComparison.Ordinal))
                Assert.NotEqual(originalRuns[run], settings);
            else
                Assert.Equal(originalRuns[run], settings);
        }
    }

    /// <summary>
    /// The recipe sized for CPUs without native bf16 is the patient run with 3 pretraining epochs instead of 18, and a
    /// student that starts from its seed's baseline for 13 epochs instead of from scratch for 40; one seed. Its
    /// baselines are the width-8 pipeline's, so that they compare.
    /// </summary>
    [Fact]
    public void TheFromBaselineRunShortensThePatientRunWhereItSays()
    {
        var width8 = Load(Width8Pipeline);
        var patient = Load(Path.Combine("cifar10-tuning", "distill-width16-to-width8-patient.json"));
        var variant = Load(Path.Combine("cifar10-tuning", "distill-width16-to-width8-from-baseline.json"));
        Assert.Equal((patient.Data, patient.Encoder, patient.Seed, 1), (variant.Data, variant.Encoder, variant.Seed, variant.Repeats));
        Assert.Equal(patient.Experiments.Baseline, variant.Experiments.Baseline);
        Assert.Equal(patient.Experiments.Pretrain! with { Epochs = 3 }, variant.Experiments.Pretrain);
        Assert.Equal(patient.Experiments.Finetune, variant.Experiments.Finetune);
        Assert.Equal(patient.Experiments.Distill! with { Epochs = 13, StudentStart = StudentStart.Baseline }, variant.Experiments.Distill);
        Assert.Equal(RunFingerprint.Settings(width8, null)["baseline"], RunFingerprint.Settings(variant, null)["baseline"]);
    }

    /// <summary>
    /// The longer, the faster, the three 26-epoch and the flip-teacher from-baseline runs change only the distillation's
    /// epochs, rate, labelled weight and teacher averaging (and the longer one adds seeds), so a folder holding the
    /// shorter run's baseline, pretraining and fine-tuning resumes them (their comments say so, or that they ran whole).
    /// </summary>
    [Theory]
    [InlineData("distill-width16-to-width8-from-baseline-longer.json", 22, 0.002, 0.5, false, 3)]
    [InlineData("distill-width16-to-width8-from-baseline-faster.json", 12, 0.004, 0.5, false, 1)]
    [InlineData("distill-width16-to-width8-from-baseline-26-epochs.json", 26, 0.004, 0.5, false, 1)]
    [InlineData("distill-width16-to-width8-from-baseline-26-epochs-rate-0.008.json", 26, 0.008, 0.5, false, 1)]
    [InlineData("distill-width16-to-width8-from-baseline-26-epochs-labeled-weight-0.25.json", 26, 0.008, 0.25, false, 1)]
    [InlineData("distill-width16-to-width8-flip-teacher.json", 12, 0.004, 0.5, true, 1)]
    public void TheFromBaselineVariantsReuseTheShorterRun(string file, int epochs, double learningRate, double labeledLossWeight, bool flipTeacher, int repeats)
    {
        var shorter = Load(Path.Combine("cifar10-tuning", "distill-width16-to-width8-from-baseline.json"));
        var variant = Load(Path.Combine("cifar10-tuning", file));
        Assert.Equal((shorter.Data, shorter.Encoder, shorter.Seed, repeats), (variant.Data, variant.Encoder, variant.Seed, variant.Repeats));
        var distill = shorter.Experiments.Distill! with
        {
            Epochs = epochs, LearningRate = learningRate, LabeledLossWeight = labeledLossWeight, TeacherFlipAveraging = flipTeacher ? true : null,
        };
        Assert.Equal(shorter.Experiments with { Distill = distill }, variant.Experiments);
        var shorterRuns = RunFingerprint.Settings(shorter, null);
        var variantRuns = RunFingerprint.Settings(variant, null);
        foreach (var (run, settings) in shorterRuns)
        {
            if (run.StartsWith("distill", StringComparison.Ordinal))
                Assert.NotEqual(settings, variantRuns[run]);
            else
                Assert.Equal(settings, variantRuns[run]);
        }
    }

    /// <summary>
    /// The published pipeline is the recipe chosen on validation for CPUs without native bf16 with 3 seeds: the same
    /// data, encoders, seed and experiments (validated less often), and each of the recipe's runs has the same
    /// fingerprint, so its folder resumes into the published run's seed 1.
    /// </summary>
    [Fact]
    public void ThePublishedPipelineIsTheAvx2RecipeWithThreeSeeds()
    {
        var published = Load("cifar10-5k-labels.json");
        var recipe = Load(Path.Combine("cifar10-tuning", "distill-width16-to-width8-from-baseline-26-epochs-labeled-weight-0.25.json"));
        Assert.Equal((recipe.Data, recipe.Encoder, recipe.Seed, 1), (published.Data, published.Encoder, published.Seed, recipe.Repeats));
        Assert.Equal(3, published.Repeats);
        static ExperimentOptions? ValidatedEveryEpoch(ExperimentOptions? options) => options is null ? null : options with { ValidationFrequency = null };
        Assert.All(ExperimentsDefinition.Names, name => Assert.Equal(recipe.Experiments.For(name), ValidatedEveryEpoch(published.Experiments.For(name))));
        var publishedRuns = RunFingerprint.Settings(published, null);
        var recipeRuns = RunFingerprint.Settings(recipe, null);
        Assert.Equal(10, publishedRuns.Count);
        foreach (var (run, settings) in recipeRuns)
            Assert.Equal(settings, publishedRuns[run]);
    }

    /// <summary>The method comparison: one file per method, all on the width-8 pipeline's data, encoder and fine-tuning; pretraining differs only in the method, its options and the epochs that fill the budget.</summary>
    [Fact]
    public void TheMethodComparisonChangesOnlyTheMethod()
    {
        var width8 = Load(Width8Pipeline);
        var files = Directory.GetFiles(Path.Combine(PipelinesFolder, "cifar10-methods"), "*.json").Select(PipelineFile.Load).ToList();
        Assert.Equal(Enum.GetValues<PretrainingMethod>().Order(), files.Select(f => f.Experiments.Pretrain!.Method ?? PretrainingMethod.SimClr).Order());
        foreach (var variant in files)
        {
            Assert.Equal((width8.Data, width8.Encoder, width8.Seed), (variant.Data, variant.Encoder, variant.Seed));
            Assert.Equal(width8.Experiments.Finetune, variant.Experiments.Finetune);
            Assert.Null(variant.Experiments.Baseline);
            var pretrain = variant.Experiments.Pretrain!;
            Assert.Equal(width8.Experiments.Pretrain! with
            {
                Epochs = pretrain.Epochs, Method = pretrain.Method, MoCo = pretrain.MoCo, Byol = pretrain.Byol, SimSiam = pretrain.SimSiam,
                BarlowTwins = pretrain.BarlowTwins, Swav = pretrain.Swav, Temperature = pretrain.Temperature, ProjectionBatchNorm = pretrain.ProjectionBatchNorm,
            }, pretrain);
        }
    }
}

using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;
using SimClr.MLNet.Training.Methods;

namespace SimClr.Cli.Pipelines;

/// <summary>A pipeline file: which data, which encoder, which experiments with which options, which seed.</summary>
public sealed record PipelineDefinition
{
    /// <summary>Name shown in reports. Default: the file name.</summary>
    public string? Name { get; init; }

    /// <summary>Free text for the report.</summary>
    public string? Description { get; init; }

    /// <summary>Seed of every experiment (each gets its own stream from it). Default: 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where the images come from.</summary>
    public DataDefinition Data { get; init; } = new();

    /// <summary>
    /// The encoder of the baseline and of pretraining (fine-tuning uses the pretrained one, and a distillation student
    /// its teacher's) unless an experiment gives its own (<see cref="ExperimentOptions.Encoder"/>).
    /// </summary>
    public EncoderDefinition Encoder { get; init; } = new();

    /// <summary>The experiments, run in the order baseline, pretrain, finetune, distill; each may be left out.</summary>
    public ExperimentsDefinition Experiments { get; init; } = new();

    /// <summary>The most <see cref="Repeats"/> a pipeline may ask for: 10.</summary>
    public const int MaxRepeats = 10;

    /// <summary>
    /// Seeds per supervised experiment (baseline, finetune, distill), 1 to <see cref="MaxRepeats"/>; each is
    /// trained that many times from the same pretrained encoder, and the report gives the mean and standard
    /// deviation. Pretraining runs once. Default: 1.
    /// </summary>
    public int Repeats { get; init; } = 1;

    /// <summary>The reference's headline figures, shown beside ours in the report (name to accuracy, 0..1). Default: none.</summary>
    public Dictionary<string, double>? ReferenceResults { get; init; }
}

/// <summary>The data source of a pipeline.</summary>
public sealed record DataDefinition
{
    /// <summary>The smallest <see cref="ImageSize"/>, in pixels: 8.</summary>
    public const int MinImageSize = 8;

    /// <summary>
    /// The largest <see cref="ImageSize"/>, in pixels: 1024. Every image is held in memory at this size (3 MB each at
    /// 1024 px) and SimCLR is trained at 32 to 224 px, so a larger value is almost surely a typo, and one that would
    /// fill the memory before anything else could fail.
    /// </summary>
    public const int MaxImageSize = 1024;

    /// <summary>"stl10", "imageFolder" or "synthetic".</summary>
    public string Source { get; init; } = "synthetic";

    /// <summary>STL-10 folder or image-folder root; <c>--data</c> overrides it. Not used by "synthetic".</summary>
    public string? Path { get; init; }

    /// <summary>Side of the square images the encoder is trained on, <see cref="MinImageSize"/> to <see cref="MaxImageSize"/> px; images are resized to it.</summary>
    public int ImageSize { get; init; } = 96;

    /// <summary>imageFolder: files of each class used as labelled training data, by position (C# range syntax, e.g. "..500").</summary>
    public string? LabeledFilesPerClass { get; init; }

    /// <summary>imageFolder: files of each class used for validation (e.g. "^500..").</summary>
    public string? ValidationFilesPerClass { get; init; }

    /// <summary>imageFolder: files of each class used as unlabelled data, labels ignored (e.g. "500..^500").</summary>
    public string? UnlabeledFilesPerClass { get; init; }

    /// <summary>imageFolder: a folder of unlabelled images, relative to the root.</summary>
    public string? UnlabeledFolder { get; init; }

    /// <summary>synthetic: labelled training images.</summary>
    public int LabeledCount { get; init; } = 500;

    /// <summary>synthetic: unlabelled images.</summary>
    public int UnlabeledCount { get; init; } = 4000;

    /// <summary>synthetic: held-out labelled images.</summary>
    public int ValidationCount { get; init; } = 1000;
}

/// <summary>Encoder architecture and width.</summary>
public sealed record EncoderDefinition
{
    /// <summary>Reference or SmallResNet18.</summary>
    public EncoderArchitecture Architecture { get; init; } = EncoderArchitecture.Reference;

    /// <summary>Width (Reference: every layer; SmallResNet18: the first stage).</summary>
    public int Width { get; init; } = 128;
}

/// <summary>The reference's three experiments, and distillation (SimCLRv2's third step).</summary>
public sealed record ExperimentsDefinition
{
    /// <summary>Names of the experiments in the order they run.</summary>
    public static readonly IReadOnlyList<string> Names = new[] { "baseline", "pretrain", "finetune", "distill" };

    /// <summary>Supervised baseline: random encoder + linear head on the labelled images.</summary>
    public ExperimentOptions? Baseline { get; init; }

    /// <summary>SimCLR pretraining with the online linear probe.</summary>
    public ExperimentOptions? Pretrain { get; init; }

    /// <summary>Fine-tuning the pretrained encoder with a new head (needs Pretrain).</summary>
    public ExperimentOptions? Finetune { get; init; }

    /// <summary>
    /// Distillation (needs Finetune): a student learns the fine-tuned classifier's soft predictions on the
    /// unlabelled and labelled images, plus the labels' cross-entropy.
    /// </summary>
    public ExperimentOptions? Distill { get; init; }

    /// <summary>The options of the experiment called <paramref name="name"/> (one of <see cref="Names"/>), or null.</summary>
    public ExperimentOptions? For(string name) => name switch
    {
        "baseline" => Baseline,
        "pretrain" => Pretrain,
        "finetune" => Finetune,
        "distill" => Distill,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown experiment."),
    };
}

/// <summary>
/// Options of one experiment. Every value is optional; an unset value keeps the library default (the reference's).
/// Each is copied onto the property of the same name of <see cref="PretrainOptions"/>, <see cref="SupervisedOptions"/>
/// or <see cref="DistillOptions"/> (<see cref="ExperimentSettings"/>), whose documentation and defaults apply.
/// </summary>
public sealed record ExperimentOptions
{
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public OptimizerKind? Optimizer { get; init; }
    public double? LearningRate { get; init; }
    public double? Momentum { get; init; }
    public double? WeightDecay { get; init; }
    public LearningRateSchedule? Schedule { get; init; }
    public double? WarmupEpochs { get; init; }
    public string? Precision { get; init; }
    public int? EvaluationBatchSize { get; init; }
    public int? ValidationFrequency { get; init; }

    /// <summary>
    /// Baseline, pretrain and distill: this experiment's encoder instead of the pipeline's; both fields are needed.
    /// SimCLRv2's recipe pretrains and fine-tunes a big encoder and distils it into a small student, compared with a
    /// baseline of the student's size. Fine-tuning always trains the pretrained encoder. Default: the pipeline's
    /// (for distill: the teacher's).
    /// </summary>
    public EncoderDefinition? Encoder { get; init; }

    // Pretraining (NT-Xent) and distillation (the teacher's and student's softmax).
    public double? Temperature { get; init; }

    // Pretraining only: the method, its own options (the library's classes, bound as they are), the collapse warning.
    public PretrainingMethod? Method { get; init; }
    public MoCoOptions? MoCo { get; init; }
    public ByolOptions? Byol { get; init; }
    public SimSiamOptions? SimSiam { get; init; }
    public BarlowTwinsOptions? BarlowTwins { get; init; }
    public SwavOptions? Swav { get; init; }
    public double? CollapseThreshold { get; init; }

    // Pretraining with SimCLR only.
    public bool? LearnTemperature { get; init; }
    public bool? SameViewNegatives { get; init; }
    public bool? ProjectionBatchNorm { get; init; }
    public double? SupervisedContrastiveWeight { get; init; }
    public int? ProjectionDim { get; init; }
    public int? ProjectionHiddenDim { get; init; }
    public double? ProbeLearningRate { get; init; }
    public int? KnnNeighbors { get; init; }
    public AugmentationOptions? ContrastiveAugmentation { get; init; }
    public AugmentationOptions? ProbeAugmentation { get; init; }

    // Supervised (baseline, finetune, distill) only.
    public AugmentationOptions? Augmentation { get; init; }
    public double? EncoderLearningRateScale { get; init; }

    // Distillation only.
    public double? LabeledLossWeight { get; init; }
    public DistillTargets? Targets { get; init; }
    public AugmentationOptions? StudentAugmentation { get; init; }
    public double? PseudoLabelThreshold { get; init; }
    public bool? TeacherFlipAveraging { get; init; }
    /// <summary>What the student starts from: pretrained (the SimCLR encoder before fine-tuning), scratch, teacher (the fine-tuned encoder and head) or baseline (the supervised baseline's encoder and head). Default: pretrained.</summary>
    public StudentStart? StudentStart { get; init; }
}

/// <summary>What a distillation student's encoder starts from.</summary>
public enum StudentStart
{
    /// <summary>The SimCLR encoder as pretraining left it (before fine-tuning).</summary>
    Pretrained,

    /// <summary>Random initialisation.</summary>
    Scratch,

    /// <summary>The teacher's own weights, encoder and head: self-training that continues where fine-tuning ended.</summary>
    Teacher,

    /// <summary>
    /// The supervised baseline of the same repeat, encoder and head: a student of the baseline's size that has already
    /// learnt the labels, so that it spends its epochs on the teacher's answers for the unlabelled images. Its gain over
    /// the baseline is then exactly what distillation added.
    /// </summary>
    Baseline,
}

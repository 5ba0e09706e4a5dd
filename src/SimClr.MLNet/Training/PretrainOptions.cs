using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training.Methods;

namespace SimClr.MLNet.Training;

/// <summary>
/// Self-supervised pretraining with an online linear probe. Defaults are the Keras reference's: SimCLR, reference
/// encoder of width 128 at 96x96, batch 525, temperature 0.1, Adam 0.001, 20 epochs, its two augmentation presets.
/// <see cref="Method"/> picks another method; its own options are in <see cref="MoCo"/>, <see cref="Byol"/>,
/// <see cref="SimSiam"/>, <see cref="BarlowTwins"/> and <see cref="Swav"/>, with each paper's defaults.
/// </summary>
public class PretrainOptions : TrainingOptions
{
    /// <summary>Default values of the pretraining options.</summary>
    public static new class Defaults
    {
        /// <summary>525 images per step (unlabelled + labelled), as the reference.</summary>
        public const int BatchSize = 525;
        /// <summary>0.1, as the reference.</summary>
        public const double Temperature = 0.1;
        /// <summary>20 neighbours for the kNN monitor.</summary>
        public const int KnnNeighbors = 20;
        /// <summary>The collapse warning fires below 0.1 / sqrt(d).</summary>
        public const double CollapseThreshold = 0.1;
    }

    /// <summary>The self-supervised method. Default: <see cref="PretrainingMethod.SimClr"/>.</summary>
    public PretrainingMethod Method { get; set; } = PretrainingMethod.SimClr;

    /// <summary>MoCo v2's options, used when <see cref="Method"/> is MoCo. Default: the paper's (<see cref="MoCoOptions"/>).</summary>
    public MoCoOptions MoCo { get; set; } = new();

    /// <summary>BYOL's options, used when <see cref="Method"/> is Byol. Default: the paper's (<see cref="ByolOptions"/>).</summary>
    public ByolOptions Byol { get; set; } = new();

    /// <summary>SimSiam's options, used when <see cref="Method"/> is SimSiam. Default: the paper's (<see cref="SimSiamOptions"/>).</summary>
    public SimSiamOptions SimSiam { get; set; } = new();

    /// <summary>Barlow Twins' options, used when <see cref="Method"/> is BarlowTwins. Default: the paper's (<see cref="BarlowTwinsOptions"/>).</summary>
    public BarlowTwinsOptions BarlowTwins { get; set; } = new();

    /// <summary>SwAV's options, used when <see cref="Method"/> is Swav. Default: the paper's (<see cref="SwavOptions"/>).</summary>
    public SwavOptions Swav { get; set; } = new();

    /// <summary>
    /// The collapse monitor warns (once) when emb_std, the per-epoch standard deviation of the L2-normalised
    /// embeddings, falls below this multiple of 1/sqrt(d), its value for embeddings spread over the sphere. 0 turns
    /// the warning off (emb_std is recorded either way). Default: 0.1.
    /// </summary>
    public double CollapseThreshold { get; set; } = Defaults.CollapseThreshold;

    /// <summary>Images per step, unlabelled and labelled together, split in proportion to the two sets' sizes. Default: 525.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>The encoder to train. Default: the reference encoder, width 128, 96x96 images.</summary>
    public EncoderSpec EncoderSpec { get; set; } = EncoderSpec.ReferenceDefault;

    /// <summary>
    /// Projection head hidden width; null means the method's: the encoder's feature width for SimCLR (the
    /// reference), the paper's for the others (MoCo 2048, BYOL 4096, SimSiam 2048, Barlow Twins 2048, SwAV 2048). Default: null.
    /// </summary>
    public int? ProjectionHiddenDim { get; set; }

    /// <summary>
    /// Projection width; null means the method's: the encoder's feature width for SimCLR (the reference), the
    /// paper's for the others (MoCo 128, BYOL 256, SimSiam 2048, Barlow Twins 2048, SwAV 128). Default: null.
    /// </summary>
    public int? ProjectionDim { get; set; }

    /// <summary>
    /// The projector's (hidden, output) widths on an encoder of <paramref name="featureDim"/> features: the options'
    /// own, else the method's defaults (SimCLR: the feature width, as the reference).
    /// </summary>
    public (int Hidden, int Output) ProjectionWidths(int featureDim)
    {
        var (hidden, output) = Method switch
        {
            PretrainingMethod.MoCo => (MoCoOptions.DefaultProjectionHiddenDim, MoCoOptions.DefaultProjectionDim),
            PretrainingMethod.Byol => (ByolOptions.DefaultProjectionHiddenDim, ByolOptions.DefaultProjectionDim),
            PretrainingMethod.SimSiam => (SimSiamOptions.DefaultProjectionHiddenDim, SimSiamOptions.DefaultProjectionDim),
            PretrainingMethod.BarlowTwins => (BarlowTwinsOptions.DefaultProjectionHiddenDim, BarlowTwinsOptions.DefaultProjectionDim),
            PretrainingMethod.Swav => (SwavOptions.DefaultProjectionHiddenDim, SwavOptions.DefaultProjectionDim),
            _ => (featureDim, featureDim),
        };
        return (ProjectionHiddenDim ?? hidden, ProjectionDim ?? output);
    }

    /// <summary>SimCLR only: BatchNorm in the projection head (SimCLR v2). Default: false, as the reference.</summary>
    public bool ProjectionBatchNorm { get; set; }

    /// <summary>SimCLR only: NT-Xent temperature (MoCo and SwAV have their own, <see cref="MoCoOptions.Temperature"/> and <see cref="SwavOptions.Temperature"/>). Default: 0.1.</summary>
    public double Temperature { get; set; } = Defaults.Temperature;

    /// <summary>SimCLR only: learn the temperature, starting from <see cref="Temperature"/>. Default: false.</summary>
    public bool LearnTemperature { get; set; }

    /// <summary>SimCLR only: use same-view projections of other images as negatives too (the paper's 2N - 2). Default: false, as the reference.</summary>
    public bool SameViewNegatives { get; set; }

    /// <summary>
    /// SimCLR only: the weight of SuNCEt (Assran et al., 2020, "Supervision Accelerates Pre-training in Contrastive
    /// Semi-Supervised Learning of Visual Representations"), a supervised contrastive loss over both views of each
    /// step's labelled images whose positives are the other views of the same class, at NT-Xent's temperature
    /// (<see cref="Losses.SupervisedContrastiveLoss"/>). It is added to NT-Xent, so the labels shape the encoder while it
    /// pretrains; c_loss is then the sum, and s_loss the SuNCEt term. The paper adds it with weight 1. 0 turns it off.
    /// Default: 0.
    /// </summary>
    public double SupervisedContrastiveWeight { get; set; }

    /// <summary>Augmentation of the two contrastive views. Default: <see cref="AugmentationOptions.Contrastive"/>.</summary>
    public AugmentationOptions ContrastiveAugmentation { get; set; } = AugmentationOptions.Contrastive;

    /// <summary>Augmentation of the probe's labelled images. Default: <see cref="AugmentationOptions.Classification"/>.</summary>
    public AugmentationOptions ProbeAugmentation { get; set; } = AugmentationOptions.Classification;

    /// <summary>Learning rate of the online probe's Adam. Default: 0.001.</summary>
    public double ProbeLearningRate { get; set; } = TrainingOptions.Defaults.LearningRate;

    /// <summary>Neighbours for the kNN accuracy monitor on validation data; 0 turns it off. Default: 20.</summary>
    public int KnnNeighbors { get; set; } = Defaults.KnnNeighbors;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (BatchSize < 2)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"{nameof(BatchSize)} must be at least 2 (contrastive learning needs negatives).");
        EncoderSpec.Validate();
        if (ProjectionHiddenDim < 1 || ProjectionDim < 1)
            throw new ArgumentOutOfRangeException(nameof(ProjectionDim), "Projection widths must be at least 1.");
        if (!(Temperature > 0 && Temperature <= 10))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, $"{nameof(Temperature)} must be in (0, 10].");
        if (!(SupervisedContrastiveWeight >= 0 && SupervisedContrastiveWeight <= 100))
            throw new ArgumentOutOfRangeException(nameof(SupervisedContrastiveWeight), SupervisedContrastiveWeight, $"{nameof(SupervisedContrastiveWeight)} must be in [0, 100].");
        if (!(ProbeLearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(ProbeLearningRate), ProbeLearningRate, $"{nameof(ProbeLearningRate)} must be positive.");
        if (KnnNeighbors < 0)
            throw new ArgumentOutOfRangeException(nameof(KnnNeighbors), KnnNeighbors, $"{nameof(KnnNeighbors)} must not be negative.");
        if (!(CollapseThreshold >= 0 && CollapseThreshold < 1))
            throw new ArgumentOutOfRangeException(nameof(CollapseThreshold), CollapseThreshold, $"{nameof(CollapseThreshold)} must be in [0, 1).");
        if (!Enum.IsDefined(Method))
            throw new ArgumentOutOfRangeException(nameof(Method), Method, $"{nameof(Method)} must be one of {string.Join(", ", Enum.GetNames<PretrainingMethod>())}.");
        if (Method != PretrainingMethod.SimClr)
            foreach (var (name, set) in new[] { (nameof(ProjectionBatchNorm), ProjectionBatchNorm), (nameof(LearnTemperature), LearnTemperature), (nameof(SameViewNegatives), SameViewNegatives) })
                if (set)
                    throw new ArgumentException($"{name} is a SimCLR option; {nameof(Method)} is {Method}.", name);
        if (Method != PretrainingMethod.SimClr && SupervisedContrastiveWeight > 0)
            throw new ArgumentException($"{nameof(SupervisedContrastiveWeight)} is a SimCLR option; {nameof(Method)} is {Method}.", nameof(SupervisedContrastiveWeight));
        MoCo.Validate();
        Byol.Validate();
        SimSiam.Validate();
        BarlowTwins.Validate();
        Swav.Validate();
        ContrastiveAugmentation.Validate(nameof(ContrastiveAugmentation));
        ProbeAugmentation.Validate(nameof(ProbeAugmentation));
    }
}

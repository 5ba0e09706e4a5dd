using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Models;

namespace SimClr.MLNet.Training;

/// <summary>
/// SimCLR pretraining with an online linear probe. Defaults are the Keras reference's: reference encoder of
/// width 128 at 96x96, batch 525, temperature 0.1, Adam 0.001, 20 epochs, its two augmentation presets.
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
    }

    /// <summary>Images per step, unlabelled and labelled together, split in proportion to the two sets' sizes. Default: 525.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>The encoder to train. Default: the reference encoder, width 128, 96x96 images.</summary>
    public EncoderSpec EncoderSpec { get; set; } = EncoderSpec.ReferenceDefault;

    /// <summary>Projection head hidden width; null means the encoder's feature width (the reference). Default: null.</summary>
    public int? ProjectionHiddenDim { get; set; }

    /// <summary>Projection width; null means the encoder's feature width (the reference). Default: null.</summary>
    public int? ProjectionDim { get; set; }

    /// <summary>BatchNorm in the projection head (SimCLR v2). Default: false, as the reference.</summary>
    public bool ProjectionBatchNorm { get; set; }

    /// <summary>NT-Xent temperature. Default: 0.1.</summary>
    public double Temperature { get; set; } = Defaults.Temperature;

    /// <summary>Learn the temperature, starting from <see cref="Temperature"/>. Default: false.</summary>
    public bool LearnTemperature { get; set; }

    /// <summary>Use same-view projections of other images as negatives too (the paper's 2N - 2). Default: false, as the reference.</summary>
    public bool SameViewNegatives { get; set; }

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
        if (!(ProbeLearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(ProbeLearningRate), ProbeLearningRate, $"{nameof(ProbeLearningRate)} must be positive.");
        if (KnnNeighbors < 0)
            throw new ArgumentOutOfRangeException(nameof(KnnNeighbors), KnnNeighbors, $"{nameof(KnnNeighbors)} must not be negative.");
        ContrastiveAugmentation.Validate(nameof(ContrastiveAugmentation));
        ProbeAugmentation.Validate(nameof(ProbeAugmentation));
    }
}

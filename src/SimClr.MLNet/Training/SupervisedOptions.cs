using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Models;

namespace SimClr.MLNet.Training;

/// <summary>
/// Supervised training of an encoder plus a linear head on labelled images: the baseline (random encoder) or
/// fine-tuning (pretrained encoder). Defaults are the reference's: batch 25, weak augmentation, Adam 0.001.
/// </summary>
public class SupervisedOptions : TrainingOptions
{
    /// <summary>Default values of the supervised options.</summary>
    public static new class Defaults
    {
        /// <summary>25 labelled images per step: the reference's labelled batch (5,000 of 105,000 images at batch 525).</summary>
        public const int BatchSize = 25;
    }

    /// <summary>Labelled images per step. Default: 25.</summary>
    public int BatchSize { get; set; } = Defaults.BatchSize;

    /// <summary>
    /// The encoder. Default: null, meaning the pretrained encoder's architecture when fine-tuning, and the
    /// reference encoder (width 128, 96x96) when training from scratch. With a pretrained encoder, a value that
    /// differs from it is an error.
    /// </summary>
    public EncoderSpec? EncoderSpec { get; set; }

    /// <summary>Augmentation of the training images. Default: <see cref="AugmentationOptions.Classification"/>.</summary>
    public AugmentationOptions Augmentation { get; set; } = AugmentationOptions.Classification;

    /// <summary>Multiplies the learning rate of a pretrained encoder's weights (the head uses the full rate); 0 freezes the encoder. Default: 1.</summary>
    public double EncoderLearningRateScale { get; set; } = 1.0;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"{nameof(BatchSize)} must be at least 1.");
        if (EncoderLearningRateScale < 0)
            throw new ArgumentOutOfRangeException(nameof(EncoderLearningRateScale), EncoderLearningRateScale, $"{nameof(EncoderLearningRateScale)} must not be negative.");
        EncoderSpec?.Validate();
        Augmentation.Validate(nameof(Augmentation));
    }
}

using static TorchSharp.torch;

namespace SimClr.MLNet.Augmentation;

/// <summary>
/// Turns a batch of uint8 images into augmented float views in [0, 1], with a separate random draw per image:
/// flip + translate + zoom, colour affine, then the optional grayscale and blur. TorchVision.NET's transforms
/// draw one setting per call, so a whole batch would share one crop and one colour: wrong for SimCLR.
/// </summary>
public sealed class ImageAugmenter
{
    /// <summary>An augmenter with the given strengths.</summary>
    public ImageAugmenter(AugmentationOptions options)
    {
        options.Validate();
        Options = options;
    }

    /// <summary>The strengths.</summary>
    public AugmentationOptions Options { get; }

    /// <summary>
    /// Augments <paramref name="images"/>: [N, 3, H, W] uint8 (or float in [0, 1]) to [N, 3, H, W] float32 in [0, 1].
    /// Random draws come from <paramref name="generator"/> (a CPU generator), so a seeded generator repeats them.
    /// </summary>
    public Tensor Apply(Tensor images, Generator generator)
    {
        var x = images.dtype == ScalarType.Byte ? images.to(ScalarType.Float32).div_(255f) : images;
        x = RandomFlipTranslateZoom.Apply(x, Options.ZoomFactor, Options.FlipProbability, generator);
        x = ColorAffine.Apply(x, Options.Brightness, Options.Jitter, generator);
        x = RandomGrayscale.Apply(x, Options.GrayscaleProbability, generator);
        return RandomGaussianBlur.Apply(x, Options.BlurProbability, Options.BlurMaxSigmaFraction, generator);
    }
}

namespace SimClr.MLNet.Models;

/// <summary>Everything needed to rebuild an encoder: saved in checkpoints beside its weights.</summary>
/// <param name="Architecture">Which network.</param>
/// <param name="Width">Channels of the first stage (Reference: every conv and the dense layer).</param>
/// <param name="ImageSize">Side of the square RGB input, in pixels.</param>
public sealed record EncoderSpec(EncoderArchitecture Architecture, int Width, int ImageSize)
{
    /// <summary>The reference's encoder: width 128 at 96x96.</summary>
    public static EncoderSpec ReferenceDefault { get; } = new(EncoderArchitecture.Reference, 128, 96);

    /// <summary>Width of the features the encoder outputs: SmallResNet18 ends with 8x its first stage's channels; Reference with its width.</summary>
    public int FeatureDim => Architecture == EncoderArchitecture.SmallResNet18 ? 8 * Width : Width;

    /// <summary>Throws if the spec cannot be built, naming the bad value.</summary>
    public void Validate()
    {
        if (Width < 1)
            throw new ArgumentOutOfRangeException(nameof(Width), Width, "Encoder width must be at least 1.");
        int minimum = Architecture == EncoderArchitecture.Reference ? ReferenceEncoder.MinimumImageSize : 8;
        if (ImageSize < minimum)
            throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize,
                $"{Architecture} encoders need images of at least {minimum}x{minimum} pixels.");
    }
}

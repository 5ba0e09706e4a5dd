namespace SimClr.MLNet.Augmentation;

/// <summary>
/// Strengths of the random image augmentation. Every image in a batch gets its own random draw of each of them.
/// The two presets are the Keras SimCLR example's.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>
    /// Smallest fraction of the image area a view keeps, in (0, 1]. Zoom factor z = 1 - sqrt(MinArea): each view
    /// zooms in by up to z and shifts by up to z/2 of the image side. 1 turns translation and zoom off.
    /// </summary>
    public double MinArea { get; init; } = 1.0;

    /// <summary>Brightness scale range: a factor in [1 - b, 1 + b], shared by the three channels. 0 turns it off.</summary>
    public double Brightness { get; init; }

    /// <summary>Colour jitter: each entry of a 3x3 channel-mixing matrix is added uniformly from [-j, j]. 0 turns it off.</summary>
    public double Jitter { get; init; }

    /// <summary>Probability of a horizontal flip. Default: 0.5.</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Probability of converting a view to grayscale (SimCLR uses 0.2). Default: 0, off as in the reference.</summary>
    public double GrayscaleProbability { get; init; }

    /// <summary>Probability of a Gaussian blur (SimCLR uses 0.5 on ImageNet). Default: 0, off as in the reference.</summary>
    public double BlurProbability { get; init; }

    /// <summary>Largest blur sigma, as a fraction of the image side (SimCLR: 0.1 x side, drawn from [0.1, 2.0] px at 224). Default: 0.01.</summary>
    public double BlurMaxSigmaFraction { get; init; } = 0.01;

    /// <summary>The reference's strong views for contrastive learning: min_area 0.25, brightness 0.6, jitter 0.2.</summary>
    public static AugmentationOptions Contrastive { get; } = new() { MinArea = 0.25, Brightness = 0.6, Jitter = 0.2 };

    /// <summary>The reference's weak views for classification: min_area 0.75, brightness 0.3, jitter 0.1.</summary>
    public static AugmentationOptions Classification { get; } = new() { MinArea = 0.75, Brightness = 0.3, Jitter = 0.1 };

    /// <summary>No augmentation at all.</summary>
    public static AugmentationOptions None { get; } = new() { FlipProbability = 0 };

    /// <summary>Zoom factor z = 1 - sqrt(MinArea).</summary>
    public double ZoomFactor => 1.0 - Math.Sqrt(MinArea);

    /// <summary>Throws if a value is out of range, naming the option.</summary>
    public void Validate(string name = nameof(AugmentationOptions))
    {
        static void Check(bool ok, string option, double value, string rule)
        {
            if (!ok)
                throw new ArgumentOutOfRangeException(option, value, $"{option} {rule}.");
        }
        Check(MinArea > 0 && MinArea <= 1, $"{name}.{nameof(MinArea)}", MinArea, "must be in (0, 1]");
        Check(Brightness >= 0 && Brightness < 1, $"{name}.{nameof(Brightness)}", Brightness, "must be in [0, 1)");
        Check(Jitter >= 0 && Jitter <= 1, $"{name}.{nameof(Jitter)}", Jitter, "must be in [0, 1]");
        Check(FlipProbability is >= 0 and <= 1, $"{name}.{nameof(FlipProbability)}", FlipProbability, "must be in [0, 1]");
        Check(GrayscaleProbability is >= 0 and <= 1, $"{name}.{nameof(GrayscaleProbability)}", GrayscaleProbability, "must be in [0, 1]");
        Check(BlurProbability is >= 0 and <= 1, $"{name}.{nameof(BlurProbability)}", BlurProbability, "must be in [0, 1]");
        Check(BlurMaxSigmaFraction is > 0 and <= 0.5, $"{name}.{nameof(BlurMaxSigmaFraction)}", BlurMaxSigmaFraction, "must be in (0, 0.5]");
    }
}

namespace SimClr.MLNet.Training;

/// <summary>Checks that the image sets of one run agree with each other and with the options.</summary>
internal static class ImageSets
{
    public static void CheckSize(int imageSize, params (ImageTensorSet? Set, string Name)[] sets)
    {
        foreach (var (set, name) in sets)
            if (set != null && set.Count > 0 && set.ImageSize != imageSize)
                throw new ArgumentException(
                    $"The {name} images are {set.ImageSize}x{set.ImageSize}, but the encoder is built for {imageSize}x{imageSize} (Encoder.ImageSize).");
    }

    public static void CheckClasses(ImageTensorSet labeled, ImageTensorSet? validation)
    {
        if (validation != null && validation.Count > 0 && !validation.ClassNames.SequenceEqual(labeled.ClassNames))
            throw new ArgumentException(
                $"Validation classes ({string.Join(", ", validation.ClassNames)}) differ from training classes ({string.Join(", ", labeled.ClassNames)}).");
    }
}

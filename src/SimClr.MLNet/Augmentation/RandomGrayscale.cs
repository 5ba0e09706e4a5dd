using static TorchSharp.torch;

namespace SimClr.MLNet.Augmentation;

/// <summary>Turns each image grayscale (ITU-R 601 luma, in all three channels) with a given probability.</summary>
public static class RandomGrayscale
{
    /// <summary>Applies the conversion to a random subset of <paramref name="images"/> ([N, 3, H, W] float).</summary>
    public static Tensor Apply(Tensor images, double probability, Generator generator)
    {
        if (probability == 0)
            return images;
        long n = images.shape[0];
        var chosen = (rand(new[] { n, 1, 1, 1 }, generator: generator) < probability).to(images.device);   // [N, 1, 1, 1]
        var weights = tensor(new[] { 0.299f, 0.587f, 0.114f }).reshape(1, 3, 1, 1).to(images.device).to(images.dtype);
        var luma = (images * weights).sum(1, keepdim: true).expand_as(images);                               // [N, 3, H, W]
        return where(chosen, luma, images);
    }
}

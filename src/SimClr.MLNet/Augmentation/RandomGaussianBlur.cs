using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Augmentation;

/// <summary>
/// Gaussian blur with a random sigma per image, applied with a given probability (SimCLR's blur). Separable:
/// one horizontal and one vertical depthwise convolution with a per-image kernel.
/// </summary>
public static class RandomGaussianBlur
{
    /// <summary>Blurs a random subset of <paramref name="images"/> ([N, C, H, W] float) with sigma up to <paramref name="maxSigmaFraction"/> x side.</summary>
    public static Tensor Apply(Tensor images, double probability, double maxSigmaFraction, Generator generator)
    {
        if (probability == 0)
            return images;
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        double maxSigma = Math.Max(0.1, maxSigmaFraction * Math.Max(h, w));
        int radius = Math.Max(1, (int)Math.Ceiling(2 * maxSigma));
        var draws = rand(new[] { n, 2 }, generator: generator);                                 // [N, 2]: apply, sigma
        var sigma = 0.1f + draws[.., 1] * (float)(maxSigma - 0.1);                              // [N]
        var offsets = arange(-radius, radius + 1, dtype: ScalarType.Float32);                  // [K]
        var kernel = exp(-(offsets.unsqueeze(0).square()) / (2 * sigma.unsqueeze(1).square())); // [N, K]
        kernel = kernel / kernel.sum(1, keepdim: true);
        var identity = zeros_like(kernel);
        identity[.., radius] = 1;
        kernel = where((draws[.., 0] < probability).unsqueeze(1), kernel, identity)
            .to(images.device).to(images.dtype);                                                // [N, K]
        // Depthwise over N*C channels: every image's channels share its kernel.
        var perChannel = kernel.repeat_interleave(c, 0);                                        // [N*C, K]
        var x = images.reshape(1, n * c, h, w);
        x = nn.functional.pad(x, new long[] { radius, radius, radius, radius }, PaddingModes.Reflect);
        x = nn.functional.conv2d(x, perChannel.reshape(n * c, 1, 1, -1), groups: n * c);
        x = nn.functional.conv2d(x, perChannel.reshape(n * c, 1, -1, 1), groups: n * c);
        return x.reshape(n, c, h, w);
    }
}

using static TorchSharp.torch;

namespace SimClr.MLNet.Augmentation;

/// <summary>
/// The reference's RandomColorAffine: each image's pixels are multiplied by its own 3x3 matrix
/// brightness * I + J, with brightness in [1 - b, 1 + b] and each entry of J in [-j, j], then clipped to [0, 1].
/// </summary>
public static class ColorAffine
{
    /// <summary>Applies a random colour affine to each image of <paramref name="images"/> ([N, 3, H, W] float in [0, 1]).</summary>
    public static Tensor Apply(Tensor images, double brightness, double jitter, Generator generator)
    {
        if (brightness == 0 && jitter == 0)
            return images;
        long n = images.shape[0];
        var scale = 1.0f + (rand(new[] { n, 1, 1 }, generator: generator) * 2 - 1) * (float)brightness;   // [N, 1, 1]
        var mix = (rand(new[] { n, 3, 3 }, generator: generator) * 2 - 1) * (float)jitter;                 // [N, 3, 3]
        var matrices = (eye(3).unsqueeze(0) * scale + mix).to(images.device).to(images.dtype);             // [N, c_in, c_out]
        // out[n, d, p] = sum_c in[n, c, p] * M[n, c, d], i.e. M^T @ in with pixels flattened.
        var flat = images.reshape(n, 3, -1);                                                                // [N, 3, H*W]
        return matrices.transpose(1, 2).bmm(flat).reshape(images.shape).clamp_(0, 1);
    }
}

using static TorchSharp.torch;

namespace SimClr.MLNet.Augmentation;

/// <summary>
/// Horizontal flip, translation and zoom as one affine warp per image (affine_grid + grid_sample, bilinear,
/// reflected borders), the same geometry as the reference's RandomFlip + RandomTranslation + RandomZoom.
/// </summary>
public static class RandomFlipTranslateZoom
{
    /// <summary>
    /// Warps each image of <paramref name="images"/> ([N, C, H, W] float) with its own random flip, zoom-in by
    /// s in [0, z] and shift in [-z/2, z/2] of the side, where z = <paramref name="zoomFactor"/>.
    /// </summary>
    public static Tensor Apply(Tensor images, double zoomFactor, double flipProbability, Generator generator)
    {
        long n = images.shape[0];
        if (zoomFactor == 0 && flipProbability == 0)
            return images;
        var draws = rand(new[] { n, 4 }, generator: generator).to(images.device);   // [N, 4]: flip, zoom, tx, ty
        var flip = where(draws[.., 0] < flipProbability, -1.0f, 1.0f);              // [N]
        var scale = 1.0f - draws[.., 1] * (float)zoomFactor;                         // [N], < 1 zooms in
        // Grid units are half-sides, so a shift of t half-sides moves the view by t/2 of the side.
        var shift = (draws[.., 2..4] * 2 - 1) * (float)zoomFactor;                   // [N, 2]
        var zero = zeros_like(scale);
        var theta = stack(new[]
        {
            stack(new[] { scale * flip, zero, shift[.., 0] }, 1),
            stack(new[] { zero, scale, shift[.., 1] }, 1),
        }, 1).to(images.dtype);                                                      // [N, 2, 3]
        var grid = nn.functional.affine_grid(theta, images.shape, align_corners: false);   // [N, H, W, 2]
        return nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, align_corners: false);
    }
}

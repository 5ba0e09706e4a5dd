using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>
/// Contrastive accuracy (SimCLR, Table 5): how often a view's partner has the highest similarity among the other
/// view's candidates, counted in both directions (rows of S and rows of S^T), as the reference measures it.
/// </summary>
public static class ContrastiveAccuracy
{
    /// <summary>Fraction of the 2N views whose partner ranks first, for a similarity matrix S ([N, N], partners on the diagonal).</summary>
    public static double Compute(Tensor similarities)
    {
        using var _ = no_grad();
        long n = similarities.shape[0];
        var targets = arange(n, device: similarities.device);
        var rows = similarities.argmax(1).eq(targets).sum();
        var columns = similarities.argmax(0).eq(targets).sum();
        return (rows + columns).item<long>() / (2.0 * n);
    }
}

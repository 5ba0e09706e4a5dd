using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>
/// The loss of SimSiam ("Exploring Simple Siamese Representation Learning", Chen and He, 2021, eq. 1 and 3):
/// D(p, stopgrad(z)) = -mean_i cos(p_i, z_i), the negative cosine similarity between the predictor's output for one
/// view and the projection of the other.
/// </summary>
/// <remarks>
/// <para>
/// The targets are detached here. The paper's central finding is that this stop-gradient alone prevents collapse
/// (without it the loss reaches -1 at once with a constant output), so it belongs to the loss, not to the caller.
/// </para>
/// <para>
/// SimSiam's symmetric loss is (D(p1, z2) + D(p2, z1)) / 2; the caller adds the two terms.
/// </para>
/// </remarks>
public static class NegativeCosineLoss
{
    /// <summary>-mean over the N rows of cos(p_i, z_i): a scalar in [-1, 1].</summary>
    /// <param name="predictions">[N, D] outputs of the predictor.</param>
    /// <param name="targets">[N, D] projections of the other view; treated as constants.</param>
    /// <exception cref="ArgumentException">The shapes differ or are not [N, D]; the message names the argument.</exception>
    public static Tensor Compute(Tensor predictions, Tensor targets)
    {
        PairChecks.SameRows(predictions, targets, nameof(predictions), nameof(targets));
        using var scope = NewDisposeScope();
        var p = nn.functional.normalize(predictions, dim: 1);          // [N, D]
        var z = nn.functional.normalize(targets.detach(), dim: 1);     // [N, D]
        return p.mul(z).sum(1).mean().neg().MoveToOuterDisposeScope();
    }
}

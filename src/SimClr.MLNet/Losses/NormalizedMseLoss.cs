using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>
/// The regression loss of BYOL ("Bootstrap Your Own Latent", Grill et al., 2020, eq. 2): the squared distance between
/// the L2-normalised online prediction and the L2-normalised target projection, ||p/|p| - t/|t|||^2 = 2 - 2 cos(p, t),
/// averaged over the rows of a batch.
/// </summary>
/// <remarks>
/// <para>
/// The targets come from the slowly moving target network and are detached here: BYOL's stop-gradient is what keeps
/// the online network from collapsing onto a constant, so a caller cannot forget it.
/// </para>
/// <para>
/// BYOL symmetrises the loss by also feeding the second view to the online network; the caller adds the two terms.
/// </para>
/// </remarks>
public static class NormalizedMseLoss
{
    /// <summary>Mean over the N rows of 2 - 2 cos(p_i, t_i): a scalar in [0, 4].</summary>
    /// <param name="predictions">[N, D] outputs of the online predictor.</param>
    /// <param name="targets">[N, D] target-network projections of the other view; treated as constants.</param>
    /// <exception cref="ArgumentException">The shapes differ or are not [N, D]; the message names the argument.</exception>
    public static Tensor Compute(Tensor predictions, Tensor targets)
    {
        // 2 - 2 mean cos is 2 + 2 times SimSiam's negative cosine, which checks the shapes and detaches the targets.
        using var scope = NewDisposeScope();
        return NegativeCosineLoss.Compute(predictions, targets).mul(2).add(2).MoveToOuterDisposeScope();
    }
}

using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>
/// The swapped-prediction loss of SwAV ("Unsupervised Learning of Visual Features by Contrasting Cluster
/// Assignments", Caron et al., 2020, eq. 1-3): each view's code, its soft assignment to the prototypes, is predicted
/// from the other view's scores.
/// </summary>
/// <remarks>
/// <para>
/// The scores are cosine similarities between L2-normalised embeddings and L2-normalised prototypes ([N, K]). The
/// codes Q come from the Sinkhorn-Knopp algorithm (section 3.1): Q ∝ exp(scores / ε), scaled in turn so that every
/// prototype holds 1/K of the batch's mass and every image 1/N. This equipartition is what keeps all images from
/// taking the same code, the collapse that SwAV avoids without negatives. The codes are targets: no gradient flows
/// into them.
/// </para>
/// <para>
/// The paper computes exp(scores / ε) and rescales it; with ε = 0.05 that is exp(20) at most, but a smaller ε
/// overflows or underflows float32 and gives NaN. <see cref="Codes"/> does the same scalings on the logarithms
/// (logsumexp), which is the same algorithm in exact arithmetic and stays finite for any ε.
/// </para>
/// </remarks>
public static class SwavLoss
{
    /// <summary>
    /// The codes of one view: <paramref name="iterations"/> rounds of Sinkhorn-Knopp on exp(scores / ε), each round
    /// scaling the prototypes' columns to 1/K and then the images' rows to 1/N; returned scaled by N, so that each
    /// row is a probability distribution over the K prototypes ([N, K], float32, no gradient).
    /// </summary>
    /// <param name="scores">[N, K] cosine similarities of N embeddings to K prototypes.</param>
    /// <param name="epsilon">ε, the entropic regularisation: smaller gives harder assignments. The paper's is 0.05.</param>
    /// <param name="iterations">Sinkhorn-Knopp rounds, at least 1. The paper's is 3.</param>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is not [N, K] with N, K &gt;= 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is not positive or <paramref name="iterations"/> is below 1.</exception>
    public static Tensor Codes(Tensor scores, double epsilon, int iterations)
    {
        if (scores.dim() != 2 || scores.shape[0] < 1 || scores.shape[1] < 1)
            throw new ArgumentException($"{nameof(scores)} must be [N, K] with N, K >= 1; got [{PairChecks.Shape(scores)}].", nameof(scores));
        if (!(epsilon > 0) || !double.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The Sinkhorn epsilon must be a positive number.");
        if (iterations < 1)
            throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "Sinkhorn-Knopp needs at least 1 iteration.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        long n = scores.shape[0], k = scores.shape[1];
        var logQ = scores.to(ScalarType.Float32).div(epsilon);              // [N, K]
        logQ = logQ.sub(logQ.flatten().logsumexp(0));                         // the whole matrix sums to 1
        for (int i = 0; i < iterations; i++)
        {
            logQ = logQ.sub(logQ.logsumexp(0, keepdim: true)).sub(Math.Log(k));   // each prototype: 1/K
            logQ = logQ.sub(logQ.logsumexp(1, keepdim: true)).sub(Math.Log(n));   // each image: 1/N
        }
        return logQ.add(Math.Log(n)).exp().MoveToOuterDisposeScope();          // each image: 1
    }

    /// <summary>
    /// SwAV's loss for two views: (ℓ(q1, scores2) + ℓ(q2, scores1)) / 2, where q_v are the <see cref="Codes"/> of view
    /// v and ℓ(q, s) = -mean_i Σ_k q_ik log softmax(s_i / τ)_k; a scalar. The gradient reaches the scores only
    /// through the softmax.
    /// </summary>
    /// <param name="scores1">[N, K] cosine similarities of the first view's embeddings to the prototypes.</param>
    /// <param name="scores2">[N, K] the same for the second view, row i the same image.</param>
    /// <param name="temperature">τ of the softmax, positive. The paper's is 0.1.</param>
    /// <param name="epsilon">ε of <see cref="Codes"/>.</param>
    /// <param name="iterations">Sinkhorn-Knopp rounds of <see cref="Codes"/>.</param>
    /// <exception cref="ArgumentException">The shapes differ or are not [N, K]; the message names the argument.</exception>
    /// <exception cref="ArgumentOutOfRangeException">τ or ε is not positive, or <paramref name="iterations"/> is below 1.</exception>
    public static Tensor Compute(Tensor scores1, Tensor scores2, double temperature, double epsilon, int iterations)
    {
        PairChecks.SameRows(scores1, scores2, nameof(scores1), nameof(scores2));
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The SwAV temperature must be a positive number.");
        using var scope = NewDisposeScope();
        var codes1 = Codes(scores1, epsilon, iterations);
        var codes2 = Codes(scores2, epsilon, iterations);
        return SwappedPrediction(codes1, scores2, temperature).add(SwappedPrediction(codes2, scores1, temperature)).div(2).MoveToOuterDisposeScope();
    }

    /// <summary>-mean_i Σ_k codes_ik log softmax(scores_i / τ)_k: the cross-entropy from the other view's codes.</summary>
    static Tensor SwappedPrediction(Tensor codes, Tensor scores, double temperature)
        => codes.mul(scores.div(temperature).log_softmax(1)).sum(1).mean().neg();
}

using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>
/// SuNCEt, the supervised contrastive loss of Assran et al. (2020), "Supervision Accelerates Pre-training in
/// Contrastive Semi-Supervised Learning of Visual Representations": each labelled embedding is an anchor whose
/// positives are the batch's other embeddings of its class, and whose candidates are all the batch's other embeddings.
/// </summary>
/// <remarks>
/// With L2-normalised rows z and s_ij = z_i . z_j / tau, row i's loss is
/// -log( sum_{j != i, y_j = y_i} exp(s_ij) / sum_{k != i} exp(s_ik) ): the probability that a soft nearest-neighbour
/// classifier over the other rows gives row i its own class. The loss is the mean over the rows that have at least one
/// positive; a row alone in its class has no positive and adds nothing, and a batch without any positive gives 0.
/// </remarks>
public static class SupervisedContrastiveLoss
{
    /// <summary>The mean SuNCEt loss of [N, D] <paramref name="embeddings"/> with 0-based class <paramref name="labels"/> [N]: a scalar.</summary>
    /// <exception cref="ArgumentException">The embeddings are not [N, D] or the labels not [N].</exception>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is not in (0, 10].</exception>
    public static Tensor Compute(Tensor embeddings, Tensor labels, double temperature)
    {
        if (!(temperature > 0 && temperature <= 10))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The SuNCEt temperature must be in (0, 10].");
        if (embeddings.dim() != 2 || labels.dim() != 1 || labels.shape[0] != embeddings.shape[0])
            throw new ArgumentException(
                $"SuNCEt needs [N, D] embeddings and [N] labels; got [{string.Join(", ", embeddings.shape)}] and [{string.Join(", ", labels.shape)}].",
                nameof(labels));
        using var scope = NewDisposeScope();
        long n = embeddings.shape[0];
        var z = nn.functional.normalize(embeddings, dim: 1);
        var self = eye(n, dtype: ScalarType.Bool, device: z.device);
        var similarities = z.matmul(z.t()).div(temperature).masked_fill(self, double.NegativeInfinity);   // [N, N]
        var sameClass = labels.unsqueeze(1).eq(labels.unsqueeze(0)).logical_and(self.logical_not());     // [N, N]
        var hasPositive = sameClass.any(1);                                                               // [N]
        if (!hasPositive.any().item<bool>())
            return zeros(Array.Empty<long>(), dtype: embeddings.dtype, device: embeddings.device).MoveToOuterDisposeScope();
        // Rows without a positive are dropped before the log-sum-exp: a row of -inf would give NaN gradients.
        var rows = hasPositive.nonzero().squeeze(1);
        var anchors = similarities.index_select(0, rows);
        var positives = anchors.masked_fill(sameClass.index_select(0, rows).logical_not(), double.NegativeInfinity);
        return anchors.logsumexp(1).sub(positives.logsumexp(1)).mean().MoveToOuterDisposeScope();
    }
}

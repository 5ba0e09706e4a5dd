using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>
/// The InfoNCE loss of MoCo ("Momentum Contrast for Unsupervised Visual Representation Learning", He et al., 2020,
/// Algorithm 1; kept unchanged in MoCo v2, Chen et al., 2020): each query must pick its own key out of that key and
/// the K negatives waiting in a queue.
/// </summary>
/// <remarks>
/// <para>
/// Queries q and keys k ([N, D]) are L2-normalised here; the queue ([K, D]) already holds normalised keys of earlier
/// batches. The logits are [q·k, q·queue^T] / tau ([N, 1 + K]), so the positive is always column 0 and the loss is the
/// cross-entropy with target 0, averaged over the N queries.
/// </para>
/// <para>
/// Keys and queue come from the momentum encoder and are detached here: MoCo trains only the query encoder by
/// back-propagation, and a gradient into the queue would reach encoders of batches that are long gone.
/// </para>
/// <example><code>
/// var q = head.call(encoder.call(view1));                     // [N, D]
/// var k = targetHead.call(targetEncoder.call(view2));         // [N, D]
/// var loss = InfoNceLoss.Compute(q, k, queue.Keys, temperature: 0.2);
/// loss.backward();
/// queue.Enqueue(nn.functional.normalize(k.detach(), dim: 1));
/// </code></example>
/// </remarks>
public static class InfoNceLoss
{
    /// <summary>
    /// The logits [q·k, q·queue^T] / tau ([N, 1 + K]), with the positive in column 0: the fraction of rows whose
    /// argmax is 0 is MoCo's top-1 "instance discrimination" accuracy.
    /// </summary>
    /// <param name="queries">[N, D] query projections, not normalised.</param>
    /// <param name="keys">[N, D] key projections of the same images, not normalised; treated as constants.</param>
    /// <param name="queue">[K, D] L2-normalised negative keys; treated as constants.</param>
    /// <param name="temperature">tau, in (0, 10]. MoCo v1 uses 0.07, MoCo v2 0.2.</param>
    /// <exception cref="ArgumentException">The shapes are not [N, D], [N, D] and [K, D]; the message names the argument.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is not in (0, 10].</exception>
    public static Tensor Logits(Tensor queries, Tensor keys, Tensor queue, double temperature)
    {
        Check(queries, keys, queue, temperature);
        using var scope = NewDisposeScope();
        var q = nn.functional.normalize(queries, dim: 1);                 // [N, D]
        var k = nn.functional.normalize(keys.detach(), dim: 1);           // [N, D]
        var positives = q.mul(k).sum(1, keepdim: true);                   // [N, 1]
        var negatives = q.matmul(queue.detach().t());                     // [N, K]
        return cat(new[] { positives, negatives }, 1).div(temperature).MoveToOuterDisposeScope();   // [N, 1 + K]
    }

    /// <summary>Mean over the N queries of the cross-entropy of <see cref="Logits"/> with target 0: a scalar.</summary>
    /// <inheritdoc cref="Logits" path="/param"/>
    /// <inheritdoc cref="Logits" path="/exception"/>
    public static Tensor Compute(Tensor queries, Tensor keys, Tensor queue, double temperature)
    {
        using var scope = NewDisposeScope();
        var logits = Logits(queries, keys, queue, temperature);          // [N, 1 + K]
        var targets = zeros(logits.shape[0], dtype: ScalarType.Int64, device: logits.device);
        return nn.functional.cross_entropy(logits, targets).MoveToOuterDisposeScope();
    }

    static void Check(Tensor queries, Tensor keys, Tensor queue, double temperature)
    {
        if (!(temperature > 0 && temperature <= 10))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The InfoNCE temperature must be in (0, 10].");
        if (queries.dim() != 2 || queries.shape[0] < 1)
            throw new ArgumentException($"Queries must be [N, D] with N >= 1; got [{PairChecks.Shape(queries)}].", nameof(queries));
        if (!keys.shape.SequenceEqual(queries.shape))
            throw new ArgumentException(
                $"Keys [{PairChecks.Shape(keys)}] must have the queries' shape [{PairChecks.Shape(queries)}].", nameof(keys));
        if (queue.dim() != 2 || queue.shape[1] != queries.shape[1])
            throw new ArgumentException(
                $"The queue must be [K, {queries.shape[1]}] to match the queries; got [{PairChecks.Shape(queue)}].", nameof(queue));
    }
}

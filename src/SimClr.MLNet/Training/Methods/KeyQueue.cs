using static TorchSharp.torch;

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// MoCo's dictionary ("Momentum Contrast for Unsupervised Visual Representation Learning", He et al., 2020, section
/// 3.2): a ring buffer of the K most recent keys, the negatives of <see cref="Losses.InfoNceLoss"/>.
/// </summary>
/// <remarks>
/// <para>
/// The queue decouples the number of negatives from the batch size: each step enqueues the batch's keys over the
/// oldest ones, so every key is at most K / B steps old and comes from a nearly identical momentum encoder.
/// </para>
/// <para>
/// Both the keys and the write position are buffers, so a checkpoint (<see cref="Checkpoint"/>, through the module's
/// state dict) restores the queue exactly and a resumed run draws the same negatives. The queue is meant to stay
/// float32: a module-wide dtype conversion would convert the int64 write position too.
/// </para>
/// </remarks>
public sealed class KeyQueue : nn.Module
{
    // Field names are the state-dict keys.
    private Tensor keys;
    private Tensor pointer;

    /// <summary>
    /// Creates a queue of <paramref name="size"/> random unit rows, as MoCo starts it (drawn from libtorch's global
    /// generator, so seed that first for a reproducible run).
    /// </summary>
    /// <param name="size">K, the number of keys, at least 1. MoCo uses 65536 on ImageNet, 4096 is common on CIFAR-10.</param>
    /// <param name="dim">D, the projection width, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="dim"/> is below 1.</exception>
    public KeyQueue(int size, int dim) : base(nameof(KeyQueue))
    {
        if (size < 1)
            throw new ArgumentOutOfRangeException(nameof(size), size, "The key queue must hold at least one key.");
        if (dim < 1)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, "The keys must have at least one dimension.");
        Size = size;
        using (no_grad())
        {
            // The module owns its buffers: a dispose scope around the constructor must not free them.
            keys = nn.functional.normalize(randn(size, dim), dim: 1).DetachFromDisposeScope();   // [K, D]
            pointer = zeros(1, dtype: ScalarType.Int64).DetachFromDisposeScope();               // [1]
        }
        RegisterComponents();
    }

    /// <summary>The [K, D] keys as stored: row <see cref="Pointer"/> is the oldest, the row before it the newest.</summary>
    public Tensor Keys => keys;

    /// <summary>The row the next enqueued key goes to, in [0, K).</summary>
    public long Pointer => pointer.item<long>();

    /// <summary>K, the number of keys.</summary>
    public int Size { get; }

    /// <summary>
    /// Writes <paramref name="newKeys"/> over the oldest keys, starting at <see cref="Pointer"/> and wrapping around the
    /// end, and advances the pointer by B modulo K. The values are copied, so the caller may dispose its tensor.
    /// </summary>
    /// <param name="newKeys">[B, D] L2-normalised keys, 1 &lt;= B &lt;= K; detached here.</param>
    /// <exception cref="ArgumentException"><paramref name="newKeys"/> is not [B, D] with 1 &lt;= B &lt;= K.</exception>
    public void Enqueue(Tensor newKeys)
    {
        long dim = keys.shape[1];
        if (newKeys.dim() != 2 || newKeys.shape[1] != dim || newKeys.shape[0] < 1 || newKeys.shape[0] > Size)
            throw new ArgumentException(
                $"Keys to enqueue must be [B, {dim}] with 1 <= B <= {Size}; got [{string.Join(", ", newKeys.shape)}].", nameof(newKeys));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var source = newKeys.detach();                                   // [B, D]
        long count = source.shape[0];
        long start = Pointer;
        long first = Math.Min(count, Size - start);
        keys.narrow(0, start, first).copy_(source.narrow(0, 0, first));
        if (count > first)
            keys.narrow(0, 0, count - first).copy_(source.narrow(0, first, count - first));
        pointer.fill_((start + count) % Size);
    }
}

using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>
/// The redundancy-reduction loss of Barlow Twins ("Barlow Twins: Self-Supervised Learning via Redundancy Reduction",
/// Zbontar et al., 2021, eq. 1): the cross-correlation matrix of two views' embeddings is pushed towards the identity.
/// </summary>
/// <remarks>
/// <para>
/// Each embedding dimension is standardised along the batch (zero mean, unit biased variance, eps 1e-5: what the
/// paper's affine-free BatchNorm1d does in training mode), then C = z1n^T z2n / N ([D, D]). The loss is
/// sum_i (1 - C_ii)^2 + lambda sum_{i != j} C_ij^2: the diagonal term makes each dimension invariant to the
/// augmentation, the off-diagonal term decorrelates the dimensions so they do not all carry the same information.
/// </para>
/// <para>
/// The off-diagonal sum has D(D - 1) terms against D on the diagonal, so a fixed lambda weighs decorrelation more as
/// the projector widens. <see cref="ScaledOffDiagonalWeight"/> keeps lambda D at the value of the common CIFAR-10
/// setting (solo-learn and lightly: a 2048-wide projector with lambda = 0.0051) for other widths.
/// </para>
/// </remarks>
public static class BarlowTwinsLoss
{
    /// <summary>lambda of the paper, and of solo-learn's and lightly's CIFAR-10 settings.</summary>
    public const double PaperOffDiagonalWeight = 0.0051;

    /// <summary>The projector width that <see cref="PaperOffDiagonalWeight"/> goes with in those CIFAR-10 settings.</summary>
    public const int PaperReferenceWidth = 2048;

    const double BatchNormEpsilon = 1e-5;

    /// <summary>
    /// lambda for a projector of <paramref name="width"/> dimensions: 0.0051 x 2048 / width, which holds lambda D at
    /// its value in the 2048-wide CIFAR-10 setting, so the off-diagonal term keeps its weight against the diagonal
    /// as D changes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is below 1.</exception>
    public static double ScaledOffDiagonalWeight(int width)
    {
        if (width < 1)
            throw new ArgumentOutOfRangeException(nameof(width), width, "The projector width must be at least 1.");
        return PaperOffDiagonalWeight * PaperReferenceWidth / width;
    }

    /// <summary>
    /// The cross-correlation C = z1n^T z2n / N ([D, D]) of the batch-standardised embeddings: C_ij is the correlation,
    /// over the batch, between dimension i of view 1 and dimension j of view 2.
    /// </summary>
    /// <param name="embeddings1">[N, D] projector outputs of the first view, N &gt;= 2.</param>
    /// <param name="embeddings2">[N, D] projector outputs of the second view, row i the same image as in <paramref name="embeddings1"/>.</param>
    /// <exception cref="ArgumentException">The shapes differ or are not [N, D] with N &gt;= 2 (a batch of one has no variance); the message names the argument.</exception>
    public static Tensor CrossCorrelation(Tensor embeddings1, Tensor embeddings2)
    {
        PairChecks.SameRows(embeddings1, embeddings2, nameof(embeddings1), nameof(embeddings2), minimumRows: 2);
        using var scope = NewDisposeScope();
        long n = embeddings1.shape[0];
        var z1 = Standardise(embeddings1);                 // [N, D]
        var z2 = Standardise(embeddings2);                 // [N, D]
        return z1.t().matmul(z2).div(n).MoveToOuterDisposeScope();   // [D, D]
    }

    /// <summary>sum_i (1 - C_ii)^2 + lambda sum_{i != j} C_ij^2 for C = <see cref="CrossCorrelation"/>: a scalar.</summary>
    /// <param name="embeddings1">[N, D] projector outputs of the first view, N &gt;= 2.</param>
    /// <param name="embeddings2">[N, D] projector outputs of the second view.</param>
    /// <param name="offDiagonalWeight">lambda, at least 0: <see cref="PaperOffDiagonalWeight"/> or <see cref="ScaledOffDiagonalWeight"/>.</param>
    /// <exception cref="ArgumentException">The shapes differ or are not [N, D] with N &gt;= 2.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offDiagonalWeight"/> is negative or not finite.</exception>
    public static Tensor Compute(Tensor embeddings1, Tensor embeddings2, double offDiagonalWeight)
    {
        if (!(offDiagonalWeight >= 0) || !double.IsFinite(offDiagonalWeight))
            throw new ArgumentOutOfRangeException(nameof(offDiagonalWeight), offDiagonalWeight,
                "The Barlow Twins off-diagonal weight must be a finite number of at least 0.");
        using var scope = NewDisposeScope();
        var c = CrossCorrelation(embeddings1, embeddings2);                          // [D, D]
        var diagonal = c.diagonal();                                                  // [D]
        var onDiagonal = diagonal.neg().add(1).pow(2).sum();
        var isDiagonal = eye(c.shape[0], dtype: ScalarType.Bool, device: c.device);   // [D, D]
        var offDiagonal = c.pow(2).masked_fill(isDiagonal, 0).sum();
        return onDiagonal.add(offDiagonal.mul(offDiagonalWeight)).MoveToOuterDisposeScope();
    }

    static Tensor Standardise(Tensor z)
    {
        var mean = z.mean(new long[] { 0 }, keepdim: true);                            // [1, D]
        var variance = z.var(0, unbiased: false, keepdim: true);                       // [1, D]
        return z.sub(mean).div(variance.add(BatchNormEpsilon).sqrt());               // [N, D]
    }
}

using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>
/// A collapse monitor for the non-contrastive methods (BYOL, SimSiam, Barlow Twins), whose loss alone cannot show a
/// collapse: SimSiam's paper (Chen and He, 2021, section 4.1) plots it, and lightly computes it as
/// <c>std_of_l2_normalized</c>.
/// </summary>
/// <remarks>
/// Rows are L2-normalised, each of the D columns' standard deviation over the batch is taken, and the D values are
/// averaged. Embeddings spread like a random Gaussian give about 1/sqrt(D); a collapsed encoder, which maps every
/// image to the same direction, gives 0.
/// </remarks>
public static class EmbeddingSpread
{
    /// <summary>The mean over columns of the (unbiased) per-column standard deviation of the L2-normalised rows.</summary>
    /// <param name="embeddings">[N, D] embeddings or projections, N &gt;= 2; not modified, no gradient is recorded.</param>
    /// <exception cref="ArgumentException"><paramref name="embeddings"/> is not [N, D] with N &gt;= 2.</exception>
    public static double Std(Tensor embeddings)
    {
        if (embeddings.dim() != 2 || embeddings.shape[0] < 2)
            throw new ArgumentException(
                $"Embeddings must be [N, D] with N >= 2 to have a spread; got [{PairChecks.Shape(embeddings)}].", nameof(embeddings));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // float64 so that bfloat16 or float16 features still give a precise monitor.
        var z = nn.functional.normalize(embeddings.to_type(ScalarType.Float64), dim: 1);   // [N, D]
        return z.std(0, unbiased: true).mean().item<double>();
    }
}

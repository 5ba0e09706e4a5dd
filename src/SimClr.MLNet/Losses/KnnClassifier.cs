using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>
/// Weighted k-nearest-neighbour classification on cosine similarity (Wu et al., 2018, "Unsupervised Feature
/// Learning via Non-Parametric Instance Discrimination"): each of the k most similar labelled features votes for
/// its class with weight exp(similarity / tau). A cheap monitor of feature quality that trains nothing.
/// </summary>
public static class KnnClassifier
{
    /// <summary>
    /// Predicts classes for <paramref name="queries"/> ([Q, D]) from a memory bank <paramref name="bank"/> ([B, D])
    /// with labels <paramref name="bankLabels"/> ([B], 0-based); returns [Q] class indices.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is not positive.</exception>
    public static Tensor Predict(Tensor queries, Tensor bank, Tensor bankLabels, int classCount, int k = 20, double temperature = 0.1)
    {
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be at least 1.");
        using var _ = no_grad();
        var q = nn.functional.normalize(queries, dim: 1);
        var b = nn.functional.normalize(bank, dim: 1);
        int neighbours = (int)Math.Min(k, b.shape[0]);
        var (similarity, index) = q.matmul(b.t()).topk(neighbours, dim: 1);                 // [Q, k]
        var votes = zeros(q.shape[0], classCount, device: q.device);                          // [Q, classes]
        votes.scatter_add_(1, bankLabels[index], (similarity / temperature).exp());
        return votes.argmax(1);
    }

    /// <summary>Accuracy of <see cref="Predict"/> against <paramref name="queryLabels"/>.</summary>
    public static double Accuracy(Tensor queries, Tensor queryLabels, Tensor bank, Tensor bankLabels, int classCount, int k = 20, double temperature = 0.1)
    {
        using var scope = NewDisposeScope();
        return Predict(queries, bank, bankLabels, classCount, k, temperature).eq(queryLabels).to(ScalarType.Float32).mean().item<float>();
    }
}

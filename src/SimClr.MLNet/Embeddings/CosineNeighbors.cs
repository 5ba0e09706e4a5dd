using static TorchSharp.torch;

namespace SimClr.MLNet.Embeddings;

/// <summary>One neighbour: its row in the bank and its cosine similarity to the query.</summary>
public readonly record struct Neighbor(int Row, float Similarity);

/// <summary>Exact nearest neighbours by cosine similarity, as the kNN monitor and lightly's neighbour grids rank them.</summary>
public static class CosineNeighbors
{
    /// <summary>
    /// The <paramref name="k"/> rows of <paramref name="bank"/> most similar to each query, most similar first.
    /// <paramref name="exclude"/>(query, row) drops candidates, such as the query itself when queries come from the bank.
    /// </summary>
    /// <exception cref="ArgumentException">The widths differ, or k is not in [1, bank size].</exception>
    public static Neighbor[][] Find(float[][] queries, float[][] bank, int k, Func<int, int, bool>? exclude = null)
    {
        if (k < 1 || k > bank.Length)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {bank.Length}], the bank's size.");
        if (queries.Length == 0)
            return Array.Empty<Neighbor[]>();
        if (queries[0].Length != bank[0].Length)
            throw new ArgumentException($"Queries have {queries[0].Length} features, the bank {bank[0].Length}.", nameof(queries));
        // simclr serve answers requests on several threads: see FinalizerPause.
        using var pause = Runtime.FinalizerPause.Begin();
        using var scope = NewDisposeScope();
        var q = nn.functional.normalize(Stack(queries), dim: 1);   // [Q, D]
        var b = nn.functional.normalize(Stack(bank), dim: 1);      // [B, D]
        var similarities = q.matmul(b.t());                         // [Q, B]
        int excludedAtMost = 0;
        if (exclude != null)
        {
            var mask = new bool[queries.Length * bank.Length];
            for (int i = 0; i < queries.Length; i++)
            {
                int excluded = 0;
                for (int j = 0; j < bank.Length; j++)
                    if (mask[i * bank.Length + j] = exclude(i, j))
                        excluded++;
                excludedAtMost = Math.Max(excludedAtMost, excluded);
            }
            similarities.masked_fill_(tensor(mask, new long[] { queries.Length, bank.Length }), float.NegativeInfinity);
        }
        int take = Math.Min(bank.Length, k + excludedAtMost);
        var (values, indices) = similarities.topk(take, dim: 1);
        var v = values.data<float>().ToArray();
        var ix = indices.data<long>().ToArray();
        int width = (int)values.shape[1];
        return Enumerable.Range(0, queries.Length).Select(i => Enumerable.Range(0, width)
                .Select(j => new Neighbor((int)ix[i * width + j], v[i * width + j]))
                .Where(n => float.IsFinite(n.Similarity)).Take(k).ToArray())
            .ToArray();
    }

    static Tensor Stack(float[][] rows)
    {
        var flat = new float[rows.Length * rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            rows[i].CopyTo(flat, i * rows[0].Length);
        return tensor(flat, new long[] { rows.Length, rows[0].Length });
    }
}

namespace SimClr.MLNet.Embeddings;

/// <summary>One neighbour: its row in the bank and its cosine similarity to the query.</summary>
public readonly record struct Neighbor(int Row, float Similarity);

/// <summary>Exact nearest neighbours by cosine similarity, as the kNN monitor and lightly's neighbour grids rank them.</summary>
public static class CosineNeighbors
{
    /// <summary>
    /// The <paramref name="k"/> rows of <paramref name="bank"/> most similar to each query, most similar first
    /// (see <see cref="CosineIndex"/>; to search one bank many times, keep one of those).
    /// <paramref name="exclude"/>(query, row) drops candidates, such as the query itself when queries come from the bank.
    /// </summary>
    /// <exception cref="ArgumentException">The widths differ, or k is not in [1, bank size].</exception>
    public static Neighbor[][] Find(float[][] queries, float[][] bank, int k, Func<int, int, bool>? exclude = null)
    {
        var index = new CosineIndex(bank);
        if (k < 1 || k > index.Count)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {index.Count}], the bank's size.");
        if (queries.FirstOrDefault(q => q.Length != index.Width) is { } wrong)
            throw new ArgumentException($"Queries have {wrong.Length} features, the bank {index.Width}.", nameof(queries));
        return queries.Select((query, i) => index.Nearest(query, k, exclude == null ? null : row => exclude(i, row))).ToArray();
    }
}

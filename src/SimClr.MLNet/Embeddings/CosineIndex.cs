using System.Numerics.Tensors;

namespace SimClr.MLNet.Embeddings;

/// <summary>
/// A bank of feature vectors, normalised once, searched exactly by cosine similarity one query at a time. Read-only
/// after construction, so any number of threads may search it at once (<c>simclr serve</c> does, per request).
/// </summary>
/// <remarks>
/// Managed code (SIMD dot products), not libtorch: <c>simclr serve</c> searching a 3,000-image index by stacking and
/// normalising the whole bank as tensors on every request answered 265.2 requests/s, this 2,717.4 (4 clients,
/// family-26 EPYC; README, Benchmarks), and libtorch on request threads needs <see cref="Runtime.FinalizerPause"/>,
/// a collection per call.
/// Equal similarities rank the lower row first, so answers do not depend on the order of a sort.
/// </remarks>
public sealed class CosineIndex
{
    /// <summary>Norms below this count as zero: such a vector is left at zero and is similar to nothing (similarity 0).</summary>
    const float SmallestNorm = 1e-12f;

    readonly float[] _unitRows;

    /// <exception cref="ArgumentException">The bank is empty, its rows have no features, or they differ in width.</exception>
    public CosineIndex(IReadOnlyList<float[]> bank)
    {
        if (bank.Count == 0 || bank[0].Length == 0)
            throw new ArgumentException("The bank has no rows, or its rows no features.", nameof(bank));
        Width = bank[0].Length;
        Count = bank.Count;
        _unitRows = new float[checked(Count * Width)];
        for (int row = 0; row < Count; row++)
        {
            if (bank[row].Length != Width)
                throw new ArgumentException($"Row {row} of the bank has {bank[row].Length} features, row 0 has {Width}.", nameof(bank));
            Normalize(bank[row], _unitRows.AsSpan(row * Width, Width));
        }
    }

    /// <summary>How many rows the bank holds.</summary>
    public int Count { get; }

    /// <summary>How many features each row has.</summary>
    public int Width { get; }

    /// <summary>
    /// The <paramref name="k"/> rows most similar to <paramref name="query"/>, most similar first (fewer when
    /// <paramref name="exclude"/> drops rows or similarities are not finite).
    /// </summary>
    /// <exception cref="ArgumentException">The query's width differs from the bank's, or k is not in [1, <see cref="Count"/>].</exception>
    public Neighbor[] Nearest(ReadOnlySpan<float> query, int k, Func<int, bool>? exclude = null)
    {
        if (k < 1 || k > Count)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, {Count}], the bank's size.");
        if (query.Length != Width)
            throw new ArgumentException($"The query has {query.Length} features, the bank {Width}.", nameof(query));
        var unitQuery = new float[Width];
        Normalize(query, unitQuery);
        // The worst of the best k so far sits at the root, ready to be replaced.
        var best = new PriorityQueue<Neighbor, Neighbor>(k + 1, WorstFirst.Instance);
        for (int row = 0; row < Count; row++)
        {
            float similarity = TensorPrimitives.Dot(unitQuery, _unitRows.AsSpan(row * Width, Width));
            if (!float.IsFinite(similarity) || exclude?.Invoke(row) == true)
                continue;
            var candidate = new Neighbor(row, similarity);
            if (best.Count < k)
                best.Enqueue(candidate, candidate);
            else if (WorstFirst.Instance.Compare(candidate, best.Peek()) > 0)
                best.EnqueueDequeue(candidate, candidate);
        }
        var nearest = new Neighbor[best.Count];
        for (int i = nearest.Length - 1; i >= 0; i--)
            nearest[i] = best.Dequeue();
        return nearest;
    }

    static void Normalize(ReadOnlySpan<float> vector, Span<float> unit)
    {
        float norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Divide(vector, Math.Max(norm, SmallestNorm), unit);
    }

    /// <summary>Orders neighbours worst first: lower similarity, then (at equal similarity) the higher row.</summary>
    sealed class WorstFirst : IComparer<Neighbor>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare(Neighbor x, Neighbor y)
        {
            int bySimilarity = x.Similarity.CompareTo(y.Similarity);
            return bySimilarity != 0 ? bySimilarity : y.Row.CompareTo(x.Row);
        }
    }
}

namespace SimClr.MLNet.Training;

/// <summary>
/// The order in which an epoch visits a set: a permutation that depends only on (seed, epoch, stream), so a
/// resumed run sees exactly the batches the uninterrupted run would have.
/// </summary>
internal static class EpochOrder
{
    static readonly Dictionary<(int, int, int, int), int[]> Cache = new();

    /// <summary>The permutation of 0..count-1 for one epoch of one stream (0 = unlabelled, 1 = labelled, ...).</summary>
    public static int[] Permutation(int count, int seed, int epoch, int stream)
    {
        lock (Cache)
        {
            var key = (count, seed, epoch, stream);
            if (Cache.TryGetValue(key, out var cached))
                return cached;
            var order = Enumerable.Range(0, count).ToArray();
            new Random(SeedMixer.Mix(seed, epoch, stream)).Shuffle(order);
            if (Cache.Count > 16)
                Cache.Clear();
            Cache[key] = order;
            return order;
        }
    }

    /// <summary>Rows of batch <paramref name="step"/> (each <paramref name="batch"/> long) in that permutation.</summary>
    public static IEnumerable<long> Slice(int count, int seed, int epoch, int stream, int step, int batch)
    {
        if (batch == 0 || count == 0)
            return Array.Empty<long>();
        var order = Permutation(count, seed, epoch, stream);
        int start = step * batch;
        return Enumerable.Range(start, Math.Min(batch, Math.Max(0, count - start))).Select(i => (long)order[i]);
    }
}

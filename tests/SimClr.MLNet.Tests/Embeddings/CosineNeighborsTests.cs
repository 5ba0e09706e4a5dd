using SimClr.MLNet.Embeddings;
using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Embeddings;

public class CosineNeighborsTests
{
    static double Cosine(float[] a, float[] b)
        => a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x)) / Math.Sqrt(b.Sum(x => (double)x * x));

    static float[][] Random(int rows, int width, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, width).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
    }

    [Fact]
    public void RanksTheBankAsAnExplicitLoopDoes()
    {
        var queries = Random(4, 5, 1);
        var bank = Random(30, 5, 2);

        var found = CosineNeighbors.Find(queries, bank, k: 6);

        for (int q = 0; q < queries.Length; q++)
        {
            var expected = Enumerable.Range(0, bank.Length).Select(b => (Row: b, Similarity: Cosine(queries[q], bank[b])))
                .OrderByDescending(p => p.Similarity).Take(6).ToArray();
            Assert.Equal(expected.Select(e => e.Row), found[q].Select(n => n.Row));
            Assert.All(found[q].Zip(expected), pair => Assert.Equal(pair.Second.Similarity, pair.First.Similarity, 5));
        }
    }

    [Fact]
    public void ExcludedRowsAreNeverNeighbours()
    {
        var points = Random(10, 3, 3);
        var found = CosineNeighbors.Find(points, points, k: 9, exclude: (q, b) => q == b);
        Assert.All(found.Select((n, q) => (n, q)), pair =>
        {
            Assert.Equal(9, pair.n.Length);
            Assert.DoesNotContain(pair.q, pair.n.Select(x => x.Row));
        });
    }

    [Fact]
    public void EqualSimilaritiesRankTheLowerRowFirst()
    {
        var bank = new[] { new[] { 0f, 1f }, new[] { 2f, 0f }, new[] { 0f, 3f }, new[] { 1f, 0f }, new[] { 0f, 0.5f } };

        var found = new CosineIndex(bank).Nearest(new[] { 0f, 7f }, k: 4);

        Assert.Equal(new[] { 0, 2, 4, 1 }, found.Select(n => n.Row));
        Assert.Equal(new[] { 1f, 1f, 1f, 0f }, found.Select(n => n.Similarity));
    }

    [Fact]
    public void AZeroVectorIsSimilarToNothingAndANaNIsNeverANeighbour()
    {
        var bank = new[] { new[] { 0f, 0f }, new[] { float.NaN, 1f }, new[] { 1f, 1f } };
        var index = new CosineIndex(bank);

        Assert.Equal(new[] { new Neighbor(2, MathF.Sqrt(0.5f)), new Neighbor(0, 0f) }, index.Nearest(new[] { 1f, 0f }, k: 3));
        Assert.Equal(new[] { 0, 2 }, index.Nearest(new[] { 0f, 0f }, k: 3).Select(n => n.Row));
        Assert.Empty(index.Nearest(new[] { float.NaN, 0f }, k: 3));
    }

    [Fact]
    public void ManyThreadsGetTheAnswersOfOne()
    {
        var index = new CosineIndex(Random(2000, 16, 6));
        var queries = Random(64, 16, 7);
        var alone = queries.Select(q => index.Nearest(q, k: 8)).ToArray();

        var together = new Neighbor[queries.Length][];
        Parallel.For(0, queries.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => together[i % queries.Length] = index.Nearest(queries[i % queries.Length], k: 8));

        Assert.All(Enumerable.Range(0, queries.Length), q => Assert.Equal(alone[q], together[q]));
    }

    [Fact]
    public void BadArgumentsAreRefusedByName()
    {
        var points = Random(3, 2, 4);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => CosineNeighbors.Find(points, points, 4)).ParamName);
        Assert.Equal("queries", Assert.Throws<ArgumentException>(() => CosineNeighbors.Find(Random(1, 3, 5), points, 1)).ParamName);
        Assert.Equal("query", Assert.Throws<ArgumentException>(() => new CosineIndex(points).Nearest(new float[3], 1)).ParamName);
        Assert.Equal("bank", Assert.Throws<ArgumentException>(() => new CosineIndex(new[] { new float[2], new float[3] })).ParamName);
        Assert.Equal("bank", Assert.Throws<ArgumentException>(() => new CosineIndex(Array.Empty<float[]>())).ParamName);
    }
}

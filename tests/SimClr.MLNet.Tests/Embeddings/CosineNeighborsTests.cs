using SimClr.MLNet.Embeddings;
using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Embeddings;

[Collection(LibtorchGlobalState.Name)]
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
    public void BadArgumentsAreRefusedByName()
    {
        var points = Random(3, 2, 4);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => CosineNeighbors.Find(points, points, 4)).ParamName);
        Assert.Equal("queries", Assert.Throws<ArgumentException>(() => CosineNeighbors.Find(Random(1, 3, 5), points, 1)).ParamName);
    }
}

using SimClr.MLNet.Losses;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Methods.Reference;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

[Collection(LibtorchGlobalState.Name)]
public class InfoNceLossTests
{
    /// <summary>Logits of one query written out: [q·k, q·queue_1, ..., q·queue_K] / tau, q and k normalised.</summary>
    static double[] ExplicitLogits(double[] query, double[] key, double[][] queue, double tau)
    {
        var q = Normalise(query);
        return new[] { Dot(q, Normalise(key)) }.Concat(queue.Select(negative => Dot(q, negative))).Select(l => l / tau).ToArray();
    }

    static double[] Softmax(double[] logits)
    {
        double max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        return exp.Select(e => e / exp.Sum()).ToArray();
    }

    static double ExplicitLoss(double[][] queries, double[][] keys, double[][] queue, double tau)
        => queries.Select((query, i) => -Math.Log(Softmax(ExplicitLogits(query, keys[i], queue, tau))[0])).Average();

    static (Tensor Queries, Tensor Keys, Tensor Queue) Batch(bool requiresGrad = false)
    {
        TorchRuntime.Seed(11);
        return (randn(5, 4).requires_grad_(requiresGrad), randn(5, 4).requires_grad_(requiresGrad),
            nn.functional.normalize(randn(6, 4), dim: 1).requires_grad_(requiresGrad));
    }

    [Theory]
    [InlineData(0.07)]
    [InlineData(0.5)]
    public void MatchesAnExplicitLoop(double temperature)
    {
        using var scope = NewDisposeScope();
        var (q, k, queue) = Batch();

        var logits = Rows(InfoNceLoss.Logits(q, k, queue, temperature));
        double value = InfoNceLoss.Compute(q, k, queue, temperature).item<float>();

        var queries = Rows(q);
        var keys = Rows(k);
        var negatives = Rows(queue);
        Assert.Equal(ExplicitLoss(queries, keys, negatives, temperature), value, 4);
        for (int i = 0; i < 5; i++)
        {
            var expected = ExplicitLogits(queries[i], keys[i], negatives, temperature);
            Assert.Equal(7, logits[i].Length);
            for (int j = 0; j < expected.Length; j++)
                Assert.Equal(expected[j], logits[i][j], 4);
        }
    }

    [Fact]
    public void OnlyTheQueriesGetAGradientAndItMatchesTheAnalyticOne()
    {
        using var scope = NewDisposeScope();
        const double tau = 0.2;
        var (q, k, queue) = Batch(requiresGrad: true);

        InfoNceLoss.Compute(q, k, queue, tau).backward();

        Assert.True(HasNoGradient(k));
        Assert.True(HasNoGradient(queue));
        // dL/dq_i = (I - q̂ q̂^T) / |q_i| · sum_j (softmax_j - [j = 0]) c_j / (tau N), c_0 = k̂_i and c_j = queue_j.
        var queries = Rows(q);
        var keys = Rows(k);
        var negatives = Rows(queue);
        var gradient = Rows(q.grad!);
        int n = queries.Length, d = queries[0].Length;
        for (int i = 0; i < n; i++)
        {
            var p = Softmax(ExplicitLogits(queries[i], keys[i], negatives, tau));
            var candidates = new[] { Normalise(keys[i]) }.Concat(negatives).ToArray();
            var towardsUnit = new double[d];
            for (int j = 0; j < candidates.Length; j++)
                for (int c = 0; c < d; c++)
                    towardsUnit[c] += (p[j] - (j == 0 ? 1 : 0)) * candidates[j][c] / (tau * n);
            var unit = Normalise(queries[i]);
            double norm = Math.Sqrt(Dot(queries[i], queries[i]));
            double radial = Dot(towardsUnit, unit);
            for (int c = 0; c < d; c++)
                Assert.Equal((towardsUnit[c] - radial * unit[c]) / norm, gradient[i][c], 5);
        }
        Assert.True(q.grad!.abs().max().item<float>() > 0);
    }

    [Fact]
    public void BadArgumentsAreRejectedByName()
    {
        using var scope = NewDisposeScope();
        var (q, k, queue) = Batch();
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => InfoNceLoss.Compute(q, k, queue, 0)).ParamName);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => InfoNceLoss.Logits(q, k, queue, 11)).ParamName);
        Assert.Equal("keys", Assert.Throws<ArgumentException>(() => InfoNceLoss.Compute(q, k.narrow(0, 0, 4), queue, 0.2)).ParamName);
        Assert.Equal("queue", Assert.Throws<ArgumentException>(() => InfoNceLoss.Compute(q, k, randn(6, 3), 0.2)).ParamName);
        Assert.Equal("queries", Assert.Throws<ArgumentException>(() => InfoNceLoss.Compute(randn(5), k, queue, 0.2)).ParamName);
    }
}

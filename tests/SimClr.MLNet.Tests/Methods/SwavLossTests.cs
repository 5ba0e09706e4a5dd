using SimClr.MLNet.Losses;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Methods.Reference;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

[Collection(LibtorchGlobalState.Name)]
public class SwavLossTests
{
    /// <summary>The paper's Sinkhorn-Knopp as written there (Algorithm 1), in float64: Q = exp(scores / ε)^T, scaled in turn.</summary>
    static double[][] ExplicitCodes(double[][] scores, double epsilon, int iterations)
    {
        int n = scores.Length, k = scores[0].Length;
        var q = new double[k, n];
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
                total += q[j, i] = Math.Exp(scores[i][j] / epsilon);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
                q[j, i] /= total;
        for (int t = 0; t < iterations; t++)
        {
            for (int j = 0; j < k; j++)
            {
                double row = 0;
                for (int i = 0; i < n; i++) row += q[j, i];
                for (int i = 0; i < n; i++) q[j, i] /= row * k;
            }
            for (int i = 0; i < n; i++)
            {
                double column = 0;
                for (int j = 0; j < k; j++) column += q[j, i];
                for (int j = 0; j < k; j++) q[j, i] /= column * n;
            }
        }
        return Enumerable.Range(0, n).Select(i => Enumerable.Range(0, k).Select(j => q[j, i] * n).ToArray()).ToArray();
    }

    static double[] Softmax(double[] row, double temperature)
    {
        double max = row.Max();
        var e = row.Select(v => Math.Exp((v - max) / temperature)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    /// <summary>-mean_i Σ_k q_ik log p_ik with q one view's codes and p the other view's softmax.</summary>
    static double ExplicitSwappedPrediction(double[][] codes, double[][] scores, double temperature)
        => -codes.Select((q, i) => Softmax(scores[i], temperature).Select((p, k) => q[k] * Math.Log(p)).Sum()).Average();

    static double ExplicitLoss(double[][] scores1, double[][] scores2, double temperature, double epsilon, int iterations)
        => (ExplicitSwappedPrediction(ExplicitCodes(scores1, epsilon, iterations), scores2, temperature)
            + ExplicitSwappedPrediction(ExplicitCodes(scores2, epsilon, iterations), scores1, temperature)) / 2;

    /// <summary>Cosine similarities of 6 embeddings to 4 prototypes: two views, the second a noisy copy of the first.</summary>
    static (Tensor, Tensor) Scores(int seed)
    {
        TorchRuntime.Seed(seed);
        var prototypes = nn.functional.normalize(randn(4, 8), dim: 1);
        var z1 = randn(6, 8);
        var z2 = z1.add(randn(6, 8).mul(0.5));
        Tensor Cosines(Tensor z) => nn.functional.normalize(z, dim: 1).matmul(prototypes.t());
        return (Cosines(z1), Cosines(z2));
    }

    [Theory]
    [InlineData(0.05, 3)]
    [InlineData(0.5, 1)]
    [InlineData(0.05, 10)]
    public void CodesMatchThePapersSinkhornKnoppInFloat64(double epsilon, int iterations)
    {
        using var scope = NewDisposeScope();
        var (scores, _) = Scores(31);

        var codes = Rows(SwavLoss.Codes(scores, epsilon, iterations));

        var expected = ExplicitCodes(Rows(scores), epsilon, iterations);
        for (int i = 0; i < 6; i++)
        {
            for (int k = 0; k < 4; k++)
                Assert.Equal(expected[i][k], codes[i][k], tolerance: 1e-5);
            Assert.Equal(1, codes[i].Sum(), 5);   // each image's code is a distribution over the prototypes
        }
    }

    [Fact]
    public void CodesSpreadTheBatchOverThePrototypes()
    {
        // Every image closest to prototype 0: the softmax would give them all the same code; Sinkhorn-Knopp's
        // equipartition gives each prototype about N/K of the mass, which is what keeps SwAV from collapsing.
        using var scope = NewDisposeScope();
        var scores = tensor(new float[] { 0.9f, 0.1f, 0.0f, 0.8f, 0.2f, 0.1f, 0.9f, 0.0f, 0.3f, 0.7f, 0.3f, 0.2f }).reshape(4, 3);

        var codes = Rows(SwavLoss.Codes(scores, 0.05, 50));

        for (int k = 0; k < 3; k++)
            Assert.Equal(4.0 / 3, codes.Sum(row => row[k]), 2);
    }

    [Fact]
    public void CodesStayFiniteWhereThePapersExponentialOverflows()
    {
        // exp(0.1 / 0.0001) overflows even float64, so the paper's form gives NaN; the logarithms do not.
        using var scope = NewDisposeScope();
        var (scores, _) = Scores(32);

        var codes = Rows(SwavLoss.Codes(scores, 0.0001, 3));

        Assert.Contains(ExplicitCodes(Rows(scores), 0.0001, 3).SelectMany(row => row), value => double.IsNaN(value));
        Assert.All(codes, row =>
        {
            Assert.All(row, value => Assert.True(double.IsFinite(value) && value >= 0, $"{value}"));
            Assert.Equal(1, row.Sum(), 5);
        });
    }

    [Theory]
    [InlineData(0.1, 0.05, 3)]
    [InlineData(0.5, 0.2, 2)]
    public void MatchesAnExplicitLoop(double temperature, double epsilon, int iterations)
    {
        using var scope = NewDisposeScope();
        var (scores1, scores2) = Scores(33);

        double value = SwavLoss.Compute(scores1, scores2, temperature, epsilon, iterations).item<float>();

        Assert.Equal(ExplicitLoss(Rows(scores1), Rows(scores2), temperature, epsilon, iterations), value, 4);
    }

    [Fact]
    public void TheGradientReachesTheScoresOnlyThroughTheSoftmax()
    {
        // With the codes held constant, d loss / d scores2_ik = (softmax(scores2_i / τ)_k - q1_ik) / (2 N τ), and the
        // same for view 1. A gradient through Sinkhorn-Knopp would add terms and break the equality.
        const double temperature = 0.1, epsilon = 0.05;
        using var scope = NewDisposeScope();
        var (first, second) = Scores(34);
        var scores1 = first.detach().requires_grad_();
        var scores2 = second.detach().requires_grad_();

        SwavLoss.Compute(scores1, scores2, temperature, epsilon, 3).backward();

        foreach (var (scores, codesOf, gradient) in new[] { (Rows(scores2), Rows(scores1), Rows(scores2.grad!)), (Rows(scores1), Rows(scores2), Rows(scores1.grad!)) })
        {
            var codes = ExplicitCodes(codesOf, epsilon, 3);
            for (int i = 0; i < 6; i++)
            {
                var p = Softmax(scores[i], temperature);
                for (int k = 0; k < 4; k++)
                    Assert.Equal((p[k] - codes[i][k]) / (2 * 6 * temperature), gradient[i][k], 5);
            }
        }
    }

    [Fact]
    public void BadArgumentsAreRejectedByName()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => SwavLoss.Codes(zeros(4), 0.05, 3)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => SwavLoss.Codes(zeros(4, 3), 0, 3)).ParamName);
        Assert.Equal("iterations", Assert.Throws<ArgumentOutOfRangeException>(() => SwavLoss.Codes(zeros(4, 3), 0.05, 0)).ParamName);
        Assert.Equal("scores2", Assert.Throws<ArgumentException>(() => SwavLoss.Compute(zeros(4, 3), zeros(4, 2), 0.1, 0.05, 3)).ParamName);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => SwavLoss.Compute(zeros(4, 3), zeros(4, 3), 0, 0.05, 3)).ParamName);
    }
}

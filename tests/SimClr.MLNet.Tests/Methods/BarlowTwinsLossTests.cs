using SimClr.MLNet.Losses;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Methods.Reference;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

[Collection(LibtorchGlobalState.Name)]
public class BarlowTwinsLossTests
{
    /// <summary>Column j standardised over the batch with the biased variance and BatchNorm's eps 1e-5.</summary>
    static double[][] Standardise(double[][] z)
    {
        int n = z.Length, d = z[0].Length;
        var result = z.Select(row => new double[d]).ToArray();
        for (int j = 0; j < d; j++)
        {
            double mean = z.Sum(row => row[j]) / n;
            double variance = z.Sum(row => (row[j] - mean) * (row[j] - mean)) / n;
            for (int i = 0; i < n; i++)
                result[i][j] = (z[i][j] - mean) / Math.Sqrt(variance + 1e-5);
        }
        return result;
    }

    static double[,] ExplicitCrossCorrelation(double[][] a, double[][] b)
    {
        var za = Standardise(a);
        var zb = Standardise(b);
        int n = a.Length, d = a[0].Length;
        var c = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                for (int k = 0; k < n; k++) c[i, j] += za[k][i] * zb[k][j];
                c[i, j] /= n;
            }
        return c;
    }

    static double ExplicitLoss(double[][] a, double[][] b, double lambda)
    {
        var c = ExplicitCrossCorrelation(a, b);
        double loss = 0;
        for (int i = 0; i < c.GetLength(0); i++)
            for (int j = 0; j < c.GetLength(1); j++)
                loss += i == j ? (1 - c[i, i]) * (1 - c[i, i]) : lambda * c[i, j] * c[i, j];
        return loss;
    }

    static (Tensor, Tensor) Batch()
    {
        TorchRuntime.Seed(16);
        var a = randn(5, 4);
        return (a, a.add(randn(5, 4).mul(0.5)));   // correlated views, so C is far from both 0 and I
    }

    [Fact]
    public void CrossCorrelationMatchesAnExplicitLoop()
    {
        using var scope = NewDisposeScope();
        var (a, b) = Batch();

        var c = Rows(BarlowTwinsLoss.CrossCorrelation(a, b));

        var expected = ExplicitCrossCorrelation(Rows(a), Rows(b));
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(expected[i, j], c[i][j], 5);
    }

    [Theory]
    [InlineData(BarlowTwinsLoss.PaperOffDiagonalWeight)]
    [InlineData(0.5)]
    public void MatchesAnExplicitLoop(double lambda)
    {
        using var scope = NewDisposeScope();
        var (a, b) = Batch();

        double value = BarlowTwinsLoss.Compute(a, b, lambda).item<float>();

        Assert.Equal(ExplicitLoss(Rows(a), Rows(b), lambda), value, 4);
    }

    [Fact]
    public void OffDiagonalWeightKeepsLambdaTimesWidth()
    {
        Assert.Equal(0.0051, BarlowTwinsLoss.ScaledOffDiagonalWeight(2048), 12);
        Assert.Equal(0.0051 * 16, BarlowTwinsLoss.ScaledOffDiagonalWeight(128), 12);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => BarlowTwinsLoss.ScaledOffDiagonalWeight(0)).ParamName);
    }

    [Fact]
    public void BadArgumentsAreRejectedByName()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("embeddings1", Assert.Throws<ArgumentException>(() => BarlowTwinsLoss.Compute(zeros(1, 4), zeros(1, 4), 0.1)).ParamName);
        Assert.Equal("embeddings2", Assert.Throws<ArgumentException>(() => BarlowTwinsLoss.CrossCorrelation(zeros(5, 4), zeros(5, 3))).ParamName);
        Assert.Equal("offDiagonalWeight", Assert.Throws<ArgumentOutOfRangeException>(() => BarlowTwinsLoss.Compute(zeros(5, 4), zeros(5, 4), -1)).ParamName);
    }
}

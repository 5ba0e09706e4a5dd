using SimClr.MLNet.Embeddings;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Embeddings;

[Collection(LibtorchGlobalState.Name)]
public class TSneTests
{
    public TSneTests() => TorchRuntime.EnsureInitialized();

    /// <summary>Standard normal doubles from a seeded System.Random (Box-Muller), independent of libtorch.</summary>
    static double[][] Gaussian(int rows, int columns, int seed, double scale = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, columns).Select(_ =>
            scale * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())).ToArray()).ToArray();
    }

    static double[,] ExplicitSquaredDistances(double[][] x)
    {
        int n = x.Length;
        var d = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < x[i].Length; k++)
                    d[i, j] += (x[i][k] - x[j][k]) * (x[i][k] - x[j][k]);
        return d;
    }

    static Tensor ToTensor(double[,] m)
    {
        int rows = m.GetLength(0), columns = m.GetLength(1);
        var flat = new double[rows * columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                flat[i * columns + j] = m[i, j];
        return tensor(flat, new long[] { rows, columns });
    }

    static Tensor ToTensor(double[][] rows) => ToTensor(To2D(rows));

    static double[,] To2D(double[][] rows)
    {
        var m = new double[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[0].Length; j++)
                m[i, j] = rows[i][j];
        return m;
    }

    static double[,] ToArray(Tensor t)
    {
        var values = t.to_type(ScalarType.Float64).data<double>().ToArray();
        var m = new double[t.shape[0], t.shape[1]];
        for (int i = 0; i < t.shape[0]; i++)
            for (int j = 0; j < t.shape[1]; j++)
                m[i, j] = values[i * t.shape[1] + j];
        return m;
    }

    [Theory]
    [InlineData(2.5)]
    [InlineData(5)]
    [InlineData(20)]
    public void EachConditionalRowIsAGaussianWithEntropyLogPerplexity(double perplexity)
    {
        using var scope = NewDisposeScope();
        var x = Gaussian(30, 5, seed: 11);
        var distances = ExplicitSquaredDistances(x);

        var conditional = ToArray(TSne.ConditionalAffinities(ToTensor(distances), perplexity));

        int n = x.Length;
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(0.0, conditional[i, i]);
            double sum = 0, entropy = 0;
            for (int j = 0; j < n; j++)
            {
                sum += conditional[i, j];
                if (conditional[i, j] > 0)
                    entropy -= conditional[i, j] * Math.Log(conditional[i, j]);
            }
            Assert.Equal(1.0, sum, 12);
            Assert.True(Math.Abs(entropy - Math.Log(perplexity)) < 1e-3, $"row {i}: entropy {entropy}, target {Math.Log(perplexity)}");

            // A Gaussian in the distance: log P(j|i) = c - beta d_ij, one beta > 0 for the whole row.
            var others = Enumerable.Range(0, n).Where(j => j != i).OrderBy(j => distances[i, j]).ToArray();
            int near = others[0], mid = others[n / 2];
            double beta = (Math.Log(conditional[i, near]) - Math.Log(conditional[i, mid])) / (distances[i, mid] - distances[i, near]);
            Assert.True(beta > 0);
            foreach (int j in others.Where(j => conditional[i, j] > 1e-250))
            {
                double expected = Math.Log(conditional[i, near]) - beta * (distances[i, j] - distances[i, near]);
                Assert.True(Math.Abs(Math.Log(conditional[i, j]) - expected) < 1e-8 * Math.Max(1, Math.Abs(expected)),
                    $"row {i}, column {j}: log P {Math.Log(conditional[i, j])}, Gaussian {expected}");
            }
        }
    }

    [Fact]
    public void JointAffinitiesAreTheSymmetrisedConditionalsAndSumToOne()
    {
        using var scope = NewDisposeScope();
        var distances = ToTensor(ExplicitSquaredDistances(Gaussian(25, 4, seed: 12)));
        var conditional = ToArray(TSne.ConditionalAffinities(distances, 6));

        var p = ToArray(TSne.Affinities(distances, 6));

        int n = p.GetLength(0);
        double sum = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(p[i, j], p[j, i]);
                Assert.Equal((conditional[i, j] + conditional[j, i]) / (2 * n), p[i, j], 15);
                sum += p[i, j];
            }
        Assert.Equal(1.0, sum, 12);
    }

    [Fact]
    public void SquaredDistancesMatchAnExplicitLoop()
    {
        using var scope = NewDisposeScope();
        var x = Gaussian(7, 3, seed: 13);
        var expected = ExplicitSquaredDistances(x);

        var actual = ToArray(TSne.SquaredDistances(ToTensor(x)));

        for (int i = 0; i < x.Length; i++)
            for (int j = 0; j < x.Length; j++)
                Assert.Equal(expected[i, j], actual[i, j], 12);
    }

    /// <summary>The paper's equation 5, written out with loops over doubles.</summary>
    static double[,] ExplicitGradient(double[,] p, double[][] y)
    {
        int n = y.Length, m = y[0].Length;
        var kernel = new double[n, n];
        double z = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (i == j)
                    continue;
                double squared = 0;
                for (int k = 0; k < m; k++)
                    squared += (y[i][k] - y[j][k]) * (y[i][k] - y[j][k]);
                kernel[i, j] = 1 / (1 + squared);
                z += kernel[i, j];
            }
        var gradient = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < m; k++)
                    if (i != j)
                        gradient[i, k] += 4 * (p[i, j] - kernel[i, j] / z) * (y[i][k] - y[j][k]) * kernel[i, j];
        return gradient;
    }

    /// <summary>A random symmetric P with zero diagonal summing to 1, as doubles.</summary>
    static double[,] RandomJointAffinities(int n, int seed)
    {
        var random = new Random(seed);
        var p = new double[n, n];
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                p[i, j] = p[j, i] = random.NextDouble();
                total += 2 * p[i, j];
            }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                p[i, j] /= total;
        return p;
    }

    /// <summary>
    /// 6 points fit in one tile of the computation; 400 need 3 x 3 tiles (181 + 181 + 38), so diagonal, off-diagonal
    /// and ragged tiles are all checked.
    /// </summary>
    [Theory]
    [InlineData(6, 14)]
    [InlineData(400, 15)]
    public void GradientMatchesAnExplicitLoop(int n, int seed)
    {
        using var scope = NewDisposeScope();
        var p = RandomJointAffinities(n, seed);
        var y = Gaussian(n, 2, seed + 100, scale: 5);
        var expected = ExplicitGradient(p, y);

        var actual = ToArray(TSne.Gradient(ToTensor(p), ToTensor(y)));

        double largest = Enumerable.Range(0, n).Max(i => Math.Max(Math.Abs(expected[i, 0]), Math.Abs(expected[i, 1])));
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 2; k++)
                Assert.True(Math.Abs(expected[i, k] - actual[i, k]) < 1e-10 * largest,
                    $"[{i}, {k}]: explicit {expected[i, k]}, tensor {actual[i, k]}, largest {largest}");
    }

    /// <summary>Three clusters of 40 points in 10-D: unit Gaussians around centres 10 apart on three axes.</summary>
    static (float[][] Points, int[] Labels) ThreeClusters(int seed)
    {
        var noise = Gaussian(120, 10, seed);
        var points = new float[120][];
        var labels = new int[120];
        for (int i = 0; i < 120; i++)
        {
            labels[i] = i % 3;
            points[i] = noise[i].Select((v, k) => (float)(v + (k == labels[i] ? 10 : 0))).ToArray();
        }
        return (points, labels);
    }

    [Fact]
    public void SeparatedClustersStaySeparatedInTheMap()
    {
        var (points, labels) = ThreeClusters(seed: 16);

        var map = TSne.Embed(points);

        Assert.Equal(new[] { 120, 2 }, new[] { map.GetLength(0), map.GetLength(1) });
        int sameCluster = 0;
        for (int i = 0; i < 120; i++)
        {
            int nearest = -1;
            double best = double.PositiveInfinity;
            for (int j = 0; j < 120; j++)
            {
                double dx = map[i, 0] - map[j, 0], dy = map[i, 1] - map[j, 1];
                Assert.True(double.IsFinite(dx) && double.IsFinite(dy));
                if (j != i && dx * dx + dy * dy < best)
                    (best, nearest) = (dx * dx + dy * dy, j);
            }
            if (labels[nearest] == labels[i])
                sameCluster++;
        }
        Assert.Equal(120, sameCluster);
    }

    [Fact]
    public void TheSameSeedGivesTheSameMapBitForBitAndAnotherSeedAnother()
    {
        var (points, _) = ThreeClusters(seed: 17);
        var options = new TSneOptions { Perplexity = 10, Iterations = 300, Seed = 5 };

        var first = TSne.Embed(points, options);
        var again = TSne.Embed(points, options);
        options.Seed = 6;
        var other = TSne.Embed(points, options);

        Assert.Equal(first.Cast<float>(), again.Cast<float>());
        Assert.NotEqual(first.Cast<float>(), other.Cast<float>());
    }

    [Fact]
    public void TheAutomaticLearningRateIsNOverFourTimesTheExaggerationButAtLeast50()
    {
        var options = new TSneOptions();
        Assert.Equal(50, options.LearningRateFor(2000));
        Assert.Equal(250, options.LearningRateFor(12000));
        options.LearningRate = 200;
        Assert.Equal(200, options.LearningRateFor(12000));
    }

    [Fact]
    public void EmptyInputIsRejectedByName()
        => Assert.Equal("points", Assert.Throws<ArgumentException>(() => TSne.Embed(Array.Empty<float[]>())).ParamName);

    [Fact]
    public void RaggedRowsAreRejectedByName()
    {
        var points = new[] { new float[] { 1, 2 }, new float[] { 3, 4 }, new float[] { 5 } };
        var error = Assert.Throws<ArgumentException>(() => TSne.Embed(points, new TSneOptions { Perplexity = 1.5 }));
        Assert.Equal("points", error.ParamName);
        Assert.Contains("row 2", error.Message);
    }

    [Fact]
    public void NonFiniteFeaturesAreRejectedByName()
    {
        var points = new[] { new float[] { 1, 2 }, new float[] { 3, float.NaN }, new float[] { 5, 6 } };
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => TSne.Embed(points, new TSneOptions { Perplexity = 1.5 })).ParamName);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    public void PerplexityNotBelowTheNumberOfPointsIsRejectedByName(double perplexity)
    {
        var points = Enumerable.Range(0, 10).Select(i => new float[] { i, i * i }).ToArray();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TSne.Embed(points, new TSneOptions { Perplexity = perplexity }));
        Assert.Equal(nameof(TSneOptions.Perplexity), error.ParamName);
        Assert.Contains("number of points (10)", error.Message);
    }

    [Fact]
    public void FewerThanOneIterationIsRejectedByName()
    {
        var points = Enumerable.Range(0, 10).Select(i => new float[] { i, i * i }).ToArray();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TSne.Embed(points, new TSneOptions { Perplexity = 3, Iterations = 0 }));
        Assert.Equal(nameof(TSneOptions.Iterations), error.ParamName);
    }

    [Fact]
    public void AffinitiesRejectAPerplexityOutsideOneToNByName()
    {
        using var scope = NewDisposeScope();
        var distances = ToTensor(ExplicitSquaredDistances(Gaussian(5, 2, seed: 18)));
        Assert.Equal("perplexity", Assert.Throws<ArgumentOutOfRangeException>(() => TSne.Affinities(distances, 5)).ParamName);
        Assert.Equal("perplexity", Assert.Throws<ArgumentOutOfRangeException>(() => TSne.Affinities(distances, 0.5)).ParamName);
    }
}

using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Runtime;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Losses;

[Collection(LibtorchGlobalState.Name)]
public class NtXentLossTests
{
    /// <summary>The loss written out with loops over doubles, straight from the definition.</summary>
    static double ExplicitLoss(float[,] a, float[,] b, double tau, bool sameView)
    {
        int n = a.GetLength(0), d = a.GetLength(1);
        double[][] Normalise(float[,] m) => Enumerable.Range(0, n).Select(i =>
        {
            var row = Enumerable.Range(0, d).Select(j => (double)m[i, j]).ToArray();
            double norm = Math.Sqrt(row.Sum(v => v * v));
            return row.Select(v => v / norm).ToArray();
        }).ToArray();
        var z1 = Normalise(a);
        var z2 = Normalise(b);
        double Dot(double[] x, double[] y) => x.Zip(y, (p, q) => p * q).Sum() / tau;
        double Direction(double[][] anchors, double[][] others)
        {
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                var logits = new List<double>();
                for (int j = 0; j < n; j++) logits.Add(Dot(anchors[i], others[j]));
                if (sameView)
                    for (int j = 0; j < n; j++) if (j != i) logits.Add(Dot(anchors[i], anchors[j]));
                double max = logits.Max();
                double logSum = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
                total += logSum - logits[i];
            }
            return total / n;
        }
        return (Direction(z1, z2) + Direction(z2, z1)) / 2;
    }

    [Theory]
    [InlineData(false, 0.1)]
    [InlineData(true, 0.1)]
    [InlineData(false, 0.5)]
    public void MatchesAnExplicitLoop(bool sameViewNegatives, double temperature)
    {
        TorchRuntime.Seed(3);
        using var scope = NewDisposeScope();
        var a = randn(5, 4);
        var b = randn(5, 4);
        using var loss = new NtXentLoss(temperature, includeSameViewNegatives: sameViewNegatives);

        double value = loss.call(a, b).item<float>();

        double expected = ExplicitLoss(ToArray(a), ToArray(b), temperature, sameViewNegatives);
        Assert.Equal(expected, value, 4);
    }

    [Fact]
    public void IdenticalViewsHaveFullContrastiveAccuracy()
    {
        TorchRuntime.Seed(4);
        using var scope = NewDisposeScope();
        var z = nn.functional.normalize(randn(16, 8), dim: 1);
        using var loss = new NtXentLoss();
        Assert.Equal(1.0, ContrastiveAccuracy.Compute(loss.Similarities(z, z)));
    }

    [Fact]
    public void ContrastiveAccuracyCountsBothDirections()
    {
        using var scope = NewDisposeScope();
        // Row 0 picks column 1 (wrong), but column 0 still picks row 0: three of four rankings are right.
        var s = tensor(new float[] { 0.5f, 0.9f, 0.1f, 1.0f }).reshape(2, 2);
        Assert.Equal(0.75, ContrastiveAccuracy.Compute(s));
        var swapped = tensor(new float[] { 0.1f, 0.9f, 0.8f, 0.2f }).reshape(2, 2);
        Assert.Equal(0.0, ContrastiveAccuracy.Compute(swapped));
    }

    [Fact]
    public void LearnedTemperatureGetsAGradient()
    {
        TorchRuntime.Seed(5);
        using var scope = NewDisposeScope();
        using var loss = new NtXentLoss(0.2, learnTemperature: true);
        var value = loss.call(randn(6, 3), randn(6, 3));
        value.backward();
        var parameter = loss.parameters().Single();
        Assert.NotNull(parameter.grad);
        Assert.Equal(0.2, loss.Temperature, 5);
    }

    [Fact]
    public void BadTemperatureIsRejectedByName()
        => Assert.Contains("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new NtXentLoss(0)).Message);

    static float[,] ToArray(Tensor t)
    {
        var result = new float[t.shape[0], t.shape[1]];
        var values = t.data<float>().ToArray();
        for (int i = 0; i < t.shape[0]; i++)
            for (int j = 0; j < t.shape[1]; j++)
                result[i, j] = values[i * t.shape[1] + j];
        return result;
    }
}

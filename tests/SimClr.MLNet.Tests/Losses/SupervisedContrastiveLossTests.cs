using SimClr.MLNet.Losses;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Losses;

[Collection(LibtorchGlobalState.Name)]
public class SupervisedContrastiveLossTests
{
    // Class 2 has a single row: it has no positive, but it is still a candidate for the others.
    static readonly long[] Labels = { 0, 1, 0, 2, 1, 0, 1 };

    /// <summary>SuNCEt written out with loops over doubles, from Assran et al. (2020), eq. 1.</summary>
    internal static double ExplicitLoss(double[,] embeddings, long[] labels, double tau)
    {
        int n = embeddings.GetLength(0), d = embeddings.GetLength(1);
        var z = new double[n][];
        for (int i = 0; i < n; i++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, d).Sum(k => embeddings[i, k] * embeddings[i, k]));
            z[i] = Enumerable.Range(0, d).Select(k => embeddings[i, k] / norm).ToArray();
        }
        double total = 0;
        int anchors = 0;
        for (int i = 0; i < n; i++)
        {
            double positive = 0, all = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i)
                    continue;
                double e = Math.Exp(z[i].Zip(z[j], (a, b) => a * b).Sum() / tau);
                all += e;
                if (labels[j] == labels[i])
                    positive += e;
            }
            if (positive == 0)
                continue;
            total -= Math.Log(positive / all);
            anchors++;
        }
        return anchors == 0 ? 0 : total / anchors;
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void MatchesAnExplicitLoopAndItsFiniteDifferenceGradient(double temperature)
    {
        TorchRuntime.Seed(11);
        using var scope = NewDisposeScope();
        var embeddings = randn(Labels.Length, 4, dtype: ScalarType.Float64).requires_grad_();

        var value = SupervisedContrastiveLoss.Compute(embeddings, tensor(Labels), temperature);
        value.backward();

        var x = ToArray(embeddings);
        Assert.Equal(ExplicitLoss(x, Labels, temperature), value.item<double>(), 10);
        var gradient = embeddings.grad!.data<double>().ToArray();
        const double h = 1e-6;
        for (int i = 0; i < x.GetLength(0); i++)
            for (int k = 0; k < x.GetLength(1); k++)
            {
                var plus = (double[,])x.Clone();
                var minus = (double[,])x.Clone();
                plus[i, k] += h;
                minus[i, k] -= h;
                double numeric = (ExplicitLoss(plus, Labels, temperature) - ExplicitLoss(minus, Labels, temperature)) / (2 * h);
                Assert.Equal(numeric, gradient[i * x.GetLength(1) + k], 6);
            }
    }

    [Fact]
    public void InFloat32ItAgreesWithTheFloat64Loop()
    {
        TorchRuntime.Seed(12);
        using var scope = NewDisposeScope();
        var embeddings = randn(Labels.Length, 8);
        double value = SupervisedContrastiveLoss.Compute(embeddings, tensor(Labels), 0.1).item<float>();
        Assert.Equal(ExplicitLoss(ToArray(embeddings.to(ScalarType.Float64)), Labels, 0.1), value, 4);
    }

    [Fact]
    public void ABatchWithoutPositivesGivesZeroAndFiniteGradients()
    {
        TorchRuntime.Seed(13);
        using var scope = NewDisposeScope();
        var embeddings = randn(3, 4).requires_grad_();
        var value = SupervisedContrastiveLoss.Compute(embeddings, tensor(new long[] { 0, 1, 2 }), 0.1);
        Assert.Equal(0.0, value.item<float>());
        (value + embeddings.sum()).backward();
        Assert.True(embeddings.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void BadInputIsRejectedByName()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => SupervisedContrastiveLoss.Compute(randn(4, 2), zeros(4, ScalarType.Int64), 0)).ParamName);
        var error = Assert.Throws<ArgumentException>(() => SupervisedContrastiveLoss.Compute(randn(4, 2), zeros(3, ScalarType.Int64), 0.1));
        Assert.Contains("[4, 2] and [3]", error.Message);
    }

    internal static double[,] ToArray(Tensor t)
    {
        var values = t.detach().to(ScalarType.Float64).data<double>().ToArray();
        var result = new double[t.shape[0], t.shape[1]];
        for (int i = 0; i < t.shape[0]; i++)
            for (int j = 0; j < t.shape[1]; j++)
                result[i, j] = values[i * t.shape[1] + j];
        return result;
    }
}

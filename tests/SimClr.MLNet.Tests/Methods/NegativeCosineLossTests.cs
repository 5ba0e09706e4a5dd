using SimClr.MLNet.Losses;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Methods.Reference;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

[Collection(LibtorchGlobalState.Name)]
public class NegativeCosineLossTests
{
    /// <summary>SimSiam's D(p, z) = -p·z / (|p| |z|), averaged over rows.</summary>
    static double ExplicitLoss(double[][] predictions, double[][] targets)
        => -predictions.Select((p, i) => Dot(p, targets[i]) / Math.Sqrt(Dot(p, p) * Dot(targets[i], targets[i]))).Average();

    [Fact]
    public void MatchesAnExplicitLoop()
    {
        TorchRuntime.Seed(14);
        using var scope = NewDisposeScope();
        var p = randn(5, 4);
        var z = randn(5, 4);

        double value = NegativeCosineLoss.Compute(p, z).item<float>();

        Assert.Equal(ExplicitLoss(Rows(p), Rows(z)), value, 5);
        Assert.Equal(-1, NegativeCosineLoss.Compute(p, p.mul(2)).item<float>(), 5);
    }
}

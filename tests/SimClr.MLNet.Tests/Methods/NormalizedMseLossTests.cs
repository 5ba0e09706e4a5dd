using SimClr.MLNet.Losses;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Methods.Reference;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

[Collection(LibtorchGlobalState.Name)]
public class NormalizedMseLossTests
{
    /// <summary>BYOL's eq. 2 as a squared distance of unit vectors, averaged over rows.</summary>
    static double ExplicitLoss(double[][] predictions, double[][] targets)
        => predictions.Select((p, i) => Normalise(p).Zip(Normalise(targets[i]), (a, b) => (a - b) * (a - b)).Sum()).Average();

    [Fact]
    public void MatchesAnExplicitLoop()
    {
        TorchRuntime.Seed(12);
        using var scope = NewDisposeScope();
        var p = randn(5, 4);
        var t = randn(5, 4);

        double value = NormalizedMseLoss.Compute(p, t).item<float>();

        Assert.Equal(ExplicitLoss(Rows(p), Rows(t)), value, 5);
        Assert.Equal(0, NormalizedMseLoss.Compute(p, p.mul(3)).item<float>(), 5);
    }
}

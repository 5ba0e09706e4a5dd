using SimClr.MLNet.Losses;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using static SimClr.MLNet.Tests.Methods.Reference;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

/// <summary>What BYOL's and SimSiam's losses share: the targets are a stop-gradient, and shapes are checked by name.</summary>
[Collection(LibtorchGlobalState.Name)]
public class TargetRegressionLossTests
{
    static Tensor Compute(string loss, Tensor predictions, Tensor targets) => loss switch
    {
        nameof(NormalizedMseLoss) => NormalizedMseLoss.Compute(predictions, targets),
        _ => NegativeCosineLoss.Compute(predictions, targets),
    };

    [Theory]
    [InlineData(nameof(NormalizedMseLoss), 13)]
    [InlineData(nameof(NegativeCosineLoss), 15)]
    public void TargetsAreAStopGradient(string loss, int seed)
    {
        TorchRuntime.Seed(seed);
        using var scope = NewDisposeScope();
        var p = randn(5, 4).requires_grad_(true);
        var t = randn(5, 4).requires_grad_(true);

        Compute(loss, p, t).backward();

        Assert.True(HasNoGradient(t));
        Assert.True(p.grad!.abs().max().item<float>() > 0);
    }

    [Theory]
    [InlineData(nameof(NormalizedMseLoss))]
    [InlineData(nameof(NegativeCosineLoss))]
    public void MismatchedShapesAreRejectedByName(string loss)
    {
        using var scope = NewDisposeScope();
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => Compute(loss, zeros(5, 4), zeros(5, 3))).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => Compute(loss, zeros(5, 4), zeros(6, 4))).ParamName);
        Assert.Equal("predictions", Assert.Throws<ArgumentException>(() => Compute(loss, zeros(4), zeros(4))).ParamName);
    }
}

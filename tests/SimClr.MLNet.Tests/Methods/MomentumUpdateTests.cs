using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training.Methods;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

[Collection(LibtorchGlobalState.Name)]
public class MomentumUpdateTests
{
    static nn.Module Network(long seed)
    {
        TorchRuntime.Seed(seed);
        var network = nn.Sequential(("fc", nn.Linear(3, 2)), ("bn", nn.BatchNorm1d(2)));
        // Different BatchNorm weights and running statistics in each network, so that a mix-up would show.
        network.train();
        using (no_grad())
        {
            foreach (var p in network.parameters())
                p.add_(randn_like(p));
            network.call(randn(6, 3)).Dispose();
        }
        return network;
    }

    static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    [Fact]
    public void ApplyAveragesParametersAndLeavesBuffersAlone()
    {
        using var scope = NewDisposeScope();
        using var online = Network(21);
        using var target = Network(22);
        const double m = 0.9;
        var targetBefore = target.parameters().Select(Values).ToList();
        var onlineValues = online.parameters().Select(Values).ToList();
        var buffersBefore = target.buffers().Select(b => b.clone()).ToList();

        MomentumUpdate.Apply(target, online, m);

        var targetAfter = target.parameters().Select(Values).ToList();
        Assert.Equal(4, targetAfter.Count);
        for (int p = 0; p < targetAfter.Count; p++)
            for (int i = 0; i < targetAfter[p].Length; i++)
                Assert.Equal(m * targetBefore[p][i] + (1 - m) * onlineValues[p][i], targetAfter[p][i], 6);
        Assert.All(target.buffers().Zip(buffersBefore), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.Equal(onlineValues, online.parameters().Select(Values).ToList());
    }

    [Fact]
    public void CopyIntoMakesAnEqualFrozenTarget()
    {
        using var scope = NewDisposeScope();
        using var online = Network(23);
        using var target = Network(24);

        MomentumUpdate.CopyInto(target, online);

        Assert.All(target.parameters().Zip(online.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.All(target.buffers().Zip(online.buffers()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.All(target.parameters(), p => Assert.False(p.requires_grad));
        Assert.All(online.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void CosineScheduleRisesFromBaseToOne()
    {
        Assert.Equal(0.996, MomentumUpdate.Cosine(0.996, 0, 1000), 12);
        Assert.Equal(0.998, MomentumUpdate.Cosine(0.996, 500, 1000), 12);
        Assert.Equal(1.0, MomentumUpdate.Cosine(0.996, 1000, 1000), 12);
        Assert.Equal(0.996, MomentumUpdate.Cosine(0.996, -3, 1000), 12);
        Assert.Equal(1.0, MomentumUpdate.Cosine(0.996, 5000, 1000), 12);
        Assert.Equal(1 - 0.004 * (Math.Cos(Math.PI / 4) + 1) / 2, MomentumUpdate.Cosine(0.996, 250, 1000), 12);
    }

    [Fact]
    public void BadArgumentsAreRejectedByName()
    {
        using var scope = NewDisposeScope();
        using var small = nn.Linear(3, 2);
        using var wide = nn.Linear(3, 4);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => MomentumUpdate.Apply(small, small, 1.5)).ParamName);
        Assert.Equal("online", Assert.Throws<ArgumentException>(() => MomentumUpdate.Apply(small, wide, 0.9)).ParamName);
        Assert.Equal("online", Assert.Throws<ArgumentException>(() => MomentumUpdate.CopyInto(small, wide)).ParamName);
        Assert.Equal("baseMomentum", Assert.Throws<ArgumentOutOfRangeException>(() => MomentumUpdate.Cosine(-0.1, 0, 10)).ParamName);
        Assert.Equal("totalSteps", Assert.Throws<ArgumentOutOfRangeException>(() => MomentumUpdate.Cosine(0.99, 0, 0)).ParamName);
    }
}

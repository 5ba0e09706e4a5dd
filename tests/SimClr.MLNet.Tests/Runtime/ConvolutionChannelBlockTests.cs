using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Runtime;

/// <summary>
/// The channel block <see cref="Convolution"/> pads to, with the CPU probe and the float64 check simulated; the
/// chosen block's numbers on this CPU are for ConvolutionGradientTests to check.
/// </summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class ConvolutionChannelBlockTests
{
    static (bool, string) MustNotRun() => throw new InvalidOperationException("the 8-channel probe ran although its answer cannot matter");

    [Fact]
    public void EightChannelBlocksOnlyOnAvx2WithoutAvx512AndOnlyWhenTheyMatchFloat64()
    {
        var passed = ConvolutionChannelBlock.Choose(avx2: true, avx512: false, () => (true, "6 shapes match float64"));
        Assert.Equal(8, passed.Block);
        Assert.Contains("6 shapes match float64", passed.Reason);

        var failed = ConvolutionChannelBlock.Choose(avx2: true, avx512: false, () => (false, "8->8 3x3 is wrong"));
        Assert.Equal(16, failed.Block);
        Assert.Contains("8->8 3x3 is wrong", failed.Reason);

        Assert.Equal(16, ConvolutionChannelBlock.Choose(avx2: true, avx512: true, MustNotRun).Block);
        Assert.Equal(16, ConvolutionChannelBlock.Choose(avx2: false, avx512: false, MustNotRun).Block);
    }

    [Fact]
    public void OnThisMachineTheBlockFollowsTheCpu()
    {
        int block = ConvolutionChannelBlock.Float32OnCpu;
        if (CpuFeatures.HasAvx512 || !CpuFeatures.HasAvx2)
            Assert.Equal(16, block);
        else
            Assert.Contains(block, new[] { 8, 16 });
        Assert.Contains($"blocks of {block}", ConvolutionChannelBlock.Float32Reason);
    }

    /// <summary>
    /// The probe runs at a run's first float32 convolution, which may be an evaluation pass with gradients off or
    /// a step of a seeded run: it must still see gradients, and must not move the run's random numbers.
    /// </summary>
    [Fact]
    public void TheCheckWorksWithGradientsOffAndDrawsNothingFromTheGlobalGenerator()
    {
        TorchRuntime.Seed(7);
        var expected = rand(5);
        TorchRuntime.Seed(7);
        ConvolutionCheckResult result;
        using (no_grad())
        {
            result = ConvolutionGradientCheck.Check(ConvolutionChannelBlock.ProbedShapes[0], ComputePrecision.Float32, batchSize: 4, seed: 3, ConvolutionChannelBlock.Wide);
            Assert.False(is_grad_enabled());
        }
        Assert.True(result.Passed, $"{result}");
        Assert.Equal(expected.data<float>().ToArray(), rand(5).data<float>().ToArray());
    }
}

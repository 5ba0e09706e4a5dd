using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.Tests.Training;

/// <summary>Precision Auto, with the CPU probe and the bf16 numerics check simulated.</summary>
public sealed class PrecisionSelectorTests
{
    static (bool, string) MustNotRun() => throw new InvalidOperationException("the bf16 check ran although its answer cannot matter");

    [Fact]
    public void AutoPicksFloat32WithoutNativeBFloat16AndSkipsTheCheck()
    {
        var choice = PrecisionSelector.Choose(ComputePrecision.Auto, onCpu: true, nativeBFloat16: false, "AVX2", MustNotRun);
        Assert.Equal(ComputePrecision.Float32, choice.Precision);
        Assert.Contains("no AVX512-BF16 or AMX-BF16", choice.Reason);
        Assert.Contains("AVX2", choice.Reason);
    }

    [Fact]
    public void AutoPicksBFloat16OnlyWhenTheCpuHasItAndTheCheckPasses()
    {
        var passed = PrecisionSelector.Choose(ComputePrecision.Auto, true, true, "AVX2, AVX-512, AVX512-BF16", () => (true, "all shapes match float64"));
        Assert.Equal(ComputePrecision.BFloat16, passed.Precision);
        Assert.Contains("all shapes match float64", passed.Reason);

        var failed = PrecisionSelector.Choose(ComputePrecision.Auto, true, true, "AVX2, AVX-512, AVX512-BF16", () => (false, "3x3 is wrong"));
        Assert.Equal(ComputePrecision.Float32, failed.Precision);
        Assert.Contains("3x3 is wrong", failed.Reason);
        Assert.Contains("simclr doctor", failed.Reason);
    }

    [Fact]
    public void AutoIsFloat32OnAGpuAndExplicitChoicesPassThrough()
    {
        Assert.Equal(ComputePrecision.Float32, PrecisionSelector.Choose(ComputePrecision.Auto, false, true, "", MustNotRun).Precision);
        Assert.Equal(ComputePrecision.BFloat16, PrecisionSelector.Choose(ComputePrecision.BFloat16, true, false, "", MustNotRun).Precision);
        Assert.Equal(ComputePrecision.Float32, PrecisionSelector.Choose(ComputePrecision.Float32, true, true, "", MustNotRun).Precision);
    }

    [Fact]
    public void AutoIsParsedAndNeverReachesAnEncoder()
    {
        Assert.Equal(ComputePrecision.Auto, ComputePrecisionNames.Parse(" AUTO "));
        using var encoder = Encoder.Create(new EncoderSpec(EncoderArchitecture.SmallResNet18, 4, 16));
        Assert.Throws<ArgumentException>(() => encoder.Precision = ComputePrecision.Auto);
    }

    [Fact]
    public void OnThisMachineAutoFollowsTheCpu()
    {
        TorchRuntime.EnsureInitialized();
        var choice = PrecisionSelector.Choose(ComputePrecision.Auto, TorchSharp.torch.CPU, new EncoderSpec(EncoderArchitecture.SmallResNet18, 4, 16));
        Assert.Equal(CpuFeatures.HasNativeBFloat16 ? ComputePrecision.BFloat16 : ComputePrecision.Float32, choice.Precision);
    }
}

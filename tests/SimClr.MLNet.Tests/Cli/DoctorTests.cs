using SimClr.MLNet.Onnx;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Cli;

/// <summary><c>simclr doctor</c> reports the machine and passes where the library computes correctly.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class DoctorTests
{
    [Fact]
    public void DoctorChecksEveryPartAndPassesHere()
    {
        var (code, output) = CliRunner.Run("doctor", "--encoder", "SmallResNet18", "--width", "4", "--size", "16");

        Assert.Equal(0, code);
        Assert.Contains($"AVX2 {(CpuFeatures.HasAvx2 ? "yes" : "no")}, AVX-512 {(CpuFeatures.HasAvx512 ? "yes" : "no")}", output);
        Assert.Contains("ok   libtorch: 2.10", output);
        Assert.Contains("MKL-DNN v3", output);
        // Every distinct convolution of the encoder, in float32 (and bfloat16 where native).
        int shapes;
        using (var encoder = SimClr.MLNet.Models.Encoder.Create(new(SimClr.MLNet.Models.EncoderArchitecture.SmallResNet18, 4, 16)))
            shapes = encoder.ConvolutionShapes().Distinct().Count();
        Assert.Equal(11, shapes);   // stem; stage 1 (both blocks alike); stages 2-4: first, second, shortcut
        Assert.Equal(CpuFeatures.HasNativeBFloat16 ? 2 * shapes : shapes, output.Split('\n').Count(l => l.StartsWith("ok   SmallResNet18 w4")));
        Assert.Contains("ok   ONNX Runtime: 1.", output);
        Assert.Contains("GPU:", output);
        Assert.DoesNotContain("FAIL", output);
    }

    /// <summary>
    /// With oneDNN capped at AVX2 (its documented variable), an AVX-512 CPU runs AVX2 kernels: the choices must follow
    /// the kernels (no AVX-512 blocks, no native bfloat16), and the report must say the cap is there.
    /// </summary>
    [Fact]
    public void UnderAnAvx2CapOnOneDnnTheChoicesFollowTheKernelsThatRun()
    {
        var (code, output) = CliProcess.Run(new Dictionary<string, string> { ["ONEDNN_MAX_CPU_ISA"] = "avx2" },
            "doctor", "--encoder", "SmallResNet18", "--width", "4", "--size", "16");

        Assert.True(code == 0, output);
        Assert.Contains($"AVX2 {(CpuFeatures.HasAvx2 ? "yes" : "no")}, AVX-512 no, AVX512-BF16 no, AMX no (what libtorch's kernels may use; the CPU: ", output);
        Assert.Contains("; oneDNN limited to avx2 by ONEDNN_MAX_CPU_ISA)", output);
        Assert.DoesNotContain("oneDNN may use AVX-512", output);
        Assert.Equal(11, output.Split('\n').Count(l => l.StartsWith("ok   SmallResNet18 w4")));   // float32 only: bf16 would be emulated
        Assert.DoesNotContain("FAIL", output);
    }

    [Theory]
    [InlineData(null, CpuFeatures.IsaLevel.Unlimited)]
    [InlineData("ALL", CpuFeatures.IsaLevel.Unlimited)]
    [InlineData("no such isa", CpuFeatures.IsaLevel.Unlimited)]
    [InlineData("SSE41", CpuFeatures.IsaLevel.Sse41)]
    [InlineData("avx2", CpuFeatures.IsaLevel.Avx2)]
    [InlineData("AVX2_VNNI", CpuFeatures.IsaLevel.Avx2)]
    [InlineData("AVX512_CORE", CpuFeatures.IsaLevel.Avx512)]
    [InlineData("AVX512_CORE_VNNI", CpuFeatures.IsaLevel.Avx512)]
    [InlineData("AVX512_CORE_BF16", CpuFeatures.IsaLevel.Avx512BFloat16)]
    [InlineData("AVX10_1_512_AMX", CpuFeatures.IsaLevel.Amx)]
    internal void OneDnnsCapIsReadByItsDocumentedNames(string? setting, CpuFeatures.IsaLevel expected)
        => Assert.Equal(expected, CpuFeatures.ParseOneDnnLimit(setting));

    [Fact]
    public void ABadOptionIsACommandLineMistake()
    {
        var (code, output) = CliRunner.Run("doctor", "--width", "0");
        Assert.Equal(2, code);
        Assert.Contains("--width", output);
    }

    [Fact]
    public void OnnxRuntimeAgreesWithLibtorch()
    {
        var check = OnnxRuntimeCheck.Run();
        Assert.True(check.Passed, check.Error ?? $"relative error {check.RelativeError}");
        Assert.StartsWith("1.", check.Version);
    }
}

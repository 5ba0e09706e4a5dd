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

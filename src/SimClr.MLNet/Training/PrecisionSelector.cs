using System.Collections.Concurrent;
using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>
/// Resolves <see cref="ComputePrecision.Auto"/>. bfloat16 is worth it only where the CPU computes it natively
/// (about 1.7x float32 for a width-16 ResNet here, 13x slower where emulated), and trustworthy only where its
/// convolutions agree with float64: libtorch 2.10's oneDNN has wrong kernels for some shapes on some CPUs
/// (see <see cref="ConvolutionGradientCheck"/>), so the encoder's own shapes are checked before bf16 is chosen.
/// </summary>
public static class PrecisionSelector
{
    /// <summary>Outcomes of the bf16 check by encoder, so that every run of a process pays for it once.</summary>
    static readonly ConcurrentDictionary<EncoderSpec, (bool Passed, string Detail)> CheckedEncoders = new();

    /// <summary>
    /// <paramref name="requested"/> itself when it is Float32 or BFloat16; for Auto, BFloat16 on a CPU with native
    /// bfloat16 whose bf16 convolutions of <paramref name="encoder"/> pass the float64 check, Float32 otherwise.
    /// </summary>
    public static PrecisionChoice Choose(ComputePrecision requested, Device device, EncoderSpec encoder)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(encoder);
        return Choose(requested, device.type == DeviceType.CPU, CpuFeatures.HasNativeBFloat16, CpuFeatures.Summary,
            () => CheckedEncoders.GetOrAdd(encoder, CheckBFloat16));
    }

    /// <summary>The decision, with the CPU probe and the numerics check passed in, so tests can simulate any CPU.</summary>
    internal static PrecisionChoice Choose(ComputePrecision requested, bool onCpu, bool nativeBFloat16, string cpuFeatures,
        Func<(bool Passed, string Detail)> bfloat16Check)
    {
        if (requested != ComputePrecision.Auto)
            return new PrecisionChoice(requested, $"{requested} as requested");
        if (!onCpu)
            return new PrecisionChoice(ComputePrecision.Float32, "Auto chose Float32: bfloat16 training on a GPU is untested here");
        if (!nativeBFloat16)
            return new PrecisionChoice(ComputePrecision.Float32,
                $"Auto chose Float32: the CPU has no AVX512-BF16 or AMX-BF16 that libtorch may use (CPU: {cpuFeatures}), so bfloat16 would be emulated, many times slower");
        var (passed, detail) = bfloat16Check();
        return passed
            ? new PrecisionChoice(ComputePrecision.BFloat16, $"Auto chose BFloat16: the CPU has native bfloat16 (CPU: {cpuFeatures}) and {detail}")
            : new PrecisionChoice(ComputePrecision.Float32, $"Auto chose Float32: the CPU has native bfloat16 (CPU: {cpuFeatures}), but {detail}; run `simclr doctor` for details");
    }

    static (bool, string) CheckBFloat16(EncoderSpec spec)
    {
        using var encoder = Encoder.Create(spec);
        var shapes = encoder.ConvolutionShapes().Distinct().ToList();
        var failed = ConvolutionGradientCheck.Run(shapes, ComputePrecision.BFloat16).Where(r => !r.Passed).ToList();
        return failed.Count == 0
            ? (true, $"its bf16 convolutions of this encoder ({shapes.Count} shapes) match float64")
            : (false, $"its bf16 convolutions are wrong for {failed.Count} of {shapes.Count} shapes of this encoder (first: {failed[0].Shape})");
    }
}

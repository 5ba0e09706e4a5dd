using SimClr.MLNet.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>Chooses the device a run trains on, with ML.NET's GpuDeviceId / FallbackToCpu semantics.</summary>
public static class TrainingDevice
{
    /// <summary>Logs a warning when bfloat16 is asked for on a CPU that would only emulate it.</summary>
    public static void WarnAboutPrecision(Models.ComputePrecision precision, Device device, Action<string> log)
    {
        if (precision == Models.ComputePrecision.BFloat16 && device.type == DeviceType.CPU && !CpuFeatures.HasNativeBFloat16)
            log("warning: BFloat16 was requested, but this CPU has no AVX512-BF16 or AMX; libtorch emulates it, which is many times slower than Float32.");
    }

    /// <summary>
    /// A copy of <paramref name="options"/> with <see cref="Models.ComputePrecision.Auto"/> resolved, after logging
    /// the choice (Auto) or warning about emulated bfloat16 (an explicit BFloat16). The caller's object is not changed.
    /// </summary>
    internal static T ResolvePrecision<T>(T options, Device device, Models.EncoderSpec encoder, string runName, Action<string> log)
        where T : TrainingOptions
    {
        var resolved = options.Copy<T>();
        if (options.Precision == Models.ComputePrecision.Auto)
        {
            var choice = PrecisionSelector.Choose(options.Precision, device, encoder);
            log($"{runName}: {choice.Reason}.");
            resolved.Precision = choice.Precision;
        }
        WarnAboutPrecision(resolved.Precision, device, log);
        return resolved;
    }

    /// <summary>
    /// CPU when <paramref name="gpuDeviceId"/> is null. Otherwise CUDA device <paramref name="gpuDeviceId"/> if
    /// it exists; if not, CPU when <paramref name="fallbackToCpu"/> is true, else an error.
    /// </summary>
    /// <exception cref="InvalidOperationException">The GPU is unavailable and fallback is off.</exception>
    public static Device Resolve(int? gpuDeviceId, bool fallbackToCpu, Action<string>? log = null)
    {
        TorchRuntime.EnsureInitialized();
        if (gpuDeviceId is null)
            return CPU;
        if (gpuDeviceId < 0)
            throw new ArgumentOutOfRangeException(nameof(gpuDeviceId), gpuDeviceId, "GPU device id must be 0 or more.");
        string problem;
        if (!cuda.is_available())
            problem = "CUDA is not available (this build uses TorchSharp-cpu unless built with -p:TorchBackend=cuda, or no GPU is present)";
        else if (gpuDeviceId >= cuda.device_count())
            problem = $"GPU {gpuDeviceId} does not exist ({cuda.device_count()} found)";
        else
            return new Device(DeviceType.CUDA, gpuDeviceId.Value);
        if (!fallbackToCpu)
            throw new InvalidOperationException($"{problem}, and FallbackToCpu is false.");
        log?.Invoke($"{problem}; training on the CPU instead (FallbackToCpu).");
        return CPU;
    }
}

namespace SimClr.MLNet.Runtime;

/// <summary>What this CPU can do natively, where it matters for choosing a precision.</summary>
public static class CpuFeatures
{
    static readonly Lazy<bool> NativeBFloat16 = new(() => Flags().Overlaps(new[] { "avx512_bf16", "amx_bf16" }));

    /// <summary>
    /// True when the CPU has AVX512-BF16 or AMX-BF16 (read from /proc/cpuinfo on Linux; false elsewhere). Without
    /// them libtorch emulates bfloat16, which we measured at about 13x slower than float32 on an AVX2-only EPYC.
    /// </summary>
    public static bool HasNativeBFloat16 => NativeBFloat16.Value;

    static HashSet<string> Flags()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo"))
                return new HashSet<string>();
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return line == null ? new HashSet<string>() : line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        }
        catch (IOException)
        {
            return new HashSet<string>();
        }
    }
}

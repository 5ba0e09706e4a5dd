namespace SimClr.MLNet.Runtime;

/// <summary>
/// The CPU features that decide which libtorch kernels run: their speed (bfloat16 is native only with
/// AVX512-BF16 or AMX) and, with libtorch 2.10's oneDNN, their correctness (see <see cref="ConvolutionGradientCheck"/>).
/// Read from /proc/cpuinfo on Linux; elsewhere every feature reads as absent.
/// </summary>
public static class CpuFeatures
{
    static readonly Lazy<(string Model, HashSet<string> Flags)> Info = new(Read);

    /// <summary>The CPU's model name, or "unknown".</summary>
    public static string ModelName => Info.Value.Model;

    /// <summary>AVX2.</summary>
    public static bool HasAvx2 => Has("avx2");

    /// <summary>AVX-512 Foundation.</summary>
    public static bool HasAvx512 => Has("avx512f");

    /// <summary>AVX512-BF16: bfloat16 dot products.</summary>
    public static bool HasAvx512BFloat16 => Has("avx512_bf16");

    /// <summary>AMX tiles (with AMX-BF16, native bfloat16 matrix products).</summary>
    public static bool HasAmx => Has("amx_tile") || Has("amx_bf16");

    /// <summary>
    /// True when the CPU has AVX512-BF16 or AMX-BF16. Without them libtorch emulates bfloat16, which we measured at
    /// about 13x slower than float32 on an AVX2-only EPYC.
    /// </summary>
    public static bool HasNativeBFloat16 => HasAvx512BFloat16 || Has("amx_bf16");

    /// <summary>The features above that this CPU has, e.g. "AVX2, AVX-512, AVX512-BF16", or "none of AVX2, AVX-512, AVX512-BF16, AMX".</summary>
    public static string Summary
    {
        get
        {
            var present = new (bool Has, string Name)[] { (HasAvx2, "AVX2"), (HasAvx512, "AVX-512"), (HasAvx512BFloat16, "AVX512-BF16"), (HasAmx, "AMX") }
                .Where(f => f.Has).Select(f => f.Name).ToList();
            return present.Count > 0 ? string.Join(", ", present) : "none of AVX2, AVX-512, AVX512-BF16, AMX";
        }
    }

    static bool Has(string flag) => Info.Value.Flags.Contains(flag);

    static (string, HashSet<string>) Read()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo"))
                return ("unknown", new HashSet<string>());
            var lines = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToList();
            string Value(string key) => lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) is { } line ? line[(line.IndexOf(':') + 1)..].Trim() : "";
            var model = Value("model name");
            return (model.Length > 0 ? model : "unknown", Value("flags").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet());
        }
        catch (IOException)
        {
            return ("unknown", new HashSet<string>());
        }
    }
}

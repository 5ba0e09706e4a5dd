namespace SimClr.MLNet.Runtime;

/// <summary>
/// The CPU features that decide which libtorch kernels run: their speed (bfloat16 is native only with
/// AVX512-BF16 or AMX) and, with libtorch 2.10's oneDNN, their correctness (see <see cref="ConvolutionGradientCheck"/>).
/// Read from /proc/cpuinfo on Linux; elsewhere every feature reads as absent. A feature counts only where oneDNN may
/// use it: <c>ONEDNN_MAX_CPU_ISA=AVX2</c> on an AVX-512 CPU gives AVX2 kernels, 8-float channel blocks and emulated
/// bfloat16, so the choices made from these properties (channel blocks, channels-last, Auto precision) follow it.
/// </summary>
public static class CpuFeatures
{
    /// <summary>oneDNN's cap on the instruction sets it uses (<c>ONEDNN_MAX_CPU_ISA</c>), in increasing order.</summary>
    internal enum IsaLevel { Sse41, Avx, Avx2, Avx512, Avx512BFloat16, Amx, Unlimited }

    static readonly Lazy<(string Model, HashSet<string> Flags)> Info = new(Read);

    static readonly Lazy<(IsaLevel Level, string Setting)> OneDnnLimit = new(() =>
    {
        var setting = Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA");
        return (ParseOneDnnLimit(setting), setting ?? "");
    });

    /// <summary>The CPU's model name, or "unknown".</summary>
    public static string ModelName => Info.Value.Model;

    /// <summary>AVX2, where oneDNN may use it (as every property here).</summary>
    public static bool HasAvx2 => Usable("avx2", IsaLevel.Avx2);

    /// <summary>AVX-512 Foundation.</summary>
    public static bool HasAvx512 => Usable("avx512f", IsaLevel.Avx512);

    /// <summary>AVX512-BF16: bfloat16 dot products.</summary>
    public static bool HasAvx512BFloat16 => Usable("avx512_bf16", IsaLevel.Avx512BFloat16);

    /// <summary>AMX tiles (with AMX-BF16, native bfloat16 matrix products).</summary>
    public static bool HasAmx => Usable("amx_tile", IsaLevel.Amx) || Usable("amx_bf16", IsaLevel.Amx);

    /// <summary>
    /// True when the CPU has AVX512-BF16 or AMX-BF16 and oneDNN may use them. Without them libtorch emulates bfloat16, which we measured at
    /// about 13x slower than float32 on an AVX2-only EPYC.
    /// </summary>
    public static bool HasNativeBFloat16 => HasAvx512BFloat16 || Usable("amx_bf16", IsaLevel.Amx);

    /// <summary>
    /// The CPU's features among AVX2, AVX-512, AVX512-BF16 and AMX, e.g. "AVX2, AVX-512, AVX512-BF16", and oneDNN's
    /// cap when one is set ("...; oneDNN limited to AVX2 by ONEDNN_MAX_CPU_ISA").
    /// </summary>
    public static string Summary
    {
        get
        {
            var present = new (string Flag, string Name)[] { ("avx2", "AVX2"), ("avx512f", "AVX-512"), ("avx512_bf16", "AVX512-BF16"), ("amx_tile", "AMX") }
                .Where(f => CpuHas(f.Flag)).Select(f => f.Name).ToList();
            var features = present.Count > 0 ? string.Join(", ", present) : "none of AVX2, AVX-512, AVX512-BF16, AMX";
            return OneDnnLimit.Value.Level == IsaLevel.Unlimited ? features
                : $"{features}; oneDNN limited to {OneDnnLimit.Value.Setting} by ONEDNN_MAX_CPU_ISA";
        }
    }

    /// <summary>
    /// oneDNN's names for its caps (its documentation's <c>ONEDNN_MAX_CPU_ISA</c> values, any case) by what they allow;
    /// unset, ALL, DEFAULT or a name oneDNN does not know (it ignores those) leave every feature usable.
    /// </summary>
    internal static IsaLevel ParseOneDnnLimit(string? setting) => setting?.Trim().ToUpperInvariant() switch
    {
        "SSE41" => IsaLevel.Sse41,
        "AVX" => IsaLevel.Avx,
        "AVX2" or "AVX2_VNNI" or "AVX2_VNNI_2" => IsaLevel.Avx2,
        "AVX512_CORE" or "AVX512_CORE_VNNI" => IsaLevel.Avx512,
        "AVX512_CORE_BF16" or "AVX512_CORE_FP16" or "AVX10_1_512" or "AVX10_2_512" => IsaLevel.Avx512BFloat16,
        "AVX512_CORE_AMX" or "AVX512_CORE_AMX_FP16" or "AVX10_1_512_AMX" or "AVX10_1_512_AMX_FP16" or "AVX10_2_512_AMX_2" => IsaLevel.Amx,
        _ => IsaLevel.Unlimited,
    };

    static bool Usable(string flag, IsaLevel level) => CpuHas(flag) && OneDnnLimit.Value.Level >= level;

    static bool CpuHas(string flag) => Info.Value.Flags.Contains(flag);

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

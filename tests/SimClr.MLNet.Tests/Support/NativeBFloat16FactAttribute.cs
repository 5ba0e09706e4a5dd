using SimClr.MLNet.Runtime;

namespace SimClr.MLNet.Tests.Support;

/// <summary>A theory that is reported as skipped, not passed, on CPUs without AVX512-BF16 or AMX (bfloat16 is emulated there, 13x slower).</summary>
public sealed class NativeBFloat16TheoryAttribute : TheoryAttribute
{
    public NativeBFloat16TheoryAttribute()
    {
        if (!CpuFeatures.HasNativeBFloat16)
            Skip = "Needs a CPU with AVX512-BF16 or AMX-BF16.";
    }
}

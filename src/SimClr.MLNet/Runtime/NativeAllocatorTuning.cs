using System.Runtime.InteropServices;

namespace SimClr.MLNet.Runtime;

/// <summary>
/// Allocator settings that must reach native code (libtorch, glibc) before the first tensor is allocated.
/// .NET's Environment.SetEnvironmentVariable only changes the managed copy of the environment on Unix, so
/// the variable is set through libc's setenv.
/// </summary>
internal static class NativeAllocatorTuning
{
    const string Libc = "libc.so.6";
    const int M_TRIM_THRESHOLD = -1;
    const int M_MMAP_MAX = -4;
    const int M_ARENA_MAX = -8;

    [DllImport(Libc, EntryPoint = "setenv")]
    static extern int SetEnv(string name, string value, int overwrite);

    [DllImport(Libc, EntryPoint = "mallopt")]
    static extern int MallOpt(int parameter, int value);

    /// <summary>Applies the settings; returns a description of what was applied, or why nothing was.</summary>
    public static string Apply()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            return "allocator tuning skipped (not Linux)";
        try
        {
            // libtorch reads THP_MEM_ALLOC_ENABLE once, at its first CPU allocation: 2 MiB-aligned buffers
            // that the kernel can back with huge pages, so a step touches far fewer pages.
            SetEnv("THP_MEM_ALLOC_ENABLE", "1", overwrite: 0);
            // Blocks come from the heap, which keeps what libtorch frees, so the next step reuses the same activations
            // without the kernel zeroing fresh pages for them. Until this setting, blocks over 32 MiB (glibc's largest
            // mmap threshold) were mapped and unmapped every step: in width-16 SimCLR pretraining at 32 px the kernel's
            // page clearing took about a fifth of the CPU time; this setting cut a step by about a quarter and an
            // epoch by a fifth, levelling at about 6 GB. Mmap off with glibc's default arenas (the setting before that)
            // grew by about 0.4 GiB a step, past 24 GiB in the first epoch; the arena limit is what differs. Threads
            // that allocate from now on reuse existing arenas; those that already had one keep it, and there a block
            // over 64 MiB is still mapped: the main thread, where simclr trains, gets all of it (README, "How it runs
            // fast on CPU").
            MallOpt(M_ARENA_MAX, 1);
            MallOpt(M_MMAP_MAX, 0);
            MallOpt(M_TRIM_THRESHOLD, int.MaxValue);
            return "allocator tuning on (THP_MEM_ALLOC_ENABLE=1, M_ARENA_MAX=1, M_MMAP_MAX=0, M_TRIM_THRESHOLD=2 GiB)";
        }
        catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
        {
            return $"allocator tuning skipped (no glibc: {e.Message})";
        }
    }
}

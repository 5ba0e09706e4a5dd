using System.Diagnostics;

namespace SimClr.Cli.Infrastructure;

/// <summary>Peak resident memory and CPU time of this process, for benchmark reports.</summary>
internal static class ProcessStats
{
    /// <summary>Peak resident set size in bytes (VmHWM), or the current working set off Linux.</summary>
    public static long PeakResidentBytes()
    {
        if (OperatingSystem.IsLinux())
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }

    /// <summary>Resets the peak so that a later <see cref="PeakResidentBytes"/> covers only what follows (Linux).</summary>
    public static void ResetPeakResident()
    {
        if (OperatingSystem.IsLinux())
            File.WriteAllText("/proc/self/clear_refs", "5");
    }

    /// <summary>User and system CPU time so far.</summary>
    public static (TimeSpan User, TimeSpan System) CpuTime()
    {
        var process = Process.GetCurrentProcess();
        return (process.UserProcessorTime, process.PrivilegedProcessorTime);
    }

    public static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):N0} MB";
}

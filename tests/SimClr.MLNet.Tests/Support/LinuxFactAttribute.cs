namespace SimClr.MLNet.Tests.Support;

/// <summary>A fact that is reported as skipped, not passed, off Linux (it needs ELF files or a Linux loader).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "Needs Linux: libLibTorchSharp.so and its loader exist only there.";
    }
}

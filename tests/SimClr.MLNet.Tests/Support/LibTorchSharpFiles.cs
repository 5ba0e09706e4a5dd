using SimClr.MLNet.Runtime;

namespace SimClr.MLNet.Tests.Support;

/// <summary>Copies of TorchSharp's libLibTorchSharp.so with the GLIBCXX_3.4.32 need strong (as NuGet ships it) or weak.</summary>
public static class LibTorchSharpFiles
{
    public const string FileName = "libLibTorchSharp.so";
    public const string Version = "GLIBCXX_3.4.32";

    /// <summary>The copy in this test's output (which the build step may already have patched).</summary>
    public static string Built()
        => Directory.EnumerateFiles(AppContext.BaseDirectory, FileName, SearchOption.AllDirectories).First();

    /// <summary>The folder holding the built copy, with libtorch.so, libc10.so and libtorch_cpu.so beside it.</summary>
    public static string BuiltFolder() => Path.GetDirectoryName(Built())!;

    /// <summary>Writes a copy whose need for <see cref="Version"/> is strong, as TorchSharp ships it.</summary>
    public static string WriteUnpatched(string path)
    {
        var bytes = File.ReadAllBytes(Built());
        var need = ElfVersionNeedPatcher.ReadVersionNeeds(bytes, path).Single(n => n.Name == Version);
        bytes[need.FlagsOffset] = (byte)(need.Flags & ~2);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Writes a copy whose need for <see cref="Version"/> is already weak.</summary>
    public static string WriteWeak(string path)
    {
        WriteUnpatched(path);
        ElfVersionNeedPatcher.WeakenVersionNeeds(path, new[] { Version });
        return path;
    }

    /// <summary>True when the file's need for <see cref="Version"/> is weak.</summary>
    public static bool IsWeak(string path)
        => (ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(path), path).Single(n => n.Name == Version).Flags & 2) != 0;
}

using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Runtime;

public class LibTorchSharpLoaderTests
{
    static readonly string[] Versions = [LibTorchSharpFiles.Version];

    /// <summary>An app folder holding only libLibTorchSharp.so (as NuGet ships it), plus the search order the loader uses.</summary>
    static (string Source, string[] SearchDirectories) UnpatchedApp(TempDirectory dir)
    {
        var native = dir.Combine("app", "runtimes", "linux-x64", "native");
        var source = LibTorchSharpFiles.WriteUnpatched(Path.Combine(native, LibTorchSharpFiles.FileName));
        return (source, [dir.Combine("app"), native, LibTorchSharpFiles.BuiltFolder()]);
    }

    [LinuxFact]
    public void PlanWritesAPatchedCopyToTheCacheAndLeavesTheSourceAlone()
    {
        using var dir = new TempDirectory();
        var (source, search) = UnpatchedApp(dir);
        var original = File.ReadAllBytes(source);
        var cache = dir.Combine("cache", "simclr-mlnet");

        var plan = LibTorchSharpLoader.Plan(search, Versions, cache)!;

        Assert.Equal(source, plan.Source);
        Assert.Equal(cache, Path.GetDirectoryName(Path.GetDirectoryName(plan.PatchedCopy)));
        Assert.True(LibTorchSharpFiles.IsWeak(plan.PatchedCopy));
        Assert.Equal(original, File.ReadAllBytes(source));
        Assert.False(LibTorchSharpFiles.IsWeak(source));
        // libtorch's libraries are not beside the source here, so they come from the later search folders.
        Assert.Equal(["libtorch.so", "libc10.so", "libtorch_cpu.so"], plan.Dependencies.Select(Path.GetFileName));
        Assert.All(plan.Dependencies, d => Assert.Equal(LibTorchSharpFiles.BuiltFolder(), Path.GetDirectoryName(d)));
    }

    [LinuxFact]
    public void ASecondPlanReusesTheCachedCopyAndADamagedOneIsReplaced()
    {
        using var dir = new TempDirectory();
        var (_, search) = UnpatchedApp(dir);
        var cache = dir.Combine("cache");
        var first = LibTorchSharpLoader.Plan(search, Versions, cache)!.PatchedCopy;
        var bytes = File.ReadAllBytes(first);
        var written = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(first, written);

        var second = LibTorchSharpLoader.Plan(search, Versions, cache)!.PatchedCopy;

        Assert.Equal(first, second);
        Assert.Equal(written, File.GetLastWriteTimeUtc(second));

        File.WriteAllBytes(first, bytes[..1000]);
        var third = LibTorchSharpLoader.Plan(search, Versions, cache)!.PatchedCopy;

        Assert.Equal(first, third);
        Assert.Equal(bytes, File.ReadAllBytes(third));
        Assert.Equal([LibTorchSharpFiles.FileName], Directory.GetFiles(Path.GetDirectoryName(first)!).Select(Path.GetFileName));
    }

    [LinuxFact]
    public void AnAlreadyWeakLibraryNeedsNoCopy()
    {
        using var dir = new TempDirectory();
        LibTorchSharpFiles.WriteWeak(dir.Combine("app", LibTorchSharpFiles.FileName));

        Assert.Null(LibTorchSharpLoader.Plan([dir.Combine("app")], Versions, dir.Combine("cache")));
        Assert.False(Directory.Exists(dir.Combine("cache")));
    }

    [LinuxFact]
    public void TheFirstCopyInSearchOrderIsTheOneThatCounts()
    {
        using var dir = new TempDirectory();
        var weak = LibTorchSharpFiles.WriteWeak(dir.Combine("weak", LibTorchSharpFiles.FileName));
        var strong = LibTorchSharpFiles.WriteUnpatched(dir.Combine("strong", LibTorchSharpFiles.FileName));

        Assert.Null(LibTorchSharpLoader.Plan([dir.Combine("empty"), dir.Combine("weak"), dir.Combine("strong")], Versions, dir.Combine("cache")));
        Assert.Equal(strong, LibTorchSharpLoader.Plan([dir.Combine("strong"), dir.Combine("weak")], Versions, dir.Combine("cache"))!.Source);
        Assert.Null(LibTorchSharpLoader.Plan([dir.Combine("empty")], Versions, dir.Combine("cache")));
        Assert.True(File.Exists(weak));
    }

    [LinuxFact]
    public void AnUnwritableCacheFallsBackToAPrivateTempFolder()
    {
        using var dir = new TempDirectory();
        var (_, search) = UnpatchedApp(dir);
        File.WriteAllText(dir.Combine("not-a-folder"), "");

        var copy = LibTorchSharpLoader.Plan(search, Versions, dir.Combine("not-a-folder", "simclr-mlnet"))!.PatchedCopy;
        try
        {
            var folder = Path.GetDirectoryName(copy)!;
            Assert.Equal(Path.TrimEndingDirectorySeparator(Path.GetTempPath()), Path.GetDirectoryName(folder));
            Assert.StartsWith("simclr-mlnet-", Path.GetFileName(folder));
            Assert.True(LibTorchSharpFiles.IsWeak(copy));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("/data/cache", false)]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("relative/cache", true)]   // the XDG base-directory spec: a relative path is invalid and ignored
    public void TheCacheFollowsXdgCacheHome(string? xdgCacheHome, bool usesHome)
    {
        var expected = usesHome ? Path.Combine("/home/u", ".cache", "simclr-mlnet") : Path.Combine(xdgCacheHome!, "simclr-mlnet");
        Assert.Equal(expected, LibTorchSharpLoader.CacheRoot(xdgCacheHome, "/home/u"));
    }

    [Theory]
    [InlineData("LibTorchSharp", true)]
    [InlineData("libLibTorchSharp.so", true)]
    [InlineData("torch_cpu", false)]
    [InlineData("libc.so.6", false)]
    public void OnlyTorchSharpsBridgeIsAnsweredByTheResolver(string name, bool answered)
        => Assert.Equal(answered, LibTorchSharpLoader.IsLibTorchSharp(name));
}

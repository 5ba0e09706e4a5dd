using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Build;

public class ElfVersionNeedPatcherTests
{
    /// <summary>The copy in this test's output, which the build already patched.</summary>
    static string BuiltLibTorchSharp()
        => Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).First();

    [Fact]
    public void MarksOnlyTheNamedVersionWeakAndIsIdempotent()
    {
        if (!OperatingSystem.IsLinux())
            return;
        using var dir = new TempDirectory();
        var copy = dir.Combine("libLibTorchSharp.so");
        File.Copy(BuiltLibTorchSharp(), copy);
        // Undo the build's patch, so the test sees the library as NuGet ships it.
        var bytes = File.ReadAllBytes(copy);
        var target = ElfVersionNeedPatcher.ReadVersionNeeds(bytes, copy).Single(n => n.Name == "GLIBCXX_3.4.32");
        bytes[target.FlagsOffset] = 0;
        File.WriteAllBytes(copy, bytes);
        var before = ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(copy), copy);

        var changed = ElfVersionNeedPatcher.WeakenVersionNeeds(copy, new[] { "GLIBCXX_3.4.32" });
        var after = ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(copy), copy);

        Assert.Equal(new[] { "GLIBCXX_3.4.32" }, changed);
        Assert.Contains(before, n => n.File == "libstdc++.so.6" && n.Name == "GLIBCXX_3.4.30");
        for (int i = 0; i < before.Count; i++)
            Assert.Equal(before[i].Name == "GLIBCXX_3.4.32" ? before[i].Flags | 2 : before[i].Flags, after[i].Flags);
        Assert.Empty(ElfVersionNeedPatcher.WeakenVersionNeeds(copy, new[] { "GLIBCXX_3.4.32" }));
    }

    [Fact]
    public void NonElfFileIsRejectedByName()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("fake.so");
        File.WriteAllText(path, "not an elf file, but long enough to have a header of sixty-four bytes at least.");
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.WeakenVersionNeeds(path, new[] { "X" }));
        Assert.Contains(path, error.Message);
    }
}

using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Build;

public class ElfVersionNeedPatcherTests
{
    [LinuxFact]
    public void MarksOnlyTheNamedVersionWeakAndIsIdempotent()
    {
        using var dir = new TempDirectory();
        // As NuGet ships it: the build step may already have patched the copy in this test's output.
        var copy = LibTorchSharpFiles.WriteUnpatched(dir.Combine("libLibTorchSharp.so"));
        var before = ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(copy), copy);

        var changed = ElfVersionNeedPatcher.WeakenVersionNeeds(copy, new[] { "GLIBCXX_3.4.32" });
        var after = ElfVersionNeedPatcher.ReadVersionNeeds(File.ReadAllBytes(copy), copy);

        Assert.Equal(new[] { "GLIBCXX_3.4.32" }, changed);
        Assert.Contains(before, n => n.File == "libstdc++.so.6" && n.Name == "GLIBCXX_3.4.30");
        for (int i = 0; i < before.Count; i++)
            Assert.Equal(before[i].Name == "GLIBCXX_3.4.32" ? before[i].Flags | 2 : before[i].Flags, after[i].Flags);
        Assert.Empty(ElfVersionNeedPatcher.WeakenVersionNeeds(copy, new[] { "GLIBCXX_3.4.32" }));
    }

    [LinuxFact]
    public void ListsTheNeededLibrariesInOrder()
    {
        var built = LibTorchSharpFiles.Built();
        var needed = ElfVersionNeedPatcher.ReadNeededLibraries(File.ReadAllBytes(built), built);
        Assert.Equal(["libtorch.so", "libc10.so", "libtorch_cpu.so", "libstdc++.so.6"], needed.Take(4));
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

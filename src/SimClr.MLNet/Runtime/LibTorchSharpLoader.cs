using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace SimClr.MLNet.Runtime;

/// <summary>
/// Makes TorchSharp 0.107.0's libLibTorchSharp.so load where the host's libstdc++ predates GLIBCXX_3.4.32
/// (Debian 12, Ubuntu 22.04), in any application: project and package references, published apps and scripts,
/// whether or not the build step in build/SimClr.MLNet.targets ran.
/// </summary>
/// <remarks>
/// TorchSharp sets no DllImportResolver. Its loader calls
/// <c>NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, ...)</c>, which never consults a resolver, and
/// then binds <c>[DllImport("LibTorchSharp")]</c>. The runtime finds the file
/// through deps.json (the app's <c>runtimes/linux-x64/native</c>, the publish folder or the NuGet cache) and dlopens
/// it by absolute path, which fails here; glibc matches absolute paths by file, not by soname, so an
/// already-loaded patched copy is not reused for them. Last, the runtime dlopens the bare name
/// "libLibTorchSharp.so", and glibc answers that with the loaded library whose soname matches.
/// So the loader writes a copy with the version need marked weak to a per-user cache, loads its libtorch
/// dependencies from where TorchSharp's own copy is found (the copy's $ORIGIN has none), loads the copy (putting
/// its soname in the process), and registers a DllImportResolver on TorchSharp's assembly that hands the copy's
/// handle to the DllImport binding directly.
/// </remarks>
internal static class LibTorchSharpLoader
{
    const string FileName = "libLibTorchSharp.so";
    const string ImportName = "LibTorchSharp";

    static IntPtr _handle;

    /// <summary>What loading needs: the copy to load, and its libtorch dependencies by absolute path, in order.</summary>
    internal sealed record LoadPlan(string Source, string PatchedCopy, IReadOnlyList<string> Dependencies);

    /// <summary>
    /// Loads a patched copy of libLibTorchSharp.so and binds TorchSharp to it, when this host needs one. Must run
    /// before anything calls into TorchSharp's native code. Returns what it did, or null when nothing was needed
    /// (not Linux, a recent libstdc++, an already-patched copy, or no copy found: TorchSharp then reports that).
    /// </summary>
    /// <exception cref="InvalidOperationException">A patched copy was needed but could not be written or loaded; the one-line message says what to do.</exception>
    public static string? EnsureLoadable()
    {
        if (!OperatingSystem.IsLinux() || _handle != IntPtr.Zero)
            return null;
        var missing = ElfVersionNeedPatcher.VersionsMissingOnHost();
        if (missing.Count == 0)
            return null;
        var torchSharp = typeof(TorchSharp.torch).Assembly;
        string? target = null;
        try
        {
            var plan = Plan(SearchDirectories(torchSharp), missing, CacheRoot(Environment.GetEnvironmentVariable("XDG_CACHE_HOME"),
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)));
            if (plan == null)
                return null;
            target = plan.PatchedCopy;
            foreach (var dependency in plan.Dependencies)
                NativeLibrary.Load(dependency);
            var handle = NativeLibrary.Load(plan.PatchedCopy);
            _handle = handle;
            var description = $"{FileName} loaded from {plan.PatchedCopy} ({string.Join(", ", missing)} marked weak)";
            try
            {
                NativeLibrary.SetDllImportResolver(torchSharp, (name, _, _) => IsLibTorchSharp(name) ? handle : IntPtr.Zero);
            }
            catch (InvalidOperationException)
            {
                // The application set its own resolver on TorchSharp; the runtime's bare-name lookup still finds the copy.
                description += ", found by soname";
            }
            return description;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
                                      or DllNotFoundException or BadImageFormatException)
        {
            throw new InvalidOperationException(
                $"SimClr.MLNet: this host's libstdc++ lacks {string.Join(", ", missing)}, which TorchSharp's {FileName} asks for, " +
                $"and a patched copy could not be {(target == null ? "written" : $"loaded from {target}")} ({OneLine(e.Message)}). " +
                "Set XDG_CACHE_HOME to a writable folder that allows executable files, or install libstdc++ from GCC 13 or newer.", e);
        }
    }

    /// <summary>True for the names TorchSharp uses for its native bridge.</summary>
    internal static bool IsLibTorchSharp(string libraryName) => libraryName is ImportName or FileName;

    /// <summary>
    /// Finds TorchSharp's libLibTorchSharp.so in <paramref name="searchDirectories"/> (first match wins, as with the
    /// runtime's own probing) and, when it still has a strong need for one of <paramref name="versions"/>, writes
    /// a patched copy to <paramref name="cacheRoot"/>/&lt;hash of the copy&gt;/ or reuses the one already there.
    /// Null when no copy is found or nothing needs patching.
    /// </summary>
    /// <remarks>
    /// The folder is named by the patched file's SHA-256, and a cached file is used only when its bytes match, so a
    /// TorchSharp upgrade gets a new folder and a damaged file is replaced. Writes go to a temporary file that is
    /// then renamed, so processes racing to fill the cache each see a whole file. When <paramref name="cacheRoot"/>
    /// cannot be written, a new private folder under the system temp folder is used for this process.
    /// </remarks>
    internal static LoadPlan? Plan(IReadOnlyList<string> searchDirectories, ICollection<string> versions, string cacheRoot)
    {
        var source = searchDirectories.Select(d => Path.Combine(d, FileName)).FirstOrDefault(File.Exists);
        if (source == null)
            return null;
        var image = File.ReadAllBytes(source);
        if (ElfVersionNeedPatcher.WeakenVersionNeeds(image, versions, source).Count == 0)
            return null;

        var key = Convert.ToHexStringLower(SHA256.HashData(image))[..16];
        string copy;
        try
        {
            copy = Store(Path.Combine(cacheRoot, key), image);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                copy = Store(Directory.CreateTempSubdirectory("simclr-mlnet-").FullName, image);
            }
            catch (Exception fallback) when (fallback is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"neither {cacheRoot} ({e.Message}) nor a new folder in {Path.GetTempPath()} ({fallback.Message}) could be written", fallback);
            }
        }

        var dependencyDirectories = searchDirectories.Prepend(Path.GetDirectoryName(source)!).ToList();
        var dependencies = ElfVersionNeedPatcher.ReadNeededLibraries(image, source)
            .Select(name => dependencyDirectories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists))
            .OfType<string>()
            .ToList();
        return new LoadPlan(source, copy, dependencies);
    }

    /// <summary>The per-user cache folder: $XDG_CACHE_HOME/simclr-mlnet, else ~/.cache/simclr-mlnet.</summary>
    internal static string CacheRoot(string? xdgCacheHome, string home)
    {
        // The XDG base-directory spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
        var root = !string.IsNullOrEmpty(xdgCacheHome) && Path.IsPathRooted(xdgCacheHome)
            ? xdgCacheHome
            : Path.Combine(home, ".cache");
        return Path.Combine(root, "simclr-mlnet");
    }

    /// <summary>
    /// Where the runtime looks for native libraries (from deps.json), then the app folder and TorchSharp's own
    /// folder with their runtimes/&lt;rid&gt;/native subfolders, and the NuGet package layout next to TorchSharp.dll.
    /// </summary>
    static List<string> SearchDirectories(Assembly torchSharp)
    {
        var directories = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string list)
            directories.AddRange(list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        var native = Path.Combine("runtimes", $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}", "native");
        var torchSharpFolder = Path.GetDirectoryName(torchSharp.Location);
        directories.Add(AppContext.BaseDirectory);
        directories.Add(Path.Combine(AppContext.BaseDirectory, native));
        if (!string.IsNullOrEmpty(torchSharpFolder))
        {
            directories.Add(torchSharpFolder);
            directories.Add(Path.Combine(torchSharpFolder, native));
            directories.Add(Path.Combine(torchSharpFolder, "..", "..", native));   // packages/torchsharp/<v>/lib/<tfm>/
        }
        return directories.Select(Path.GetFullPath).Distinct().ToList();
    }

    /// <summary>Writes <paramref name="image"/> to <paramref name="folder"/>/libLibTorchSharp.so unless an identical file is there.</summary>
    static string Store(string folder, byte[] image)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(image))
            return path;
        var temp = Path.Combine(folder, $"{FileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, image);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        return path;
    }

    static string OneLine(string message) => string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

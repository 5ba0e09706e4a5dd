using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Runtime;

/// <summary>
/// An application that gets none of this repository's build files (no Directory.Build.props/targets, so no
/// libLibTorchSharp.so build step) references the library project, trains one step, and still loads libtorch:
/// built with <c>dotnet build</c> and with <c>dotnet publish</c>. On hosts whose libstdc++ lacks GLIBCXX_3.4.32 that
/// works only through the run-time loader, and the test checks that the copy in the per-user cache is what got
/// mapped.
/// </summary>
public class AppOutsideRepositoryTests
{
    static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            <ProjectReference Include="LIBRARY" />
          </ItemGroup>
        </Project>
        """;

    // One supervised step: 20 synthetic images, one batch, Reference encoder width 8 at 32 px.
    const string Program = """
        using SimClr.MLNet.Data;
        using SimClr.MLNet.Models;
        using SimClr.MLNet.Runtime;
        using SimClr.MLNet.Training;

        using var labeled = SyntheticShapes.CreateSet(seed: 1, first: 0, count: 20, size: 32);
        var options = new SupervisedOptions { EncoderSpec = new EncoderSpec(EncoderArchitecture.Reference, 8, 32), Epochs = 1, BatchSize = 20, Seed = 1 };
        using var result = new SupervisedTrainer(options).Fit(labeled);
        Console.WriteLine($"runtime: {TorchRuntime.Description}");
        foreach (var path in File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last())
                     .Where(p => p.EndsWith("/libLibTorchSharp.so")).Distinct())
            Console.WriteLine($"mapped: {path}");
        Console.WriteLine($"loss: {result.History.Epochs[^1]["loss"]:R}");
        """;

    [LinuxFact]
    public void AConsoleAppWithAProjectReferenceTrainsOneStepBuiltAndPublished()
    {
        using var dir = new TempDirectory();
        for (var folder = new DirectoryInfo(dir.Path); folder != null; folder = folder.Parent)
            Assert.False(File.Exists(Path.Combine(folder.FullName, "Directory.Build.props")) || File.Exists(Path.Combine(folder.FullName, "Directory.Packages.props")),
                $"{folder.FullName} has MSBuild files that the app would import; the test needs a folder outside any repository.");
        var app = dir.Combine("app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "OutsideApp.csproj"), Project.Replace("LIBRARY", LibraryProject()));
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
        var cache = dir.Combine("cache");
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(name => name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase))     // set by a parent dotnet test/build
            .ToDictionary(name => name, string? (_) => null);
        environment["XDG_CACHE_HOME"] = cache;
        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        // The configuration these tests were built in, so the library project is already up to date.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        string[] quiet = ["-c", configuration, "--nologo", "-v", "q", "-nodeReuse:false", "-p:UseSharedCompilation=false"];

        Dotnet(app, environment, ["build", .. quiet]);
        var built = Path.Combine(app, "bin", configuration, "net10.0");
        AssertTrainedOneStep(Dotnet(app, environment, [Path.Combine(built, "OutsideApp.dll")]), built, cache);

        var published = dir.Combine("published");
        Dotnet(app, environment, ["publish", .. quiet, "-o", published]);
        AssertTrainedOneStep(Dotnet(app, environment, [Path.Combine(published, "OutsideApp.dll")]), published, cache);
    }

    static void AssertTrainedOneStep(string output, string appFolder, string cache)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var loss = double.Parse(lines.Single(l => l.StartsWith("loss: "))["loss: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(double.IsFinite(loss) && loss > 0, output);
        var mapped = Assert.Single(lines, l => l.StartsWith("mapped: "))["mapped: ".Length..];
        var own = Directory.EnumerateFiles(appFolder, LibTorchSharpFiles.FileName, SearchOption.AllDirectories).Single();
        if (ElfVersionNeedPatcher.VersionsMissingOnHost().Count == 0)
        {
            Assert.Equal(own, mapped);
            return;
        }
        // No build step ran: the app's own copy still has the strong need, and the cached, patched copy was loaded.
        Assert.False(LibTorchSharpFiles.IsWeak(own));
        Assert.StartsWith(Path.Combine(cache, "simclr-mlnet") + Path.DirectorySeparatorChar, mapped);
        Assert.True(LibTorchSharpFiles.IsWeak(mapped));
        Assert.Contains($"libLibTorchSharp.so loaded from {mapped}", output);
    }

    static string Dotnet(string workingDirectory, IReadOnlyDictionary<string, string?> environment, string[] arguments)
    {
        var (exitCode, output, error) = ChildProcess.Run(ChildProcess.Dotnet, arguments, Limit, workingDirectory, environment);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({exitCode}):\n{output}\n{error}");
        return output;
    }

    static string LibraryProject()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder != null; folder = folder.Parent)
        {
            var project = Path.Combine(folder.FullName, "src", "SimClr.MLNet", "SimClr.MLNet.csproj");
            if (File.Exists(project))
                return project;
        }
        throw new InvalidOperationException($"No src/SimClr.MLNet/SimClr.MLNet.csproj above {AppContext.BaseDirectory}.");
    }
}

using System.Diagnostics;

namespace SimClr.MLNet.Tests.Support;

/// <summary>Runs a program to completion (or kills it at a time limit) and captures what it prints.</summary>
public static class ChildProcess
{
    /// <summary>The dotnet host running these tests, so children use the same SDK and runtime.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>
    /// Runs <paramref name="fileName"/>; <paramref name="environment"/> entries replace (or, when null, remove)
    /// inherited variables. Fails the test when the time limit passes.
    /// </summary>
    public static (int ExitCode, string Output, string Error) Run(string fileName, IEnumerable<string> arguments, TimeSpan limit,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(fileName)} {string.Join(' ', start.ArgumentList)} did not finish in {limit.TotalMinutes:0.#} min");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}

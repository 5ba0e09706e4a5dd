using SimClr.Cli;
using SimClr.MLNet.Tests.Support;
using Spectre.Console;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>Runs the simclr command line in-process and captures what it prints.</summary>
public static class CliRunner
{
    public static (int ExitCode, string Output) Run(params string[] args) => Run(CancellationToken.None, args);

    /// <summary>Runs a command until it ends or <paramref name="cancellation"/> fires (what Ctrl+C does).</summary>
    public static (int ExitCode, string Output) Run(CancellationToken cancellation, params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Ansi = AnsiSupport.No,
        });
        console.Profile.Width = 400;
        int code = SimClrApp.Run(args, console, cancellation);
        return (code, writer.ToString());
    }

    /// <summary>Writes <paramref name="json"/> as dir/pipeline.json and runs <c>simclr run</c> on it.</summary>
    public static (int ExitCode, string Output) RunPipeline(TempDirectory dir, string json, params string[] options)
    {
        var path = dir.Combine("pipeline.json");
        File.WriteAllText(path, json);
        return Run(["run", path, .. options]);
    }

    /// <summary>Asserts that <paramref name="output"/> is a single <c>error:</c> line without a stack trace, and returns it.</summary>
    public static string OneErrorLine(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error:", lines[0]);
        Assert.DoesNotContain("   at ", output);
        return lines[0];
    }

    /// <summary>Like <see cref="OneErrorLine"/> for a run that failed after logging progress: the last line is the only error.</summary>
    public static string ErrorAfterLog(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, line => line.StartsWith("error:"));
        Assert.StartsWith("error:", lines[^1]);
        Assert.DoesNotContain("   at ", output);
        return lines[^1];
    }
}

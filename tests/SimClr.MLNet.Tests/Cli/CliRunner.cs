using SimClr.Cli;
using Spectre.Console;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>Runs the simclr command line in-process and captures what it prints.</summary>
public static class CliRunner
{
    public static (int ExitCode, string Output) Run(params string[] args)
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
        int code = SimClrApp.Run(args, console);
        return (code, writer.ToString());
    }
}

using System.ComponentModel;
using SimClr.Cli.Serving;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary><c>simclr serve --model finetuned.zip [--index DIR] [--port 5000]</c>: a page and an HTTP API around a classifier.</summary>
internal sealed class ServeCommand(IAnsiConsole console) : Command<ServeCommand.Settings>
{
    public sealed class Settings : OnnxThreadsSettings
    {
        [CommandOption("--model <ZIP>")] [Description("A classifier saved by a run (finetuned.zip, baseline.zip, distilled.zip, probe.zip).")]
        public string Model { get; init; } = "";

        [CommandOption("--index <DIR>")] [Description("A folder written by simclr embed: the page then also shows the nearest indexed images.")]
        public string? Index { get; init; }

        [CommandOption("--port <PORT>")] [Description("TCP port; 0 picks a free one.")] [DefaultValue(5000)]
        public int Port { get; init; } = 5000;

        [CommandOption("--host <ADDRESS>")] [Description("Address to listen on; 0.0.0.0 for every interface (containers).")] [DefaultValue("127.0.0.1")]
        public string Host { get; init; } = "127.0.0.1";

        public override ValidationResult Validate()
            => string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model is required.")
                : Port is < 0 or > 65535 ? ValidationResult.Error("--port must be 0 to 65535.")
                : !System.Net.IPAddress.TryParse(Host, out _) ? ValidationResult.Error($"--host '{Host}' is not an IP address.")
                : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var server = ModelServer.StartAsync(settings.Model, settings.Index, settings.Host, settings.Port, settings.OnnxThreads).GetAwaiter().GetResult();
        try
        {
            console.WriteLine($"Serving {settings.Model} at {server.Address} (page: /, API: POST /predict, GET /health); Ctrl+C stops.");
            server.WaitAsync(cancellation).GetAwaiter().GetResult();
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }
}

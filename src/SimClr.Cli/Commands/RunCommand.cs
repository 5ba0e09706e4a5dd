using System.ComponentModel;
using SimClr.Cli.Pipelines;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary><c>simclr run PIPELINE.json [--data PATH] [--out DIR] [--resume | --force]</c>.</summary>
internal sealed class RunCommand(IAnsiConsole console) : Command<RunCommand.Settings>
{
    public sealed class Settings : RunFolderSettings
    {
        [CommandArgument(0, "<PIPELINE>")] [Description("Pipeline file (JSON); see pipelines/ and the README for the schema.")]
        public string Pipeline { get; init; } = "";

        [CommandOption("--data <PATH>")] [Description("Data folder: overrides the pipeline's data.path.")]
        public string? Data { get; init; }

        [CommandOption("--out <DIR>")] [Description("Output folder. Default: runs/<pipeline name>.")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var pipeline = PipelineFile.Load(settings.Pipeline);
        var output = settings.Out ?? Path.Combine("runs", pipeline.Name!);
        var command = $"simclr run {settings.Pipeline}" + (settings.Data != null ? $" --data {settings.Data}" : "") + $" --out {output}";
        return PipelineRunCommand.Execute(console, pipeline, new RunSettings(output, settings.Data, settings.Resume, command, settings.Force), cancellation);
    }
}

using System.ComponentModel;
using SimClr.Cli.Pipelines;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary><c>simclr run PIPELINE.json [--data PATH] [--out DIR] [--repeats N] [--resume | --force]</c>.</summary>
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

        [CommandOption("--repeats <N>")] [Description("Seeds per supervised experiment: overrides the pipeline's repeats (1 to 10).")]
        public int? Repeats { get; init; }

        public override ValidationResult Validate()
            => Repeats is < 1 or > PipelineDefinition.MaxRepeats
                ? ValidationResult.Error($"--repeats must be 1 to {PipelineDefinition.MaxRepeats}.")
                : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var pipeline = PipelineFile.Load(settings.Pipeline);
        if (settings.Repeats is { } repeats)
            pipeline = pipeline with { Repeats = repeats };
        var output = settings.Out ?? Path.Combine("runs", pipeline.Name!);
        var command = $"simclr run {settings.Pipeline}" + (settings.Data != null ? $" --data {settings.Data}" : "")
            + (settings.Repeats != null ? $" --repeats {settings.Repeats}" : "") + $" --out {output}";
        return PipelineRunCommand.Execute(console, pipeline, new RunSettings(output, settings.Data, settings.Resume, command, settings.Force), cancellation);
    }
}

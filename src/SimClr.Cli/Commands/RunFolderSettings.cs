using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary>What to do with an output folder that holds an earlier run: the options of every command that runs a pipeline.</summary>
internal abstract class RunFolderSettings : CommandSettings
{
    [CommandOption("--resume")] [Description("Continue the interrupted run in the output folder; refused if its settings or data changed.")]
    public bool Resume { get; init; }

    [CommandOption("--force")] [Description("Start over in an output folder that holds an earlier run, deleting its run-state.json and checkpoints first.")]
    public bool Force { get; init; }

    public override ValidationResult Validate()
        => Resume && Force
            ? ValidationResult.Error("--resume continues the run in the output folder and --force starts it over; give one of them.")
            : ValidationResult.Success();
}

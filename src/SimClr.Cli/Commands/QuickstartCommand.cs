using System.ComponentModel;
using System.Reflection;
using SimClr.Cli.Pipelines;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary>
/// <c>simclr quickstart [--out DIR] [--resume | --force]</c>: the four experiments on a generated dataset that needs no
/// download. The pipeline is pipelines/quickstart.json, embedded in the tool.
/// </summary>
internal sealed class QuickstartCommand(IAnsiConsole console) : Command<QuickstartCommand.Settings>
{
    public sealed class Settings : RunFolderSettings
    {
        [CommandOption("--out <DIR>")] [Description("Output folder.")] [DefaultValue("runs/quickstart")]
        public string Out { get; init; } = "runs/quickstart";

        [CommandOption("--tiny")] [Description("A few seconds' version, for smoke tests: tiny data, one epoch each.")]
        public bool Tiny { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var pipeline = Embedded();
        if (settings.Tiny)
            pipeline = Tiny(pipeline);
        var command = "simclr quickstart" + (settings.Tiny ? " --tiny" : "") + $" --out {settings.Out}";
        return PipelineRunCommand.Execute(console, pipeline, new RunSettings(settings.Out, Resume: settings.Resume, Command: command, Force: settings.Force), cancellation);
    }

    /// <summary>pipelines/quickstart.json, as built into the tool.</summary>
    public static PipelineDefinition Embedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("quickstart.json")
            ?? throw new InvalidOperationException("The tool was built without its quickstart pipeline.");
        using var reader = new StreamReader(stream);
        return PipelineFile.Parse(reader.ReadToEnd(), "quickstart.json");
    }

    static PipelineDefinition Tiny(PipelineDefinition pipeline)
    {
        var one = new ExperimentOptions { Epochs = 1 };
        return pipeline with
        {
            Name = pipeline.Name + " (tiny)",
            Data = pipeline.Data with { LabeledCount = 40, UnlabeledCount = 60, ValidationCount = 40, ImageSize = 32 },
            Encoder = pipeline.Encoder with { Width = 4 },
            Experiments = new ExperimentsDefinition
            {
                Baseline = (pipeline.Experiments.Baseline ?? one) with { Epochs = 1 },
                Pretrain = (pipeline.Experiments.Pretrain ?? one) with { Epochs = 1, BatchSize = 50 },
                Finetune = (pipeline.Experiments.Finetune ?? one) with { Epochs = 1 },
                Distill = (pipeline.Experiments.Distill ?? one) with { Epochs = 1, BatchSize = 50 },
            },
        };
    }
}

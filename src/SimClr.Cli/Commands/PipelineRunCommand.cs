using SimClr.Cli.Infrastructure;
using SimClr.Cli.Pipelines;
using SimClr.Cli.Progress;
using SimClr.Cli.Reporting;
using Spectre.Console;

namespace SimClr.Cli.Commands;

/// <summary>Runs a pipeline with the right progress display, and prints the results table. Shared by run and quickstart.</summary>
internal static class PipelineRunCommand
{
    public static int Execute(IAnsiConsole console, PipelineDefinition pipeline, RunSettings settings, CancellationToken cancellation)
    {
        RunSummary summary;
        try
        {
            if (console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
            {
                summary = null!;
                console.Progress().AutoClear(false).HideCompleted(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                        new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(context => summary = new PipelineRunner(pipeline, settings, new LiveRunObserver(console, context)).Run(cancellation));
            }
            else
                summary = new PipelineRunner(pipeline, settings, new PlainRunObserver(console)).Run(cancellation);
        }
        catch (OperationCanceledException)
        {
            console.MarkupLineInterpolated($"[yellow]cancelled:[/] the checkpoint is in {Path.Combine(settings.OutputDirectory, "checkpoints")}; run the same command with --resume to continue.");
            return StopSignals.InterruptedExitCode;
        }

        var table = new Table().AddColumns("experiment", "epochs", "wall time", "val accuracy max / final", "saved model (Evaluate)");
        foreach (var r in summary.Experiments)
            table.AddRow(r.Label, r.History.Epochs.Count.ToString(), ReportWriter.Duration(r.Seconds),
                $"{ReportWriter.Percent(r.MaxAccuracy)} / {ReportWriter.Percent(r.FinalAccuracy)}",
                $"{Path.GetFileName(r.ModelFile)}: {ReportWriter.Percent(r.Evaluation.MicroAccuracy)}");
        console.Write(table);
        console.WriteLine($"Wall time {ReportWriter.Duration(summary.WallSeconds)}. Report: {summary.ReportFile}");
        return 0;
    }
}

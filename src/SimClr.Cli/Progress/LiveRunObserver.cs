using System.Globalization;
using SimClr.Cli.Pipelines;
using SimClr.MLNet.Training;
using Spectre.Console;

namespace SimClr.Cli.Progress;

/// <summary>For a terminal: a live progress bar per experiment with its ETA and latest metrics; log lines above it.</summary>
internal sealed class LiveRunObserver(IAnsiConsole console, ProgressContext context) : IRunObserver
{
    readonly Dictionary<string, ProgressTask> _tasks = new();
    readonly Dictionary<string, int> _epochs = new();
    string _metrics = "";

    // Lines wider than the terminal would wrap into the live progress display.
    public void Log(string line)
    {
        int width = Math.Max(20, console.Profile.Width - 1);
        console.MarkupLine($"[grey]{Markup.Escape(line.Length > width ? line[..(width - 1)] + "…" : line)}[/]");
    }

    public void ExperimentStarted(string experiment, int epochs)
    {
        _epochs[experiment] = epochs;
        _metrics = "";
        _tasks[experiment] = context.AddTask(Markup.Escape(experiment), maxValue: epochs);
    }

    public void StepCompleted(string experiment, int epoch, int step, int stepsPerEpoch)
    {
        var task = _tasks[experiment];
        task.MaxValue = (double)_epochs[experiment] * stepsPerEpoch;
        task.Value = (double)(epoch - 1) * stepsPerEpoch + step;
        task.Description = Markup.Escape($"{experiment} epoch {epoch}/{_epochs[experiment]} {_metrics}");
    }

    public void EpochCompleted(string experiment, EpochMetrics metrics)
        => _metrics = string.Join(" ", metrics.Values.Where(kv => kv.Key.Contains("acc") || kv.Key == "emb_std").Select(kv => $"{kv.Key} {kv.Value.ToString("0.000", CultureInfo.InvariantCulture)}"));

    public void ExperimentFinished(string experiment)
    {
        var task = _tasks[experiment];
        task.Value = task.MaxValue;
        task.StopTask();
    }
}

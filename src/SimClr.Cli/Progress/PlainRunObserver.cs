using SimClr.Cli.Pipelines;
using SimClr.MLNet.Training;
using Spectre.Console;

namespace SimClr.Cli.Progress;

/// <summary>For logs (CI, files): every log line as it comes, which includes one line per epoch with its metrics.</summary>
internal sealed class PlainRunObserver(IAnsiConsole console) : IRunObserver
{
    public void Log(string line) => console.WriteLine(line);
    public void ExperimentStarted(string experiment, int epochs) => console.WriteLine($"== {experiment}: {epochs} epochs");
    public void StepCompleted(string experiment, int epoch, int step, int stepsPerEpoch) { }
    public void EpochCompleted(string experiment, EpochMetrics metrics) { }
    public void ExperimentFinished(string experiment) { }
}

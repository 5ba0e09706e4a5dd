using SimClr.MLNet.Training;

namespace SimClr.Cli.Pipelines;

/// <summary>What a run reports while it works: log lines and training progress (for a progress bar or plain lines).</summary>
public interface IRunObserver
{
    void Log(string line);
    void ExperimentStarted(string experiment, int epochs);
    void StepCompleted(string experiment, int epoch, int step, int stepsPerEpoch);
    void EpochCompleted(string experiment, EpochMetrics metrics);
    void ExperimentFinished(string experiment);
}

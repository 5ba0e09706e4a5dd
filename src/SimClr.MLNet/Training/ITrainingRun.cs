using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>One kind of training (pretraining, supervised, distillation) as <see cref="TrainingLoop"/> drives it.</summary>
internal interface ITrainingRun
{
    /// <summary>"pretrain", "supervised" or "distill": saved in checkpoints, and a resumed run must be of the same kind.</summary>
    string Kind { get; }

    /// <summary>Steps in one epoch.</summary>
    int StepsPerEpoch { get; }

    /// <summary>The optimizer whose rate follows the schedule.</summary>
    OptimizerHelper ScheduledOptimizer { get; }

    /// <summary>What a checkpoint saves and restores, by name.</summary>
    IReadOnlyDictionary<string, nn.Module> Modules { get; }
    IReadOnlyDictionary<string, OptimizerHelper> Optimizers { get; }
    IReadOnlyDictionary<string, Generator> Generators { get; }

    /// <summary>Settings a resumed run must share with the checkpoint.</summary>
    Dictionary<string, string> Fingerprint { get; }

    /// <summary>Runs step <paramref name="step"/> of <paramref name="epoch"/> (both 0-based); returns (metric, value, weight) triples.</summary>
    IEnumerable<StepMetric> TrainStep(int epoch, int step);

    /// <summary>End-of-epoch metrics on validation data (empty without it).</summary>
    IReadOnlyDictionary<string, double> Evaluate();
}

/// <summary>A metric of one step; an epoch reports the weighted mean.</summary>
internal readonly record struct StepMetric(string Name, double Value, double Weight);

using System.Diagnostics;
using SimClr.MLNet.Models;

namespace SimClr.MLNet.Training;

/// <summary>
/// The epoch/step loop shared by every trainer: learning-rate schedule, metric averaging, NaN detection,
/// per-epoch history and checkpoints, cancellation and resume.
/// </summary>
internal sealed class TrainingLoop(TrainingOptions options, string runName, EncoderSpec encoder, IReadOnlyList<string> classNames, Action<string> log)
{
    /// <summary>Trains <paramref name="run"/> to the end (or from its checkpoint onwards) and returns the full history.</summary>
    /// <exception cref="TrainingDivergedException">A loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; a checkpoint was saved first if a folder is set.</exception>
    public TrainingHistory Run(ITrainingRun run)
    {
        string? checkpointPath = options.CheckpointDirectory == null ? null : Checkpoint.PathFor(options.CheckpointDirectory, runName);
        var history = new TrainingHistory();
        int startEpoch = 0, startStep = 0;
        long globalStep = 0;
        var sums = new Dictionary<string, (double Sum, double Weight)>();
        double carriedSeconds = 0;

        if (options.Resume && checkpointPath != null && File.Exists(checkpointPath))
        {
            var info = Checkpoint.ReadInfo(checkpointPath);
            CheckCompatible(info, run, checkpointPath);
            // Optimizer state carries its learning rates; the options' rates win, so a run that diverged can be
            // resumed with a lower LearningRate.
            var rates = run.Optimizers.ToDictionary(kv => kv.Key, kv => kv.Value.ParamGroups.Select(g => g.InitialLearningRate).ToArray());
            Checkpoint.Restore(checkpointPath, run.Modules, run.Optimizers, run.Generators);
            foreach (var (name, optimizer) in run.Optimizers)
                foreach (var (group, rate) in optimizer.ParamGroups.Zip(rates[name]))
                    group.InitialLearningRate = group.LearningRate = rate;
            history = TrainingHistory.FromJson(info.HistoryJson);
            (startEpoch, startStep, globalStep) = (info.CompletedEpochs, info.StepInEpoch, info.GlobalStep);
            sums = info.PartialEpoch.ToDictionary(kv => kv.Key, kv => (kv.Value[0], kv.Value[1]));
            carriedSeconds = info.PartialEpochSeconds;
            log($"{runName}: resuming from {checkpointPath} after epoch {startEpoch}, step {startStep}.");
        }

        int stepsPerEpoch = run.StepsPerEpoch;
        long totalSteps = (long)options.Epochs * stepsPerEpoch;
        long warmupSteps = (long)Math.Round(options.WarmupEpochs * stepsPerEpoch);
        for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            double rate = 0;
            for (int step = epoch == startEpoch ? startStep : 0; step < stepsPerEpoch; step++)
            {
                double multiplier = LearningRates.At(options.Schedule, 1.0, globalStep, totalSteps, warmupSteps);
                OptimizerFactory.ScaleLearningRates(run.ScheduledOptimizer, multiplier);
                rate = options.LearningRate * multiplier;
                List<StepMetric> stepMetrics;
                using (Runtime.FinalizerPause.Begin())
                    stepMetrics = run.TrainStep(epoch, step).ToList();
                foreach (var metric in stepMetrics)
                {
                    if (!double.IsFinite(metric.Value))
                        throw new TrainingDivergedException(DivergenceMessage(metric, epoch, step, checkpointPath));
                    var (sum, weight) = sums.GetValueOrDefault(metric.Name);
                    sums[metric.Name] = (sum + metric.Value * metric.Weight, weight + metric.Weight);
                }
                globalStep++;
                options.StepCompleted?.Invoke(epoch + 1, step + 1, stepsPerEpoch);
                if (options.CancellationToken.IsCancellationRequested && step + 1 < stepsPerEpoch)
                {
                    if (checkpointPath != null)
                    {
                        SaveCheckpoint(checkpointPath, run, runName, history, epoch, step + 1, globalStep, sums, carriedSeconds + watch.Elapsed.TotalSeconds);
                        log($"{runName}: cancelled at epoch {epoch + 1}, step {step + 1}; checkpoint saved to {checkpointPath}.");
                    }
                    options.CancellationToken.ThrowIfCancellationRequested();
                }
            }

            var values = sums.Where(kv => kv.Value.Weight > 0).ToDictionary(kv => kv.Key, kv => kv.Value.Sum / kv.Value.Weight);
            if (ValidatesAfter(epoch + 1))
                using (Runtime.FinalizerPause.Begin())
                    foreach (var (name, value) in run.Evaluate())
                        values[name] = value;
            values["lr"] = rate;
            var metrics = new EpochMetrics(epoch + 1, carriedSeconds + watch.Elapsed.TotalSeconds, values);
            history.Add(metrics);
            sums.Clear();
            carriedSeconds = 0;
            if (checkpointPath != null)
                SaveCheckpoint(checkpointPath, run, runName, history, epoch + 1, 0, globalStep, sums, 0);
            log($"{runName} {metrics}");
            options.EpochCompleted?.Invoke(metrics);
            if (options.CancellationToken.IsCancellationRequested)
            {
                log($"{runName}: cancelled after epoch {epoch + 1}" + (checkpointPath != null ? $"; checkpoint saved to {checkpointPath}." : "."));
                options.CancellationToken.ThrowIfCancellationRequested();
            }
        }
        return history;
    }

    /// <summary>Whether validation runs after the 1-based <paramref name="epoch"/>: every ValidationFrequency-th epoch and the last.</summary>
    bool ValidatesAfter(int epoch) => epoch % options.ValidationFrequency == 0 || epoch == options.Epochs;

    string DivergenceMessage(StepMetric metric, int epoch, int step, string? checkpointPath)
    {
        var advice = options.Precision == ComputePrecision.BFloat16
            ? "Try Float32 precision or a lower LearningRate"
            : "Try a lower LearningRate";
        return $"{runName}: {metric.Name} became {metric.Value} at epoch {epoch + 1}, step {step + 1} " +
               $"(precision {options.Precision.ShortName()}; CPU: {Runtime.CpuFeatures.Summary}). " +
               (checkpointPath != null && File.Exists(checkpointPath) ? $"The last good checkpoint is kept at '{checkpointPath}'. " : "") +
               $"{advice}, and run `simclr doctor` (or ConvolutionGradientCheck) to check that this machine computes convolution gradients correctly.";
    }

    void SaveCheckpoint(string path, ITrainingRun run, string runName, TrainingHistory history, int completedEpochs, int stepInEpoch,
        long globalStep, Dictionary<string, (double Sum, double Weight)> sums, double partialSeconds)
    {
        var info = new CheckpointInfo
        {
            Kind = run.Kind,
            RunName = runName,
            Encoder = encoder,
            ClassNames = classNames,
            CompletedEpochs = completedEpochs,
            StepInEpoch = stepInEpoch,
            GlobalStep = globalStep,
            PartialEpoch = sums.ToDictionary(kv => kv.Key, kv => new[] { kv.Value.Sum, kv.Value.Weight }),
            PartialEpochSeconds = partialSeconds,
            Fingerprint = run.Fingerprint,
            HistoryJson = history.ToJson(),
        };
        Checkpoint.Save(path, info, run.Modules, run.Optimizers, run.Generators);
    }

    void CheckCompatible(CheckpointInfo info, ITrainingRun run, string path)
    {
        if (info.Kind != run.Kind)
            throw new InvalidOperationException($"Checkpoint '{path}' is from a {info.Kind} run; this is a {run.Kind} run. Use another RunName or CheckpointDirectory.");
        if (info.Encoder != encoder)
            throw new InvalidOperationException($"Checkpoint '{path}' has encoder {info.Encoder}; the options ask for {encoder}.");
        foreach (var (name, value) in run.Fingerprint)
            if (info.Fingerprint.TryGetValue(name, out var saved) && saved != value)
                throw new InvalidOperationException($"Checkpoint '{path}' was made with {name} = {saved}; the options now say {value}. Resume with the same settings, or start over without Resume.");
    }
}

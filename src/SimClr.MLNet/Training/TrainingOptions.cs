using SimClr.MLNet.Models;

namespace SimClr.MLNet.Training;

/// <summary>Settings shared by pretraining and supervised training. Defaults are the Keras reference's.</summary>
public abstract class TrainingOptions
{
    /// <summary>Default values, in one place so that documentation, options and code agree.</summary>
    public static class Defaults
    {
        /// <summary>20 epochs, as the reference.</summary>
        public const int Epochs = 20;
        /// <summary>Adam's default rate, 0.001, as the reference.</summary>
        public const double LearningRate = 1e-3;
        /// <summary>0.9, for SGD.</summary>
        public const double Momentum = 0.9;
        /// <summary>Images per forward pass when evaluating.</summary>
        public const int EvaluationBatchSize = 256;
        /// <summary>Seed when none is given: 1.</summary>
        public const int Seed = 1;
    }

    /// <summary>Passes over the training data. Default: 20.</summary>
    public int Epochs { get; set; } = Defaults.Epochs;

    /// <summary>Optimizer. Default: <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Peak learning rate. Default: 0.001.</summary>
    public double LearningRate { get; set; } = Defaults.LearningRate;

    /// <summary>Momentum, for <see cref="OptimizerKind.Sgd"/> only. Default: 0.9.</summary>
    public double Momentum { get; set; } = Defaults.Momentum;

    /// <summary>Weight decay (L2 for Adam and SGD, decoupled for AdamW). Default: 0.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Learning-rate schedule. Default: <see cref="LearningRateSchedule.Constant"/>.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>Epochs of linear warm-up at the start. Default: 0.</summary>
    public double WarmupEpochs { get; set; }

    /// <summary>
    /// Number format of the encoder's convolutions and matrix products. Default: <see cref="ComputePrecision.Float32"/>.
    /// BFloat16 is faster on CPUs with AVX512-BF16 or AMX (1.7x for a width-16 ResNet at 32 px, none at width 8),
    /// and many times slower on CPUs without them. <see cref="ComputePrecision.Auto"/> picks BFloat16 only where it
    /// is native and checked (<see cref="PrecisionSelector"/>). Float32 stays the default until bf16 has matched it
    /// on a full CIFAR-10 run (README, "Precision").
    /// </summary>
    public ComputePrecision Precision { get; set; } = ComputePrecision.Float32;

    /// <summary>Seed for initialisation, sampling and augmentation. Default: null, meaning 1 (ML.NET estimators pass the MLContext's seed).</summary>
    public int? Seed { get; set; }

    /// <summary>Images per forward pass when computing validation metrics and features. Default: 256.</summary>
    public int EvaluationBatchSize { get; set; } = Defaults.EvaluationBatchSize;

    /// <summary>
    /// Epochs between validation passes, as Keras's <c>validation_freq</c>: validation metrics (val_*, knn_acc) are
    /// computed after every N-th epoch and after the last, and are absent from the other epochs' metrics. Training
    /// does not depend on them, so the model is the same for every value. Scoring the validation images took a fifth
    /// of a CIFAR-10 fine-tuning epoch (README, "Validating less often"). Default: 1, every epoch.
    /// </summary>
    public int ValidationFrequency { get; set; } = 1;

    /// <summary>
    /// Folder for the run's checkpoint (<c>{RunName}.checkpoint.zip</c>), written atomically after every epoch and
    /// when training is cancelled. Default: null, no checkpoints.
    /// </summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Name of the run, used for its checkpoint file and in log lines. Default: null, meaning "pretrain", "baseline", "finetune" or "distill".</summary>
    public string? RunName { get; set; }

    /// <summary>Continue from the checkpoint in <see cref="CheckpointDirectory"/> if there is one. Default: false (start over).</summary>
    public bool Resume { get; set; }

    /// <summary>CUDA device to train on; null trains on the CPU. ML.NET estimators take <c>MLContext.GpuDeviceId</c>. Default: null.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Train on the CPU when the GPU is unavailable, instead of failing. Default: true.</summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>Called after every epoch with its metrics (for progress UIs). Default: null.</summary>
    public Action<EpochMetrics>? EpochCompleted { get; set; }

    /// <summary>Called after every step with (epoch, step within epoch, steps per epoch). Default: null.</summary>
    public Action<int, int, int>? StepCompleted { get; set; }

    /// <summary>Stops training at the end of the current step; a checkpoint is saved first if a folder is set.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>A shallow copy, so a caller's options object is never changed by filling in defaults.</summary>
    internal T Copy<T>() where T : TrainingOptions => (T)MemberwiseClone();

    /// <summary>Throws if a value is out of range, naming the option.</summary>
    public virtual void Validate()
    {
        static void Check(bool ok, string option, object value, string rule)
        {
            if (!ok)
                throw new ArgumentOutOfRangeException(option, value, $"{option} {rule}.");
        }
        Check(Epochs >= 1, nameof(Epochs), Epochs, "must be at least 1");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "must be positive");
        Check(Momentum is >= 0 and < 1, nameof(Momentum), Momentum, "must be in [0, 1)");
        Check(WeightDecay >= 0, nameof(WeightDecay), WeightDecay, "must not be negative");
        Check(WarmupEpochs >= 0 && WarmupEpochs <= Epochs, nameof(WarmupEpochs), WarmupEpochs, "must be in [0, Epochs]");
        Check(EvaluationBatchSize >= 1, nameof(EvaluationBatchSize), EvaluationBatchSize, "must be at least 1");
        Check(ValidationFrequency >= 1, nameof(ValidationFrequency), ValidationFrequency, "must be at least 1");
        if (Resume && CheckpointDirectory == null)
            throw new ArgumentException($"{nameof(Resume)} needs a {nameof(CheckpointDirectory)}.", nameof(Resume));
    }
}

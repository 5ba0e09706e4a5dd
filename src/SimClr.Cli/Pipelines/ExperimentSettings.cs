using SimClr.MLNet.Models;
using SimClr.MLNet.Training;

namespace SimClr.Cli.Pipelines;

/// <summary>Turns a pipeline's experiment options into the library's options objects.</summary>
public static class ExperimentSettings
{
    static readonly string[] PretrainOnly =
    {
        nameof(ExperimentOptions.Temperature), nameof(ExperimentOptions.LearnTemperature), nameof(ExperimentOptions.SameViewNegatives),
        nameof(ExperimentOptions.ProjectionBatchNorm), nameof(ExperimentOptions.ProjectionDim), nameof(ExperimentOptions.ProjectionHiddenDim),
        nameof(ExperimentOptions.ProbeLearningRate), nameof(ExperimentOptions.KnnNeighbors),
        nameof(ExperimentOptions.ContrastiveAugmentation), nameof(ExperimentOptions.ProbeAugmentation),
    };

    static readonly string[] SupervisedOnly = { nameof(ExperimentOptions.Augmentation), nameof(ExperimentOptions.EncoderLearningRateScale) };

    /// <summary>Refuses pretraining options on supervised experiments and the other way round.</summary>
    public static void CheckKinds(ExperimentsDefinition experiments, string source)
    {
        void Refuse(ExperimentOptions? options, string experiment, string[] names, string kind)
        {
            if (options == null)
                return;
            foreach (var name in names)
                if (typeof(ExperimentOptions).GetProperty(name)!.GetValue(options) != null)
                    throw new PipelineException($"{source}: '{char.ToLowerInvariant(name[0])}{name[1..]}' is not an option of experiments.{experiment} (it applies to {kind} only).");
        }
        Refuse(experiments.Baseline, "baseline", PretrainOnly, "pretrain");
        Refuse(experiments.Finetune, "finetune", PretrainOnly, "pretrain");
        Refuse(experiments.Pretrain, "pretrain", SupervisedOnly, "baseline and finetune");
    }

    public static PretrainOptions Pretrain(ExperimentOptions o, EncoderSpec encoder, int seed)
    {
        var options = new PretrainOptions { EncoderSpec = encoder, Seed = seed };
        ApplyCommon(o, options, "pretrain");
        if (o.BatchSize is { } batch) options.BatchSize = batch;
        if (o.Temperature is { } t) options.Temperature = t;
        if (o.LearnTemperature is { } learn) options.LearnTemperature = learn;
        if (o.SameViewNegatives is { } same) options.SameViewNegatives = same;
        if (o.ProjectionBatchNorm is { } bn) options.ProjectionBatchNorm = bn;
        if (o.ProjectionDim is { } dim) options.ProjectionDim = dim;
        if (o.ProjectionHiddenDim is { } hidden) options.ProjectionHiddenDim = hidden;
        if (o.ProbeLearningRate is { } probe) options.ProbeLearningRate = probe;
        if (o.KnnNeighbors is { } k) options.KnnNeighbors = k;
        if (o.ContrastiveAugmentation is { } strong) options.ContrastiveAugmentation = strong;
        if (o.ProbeAugmentation is { } weak) options.ProbeAugmentation = weak;
        return Checked(options, "pretrain");
    }

    public static SupervisedOptions Supervised(ExperimentOptions o, EncoderSpec? encoder, int seed, string name)
    {
        var options = new SupervisedOptions { EncoderSpec = encoder, Seed = seed, RunName = name };
        ApplyCommon(o, options, name);
        if (o.BatchSize is { } batch) options.BatchSize = batch;
        if (o.Augmentation is { } augmentation) options.Augmentation = augmentation;
        if (o.EncoderLearningRateScale is { } scale) options.EncoderLearningRateScale = scale;
        return Checked(options, name);
    }

    static void ApplyCommon(ExperimentOptions o, TrainingOptions options, string experiment)
    {
        if (o.Epochs is { } epochs) options.Epochs = epochs;
        if (o.Optimizer is { } optimizer) options.Optimizer = optimizer;
        if (o.LearningRate is { } rate) options.LearningRate = rate;
        if (o.Momentum is { } momentum) options.Momentum = momentum;
        if (o.WeightDecay is { } decay) options.WeightDecay = decay;
        if (o.Schedule is { } schedule) options.Schedule = schedule;
        if (o.WarmupEpochs is { } warmup) options.WarmupEpochs = warmup;
        if (o.EvaluationBatchSize is { } evaluation) options.EvaluationBatchSize = evaluation;
        if (o.Precision is { } precision)
        {
            try { options.Precision = ComputePrecisionNames.Parse(precision); }
            catch (ArgumentException e) { throw new PipelineException($"experiments.{experiment}: {Reason(e)}"); }
        }
    }

    static T Checked<T>(T options, string experiment) where T : TrainingOptions
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new PipelineException($"experiments.{experiment}: {Reason(e)}");
        }
        return options;
    }

    /// <summary>An argument exception's message without the parameter name .NET appends, on one line.</summary>
    internal static string Reason(ArgumentException e) => e.Message.Split(" (Parameter")[0].Split(Environment.NewLine)[0];
}

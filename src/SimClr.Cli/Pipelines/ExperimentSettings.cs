using SimClr.MLNet.Models;
using SimClr.MLNet.Training;
using SimClr.MLNet.Training.Methods;

namespace SimClr.Cli.Pipelines;

/// <summary>Turns a pipeline's experiment options into the library's options objects.</summary>
public static class ExperimentSettings
{
    /// <summary>Options that only some experiments take: option name, the experiments, and how to say which.</summary>
    static readonly (string Option, string[] Experiments, string Kinds)[] Restricted =
    {
        (nameof(ExperimentOptions.Temperature), new[] { "pretrain", "distill" }, "pretrain and distill"),
        (nameof(ExperimentOptions.Method), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.MoCo), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.Byol), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.SimSiam), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.BarlowTwins), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.CollapseThreshold), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.LearnTemperature), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.SameViewNegatives), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.ProjectionBatchNorm), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.ProjectionDim), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.ProjectionHiddenDim), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.ProbeLearningRate), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.KnnNeighbors), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.ContrastiveAugmentation), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.ProbeAugmentation), new[] { "pretrain" }, "pretrain"),
        (nameof(ExperimentOptions.Augmentation), new[] { "baseline", "finetune", "distill" }, "baseline, finetune and distill"),
        (nameof(ExperimentOptions.EncoderLearningRateScale), new[] { "finetune", "distill" }, "finetune and distill"),
        (nameof(ExperimentOptions.LabeledLossWeight), new[] { "distill" }, "distill"),
        (nameof(ExperimentOptions.Targets), new[] { "distill" }, "distill"),
        (nameof(ExperimentOptions.StudentStart), new[] { "distill" }, "distill"),
    };

    /// <summary>Refuses options on experiments that do not take them (pretraining options on baseline, and so on).</summary>
    public static void CheckKinds(ExperimentsDefinition experiments, string source)
    {
        foreach (var experiment in ExperimentsDefinition.Names)
        {
            if (experiments.For(experiment) is not { } options)
                continue;
            foreach (var (name, allowed, kinds) in Restricted)
                if (!allowed.Contains(experiment) && typeof(ExperimentOptions).GetProperty(name)!.GetValue(options) != null)
                    throw new PipelineException($"{source}: '{JsonName(name)}' is not an option of experiments.{experiment} (it applies to {kinds} only).",
                        optionPath: $"experiments.{experiment}.{JsonName(name)}");
        }
        if (experiments.Pretrain is { } pretrain)
            CheckMethodOptions(pretrain, source);
    }

    /// <summary>Refuses a method's options under another method, and SimCLR's temperature under any other.</summary>
    static void CheckMethodOptions(ExperimentOptions pretrain, string source)
    {
        var method = pretrain.Method ?? PretrainingMethod.SimClr;
        var given = new (string Name, object? Options, PretrainingMethod Owner)[]
        {
            (nameof(ExperimentOptions.MoCo), pretrain.MoCo, PretrainingMethod.MoCo),
            (nameof(ExperimentOptions.Byol), pretrain.Byol, PretrainingMethod.Byol),
            (nameof(ExperimentOptions.SimSiam), pretrain.SimSiam, PretrainingMethod.SimSiam),
            (nameof(ExperimentOptions.BarlowTwins), pretrain.BarlowTwins, PretrainingMethod.BarlowTwins),
        };
        foreach (var (name, options, owner) in given)
            if (options != null && owner != method)
                throw new PipelineException($"{source}: experiments.pretrain.{JsonName(name)} holds options of {owner}, but the method is {method}; set \"method\": \"{owner}\" or remove them.",
                    optionPath: $"experiments.pretrain.{JsonName(name)}");
        if (method != PretrainingMethod.SimClr && pretrain.Temperature != null)
            throw new PipelineException($"{source}: experiments.pretrain.temperature is SimCLR's, but the method is {method}" +
                (method == PretrainingMethod.MoCo ? "; MoCo's is moCo.temperature." : ", which has none."), optionPath: "experiments.pretrain.temperature");
    }

    public static PretrainOptions Pretrain(ExperimentOptions o, EncoderSpec encoder, int seed)
    {
        var options = new PretrainOptions { EncoderSpec = encoder, Seed = seed };
        ApplyCommon(o, options, "pretrain");
        if (o.BatchSize is { } batch) options.BatchSize = batch;
        if (o.Method is { } method) options.Method = method;
        if (o.MoCo is { } moco) options.MoCo = moco;
        if (o.Byol is { } byol) options.Byol = byol;
        if (o.SimSiam is { } simSiam) options.SimSiam = simSiam;
        if (o.BarlowTwins is { } barlowTwins) options.BarlowTwins = barlowTwins;
        if (o.CollapseThreshold is { } collapse) options.CollapseThreshold = collapse;
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

    /// <param name="experiment">baseline or finetune, for error messages.</param>
    /// <param name="runName">The run's name: the experiment's, with the repeat appended after the first ("baseline-2").</param>
    public static SupervisedOptions Supervised(ExperimentOptions o, EncoderSpec? encoder, int seed, string experiment, string? runName = null)
        => Checked(ApplySupervised(o, new SupervisedOptions { EncoderSpec = encoder, Seed = seed, RunName = runName ?? experiment }, experiment), experiment);

    /// <param name="runName">The run's name: "distill", with the repeat appended after the first ("distill-2").</param>
    public static DistillOptions Distill(ExperimentOptions o, int seed, string? runName = null)
    {
        const string experiment = "distill";
        var options = ApplySupervised(o, new DistillOptions { Seed = seed, RunName = runName ?? experiment }, experiment);
        if (o.Temperature is { } t) options.Temperature = t;
        if (o.LabeledLossWeight is { } weight) options.LabeledLossWeight = weight;
        if (o.Targets is { } targets) options.Targets = targets;
        return Checked(options, experiment);
    }

    static T ApplySupervised<T>(ExperimentOptions o, T options, string experiment) where T : SupervisedOptions
    {
        ApplyCommon(o, options, experiment);
        if (o.BatchSize is { } batch) options.BatchSize = batch;
        if (o.Augmentation is { } augmentation) options.Augmentation = augmentation;
        if (o.EncoderLearningRateScale is { } scale) options.EncoderLearningRateScale = scale;
        return options;
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
            catch (ArgumentException e) { throw new PipelineException($"experiments.{experiment}: {Reason(e)}", optionPath: $"experiments.{experiment}.precision"); }
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
            throw new PipelineException($"experiments.{experiment}: {Reason(e)}", optionPath: $"experiments.{experiment}.{JsonName(e.ParamName)}");
        }
        return options;
    }

    /// <summary>An option's name as pipeline files write it: "MoCo.QueueSize" becomes "moCo.queueSize".</summary>
    internal static string JsonName(string? name)
        => string.Join('.', (name ?? "").Split('.', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToLowerInvariant(part[0]) + part[1..]));

    /// <summary>An argument exception's message without the parameter name .NET appends, on one line.</summary>
    internal static string Reason(ArgumentException e) => e.Message.Split(" (Parameter")[0].Split(Environment.NewLine)[0];
}

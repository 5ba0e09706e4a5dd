using SimClr.MLNet.Models;
using SimClr.MLNet.Training;
using SimClr.MLNet.Training.Methods;

namespace SimClr.Cli.Pipelines;

/// <summary>
/// Turns a pipeline's experiment options into the library's options objects. An option of the file is the
/// library option of the same name: which experiments take it follows from which options class has it, and its
/// value is copied by name, so a new library option needs only its property in <see cref="ExperimentOptions"/>
/// (and a method's own options, whole objects of the library's classes, not even that).
/// </summary>
public static class ExperimentSettings
{
    /// <summary>The library options class behind each experiment.</summary>
    static readonly Dictionary<string, Type> OptionsTypes = new()
    {
        ["baseline"] = typeof(SupervisedOptions), ["pretrain"] = typeof(PretrainOptions),
        ["finetune"] = typeof(SupervisedOptions), ["distill"] = typeof(DistillOptions),
    };

    /// <summary>Options of the file that the library class has but the experiment does not take, and options that only the pipeline runner reads.</summary>
    static readonly (string Experiment, string Option, bool Takes)[] Exceptions =
    {
        // A baseline's encoder is new: there is no pretrained encoder whose rate to scale.
        ("baseline", nameof(ExperimentOptions.EncoderLearningRateScale), false),
        // The runner picks the student's first encoder; the library takes the encoder itself.
        ("distill", nameof(ExperimentOptions.StudentStart), true),
        // The file's encoder is the library's EncoderSpec with the pipeline's image size (EncoderOf); fine-tuning
        // trains the pretrained encoder, so it has none of its own.
        ("baseline", nameof(ExperimentOptions.Encoder), true),
        ("pretrain", nameof(ExperimentOptions.Encoder), true),
        ("distill", nameof(ExperimentOptions.Encoder), true),
    };

    /// <summary>Whether experiments.<paramref name="experiment"/> takes the option called <paramref name="option"/>.</summary>
    static bool Takes(string experiment, string option)
        => Exceptions.FirstOrDefault(e => e.Experiment == experiment && e.Option == option) is { Experiment: not null } exception
            ? exception.Takes
            : OptionsTypes[experiment].GetProperty(option) != null;

    /// <summary>Refuses options on experiments that do not take them (pretraining options on baseline, and so on).</summary>
    public static void CheckKinds(ExperimentsDefinition experiments, string source)
    {
        foreach (var experiment in ExperimentsDefinition.Names)
        {
            if (experiments.For(experiment) is not { } options)
                continue;
            foreach (var property in typeof(ExperimentOptions).GetProperties())
                if (property.GetValue(options) != null && !Takes(experiment, property.Name))
                {
                    var kinds = ExperimentsDefinition.Names.Where(name => Takes(name, property.Name)).ToList();
                    var list = kinds.Count == 1 ? kinds[0] : $"{string.Join(", ", kinds.SkipLast(1))} and {kinds[^1]}";
                    throw new PipelineException($"{source}: '{JsonName(property.Name)}' is not an option of experiments.{experiment} (it applies to {list} only).",
                        optionPath: $"experiments.{experiment}.{JsonName(property.Name)}");
                }
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
            (nameof(ExperimentOptions.Swav), pretrain.Swav, PretrainingMethod.Swav),
        };
        foreach (var (name, options, owner) in given)
            if (options != null && owner != method)
                throw new PipelineException($"{source}: experiments.pretrain.{JsonName(name)} holds options of {owner}, but the method is {method}; set \"method\": \"{owner}\" or remove them.",
                    optionPath: $"experiments.pretrain.{JsonName(name)}");
        if (method != PretrainingMethod.SimClr && pretrain.Temperature != null)
            throw new PipelineException($"{source}: experiments.pretrain.temperature is SimCLR's, but the method is {method}" +
                (method switch { PretrainingMethod.MoCo => "; MoCo's is moCo.temperature.", PretrainingMethod.Swav => "; SwAV's is swav.temperature.", _ => ", which has none." }),
                optionPath: "experiments.pretrain.temperature");
    }

    /// <summary>
    /// The encoder an experiment trains: its own "encoder", else the pipeline's; fine-tuning trains pretraining's, and
    /// a distillation student without its own has its teacher's (pretraining's).
    /// </summary>
    /// <exception cref="PipelineException">The encoder is not valid; the option is named.</exception>
    public static EncoderSpec EncoderOf(PipelineDefinition pipeline, string experiment)
    {
        var own = experiment == "finetune" ? null : pipeline.Experiments.For(experiment)?.Encoder;
        if (own == null && experiment is "finetune" or "distill")
            return EncoderOf(pipeline, "pretrain");
        var (definition, path) = own != null ? (own, $"experiments.{experiment}.encoder") : (pipeline.Encoder, "encoder");
        var spec = new EncoderSpec(definition.Architecture, definition.Width, pipeline.Data.ImageSize);
        try
        {
            spec.Validate();
        }
        catch (ArgumentException e)
        {
            throw new PipelineException($"{path}: {Reason(e)}", optionPath: $"{path}.{JsonName(e.ParamName)}");
        }
        return spec;
    }

    public static PretrainOptions Pretrain(ExperimentOptions o, EncoderSpec encoder, int seed)
        => Checked(Apply(o, new PretrainOptions { EncoderSpec = encoder, Seed = seed }, "pretrain"), "pretrain");

    /// <param name="experiment">baseline or finetune, for error messages.</param>
    /// <param name="runName">The run's name: the experiment's, with the repeat appended after the first ("baseline-2").</param>
    public static SupervisedOptions Supervised(ExperimentOptions o, EncoderSpec? encoder, int seed, string experiment, string? runName = null)
        => Checked(Apply(o, new SupervisedOptions { EncoderSpec = encoder, Seed = seed, RunName = runName ?? experiment }, experiment), experiment);

    /// <param name="student">The student's encoder, or null for the teacher's.</param>
    /// <param name="runName">The run's name: "distill", with the repeat appended after the first ("distill-2").</param>
    public static DistillOptions Distill(ExperimentOptions o, EncoderSpec? student, int seed, string? runName = null)
        => Checked(Apply(o, new DistillOptions { EncoderSpec = student, Seed = seed, RunName = runName ?? "distill" }, "distill"), "distill");

    /// <summary>Copies every option the file sets onto the library property of the same name.</summary>
    static T Apply<T>(ExperimentOptions o, T options, string experiment) where T : TrainingOptions
    {
        foreach (var property in typeof(ExperimentOptions).GetProperties())
        {
            if (property.GetValue(o) is not { } value || typeof(T).GetProperty(property.Name) is not { } target || !Takes(experiment, property.Name))
                continue;
            if (target.PropertyType == typeof(ComputePrecision) && value is string text)
            {
                try { value = ComputePrecisionNames.Parse(text); }
                catch (ArgumentException e) { throw new PipelineException($"experiments.{experiment}: {Reason(e)}", optionPath: $"experiments.{experiment}.precision"); }
            }
            target.SetValue(options, value);
        }
        return options;
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

using SimClr.MLNet.Training;

namespace SimClr.Cli.Pipelines;

/// <summary>
/// One training of one experiment. Baseline, finetune and distill run <see cref="PipelineDefinition.Repeats"/>
/// times with different seeds (repeat 1 keeps the name, files and seed a pipeline without repeats has); pretraining once.
/// </summary>
/// <param name="Experiment">baseline, pretrain, finetune or distill.</param>
/// <param name="Repeat">1-based.</param>
public sealed record ExperimentRun(string Experiment, int Repeat)
{
    /// <summary>The run's name, in logs, checkpoints, history files and run-state.json: "baseline", "baseline-2", ...</summary>
    public string Name => Repeat == 1 ? Experiment : $"{Experiment}-{Repeat}";

    /// <summary>The saved model's file name: baseline.zip, probe.zip, finetuned.zip, distilled.zip; "-2" and on for repeats.</summary>
    public string ModelFileName
    {
        get
        {
            var stem = Experiment switch { "pretrain" => "probe", "finetune" => "finetuned", "distill" => "distilled", _ => Experiment };
            return (Repeat == 1 ? stem : $"{stem}-{Repeat}") + ".zip";
        }
    }

    /// <summary>The run's seed: its own stream of the pipeline's seed, and of the repeat.</summary>
    public int Seed(int pipelineSeed)
    {
        int experimentSeed = SeedMixer.Mix(pipelineSeed, ExperimentsDefinition.Names.ToList().IndexOf(Experiment));
        return Repeat == 1 ? experimentSeed : SeedMixer.Mix(experimentSeed, Repeat);
    }

    /// <summary>The runs of a pipeline, in the order they train.</summary>
    public static IEnumerable<ExperimentRun> All(PipelineDefinition pipeline)
    {
        foreach (var experiment in ExperimentsDefinition.Names)
        {
            if (pipeline.Experiments.For(experiment) == null)
                continue;
            int repeats = experiment == "pretrain" ? 1 : pipeline.Repeats;
            for (int repeat = 1; repeat <= repeats; repeat++)
                yield return new ExperimentRun(experiment, repeat);
        }
    }
}

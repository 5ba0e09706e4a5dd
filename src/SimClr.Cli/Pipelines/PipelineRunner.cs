using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.Cli.Reporting;
using SimClr.MLNet.IO;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Training;
using SimClr.MLNet.Training.Methods;
using TorchSharp;

namespace SimClr.Cli.Pipelines;

/// <summary>Where a run writes, what data it reads, whether it continues an earlier run.</summary>
/// <param name="Force">Start over in a folder that holds an earlier run, deleting its state and checkpoints first.</param>
public sealed record RunSettings(string OutputDirectory, string? DataPath = null, bool Resume = false, string? Command = null, bool Force = false);

/// <summary>What a run produced.</summary>
public sealed record RunSummary(IReadOnlyList<ExperimentResult> Experiments, double WallSeconds, string ReportFile);

/// <summary>
/// Runs a pipeline's experiments (baseline, pretrain with the online probe, finetune, distill; the supervised ones
/// once per repeat) and writes everything into
/// the output folder: models (.zip), checkpoints, per-epoch history, plots, augmentations.png and report.md.
/// </summary>
public sealed class PipelineRunner(PipelineDefinition pipeline, RunSettings settings, IRunObserver observer)
{
    const string CheckpointFolder = "checkpoints";

    /// <exception cref="PipelineException">A problem the user can fix; the message is one line.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the current experiment's checkpoint was saved.</exception>
    public RunSummary Run(CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        PipelineData.CheckPath(pipeline, settings.DataPath);
        var folder = OutputFolder.Prepare(settings.OutputDirectory);
        try
        {
            return Run(watch, cancellation);
        }
        catch
        {
            folder.RemoveIfEmpty();
            throw;
        }
    }

    RunSummary Run(Stopwatch watch, CancellationToken cancellation)
    {
        var output = settings.OutputDirectory;
        var state = RunState.Open(output, Path.Combine(output, CheckpointFolder), pipeline.Name ?? "pipeline", settings.Resume, settings.Force);
        state.CheckSettings(output, RunFingerprint.Settings(pipeline, settings.DataPath));
        // The saved models are evaluated with Transform, which ML.NET already spreads over the cores.
        var ml = new MLContext(seed: pipeline.Seed).UseOneOnnxThreadPerRow();

        observer.Log($"Loading data: {pipeline.Data.Source} at {pipeline.Data.ImageSize}x{pipeline.Data.ImageSize} px.");
        using var data = PipelineData.Load(ml, pipeline, settings.DataPath);
        observer.Log($"Data: {data.Description}; in memory: {data.Labeled.Count:N0} labelled, {data.Unlabeled.Count:N0} unlabelled, {data.Validation.Count:N0} validation images.");
        state.CheckData(output, RunFingerprint.Data(data));
        var augmentation = ExperimentSettings.Pretrain(pipeline.Experiments.Pretrain ?? new ExperimentOptions(), EncoderOf("pretrain"), pipeline.Seed);
        AugmentationGrid.Write(Path.Combine(output, "augmentations.png"), data.Labeled,
            augmentation.ProbeAugmentation, augmentation.ContrastiveAugmentation, pipeline.Seed);

        TorchRuntime.EnsureInitialized();
        var results = new List<ExperimentResult>();
        IReadOnlyList<string> pictures = Array.Empty<string>();
        Encoder? pretrained = null;
        try
        {
            foreach (var run in ExperimentRun.All(pipeline))
            {
                var experiment = pipeline.Experiments.For(run.Experiment)!;
                switch (run.Experiment)
                {
                    case "pretrain":
                        var (result, encoder) = Pretrain(run, experiment, data, ml, state, cancellation);
                        results.Add(result);
                        pretrained = encoder;
                        break;
                    case "distill":
                        results.Add(Distill(run, experiment, pretrained!, data, ml, state, cancellation));
                        break;
                    default:
                        results.Add(Supervised(run, experiment, run.Experiment == "finetune" ? pretrained : null, data, ml, state, cancellation));
                        break;
                }
            }
            if (pretrained != null)
            {
                observer.Log("Drawing what the pretrained encoder groups together: nearest neighbours and a t-SNE map of validation features.");
                pictures = EncoderPictures.Write(output, pretrained, data, pipeline.Seed);
            }
        }
        finally
        {
            pretrained?.Dispose();
        }

        Plots.WriteCurves(output, results.Where(r => r.Run.Repeat == 1).ToList());
        var report = ReportWriter.Write(output, pipeline, settings, data.Description, results, watch.Elapsed.TotalSeconds, pictures);
        return new RunSummary(results, watch.Elapsed.TotalSeconds, report);
    }

    PretrainingMethod Method => pipeline.Experiments.Pretrain?.Method ?? PretrainingMethod.SimClr;

    EncoderSpec EncoderOf(string experiment) => ExperimentSettings.EncoderOf(pipeline, experiment);

    string ModelFile(ExperimentRun run) => Path.Combine(settings.OutputDirectory, run.ModelFileName);

    string CheckpointDirectory => Path.Combine(settings.OutputDirectory, CheckpointFolder);

    ExperimentResult Supervised(ExperimentRun run, ExperimentOptions experiment, Encoder? pretrained, PipelineData data, MLContext ml,
        RunState state, CancellationToken cancellation)
    {
        var options = ExperimentSettings.Supervised(experiment, pretrained == null ? EncoderOf(run.Experiment) : null, run.Seed(pipeline.Seed), run.Experiment, run.Name);
        var precision = ChoosePrecision(options, run);
        var modelFile = ModelFile(run);
        if (Completed(state, run, modelFile) is { } done)
            return Result(run, done, modelFile, precision, data, ml);

        options.BatchSize = FitBatchSize(options.BatchSize, data.Labeled.Count, run.Experiment, "labelled");
        Configure(options, run.Name, state, cancellation);
        observer.ExperimentStarted(run.Name, options.Epochs);
        using var result = new SupervisedTrainer(options, observer.Log).Fit(data.Labeled, data.Validation, pretrained);
        observer.ExperimentFinished(run.Name);
        SaveModel(ml, StockScoringModels.Classifier(result.Encoder, result.Head, result.ClassNames, "Image", "Label", null, true), data, modelFile);
        return Finish(run, result.History, modelFile, precision, data, ml, state);
    }

    (ExperimentResult, Encoder) Pretrain(ExperimentRun run, ExperimentOptions experiment, PipelineData data, MLContext ml, RunState state,
        CancellationToken cancellation)
    {
        var options = ExperimentSettings.Pretrain(experiment, EncoderOf("pretrain"), run.Seed(pipeline.Seed));
        var precision = ChoosePrecision(options, run);
        var modelFile = ModelFile(run);
        var checkpoint = Checkpoint.PathFor(CheckpointDirectory, run.Name);
        if (Completed(state, run, modelFile) is { } done)
            return (Result(run, done, modelFile, precision, data, ml), Checkpoint.LoadEncoder(checkpoint));

        options.BatchSize = FitBatchSize(options.BatchSize, data.Unlabeled.Count + data.Labeled.Count, run.Experiment, "unlabelled and labelled");
        Configure(options, run.Name, state, cancellation);
        observer.ExperimentStarted(run.Name, options.Epochs);
        var result = new SelfSupervisedPretrainer(options, observer.Log).Fit(data.Unlabeled, data.Labeled, data.Validation);
        observer.ExperimentFinished(run.Name);
        result.DisposeMethodModules();
        if (result.Probe is null)
            throw new PipelineException("Pretraining needs labelled images for its online probe.");
        using (result.Probe)
            SaveModel(ml, StockScoringModels.Classifier(result.Encoder, result.Probe, result.ClassNames, "Image", "Label", null, true), data, modelFile);
        return (Finish(run, result.History, modelFile, precision, data, ml, state), result.Encoder);
    }

    /// <summary>
    /// Distillation: the teacher of repeat N is finetune's repeat N, read back from its checkpoint (the weights it
    /// ended with), so that a resumed run and a fresh one distil the same teacher, and the spread over repeats
    /// includes the teacher's. A student that starts from the baseline starts from baseline's repeat N, read the same way.
    /// </summary>
    ExperimentResult Distill(ExperimentRun run, ExperimentOptions experiment, Encoder pretrained, PipelineData data, MLContext ml,
        RunState state, CancellationToken cancellation)
    {
        var options = ExperimentSettings.Distill(experiment, EncoderOf("distill"), run.Seed(pipeline.Seed), run.Name);
        var precision = ChoosePrecision(options, run);
        var modelFile = ModelFile(run);
        if (Completed(state, run, modelFile) is { } done)
            return Result(run, done, modelFile, precision, data, ml);

        options.BatchSize = FitBatchSize(options.BatchSize, data.Unlabeled.Count + data.Labeled.Count, run.Experiment, "unlabelled and labelled");
        Configure(options, run.Name, state, cancellation);
        var (teacherEncoder, teacherHead) = ClassifierOf(run with { Experiment = "finetune" });
        var start = experiment.StudentStart ?? StudentStart.Pretrained;
        (Encoder? baselineEncoder, LinearClassifier? baselineHead) = (null, null);
        if (start == StudentStart.Baseline)
        {
            var baselineRun = run with { Experiment = "baseline" };
            (baselineEncoder, baselineHead) = ClassifierOf(baselineRun);
            observer.Log($"{run.Name}: the student starts from {baselineRun.Name}'s encoder and head ({baselineRun.ModelFileName}).");
        }
        using (teacherEncoder)
        using (teacherHead)
        using (baselineEncoder)
        using (baselineHead)
        {
            var (studentEncoder, studentHead) = start switch
            {
                StudentStart.Pretrained => (pretrained, null),
                StudentStart.Teacher => (teacherEncoder, teacherHead),
                StudentStart.Baseline => (baselineEncoder, baselineHead),
                _ => ((Encoder?)null, (LinearClassifier?)null),
            };
            observer.ExperimentStarted(run.Name, options.Epochs);
            using var result = new SimClrDistiller(options, observer.Log)
                .Fit(data.Unlabeled, data.Labeled, data.Validation, teacherEncoder, teacherHead, studentEncoder, studentHead);
            observer.ExperimentFinished(run.Name);
            SaveModel(ml, StockScoringModels.Classifier(result.Encoder, result.Head, result.ClassNames, "Image", "Label", null, true), data, modelFile);
            return Finish(run, result.History, modelFile, precision, data, ml, state);
        }
    }

    /// <summary>The classifier that <paramref name="run"/> ended with, read back from its checkpoint.</summary>
    (Encoder Encoder, LinearClassifier Head) ClassifierOf(ExperimentRun run) => Checkpoint.LoadClassifier(Checkpoint.PathFor(CheckpointDirectory, run.Name));

    /// <summary>Resolves Auto here rather than in the trainer, so that the report can say what was chosen and why.</summary>
    PrecisionChoice ChoosePrecision(TrainingOptions options, ExperimentRun run)
    {
        var choice = PrecisionSelector.Choose(options.Precision, torch.CPU, EncoderOf(run.Experiment));
        if (options.Precision == ComputePrecision.Auto && run.Repeat == 1)
            observer.Log($"{run.Name}: {choice.Reason}.");
        options.Precision = choice.Precision;
        return choice;
    }

    /// <summary>
    /// A batch larger than the data trains on all of it in one step either way; saying so, with the size actually
    /// used, spares the user wondering why the step count is 1.
    /// </summary>
    int FitBatchSize(int batchSize, int images, string name, string kind)
    {
        if (batchSize <= images || images == 0)
            return batchSize;
        observer.Log($"warning: experiments.{name}.batchSize {batchSize} is more than the {images:N0} {kind} images; using {images:N0}.");
        return images;
    }

    void Configure(TrainingOptions options, string name, RunState state, CancellationToken cancellation)
    {
        // From here on the folder holds a run that --resume can continue, so the state must say with what.
        state.Save(settings.OutputDirectory);
        options.CheckpointDirectory = CheckpointDirectory;
        options.RunName = name;
        options.Resume = settings.Resume;
        options.CancellationToken = cancellation;
        options.StepCompleted = (epoch, step, steps) => observer.StepCompleted(name, epoch, step, steps);
        options.EpochCompleted = metrics => observer.EpochCompleted(name, metrics);
    }

    TrainingHistory? Completed(RunState state, ExperimentRun run, string modelFile)
    {
        var history = Path.Combine(settings.OutputDirectory, run.Name + ".json");
        if (!state.Completed.Contains(run.Name) || !File.Exists(modelFile) || !File.Exists(history))
            return null;
        observer.Log($"{run.Name}: already finished in an earlier run; reusing {modelFile}.");
        return TrainingHistory.FromJson(File.ReadAllText(history));
    }

    ExperimentResult Finish(ExperimentRun run, TrainingHistory history, string modelFile, PrecisionChoice precision, PipelineData data,
        MLContext ml, RunState state)
    {
        history.Save(settings.OutputDirectory, run.Name);
        state.MarkCompleted(settings.OutputDirectory, run.Name);
        return Result(run, history, modelFile, precision, data, ml);
    }

    ExperimentResult Result(ExperimentRun run, TrainingHistory history, string modelFile, PrecisionChoice precision, PipelineData data, MLContext ml)
    {
        observer.Log($"{run.Name}: evaluating {Path.GetFileName(modelFile)} on {data.Validation.Count:N0} validation images.");
        var evaluation = ModelEvaluator.Evaluate(ml, modelFile, data.ValidationView, data.Labeled.ClassNames);
        // Epoch times carry over a resume, so their sum is the experiment's training time across invocations.
        return new ExperimentResult(run, history, history.Epochs.Sum(e => e.Seconds), modelFile, evaluation, precision, MethodNames.Display(Method));
    }

    static void SaveModel(MLContext ml, TransformerChain<ITransformer> model, PipelineData data, string path)
    {
        // Disposing deletes the temporary copy of the ONNX graph that the chain's ONNX transformer keeps.
        using (model)
            AtomicFile.Write(path, stream => ml.Model.Save(model, data.ValidationView.Schema, stream));
    }
}

using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.Cli.Reporting;
using SimClr.MLNet.IO;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;

namespace SimClr.Cli.Pipelines;

/// <summary>Where a run writes, what data it reads, whether it continues an earlier run.</summary>
/// <param name="Force">Start over in a folder that holds an earlier run, deleting its state and checkpoints first.</param>
public sealed record RunSettings(string OutputDirectory, string? DataPath = null, bool Resume = false, string? Command = null, bool Force = false);

/// <summary>What a run produced.</summary>
public sealed record RunSummary(IReadOnlyList<ExperimentResult> Experiments, double WallSeconds, string ReportFile);

/// <summary>
/// Runs a pipeline's experiments (baseline, pretrain with the online probe, finetune) and writes everything into
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
        var ml = new MLContext(seed: pipeline.Seed);

        observer.Log($"Loading data: {pipeline.Data.Source} at {pipeline.Data.ImageSize}x{pipeline.Data.ImageSize} px.");
        using var data = PipelineData.Load(ml, pipeline, settings.DataPath);
        observer.Log($"Data: {data.Description}; in memory: {data.Labeled.Count:N0} labelled, {data.Unlabeled.Count:N0} unlabelled, {data.Validation.Count:N0} validation images.");
        state.CheckData(output, RunFingerprint.Data(data));
        var augmentation = ExperimentSettings.Pretrain(pipeline.Experiments.Pretrain ?? new ExperimentOptions(), EncoderSpec(), pipeline.Seed);
        AugmentationGrid.Write(Path.Combine(output, "augmentations.png"), data.Labeled,
            augmentation.ProbeAugmentation, augmentation.ContrastiveAugmentation, pipeline.Seed);

        var results = new List<ExperimentResult>();
        Encoder? pretrained = null;
        try
        {
            if (pipeline.Experiments.Baseline is { } baseline)
                results.Add(Supervised("baseline", "Supervised baseline", baseline, null, data, ml, state, cancellation));
            if (pipeline.Experiments.Pretrain is { } pretrain)
            {
                var (result, encoder) = Pretrain(pretrain, data, ml, state, cancellation);
                results.Add(result);
                pretrained = encoder;
            }
            if (pipeline.Experiments.Finetune is { } finetune)
                results.Add(Supervised("finetune", "SimCLR fine-tuned", finetune, pretrained, data, ml, state, cancellation));
        }
        finally
        {
            pretrained?.Dispose();
        }

        Plots.WriteCurves(output, results);
        var report = ReportWriter.Write(output, pipeline, settings, data.Description, results, watch.Elapsed.TotalSeconds);
        return new RunSummary(results, watch.Elapsed.TotalSeconds, report);
    }

    EncoderSpec EncoderSpec() => new(pipeline.Encoder.Architecture, pipeline.Encoder.Width, pipeline.Data.ImageSize);

    /// <summary>Each experiment's own seed, derived from the pipeline's.</summary>
    int ExperimentSeed(string experiment) => SeedMixer.Mix(pipeline.Seed, Array.IndexOf(new[] { "baseline", "pretrain", "finetune" }, experiment));

    ExperimentResult Supervised(string name, string title, ExperimentOptions experiment, Encoder? pretrained, PipelineData data, MLContext ml,
        RunState state, CancellationToken cancellation)
    {
        var options = ExperimentSettings.Supervised(experiment, pretrained == null ? EncoderSpec() : null, ExperimentSeed(name), name);
        var modelFile = Path.Combine(settings.OutputDirectory, name == "baseline" ? "baseline.zip" : "finetuned.zip");
        if (Completed(state, name, modelFile) is { } done)
            return Result(name, title, "val_acc", "val_loss", done, modelFile, data, ml);

        options.BatchSize = FitBatchSize(options.BatchSize, data.Labeled.Count, name, "labelled");
        Configure(options, name, state, cancellation);
        observer.ExperimentStarted(name, options.Epochs);
        using var result = new SupervisedTrainer(options, observer.Log).Fit(data.Labeled, data.Validation, pretrained);
        observer.ExperimentFinished(name);
        SaveModel(ml, StockScoringModels.Classifier(result.Encoder, result.Head, result.ClassNames, "Image", "Label", null, true), data, modelFile);
        return Finish(name, title, "val_acc", "val_loss", result.History, modelFile, data, ml, state);
    }

    (ExperimentResult, Encoder) Pretrain(ExperimentOptions experiment, PipelineData data, MLContext ml, RunState state, CancellationToken cancellation)
    {
        const string name = "pretrain";
        const string title = "SimCLR + linear probe";
        var modelFile = Path.Combine(settings.OutputDirectory, "probe.zip");
        var checkpoint = Checkpoint.PathFor(Path.Combine(settings.OutputDirectory, CheckpointFolder), name);
        if (Completed(state, name, modelFile) is { } done)
            return (Result(name, title, "val_p_acc", "val_p_loss", done, modelFile, data, ml), Checkpoint.LoadEncoder(checkpoint));

        var options = ExperimentSettings.Pretrain(experiment, EncoderSpec(), ExperimentSeed(name));
        options.BatchSize = FitBatchSize(options.BatchSize, data.Unlabeled.Count + data.Labeled.Count, name, "unlabelled and labelled");
        Configure(options, name, state, cancellation);
        observer.ExperimentStarted(name, options.Epochs);
        var result = new SimClrPretrainer(options, observer.Log).Fit(data.Unlabeled, data.Labeled, data.Validation);
        observer.ExperimentFinished(name);
        result.ProjectionHead.Dispose();
        if (result.Probe is null)
            throw new PipelineException("Pretraining needs labelled images for its online probe.");
        using (result.Probe)
            SaveModel(ml, StockScoringModels.Classifier(result.Encoder, result.Probe, result.ClassNames, "Image", "Label", null, true), data, modelFile);
        return (Finish(name, title, "val_p_acc", "val_p_loss", result.History, modelFile, data, ml, state), result.Encoder);
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
        options.CheckpointDirectory = Path.Combine(settings.OutputDirectory, CheckpointFolder);
        options.RunName = name;
        options.Resume = settings.Resume;
        options.CancellationToken = cancellation;
        options.StepCompleted = (epoch, step, steps) => observer.StepCompleted(name, epoch, step, steps);
        options.EpochCompleted = metrics => observer.EpochCompleted(name, metrics);
    }

    TrainingHistory? Completed(RunState state, string name, string modelFile)
    {
        var history = Path.Combine(settings.OutputDirectory, name + ".json");
        if (!state.Completed.Contains(name) || !File.Exists(modelFile) || !File.Exists(history))
            return null;
        observer.Log($"{name}: already finished in an earlier run; reusing {modelFile}.");
        return TrainingHistory.FromJson(File.ReadAllText(history));
    }

    ExperimentResult Finish(string name, string title, string accuracy, string loss, TrainingHistory history, string modelFile,
        PipelineData data, MLContext ml, RunState state)
    {
        history.Save(settings.OutputDirectory, name);
        state.MarkCompleted(settings.OutputDirectory, name);
        return Result(name, title, accuracy, loss, history, modelFile, data, ml);
    }

    ExperimentResult Result(string name, string title, string accuracy, string loss, TrainingHistory history, string modelFile,
        PipelineData data, MLContext ml)
    {
        observer.Log($"{name}: evaluating {Path.GetFileName(modelFile)} on {data.Validation.Count:N0} validation images.");
        var evaluation = ModelEvaluator.Evaluate(ml, modelFile, data.ValidationView, data.Labeled.ClassNames);
        // Epoch times carry over a resume, so their sum is the experiment's training time across invocations.
        return new ExperimentResult(name, title, accuracy, loss, history, history.Epochs.Sum(e => e.Seconds), modelFile, evaluation);
    }

    static void SaveModel(MLContext ml, TransformerChain<ITransformer> model, PipelineData data, string path)
    {
        // Disposing deletes the temporary copy of the ONNX graph that the chain's ONNX transformer keeps.
        using (model)
            AtomicFile.Write(path, stream => ml.Model.Save(model, data.ValidationView.Schema, stream));
    }
}

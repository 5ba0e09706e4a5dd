using System.Globalization;
using System.Text;
using SimClr.Cli.Pipelines;
using SimClr.MLNet.IO;
using SimClr.MLNet.Runtime;

namespace SimClr.Cli.Reporting;

/// <summary>Writes report.md: settings, results beside the reference's, confusion matrices, wall time.</summary>
public static class ReportWriter
{
    /// <param name="pictures">Pictures of the pretrained encoder written beside the report (neighbors.png, map.png), if any.</param>
    public static string Write(string directory, PipelineDefinition pipeline, RunSettings settings, string data,
        IReadOnlyList<ExperimentResult> results, double wallSeconds, IReadOnlyList<string>? pictures = null)
    {
        var md = new StringBuilder();
        md.AppendLine($"# {pipeline.Name}").AppendLine();
        if (pipeline.Description != null)
            md.AppendLine(pipeline.Description).AppendLine();
        md.AppendLine("## Settings").AppendLine();
        if (settings.Command != null)
            md.AppendLine($"- command: `{settings.Command}`");
        md.AppendLine($"- data: {data}, images at {pipeline.Data.ImageSize}x{pipeline.Data.ImageSize} px");
        md.AppendLine($"- encoder: {pipeline.Encoder.Architecture}, width {pipeline.Encoder.Width}{OwnEncoders(pipeline)}");
        md.AppendLine($"- seed: {pipeline.Seed}");
        md.AppendLine($"- runtime: {TorchRuntime.Description}, {Environment.ProcessorCount} logical CPUs");
        md.AppendLine($"- float32 convolutions: {ConvolutionChannelBlock.Float32Reason}");
        if (pipeline.Repeats > 1)
            md.AppendLine($"- repeats: {pipeline.Repeats} seeds each for baseline, finetune and distill, from the same pretrained encoder");
        foreach (var first in results.Where(r => r.Run.Repeat == 1))
            md.AppendLine($"- {first.Experiment}: {Settings(pipeline, first.Experiment)}; precision: {first.Precision.Reason}");
        md.AppendLine();

        md.AppendLine("## Results").AppendLine();
        md.AppendLine("Validation accuracy (after every epoch, or every validationFrequency-th and the last) comes from the training loop (probe: the online linear probe); the last column scores the saved .zip with `MulticlassClassification.Evaluate`.").AppendLine();
        bool reference = pipeline.ReferenceResults is { Count: > 0 };
        md.AppendLine("| experiment | epochs | wall time | val accuracy (max / final) | saved model, Evaluate accuracy |" + (reference ? " reference (Keras, STL-10 test) |" : ""));
        md.AppendLine("|---|---|---|---|---|" + (reference ? "---|" : ""));
        foreach (var r in results)
        {
            var referenceCell = reference ? $" {(pipeline.ReferenceResults!.TryGetValue(r.Name, out var v) ? Percent(v) : "")} |" : "";
            md.AppendLine($"| {r.Label} | {r.History.Epochs.Count} | {Duration(r.Seconds)} | {Percent(r.MaxAccuracy)} / {Percent(r.FinalAccuracy)} | " +
                $"{Path.GetFileName(r.ModelFile)}: {Percent(r.Evaluation.MicroAccuracy)} |{referenceCell}");
        }
        if (results.FirstOrDefault(r => r.Experiment == "pretrain") is { } pretrain)
            AppendMonitors(md, pipeline, pretrain);
        if (pipeline.Repeats > 1)
            AppendMeans(md, pipeline, results);
        md.AppendLine().AppendLine($"Training time of all experiments (summed over epochs, across invocations when resumed): {Duration(results.Sum(r => r.Seconds))}. " +
            $"Total wall time of this invocation: {Duration(wallSeconds)}.").AppendLine();
        md.AppendLine("![validation accuracy](curves-accuracy.png)").AppendLine();
        md.AppendLine("![validation loss](curves-loss.png)").AppendLine();
        md.AppendLine("![augmentations](augmentations.png)").AppendLine();
        if (pictures is { Count: > 0 })
        {
            md.AppendLine("## What the pretrained encoder groups together").AppendLine();
            if (pictures.Contains("neighbors.png"))
                md.AppendLine("Validation images (left, captioned with their class) and their nearest labelled images by cosine similarity of the encoder's features; a green frame marks the same class, red another.").AppendLine()
                  .AppendLine("![nearest neighbours](neighbors.png)").AppendLine();
            if (pictures.Contains("map.png"))
                md.AppendLine($"A t-SNE map (exact, perplexity 30) of up to {EmbeddingMap.MaxPoints:N0} validation images' features, coloured by their class.").AppendLine()
                  .AppendLine("![t-SNE map](map.png)").AppendLine();
        }

        foreach (var r in results)
        {
            md.AppendLine($"## Confusion matrix: {r.Label} ({Path.GetFileName(r.ModelFile)})").AppendLine();
            md.AppendLine("Rows are true classes, columns predicted classes, on the validation data.").AppendLine();
            var names = r.Evaluation.ClassNames;
            md.AppendLine("| true \\ predicted | " + string.Join(" | ", names) + " |");
            md.AppendLine("|---|" + string.Concat(names.Select(_ => "---|")));
            for (int i = 0; i < r.Evaluation.ConfusionCounts.Count; i++)
                md.AppendLine($"| {(i < names.Count ? names[i] : i.ToString())} | " +
                    string.Join(" | ", r.Evaluation.ConfusionCounts[i].Select(c => c.ToString("0", CultureInfo.InvariantCulture))) + " |");
            md.AppendLine();
        }
        var path = Path.Combine(directory, "report.md");
        AtomicFile.WriteAllText(path, md.ToString());
        return path;
    }

    /// <summary>
    /// Pretraining's monitors at its last epoch: kNN accuracy, the probe's, and the collapse monitor (emb_std) beside
    /// its healthy value 1/sqrt(d) and the level below which the run warned.
    /// </summary>
    static void AppendMonitors(StringBuilder md, PipelineDefinition pipeline, ExperimentResult pretrain)
    {
        var spec = ExperimentSettings.EncoderOf(pipeline, "pretrain");
        var options = ExperimentSettings.Pretrain(pipeline.Experiments.Pretrain!, spec, pipeline.Seed);
        int d = options.ProjectionWidths(spec.FeatureDim).Output;
        var last = pretrain.History.Epochs.Count == 0 ? null : pretrain.History.Epochs[^1];
        double std = last?["emb_std"] ?? double.NaN, level = options.CollapseThreshold / Math.Sqrt(d);
        var state = !double.IsFinite(std) ? "not recorded" : std < level ? "**collapsed** (below the warning level)" : "not collapsed";
        md.AppendLine().AppendLine($"Pretraining monitors ({pretrain.Method}, last epoch): kNN accuracy {Percent(last?["knn_acc"] ?? double.NaN)}, " +
            $"probe {Percent(last?["val_p_acc"] ?? double.NaN)}; collapse monitor emb_std {Number(std)} against 1/sqrt({d}) = {Number(1 / Math.Sqrt(d))} " +
            $"for embeddings spread over the sphere and a warning level of {Number(level)}: {state}.");
    }

    /// <summary>The experiments that train another encoder than the pipeline's (a baseline and student of SimCLRv2's small size), as "; baseline: X, width W".</summary>
    static string OwnEncoders(PipelineDefinition pipeline)
        => string.Concat(ExperimentsDefinition.Names
            .Where(name => pipeline.Experiments.For(name) != null)
            .Select(name => (Name: name, Spec: ExperimentSettings.EncoderOf(pipeline, name)))
            .Where(e => (e.Spec.Architecture, e.Spec.Width) != (pipeline.Encoder.Architecture, pipeline.Encoder.Width))
            .Select(e => $"; {e.Name}: {e.Spec.Architecture}, width {e.Spec.Width}"));

    static string Number(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>
    /// Mean and standard deviation over the repeats of each experiment, and each gain over the baseline with its
    /// standard error: a gain is called real only when it is more than twice that error.
    /// </summary>
    static void AppendMeans(StringBuilder md, PipelineDefinition pipeline, IReadOnlyList<ExperimentResult> results)
    {
        var groups = results.GroupBy(r => r.Experiment).Where(g => g.Key != "pretrain")
            .Select(g => (Experiment: g.Key, Stats: RepeatStatistics.Of(g.Select(r => r.Evaluation.MicroAccuracy)), Seconds: g.Average(r => r.Seconds)))
            .ToList();
        var baseline = groups.FirstOrDefault(g => g.Experiment == "baseline");
        var baselineEncoder = ExperimentSettings.EncoderOf(pipeline, "baseline");
        md.AppendLine().AppendLine("Over the seeds (the saved models' Evaluate accuracy on the validation data; ± is the standard deviation between seeds):").AppendLine();
        md.AppendLine("| experiment | seeds | accuracy, mean ± sd | wall time per seed | gain over the baseline ± its standard error |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var (experiment, stats, seconds) in groups)
        {
            var gain = "";
            if (baseline.Stats is { } b && experiment != "baseline")
            {
                var (difference, error) = stats.DifferenceFrom(b);
                gain = $"{SignedPoints(difference)} ± {Points(error)} points ({Verdict(difference, error)})";
                // An encoder of another size than the baseline's gains (or loses) from its size too: say so beside the figure.
                var own = ExperimentSettings.EncoderOf(pipeline, experiment);
                if (own != baselineEncoder)
                    gain += $"; not like for like: {own.Architecture} width {own.Width} against the baseline's {baselineEncoder.Architecture} width {baselineEncoder.Width}";
            }
            md.AppendLine($"| {ExperimentResult.Titles(experiment, results[0].Method)} | {stats.Count} | {Percent(stats.Mean)} ± {Points(stats.StandardDeviation)} | {Duration(seconds)} | {gain} |");
        }
    }

    /// <summary>A difference counts only beyond twice its standard error (about 95% for independent seeds); NaN errors (one seed) never do.</summary>
    public static string Verdict(double difference, double standardError)
        => !(Math.Abs(difference) > 2 * standardError) ? "within twice its error: not shown to be real"
            : difference > 0 ? "a gain of more than twice its error" : "a loss of more than twice its error";

    static string Points(double fraction) => double.IsFinite(fraction) ? (100 * fraction).ToString("0.0", CultureInfo.InvariantCulture) : "n/a";

    static string SignedPoints(double fraction) => double.IsFinite(fraction) ? (100 * fraction).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : "n/a";

    static string Settings(PipelineDefinition pipeline, string experiment)
    {
        var options = pipeline.Experiments.For(experiment);
        var set = typeof(ExperimentOptions).GetProperties()
            .Select(p => (p.Name, Value: p.GetValue(options)))
            .Where(p => p.Value != null)
            .Select(p => $"{char.ToLowerInvariant(p.Name[0])}{p.Name[1..]} {Format(p.Value!)}");
        var text = string.Join(", ", set);
        return text.Length == 0 ? "library defaults (the reference's)" : text + "; other options at the library defaults";
    }

    /// <summary>A setting as the report shows it; an options object (augmentation, a method's options) as its settable properties.</summary>
    static string Format(object? value) => value switch
    {
        null => "none",
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        float f => f.ToString("G", CultureInfo.InvariantCulture),
        string or Enum or ValueType => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        _ => "(" + string.Join(", ", value.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true })
                .Select(p => $"{char.ToLowerInvariant(p.Name[0])}{p.Name[1..]} {Format(p.GetValue(value))}")) + ")",
    };

    public static string Percent(double value) => double.IsFinite(value) ? (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a";

    public static string Duration(double seconds) => seconds < 90 ? $"{seconds:F0} s" : $"{seconds / 60:F1} min";
}

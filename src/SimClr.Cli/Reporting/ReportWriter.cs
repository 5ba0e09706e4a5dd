using System.Globalization;
using System.Text;
using SimClr.Cli.Pipelines;
using SimClr.MLNet.IO;
using SimClr.MLNet.Runtime;

namespace SimClr.Cli.Reporting;

/// <summary>Writes report.md: settings, results beside the reference's, confusion matrices, wall time.</summary>
public static class ReportWriter
{
    public static string Write(string directory, PipelineDefinition pipeline, RunSettings settings, string data,
        IReadOnlyList<ExperimentResult> results, double wallSeconds)
    {
        var md = new StringBuilder();
        md.AppendLine($"# {pipeline.Name}").AppendLine();
        if (pipeline.Description != null)
            md.AppendLine(pipeline.Description).AppendLine();
        md.AppendLine("## Settings").AppendLine();
        if (settings.Command != null)
            md.AppendLine($"- command: `{settings.Command}`");
        md.AppendLine($"- data: {data}, images at {pipeline.Data.ImageSize}x{pipeline.Data.ImageSize} px");
        md.AppendLine($"- encoder: {pipeline.Encoder.Architecture}, width {pipeline.Encoder.Width}");
        md.AppendLine($"- seed: {pipeline.Seed}");
        md.AppendLine($"- runtime: {TorchRuntime.Description}, {Environment.ProcessorCount} logical CPUs");
        foreach (var result in results)
            md.AppendLine($"- {result.Name}: {Settings(pipeline, result.Name)}");
        md.AppendLine();

        md.AppendLine("## Results").AppendLine();
        md.AppendLine("Validation accuracy per epoch comes from the training loop (probe: the online linear probe); the last column scores the saved .zip with `MulticlassClassification.Evaluate`.").AppendLine();
        bool reference = pipeline.ReferenceResults is { Count: > 0 };
        md.AppendLine("| experiment | epochs | wall time | val accuracy (max / final) | saved model, Evaluate accuracy |" + (reference ? " reference (Keras, STL-10 test) |" : ""));
        md.AppendLine("|---|---|---|---|---|" + (reference ? "---|" : ""));
        foreach (var r in results)
        {
            var referenceCell = reference ? $" {(pipeline.ReferenceResults!.TryGetValue(r.Name, out var v) ? Percent(v) : "")} |" : "";
            md.AppendLine($"| {r.Title} | {r.History.Epochs.Count} | {Duration(r.Seconds)} | {Percent(r.MaxAccuracy)} / {Percent(r.FinalAccuracy)} | " +
                $"{Path.GetFileName(r.ModelFile)}: {Percent(r.Evaluation.MicroAccuracy)} |{referenceCell}");
        }
        md.AppendLine().AppendLine($"Total wall time of this invocation: {Duration(wallSeconds)}.").AppendLine();
        md.AppendLine("![validation accuracy](curves-accuracy.png)").AppendLine();
        md.AppendLine("![validation loss](curves-loss.png)").AppendLine();
        md.AppendLine("![augmentations](augmentations.png)").AppendLine();

        foreach (var r in results)
        {
            md.AppendLine($"## Confusion matrix: {r.Title} ({Path.GetFileName(r.ModelFile)})").AppendLine();
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

    static string Settings(PipelineDefinition pipeline, string experiment)
    {
        var options = experiment switch
        {
            "baseline" => pipeline.Experiments.Baseline,
            "pretrain" => pipeline.Experiments.Pretrain,
            _ => pipeline.Experiments.Finetune,
        };
        var set = typeof(ExperimentOptions).GetProperties()
            .Select(p => (p.Name, Value: p.GetValue(options)))
            .Where(p => p.Value != null)
            .Select(p => $"{char.ToLowerInvariant(p.Name[0])}{p.Name[1..]} {Format(p.Value!)}");
        var text = string.Join(", ", set);
        return text.Length == 0 ? "library defaults (the reference's)" : text + "; other options at the library defaults";
    }

    static string Format(object value) => value switch
    {
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        SimClr.MLNet.Augmentation.AugmentationOptions a => $"(minArea {a.MinArea}, brightness {a.Brightness}, jitter {a.Jitter}, flip {a.FlipProbability}, grayscale {a.GrayscaleProbability}, blur {a.BlurProbability})",
        _ => value.ToString() ?? "",
    };

    public static string Percent(double value) => double.IsFinite(value) ? (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%" : "n/a";

    public static string Duration(double seconds) => seconds < 90 ? $"{seconds:F0} s" : $"{seconds / 60:F1} min";
}

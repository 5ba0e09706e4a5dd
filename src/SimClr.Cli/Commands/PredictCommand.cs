using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using SimClr.MLNet.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary><c>simclr predict --model MODEL.zip IMAGE... [--json] [--top K]</c>: the most probable classes of each image.</summary>
internal sealed class PredictCommand(IAnsiConsole console) : Command<PredictCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <ZIP>")] [Description("A classifier saved by SimCLR (baseline.zip, finetuned.zip, probe.zip).")]
        public string Model { get; init; } = "";

        [CommandArgument(0, "<IMAGES>")] [Description("Image files (PNG, JPEG).")]
        public string[] Images { get; init; } = Array.Empty<string>();

        [CommandOption("--top <K>")] [Description("How many classes to show per image.")] [DefaultValue(3)]
        public int Top { get; init; } = 3;

        [CommandOption("--json")] [Description("Print JSON instead of a table.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
            => string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model is required.")
                : Top < 1 ? ValidationResult.Error("--top must be at least 1.") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (!File.Exists(settings.Model))
            throw new FileNotFoundException($"Model file '{settings.Model}' does not exist.");

        var ml = new MLContext(seed: 1);
        ITransformer model;
        try
        {
            model = ml.Model.Load(settings.Model, out _);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{settings.Model}' is not a readable ML.NET model ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        // Loading extracts the model's ONNX graph to a temporary file, which only disposing deletes.
        using var disposeModel = model as IDisposable;
        var classNames = ClassNames(ml, model, settings.Model);
        using var engine = ml.Model.CreatePredictionEngine<ImageInput, Prediction>(model);

        // One unreadable image must not cost the predictions of the others; each is reported and the exit code says so.
        var results = settings.Images.Select(path => Predict(engine, path, classNames, settings.Top)).ToList();
        if (settings.Json)
            console.WriteLine(JsonSerializer.Serialize(results.Select(r => r.Error is { } error
                ? (object)new { image = r.Image, error }
                : new { image = r.Image, predictions = r.Top.Select(t => new { @class = t.Class, probability = t.Probability }) }),
                new JsonSerializerOptions { WriteIndented = true }));
        else
        {
            var table = new Table().AddColumns("image", "prediction", "probability");
            foreach (var (image, top, _) in results)
                for (int i = 0; i < top.Length; i++)
                    table.AddRow(i == 0 ? Markup.Escape(image) : "", Markup.Escape(top[i].Class), top[i].Probability.ToString("P1", CultureInfo.InvariantCulture));
            if (table.Rows.Count > 0)
                console.Write(table);
            foreach (var error in results.Select(r => r.Error).OfType<string>())
                console.MarkupLineInterpolated($"[red]error:[/] {error}");
        }
        return results.Any(r => r.Error != null) ? 1 : 0;
    }

    static ImageResult Predict(PredictionEngine<ImageInput, Prediction> engine, string path, string[] classNames, int count)
    {
        try
        {
            using var image = ImageFileReader.Read(path);
            var scores = engine.Predict(new ImageInput { Image = image }).Score;
            var top = scores.Select((p, i) => (Class: i < classNames.Length ? classNames[i] : i.ToString(CultureInfo.InvariantCulture), Probability: p))
                .OrderByDescending(c => c.Probability).Take(count).ToArray();
            return new ImageResult(path, top, null);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            return new ImageResult(path, Array.Empty<(string, float)>(), e.Message);
        }
    }

    /// <summary>An image's most probable classes, or why it has none.</summary>
    sealed record ImageResult(string Image, (string Class, float Probability)[] Top, string? Error);

    /// <summary>Class names from the PredictedLabel key's values; a model without Score and PredictedLabel is not a classifier of ours.</summary>
    static string[] ClassNames(MLContext ml, ITransformer model, string path)
    {
        var schema = model.GetOutputSchema(ml.Data.LoadFromEnumerable(Array.Empty<ImageInput>()).Schema);
        if (schema.GetColumnOrNull("Score") is null || schema.GetColumnOrNull("PredictedLabel") is not { } predicted)
            throw new InvalidDataException($"'{path}' is not an image classifier (no Score and PredictedLabel columns); use baseline.zip, finetuned.zip or probe.zip from a run.");
        return ImageColumns.GetClassNames(predicted);
    }

    sealed class ImageInput
    {
        // The declared size only types the column; the model resizes what it is given.
        [ImageType(96, 96)]
        public MLImage Image { get; set; } = null!;
    }

    sealed class Prediction
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }
}

using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using SimClr.Cli.Serving;
using SimClr.MLNet.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary><c>simclr predict --model MODEL.zip IMAGE|FOLDER... [--json] [--top K]</c>: the most probable classes of each image.</summary>
internal sealed class PredictCommand(IAnsiConsole console) : Command<PredictCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <ZIP>")] [Description("A classifier saved by SimCLR (baseline.zip, finetuned.zip, probe.zip).")]
        public string Model { get; init; } = "";

        [CommandArgument(0, "<IMAGES>")] [Description("Image files (" + ImageFileReader.ReadableFormats + "), or folders: every image in them, subfolders included, by path.")]
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
        using var classifier = new ImageClassifier(settings.Model);

        // One unreadable image must not cost the predictions of the others; each is reported and the exit code says so.
        var results = settings.Images.SelectMany(ImagesIn)
            .Select(image => image.Error == null ? Predict(classifier, image.Path, settings.Top) : ImageResult.Failed(image.Path, image.Error))
            .ToList();
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

    /// <summary>A file as given, or a folder's images (subfolders included) in ordinal path order; a folder without any is an error.</summary>
    static IEnumerable<(string Path, string? Error)> ImagesIn(string path)
    {
        if (!Directory.Exists(path))
            return new[] { (path, (string?)null) };
        var images = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Where(file => ImageFileReader.HasImageExtension(file)).Order(StringComparer.Ordinal).ToList();
        return images.Count > 0 ? images.Select(file => (file, (string?)null))
            : new[] { (path, (string?)$"Folder '{path}' holds no images ({ImageFileReader.ReadableFormats}), subfolders included.") };
    }

    static ImageResult Predict(ImageClassifier classifier, string path, int count)
    {
        try
        {
            var scores = classifier.PredictAndDispose(ImageFileReader.Read(path)).Probabilities;
            var top = scores.Select((p, i) => (Class: classifier.ClassNames[i], Probability: p))
                .OrderByDescending(c => c.Probability).Take(count).ToArray();
            return new ImageResult(path, top, null);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            return ImageResult.Failed(path, e.Message);
        }
    }

    /// <summary>An image's most probable classes, or why it has none.</summary>
    sealed record ImageResult(string Image, (string Class, float Probability)[] Top, string? Error)
    {
        public static ImageResult Failed(string image, string error) => new(image, Array.Empty<(string, float)>(), error);
    }
}

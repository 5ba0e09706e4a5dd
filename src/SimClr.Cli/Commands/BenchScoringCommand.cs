using System.ComponentModel;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.MLNet.Data;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary>
/// <c>simclr bench scoring</c>: scores 96x96 images through a saved classifier .zip with <c>Transform</c>, as a
/// service would, and prints images per second. The images come from an STL-10-format file written to a temporary
/// folder, so reading them costs what reading STL-10 costs.
/// </summary>
internal sealed class BenchScoringCommand : Command<BenchScoringCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <ZIP>")] [Description("A classifier .zip to score with; by default an untrained reference encoder + head is exported (the speed does not depend on the weights).")]
        public string? Model { get; init; }

        [CommandOption("--count <N>")] [Description("Images to score (after a warm-up pass over 50).")] [DefaultValue(2000)]
        public int Count { get; init; } = 2000;

        [CommandOption("--encoder <NAME>")] [Description("Encoder of the default model: Reference or SmallResNet18.")] [DefaultValue(EncoderArchitecture.Reference)]
        public EncoderArchitecture Encoder { get; init; } = EncoderArchitecture.Reference;

        [CommandOption("--width <N>")] [Description("Encoder width of the default model.")] [DefaultValue(128)]
        public int Width { get; init; } = 128;

        public override ValidationResult Validate()
            => Count < 1 ? ValidationResult.Error("Need --count >= 1.") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var ml = new MLContext(seed: 1);
        var temp = Directory.CreateTempSubdirectory("simclr-bench-").FullName;
        try
        {
            int size = Stl10Format.ImageSize;
            Stl10Writer.WriteClassNames(temp, SyntheticShapes.ClassNames);
            var planes = new byte[Stl10Format.RecordBytes];
            Stl10Writer.WriteImages(Path.Combine(temp, Stl10Format.ImageFile(Stl10Split.Unlabeled)),
                Enumerable.Range(0, settings.Count).Select(i => { SyntheticShapes.Draw(1, i, size, planes); return planes; }));
            var images = ml.Data.LoadStl10(temp, Stl10Split.Unlabeled);
            string zip = settings.Model ?? ExportUntrained(ml, settings, Path.Combine(temp, "model.zip"), images.Schema);
            var model = ml.Model.Load(zip, out _);
            // Disposing deletes the temporary copy of the ONNX graph that loading extracts.
            using var disposeModel = model as IDisposable;
            Score(model, ml.Data.TakeRows(images, 50));
            var watch = Stopwatch.StartNew();
            long rows = Score(model, images);
            watch.Stop();
            AnsiConsole.WriteLine($"Transform over {rows:N0} images of {size}x{size} (LoadStl10) with {settings.Model ?? $"an untrained {settings.Encoder} width {settings.Width} classifier"}: " +
                $"{watch.Elapsed.TotalSeconds:F2} s = {rows / watch.Elapsed.TotalSeconds:N0} images/s");
            return 0;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    static long Score(ITransformer model, IDataView images)
    {
        var scored = model.Transform(images);
        var score = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor(new[] { score });
        var getter = cursor.GetGetter<VBuffer<float>>(score);
        VBuffer<float> value = default;
        long rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            rows++;
        }
        return rows;
    }

    static string ExportUntrained(MLContext ml, Settings settings, string path, DataViewSchema schema)
    {
        TorchRuntime.Seed(1);
        using var encoder = Encoder.Create(new EncoderSpec(settings.Encoder, settings.Width, Stl10Format.ImageSize));
        encoder.eval();
        using var head = new LinearClassifier(encoder.FeatureDim, SyntheticShapes.ClassNames.Count);
        using var chain = StockScoringModels.Classifier(encoder, head, SyntheticShapes.ClassNames, ImageColumns.Image, ImageColumns.Label, null, true);
        ml.Model.Save(chain, schema, path);
        return path;
    }
}

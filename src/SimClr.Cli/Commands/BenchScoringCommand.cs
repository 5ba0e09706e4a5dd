using System.ComponentModel;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Transforms.Onnx;
using SimClr.MLNet.Data;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Onnx;
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
    public sealed class Settings : OnnxThreadsSettings
    {
        [CommandOption("--model <ZIP>")] [Description("A classifier .zip to score with; by default an untrained reference encoder + head is exported (the speed does not depend on the weights).")]
        public string? Model { get; init; }

        [CommandOption("--count <N>")] [Description("Images to score (after a warm-up pass over 50).")] [DefaultValue(2000)]
        public int Count { get; init; } = 2000;

        [CommandOption("--encoder <NAME>")] [Description("Encoder of the default model: Reference or SmallResNet18.")] [DefaultValue(EncoderArchitecture.Reference)]
        public EncoderArchitecture Encoder { get; init; } = EncoderArchitecture.Reference;

        [CommandOption("--width <N>")] [Description("Encoder width of the default model.")] [DefaultValue(128)]
        public int Width { get; init; } = 128;

        [CommandOption("--stages")] [Description("Also time the steps apart: reading the images, resizing + ExtractPixels, and (default model only) ONNX Runtime alone on the same graph at batch 1 and 64.")]
        public bool Stages { get; init; }

        public override ValidationResult Validate()
            => Count < 1 ? ValidationResult.Error("Need --count >= 1.") : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var ml = new MLContext(seed: 1);
        ml.SetOnnxSessionOption(new OnnxSessionOptions { IntraOpNumThreads = settings.OnnxThreads });
        var temp = Directory.CreateTempSubdirectory("simclr-bench-").FullName;
        try
        {
            int size = Stl10Format.ImageSize;
            Stl10Writer.WriteClassNames(temp, SyntheticShapes.ClassNames);
            var planes = new byte[Stl10Format.RecordBytes];
            Stl10Writer.WriteImages(Path.Combine(temp, Stl10Format.ImageFile(Stl10Split.Unlabeled)),
                Enumerable.Range(0, settings.Count).Select(i => { SyntheticShapes.Draw(1, i, size, planes); return planes; }));
            var images = ml.Data.LoadStl10(temp, Stl10Split.Unlabeled);
            byte[]? graph = null;
            string zip = settings.Model ?? ExportUntrained(ml, settings, Path.Combine(temp, "model.zip"), images.Schema, out graph);
            var model = ml.Model.Load(zip, out _);
            // Disposing deletes the temporary copy of the ONNX graph that loading extracts.
            using var disposeModel = model as IDisposable;
            string threads = settings.OnnxThreads > 0 ? $"{settings.OnnxThreads} ONNX Runtime thread(s) per call" : "ONNX Runtime's default threads per call";
            AnsiConsole.WriteLine($"Scoring {settings.Model ?? $"an untrained {settings.Encoder} width {settings.Width} classifier"} with {threads}, " +
                $"{settings.Count:N0} images of {size}x{size} (LoadStl10), after a warm-up pass over 50:");
            Report("Transform, whole model (Score)", Time(settings.Count, () => Drain(model.Transform(images), "Score"), () => Drain(model.Transform(ml.Data.TakeRows(images, 50)), "Score")));
            if (settings.Stages)
                TimeStages(ml, settings, model, images, graph);
            return 0;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>Times the steps of the scoring chain apart, to show where the time goes.</summary>
    static void TimeStages(MLContext ml, Settings settings, ITransformer model, IDataView images, byte[]? graph)
    {
        Report("reading the images (Image column)", Time(settings.Count, () => Drain(images, ImageColumns.Image), () => Drain(ml.Data.TakeRows(images, 50), ImageColumns.Image)));
        if (model is TransformerChain<ITransformer> chain && chain.Count() >= 2)
        {
            // Our chains start with ResizeImages and ExtractPixels (StockScoringModels), whose last column is the pixels.
            var preprocessing = new TransformerChain<ITransformer>(chain.Take(2).ToArray());
            var pixels = preprocessing.Transform(images).Schema.Last().Name;
            Report("+ ResizeImages + ExtractPixels", Time(settings.Count, () => Drain(preprocessing.Transform(images), pixels), () => Drain(preprocessing.Transform(ml.Data.TakeRows(images, 50)), pixels)));
        }
        if (graph is null)
        {
            AnsiConsole.WriteLine("  (ONNX Runtime alone: only for the default model, whose graph the benchmark exports itself.)");
            return;
        }
        using var options = new SessionOptions { IntraOpNumThreads = settings.OnnxThreads };
        using var session = new InferenceSession(graph, options);
        string input = session.InputMetadata.Keys.Single();
        int size = Stl10Format.ImageSize;
        foreach (int batch in new[] { 1, 64 })
        {
            var random = new Random(1);
            var tensor = new DenseTensor<float>(Enumerable.Range(0, batch * 3 * size * size).Select(_ => random.NextSingle()).ToArray(), new[] { batch, 3, size, size });
            var inputs = new[] { NamedOnnxValue.CreateFromTensor(input, tensor) };
            void Run(int count)
            {
                for (int done = 0; done < count; done += batch)
                    using (session.Run(inputs)) { }
            }
            Report($"ONNX Runtime alone, batch {batch} (InferenceSession.Run, same graph and threads)", Time(settings.Count, () => Run(settings.Count), () => Run(Math.Max(batch, 50))));
        }
    }

    static (long Rows, TimeSpan Elapsed, TimeSpan Cpu) Time(long rows, Action run, Action warmUp)
    {
        warmUp();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        run();
        watch.Stop();
        process.Refresh();
        return (rows, watch.Elapsed, process.TotalProcessorTime - cpu);
    }

    /// <summary>Wall time and images per second; CPU time over wall time shows how many cores the step kept busy.</summary>
    static void Report(string what, (long Rows, TimeSpan Elapsed, TimeSpan Cpu) timing)
        => AnsiConsole.WriteLine($"  {what}: {timing.Elapsed.TotalSeconds:F2} s = {timing.Rows / timing.Elapsed.TotalSeconds:N0} images/s " +
            $"({timing.Elapsed.TotalMilliseconds / timing.Rows:F3} ms per image, {timing.Cpu.TotalSeconds / timing.Elapsed.TotalSeconds:F2} cores busy)");

    /// <summary>Reads every row's <paramref name="column"/>, as scoring does.</summary>
    static long Drain(IDataView data, string column)
    {
        var target = data.Schema[column];
        using var cursor = data.GetRowCursor(new[] { target });
        var getter = MakeGetter(cursor, target);
        long rows = 0;
        while (cursor.MoveNext())
        {
            getter();
            rows++;
        }
        return rows;
    }

    static Action MakeGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is VectorDataViewType)
        {
            var vector = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            return () => vector(ref value);
        }
        var image = cursor.GetGetter<MLImage>(column);
        MLImage picture = null!;
        return () => image(ref picture);
    }

    static string ExportUntrained(MLContext ml, Settings settings, string path, DataViewSchema schema, out byte[] graph)
    {
        TorchRuntime.Seed(1);
        using var encoder = Encoder.Create(new EncoderSpec(settings.Encoder, settings.Width, Stl10Format.ImageSize));
        encoder.eval();
        using var head = new LinearClassifier(encoder.FeatureDim, SyntheticShapes.ClassNames.Count);
        graph = OnnxModels.Classifier(encoder, head, "Pixels", "Probabilities", "BestClass", "Features");
        using var chain = StockScoringModels.Classifier(encoder, head, SyntheticShapes.ClassNames, ImageColumns.Image, ImageColumns.Label, null, true);
        ml.Model.Save(chain, schema, path);
        return path;
    }
}

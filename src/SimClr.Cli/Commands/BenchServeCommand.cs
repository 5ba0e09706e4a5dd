using System.ComponentModel;
using System.Diagnostics;
using Microsoft.ML;
using SimClr.Cli.Serving;
using SimClr.MLNet.Data;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SkiaSharp;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary>
/// <c>simclr bench serve</c>: a short, bounded load test of <c>simclr serve</c> on loopback: concurrent clients post a
/// 96x96 PNG (or <c>--image</c>) to <c>/predict</c> for a fixed time, with or without an <c>--index</c> to search;
/// prints requests per second and latency percentiles.
/// </summary>
internal sealed class BenchServeCommand(IAnsiConsole console) : Command<BenchServeCommand.Settings>
{
    public sealed class Settings : OnnxThreadsSettings
    {
        [CommandOption("--model <ZIP>")] [Description("A classifier .zip to serve; by default an untrained reference encoder (width 128) + head at 96 px is exported.")]
        public string? Model { get; init; }

        [CommandOption("--index <DIR>")] [Description("A folder written by simclr embed with the same model: each request also searches it for neighbours.")]
        public string? Index { get; init; }

        [CommandOption("--image <FILE>")] [Description("The image every client posts; by default a generated 96x96 PNG.")]
        public string? Image { get; init; }

        [CommandOption("--clients <N>")] [Description("Concurrent clients.")] [DefaultValue(4)]
        public int Clients { get; init; } = 4;

        [CommandOption("--seconds <S>")] [Description("How long to measure, after a 2 s warm-up.")] [DefaultValue(10)]
        public int Seconds { get; init; } = 10;

        public override ValidationResult Validate()
            => Clients < 1 || Seconds < 1 ? ValidationResult.Error("--clients and --seconds must be at least 1.")
                : Image != null && !File.Exists(Image) ? ValidationResult.Error($"--image '{Image}' does not exist.")
                : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var temp = Directory.CreateTempSubdirectory("simclr-bench-serve-").FullName;
        try
        {
            var model = settings.Model ?? ExportUntrained(Path.Combine(temp, "model.zip"));
            var image = settings.Image == null ? Png() : File.ReadAllBytes(settings.Image);
            var server = ModelServer.StartAsync(model, settings.Index, "127.0.0.1", 0, settings.OnnxThreads).GetAwaiter().GetResult();
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri(server.Address) };
                Load(client, image, settings.Clients, TimeSpan.FromSeconds(2), cancellation);
                var latencies = Load(client, image, settings.Clients, TimeSpan.FromSeconds(settings.Seconds), cancellation);
                latencies.Sort();
                double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
                console.WriteLine($"serve {(settings.Model == null ? "untrained Reference width 128 at 96 px" : settings.Model)}" +
                    $"{(settings.Index == null ? "" : $" with the index {settings.Index}")}, {settings.Clients} clients on loopback posting {(settings.Image ?? "a 96x96 PNG")}, " +
                    $"{(settings.OnnxThreads == 0 ? "ONNX Runtime's default threads" : $"{settings.OnnxThreads} ONNX Runtime thread(s)")} per request, " +
                    $"{Environment.ProcessorCount} logical CPUs ({CpuFeatures.Summary}): {latencies.Count / (double)settings.Seconds:F1} requests/s, " +
                    $"latency p50 {Percentile(0.50):F1} ms, p95 {Percentile(0.95):F1} ms, max {latencies[^1]:F1} ms");
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            return 0;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>Each client posts the image again as soon as its answer arrives, until the time is up; returns every latency in ms.</summary>
    static List<double> Load(HttpClient client, byte[] image, int clients, TimeSpan duration, CancellationToken cancellation)
    {
        var latencies = new List<double>();
        var until = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var mine = new List<double>();
            while (until.Elapsed < duration && !cancellation.IsCancellationRequested)
            {
                using var form = new MultipartFormDataContent { { new ByteArrayContent(image), "image", "image" } };
                var watch = Stopwatch.StartNew();
                using var response = await client.PostAsync("/predict", form, cancellation);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync(cancellation);
                mine.Add(watch.Elapsed.TotalMilliseconds);
            }
            lock (latencies)
                latencies.AddRange(mine);
        })).ToArray();
        Task.WaitAll(workers, cancellation);
        return latencies;
    }

    static byte[] Png()
    {
        int size = Stl10Format.ImageSize;
        var planes = new byte[3 * size * size];
        SyntheticShapes.Draw(1, 0, size, planes);
        using var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                bitmap.SetPixel(x, y, new SKColor(planes[y * size + x], planes[size * size + y * size + x], planes[2 * size * size + y * size + x]));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    static string ExportUntrained(string path)
    {
        var ml = new MLContext(seed: 1);
        TorchRuntime.Seed(1);
        using var encoder = Encoder.Create(new EncoderSpec(EncoderArchitecture.Reference, 128, Stl10Format.ImageSize));
        encoder.eval();
        using var head = new SimClr.MLNet.Models.LinearClassifier(encoder.FeatureDim, SyntheticShapes.ClassNames.Count);
        using var chain = StockScoringModels.Classifier(encoder, head, SyntheticShapes.ClassNames, ImageColumns.Image, ImageColumns.Label, null, true);
        ml.Model.Save(chain, ImageColumns.CreateSchema(SyntheticShapes.ClassNames, Stl10Format.ImageSize, Stl10Format.ImageSize), path);
        return path;
    }
}

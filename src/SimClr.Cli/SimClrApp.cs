using SimClr.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli;

/// <summary>The <c>simclr</c> command tree, and the one place that turns failures into a one-line message.</summary>
public static class SimClrApp
{
    /// <summary>Runs the command line; returns the process exit code.</summary>
    public static int Run(string[] args, IAnsiConsole? console = null, CancellationToken cancellation = default)
    {
        // Spectre wraps at 80 columns when output is redirected; log lines (CI, files) should stay whole.
        if (console == null && Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = 400;
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("simclr");
            config.UseStrictParsing();
            if (console != null)
                config.ConfigureConsole(console);
            config.SetExceptionHandler((exception, _) =>
            {
                var target = console ?? AnsiConsole.Console;
                target.MarkupLineInterpolated($"[red]error:[/] {OneLine(exception)}");
                return exception is CommandAppException ? 2 : 1;
            });
            config.AddCommand<QuickstartCommand>("quickstart")
                .WithDescription("The main job: baseline, SimCLR + probe, fine-tuning and distillation on a generated dataset (no download); writes models, plots and a report.");
            config.AddCommand<RunCommand>("run").WithDescription("Run a pipeline file (see pipelines/).");
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Check this machine: CPU features, libtorch, convolution gradients against float64, ONNX Runtime, GPU.");
            config.AddCommand<PredictCommand>("predict").WithDescription("Top classes of images, from a saved classifier .zip.");
            config.AddCommand<EmbedCommand>("embed")
                .WithDescription("The encoder's features of a folder of images: embeddings.csv and TensorBoard projector files.");
            config.AddCommand<NeighborsCommand>("neighbors")
                .WithDescription("A picture of query images and their nearest images by the encoder's features.");
            config.AddCommand<ServeCommand>("serve")
                .WithDescription("A web page and HTTP API around a saved classifier: drop an image, see its classes (and, with --index, its nearest images).");
            config.AddCommand<VisualizeAugmentationsCommand>("visualize-augmentations")
                .WithDescription("The reference's grid: original, weakly and twice strongly augmented images.");
            config.AddBranch("download", download =>
            {
                download.SetDescription("Fetch public datasets.");
                download.AddCommand<DownloadStl10Command>("stl10")
                    .WithDescription("Download, verify (size, MD5) and extract STL-10; resumes a partial download.");
            });
            config.AddBranch("bench", bench =>
            {
                bench.SetDescription("Benchmarks on this machine; numbers, not tests.");
                bench.AddCommand<BenchDataCommand>("data").WithDescription("One full cursor pass over an image source: rows/s and peak RSS.");
                bench.AddCommand<BenchEncoderCommand>("encoder").WithDescription("Encoder forward + backward + Adam on random images.");
                bench.AddDelegate<BenchStepCommand.Settings>("pretrain", (context, settings, cancellation) => new BenchStepCommand(console ?? AnsiConsole.Console, "pretrain").Execute(context, settings, cancellation))
                    .WithDescription("The reference's SimCLR step (2 strong views, NT-Xent, online probe) on synthetic images.");
                bench.AddDelegate<BenchStepCommand.Settings>("supervised", (context, settings, cancellation) => new BenchStepCommand(console ?? AnsiConsole.Console, "supervised").Execute(context, settings, cancellation))
                    .WithDescription("The reference's supervised step (weak augmentation, encoder + linear head) on synthetic images.");
                bench.AddDelegate<BenchStepCommand.Settings>("distill", (context, settings, cancellation) => new BenchStepCommand(console ?? AnsiConsole.Console, "distill").Execute(context, settings, cancellation))
                    .WithDescription("A distillation step (teacher targets per --targets, student encoder + head) on synthetic images.");
                bench.AddCommand<BenchServeCommand>("serve").WithDescription("A short load test of simclr serve on loopback: requests/s and latency percentiles.");
                bench.AddCommand<BenchScoringCommand>("scoring").WithDescription("Scoring through a saved classifier .zip with Transform: images/s.");
            });
        });
        return app.Run(args, cancellation);
    }

    /// <summary>The innermost useful message, on one line.</summary>
    static string OneLine(Exception exception)
    {
        while (exception is AggregateException { InnerException: { } inner })
            exception = inner;
        return exception.Message.ReplaceLineEndings(" ");
    }
}

using System.ComponentModel;
using System.Diagnostics;
using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Training;
using SimClr.MLNet.Training.Methods;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace SimClr.Cli.Commands;

/// <summary>
/// <c>simclr bench pretrain|supervised|distill</c>: a training step on synthetic images, with the median step time,
/// images per second and where the time goes. The pretraining and supervised steps mirror
/// ../shared/bench/torch_simclr_ref.py; the distillation step measures what the teacher's targets cost.
/// </summary>
internal sealed class BenchStepCommand : Command<BenchStepCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--size <PX>")] [Description("Image side in pixels.")] [DefaultValue(96)]
        public int Size { get; init; } = 96;

        [CommandOption("--unlabeled <N>")] [Description("Unlabeled images per step (each seen in 2 views when pretraining).")] [DefaultValue(250)]
        public int Unlabeled { get; init; } = 250;

        [CommandOption("--labeled <N>")] [Description("Labeled images per step.")] [DefaultValue(12)]
        public int Labeled { get; init; } = 12;

        [CommandOption("--steps <N>")] [Description("Timed steps, after one warm-up step.")] [DefaultValue(3)]
        public int Steps { get; init; } = 3;

        [CommandOption("--width <N>")] [Description("Encoder width.")] [DefaultValue(128)]
        public int Width { get; init; } = 128;

        [CommandOption("--encoder <NAME>")] [Description("Reference or SmallResNet18.")] [DefaultValue(EncoderArchitecture.Reference)]
        public EncoderArchitecture Encoder { get; init; } = EncoderArchitecture.Reference;

        [CommandOption("--precision <P>")] [Description("fp32 or bf16.")] [DefaultValue("fp32")]
        public string Precision { get; init; } = "fp32";

        [CommandOption("--method <M>")] [Description("pretrain: SimClr, MoCo, Byol, SimSiam or BarlowTwins, with each paper's heads.")] [DefaultValue(PretrainingMethod.SimClr)]
        public PretrainingMethod Method { get; init; } = PretrainingMethod.SimClr;

        [CommandOption("--targets <T>")] [Description("distill: Once (cached teacher probabilities) or PerStep (the teacher scores every augmented batch).")] [DefaultValue(DistillTargets.Once)]
        public DistillTargets Targets { get; init; } = DistillTargets.Once;

        public override ValidationResult Validate()
        {
            try
            {
                if (ComputePrecisionNames.Parse(Precision) == ComputePrecision.Auto)
                    return ValidationResult.Error("A benchmark measures one precision; use fp32 or bf16.");
            }
            catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
            return Size < 8 || Unlabeled < 0 || Labeled < 0 || Unlabeled + Labeled < 2 || Steps < 1
                ? ValidationResult.Error("Need --size >= 8, --steps >= 1 and at least 2 images per step.")
                : ValidationResult.Success();
        }
    }

    readonly IAnsiConsole _console;
    readonly string _mode;

    /// <param name="console">Where the figures go.</param>
    /// <param name="mode">pretrain, supervised or distill.</param>
    public BenchStepCommand(IAnsiConsole console, string mode)
    {
        _console = console;
        _mode = mode;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var precision = ComputePrecisionNames.Parse(settings.Precision);
        var spec = new EncoderSpec(settings.Encoder, settings.Width, settings.Size);
        TorchRuntime.Seed(1);
        int total = settings.Unlabeled + settings.Labeled;
        // Twice the images one step needs, so every step gathers a different random batch, as real training does.
        using var pool = new ImageTensorSet(randint(0, 256, new long[] { 2 * total, 3, settings.Size, settings.Size }, ScalarType.Byte),
            Enumerable.Range(0, 2 * total).Select(i => (long)(i % 10)).ToArray(), Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray());
        var random = new Random(1);
        long[] Rows(int count) => Enumerable.Range(0, count).Select(_ => (long)random.Next(2 * total)).ToArray();

        var timer = new PhaseTimer();
        Action step;
        IDisposable run;
        if (_mode == "pretrain")
        {
            var options = new PretrainOptions { EncoderSpec = spec, Precision = precision, BatchSize = total, Epochs = 1, Method = settings.Method };
            var pretraining = new SelfSupervisedRun(options, pool, pool, null, CPU);
            run = pretraining;
            step = () =>
            {
                using var scope = NewDisposeScope();
                timer.Start("data");
                var (unlabeled, _) = pool.Gather(Rows(settings.Unlabeled));
                var (labeled, labels) = pool.Gather(Rows(settings.Labeled));
                pretraining.TrainStep(unlabeled, labeled, labels, new TrainingProgress(0, 1), timer);
            };
        }
        else if (_mode == "distill")
        {
            var options = new DistillOptions { Precision = precision, BatchSize = total, Epochs = 1, Targets = settings.Targets };
            using var teacherEncoder = SimClr.MLNet.Models.Encoder.Create(spec);
            using var teacherHead = new LinearClassifier(teacherEncoder.FeatureDim, pool.ClassNames.Count);
            var distillation = new DistillRun(options, pool, pool, null, CPU, teacherEncoder, teacherHead, studentStart: null);
            run = distillation;
            // Once: the cached probabilities are gathered per batch, which costs nothing next to a step; random ones do.
            using var cached = softmax(randn(2 * total, pool.ClassNames.Count), 1);
            step = () =>
            {
                using var scope = NewDisposeScope();
                timer.Start("data");
                var rows = Rows(total);
                var (images, labels) = pool.Gather(rows);
                distillation.TrainStep(images, labels, settings.Targets == DistillTargets.Once ? cached.index_select(0, tensor(rows)) : null, timer);
            };
            return Measure(settings, run, step, timer, precision, total, cancellation);
        }
        else
        {
            var options = new SupervisedOptions { EncoderSpec = spec, Precision = precision, BatchSize = total, Epochs = 1 };
            var supervised = new SupervisedRun(options, pool, null, CPU, pretrained: null);
            run = supervised;
            step = () =>
            {
                using var scope = NewDisposeScope();
                timer.Start("data");
                var (images, labels) = pool.Gather(Rows(total));
                supervised.TrainStep(images, labels, timer);
            };
        }
        return Measure(settings, run, step, timer, precision, total, cancellation);
    }

    int Measure(Settings settings, IDisposable run, Action step, PhaseTimer timer, ComputePrecision precision, int total, CancellationToken cancellation)
    {
        using (run)
        {
            step();   // warm-up: first-call allocations and oneDNN kernel selection
            timer.Reset();
            var times = new List<double>();
            for (int i = 0; i < settings.Steps; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                var watch = Stopwatch.StartNew();
                step();
                times.Add(watch.Elapsed.TotalSeconds);
            }
            times.Sort();
            double median = times[times.Count / 2];
            double stepTotal = times.Sum();
            var breakdown = timer.Totals.Select(kv => $"{kv.Key} {100 * kv.Value.TotalSeconds / stepTotal:F1}%");
            _console.WriteLine(
                $"simclr {_mode}{(_mode == "distill" ? $" targets {settings.Targets}" : "")} size={settings.Size} batch={settings.Unlabeled}+{settings.Labeled} " +
                $"{settings.Encoder} width {settings.Width} {precision.ShortName()}, {TorchRuntime.Description}: " +
                $"median step {median * 1000:F0} ms, {total / median:F1} images/s");
            _console.WriteLine($"  time per phase (all timed steps): {string.Join(", ", breakdown)}");
        }
        return 0;
    }
}

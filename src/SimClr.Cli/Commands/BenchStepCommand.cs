using System.ComponentModel;
using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Training;
using SimClr.MLNet.Training.Methods;
using Spectre.Console;
using Spectre.Console.Cli;

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

        [CommandOption("--method <M>")] [Description("pretrain: SimClr, MoCo, Byol, SimSiam, BarlowTwins or Swav, with each paper's heads.")] [DefaultValue(PretrainingMethod.SimClr)]
        public PretrainingMethod Method { get; init; } = PretrainingMethod.SimClr;

        [CommandOption("--targets <T>")] [Description("distill: Once (cached teacher probabilities), PerStep (the teacher scores every augmented batch) or Self (the student scores every batch itself, as in FixMatch).")] [DefaultValue(DistillTargets.Once)]
        public DistillTargets Targets { get; init; } = DistillTargets.Once;

        [CommandOption("--teacher-width <N>")] [Description("distill: the teacher's width, of the same architecture (default: --width; the CIFAR-10 recipes distil width 16 into 8).")]
        public int? TeacherWidth { get; init; }

        public override ValidationResult Validate()
        {
            try
            {
                if (ComputePrecisionNames.Parse(Precision) == ComputePrecision.Auto)
                    return ValidationResult.Error("A benchmark measures one precision; use fp32 or bf16.");
            }
            catch (ArgumentException e) { return ValidationResult.Error(e.Message); }
            if (TeacherWidth is < 1)
                return ValidationResult.Error("--teacher-width must be at least 1.");
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
        int total = settings.Unlabeled + settings.Labeled;
        var result = _mode switch
        {
            "pretrain" => StepBenchmark.Pretrain(new PretrainOptions { EncoderSpec = spec, Precision = precision, Method = settings.Method },
                settings.Unlabeled, settings.Labeled, settings.Steps, cancellation),
            "distill" => StepBenchmark.Distill(new DistillOptions { Precision = precision, Targets = settings.Targets }, spec, total, settings.Steps, cancellation,
                teacher: spec with { Width = settings.TeacherWidth ?? settings.Width }),
            _ => StepBenchmark.Supervised(new SupervisedOptions { Precision = precision }, spec, total, settings.Steps, cancellation),
        };
        var what = _mode switch
        {
            "pretrain" => $"pretrain {MethodNames.Display(settings.Method)}",
            "distill" => $"distill targets {settings.Targets}" + (settings.TeacherWidth is { } width ? $" teacher width {width}" : ""),
            _ => _mode,
        };
        _console.WriteLine(
            $"simclr {what} size={settings.Size} batch={settings.Unlabeled}+{settings.Labeled} " +
            $"{settings.Encoder} width {settings.Width} {precision.ShortName()}, {TorchRuntime.Description}: " +
            $"median step {result.MedianSeconds * 1000:F0} ms, {result.ImagesPerSecond:F1} images/s");
        _console.WriteLine($"  time per phase (all timed steps): {string.Join(", ", result.PhaseFractions.Select(p => $"{p.Phase} {100 * p.Fraction:F1}%"))}");
        _console.WriteLine($"  float32 convolutions: {ConvolutionChannelBlock.Float32Reason}");
        return 0;
    }
}

using System.ComponentModel;
using SimClr.MLNet.Models;
using SimClr.MLNet.Onnx;
using SimClr.MLNet.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace SimClr.Cli.Commands;

/// <summary>
/// <c>simclr doctor</c>: whether this machine will train and serve correctly. It checks what has gone wrong on
/// real machines: libtorch failing to load, convolution kernels that compute wrong gradients on some CPUs, and
/// ONNX Runtime. Exit code 0 when everything passed, 1 otherwise.
/// </summary>
internal sealed class DoctorCommand : Command<DoctorCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--encoder <NAME>")]
        [Description("Check this encoder's convolutions (Reference or SmallResNet18) instead of those of the shipped pipelines.")]
        public EncoderArchitecture? Encoder { get; init; }

        [CommandOption("--width <N>")] [Description("Width of --encoder.")] [DefaultValue(8)]
        public int Width { get; init; } = 8;

        [CommandOption("--size <PX>")] [Description("Image size of --encoder.")] [DefaultValue(32)]
        public int Size { get; init; } = 32;

        [CommandOption("--bf16")]
        [Description("Also check bfloat16 (done anyway on CPUs with AVX512-BF16 or AMX; elsewhere bfloat16 is emulated and slow).")]
        public bool BFloat16 { get; init; }

        public override ValidationResult Validate()
            => Width < 1 ? ValidationResult.Error("--width must be at least 1.")
             : Size < 8 ? ValidationResult.Error("--size must be at least 8.")
             : ValidationResult.Success();
    }

    /// <summary>The encoders of pipelines/: the Keras reference's at 96 px, and the quickstart's and CIFAR-10's.</summary>
    static readonly EncoderSpec[] ShippedEncoders =
    {
        EncoderSpec.ReferenceDefault,
        new(EncoderArchitecture.SmallResNet18, 8, 32),
    };

    readonly IAnsiConsole _console;

    public DoctorCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        bool healthy = true;
        void Report(bool passed, string what, string detail)
        {
            healthy &= passed;
            _console.MarkupLine($"{(passed ? "[green]ok  [/]" : "[red]FAIL[/]")} {Markup.Escape(what)}: {Markup.Escape(detail)}");
        }

        _console.MarkupLine($"CPU: {Markup.Escape(CpuFeatures.ModelName)}, {Environment.ProcessorCount} logical processors");
        _console.MarkupLine($"     AVX2 {YesNo(CpuFeatures.HasAvx2)}, AVX-512 {YesNo(CpuFeatures.HasAvx512)}, " +
                            $"AVX512-BF16 {YesNo(CpuFeatures.HasAvx512BFloat16)}, AMX {YesNo(CpuFeatures.HasAmx)} " +
                            $"(what libtorch's kernels may use; the CPU: {Markup.Escape(CpuFeatures.Summary)})");
        try
        {
            TorchRuntime.EnsureInitialized();
            Report(true, "libtorch", $"{LibtorchBuild.LibtorchVersion} loaded; {LibtorchBuild.OneDnnVersion}; {TorchRuntime.Description}");
            Report(true, "float32 convolutions", ConvolutionChannelBlock.Float32Reason);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Report(false, "libtorch", $"did not load: {e.Message.ReplaceLineEndings(" ")}");
            return 1;
        }

        var specs = settings.Encoder is { } architecture ? new[] { new EncoderSpec(architecture, settings.Width, settings.Size) } : ShippedEncoders;
        var precisions = new List<ComputePrecision> { ComputePrecision.Float32 };
        if (settings.BFloat16 || CpuFeatures.HasNativeBFloat16)
            precisions.Add(ComputePrecision.BFloat16);
        foreach (var spec in specs)
        {
            IReadOnlyList<ConvolutionShape> shapes;
            using (var encoder = MLNet.Models.Encoder.Create(spec))
                shapes = encoder.ConvolutionShapes().Distinct().ToList();
            foreach (var precision in precisions)
                foreach (var shape in shapes)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var result = ConvolutionGradientCheck.Check(shape, precision);
                    Report(result.Passed, $"{spec.Architecture} w{spec.Width} {precision.ShortName()} conv {shape}",
                        $"relative error vs float64: output {result.ForwardError:E1}, input gradient {result.InputGradientError:E1}, " +
                        $"weight gradient {result.WeightGradientError:E1} (tolerance {result.Tolerance:E0})");
                }
        }

        var onnx = OnnxRuntimeCheck.Run();
        Report(onnx.Passed, "ONNX Runtime", onnx.Error ?? $"{onnx.Version} loaded; features within {onnx.RelativeError:E1} of libtorch's");

        _console.MarkupLine(torch.cuda.is_available()
            ? $"GPU: CUDA available, {torch.cuda.device_count()} device(s)"
            : "GPU: none usable (no CUDA device, or the CPU build of TorchSharp); training runs on the CPU");
        _console.MarkupLine(healthy
            ? "[green]This machine computes what the library needs.[/]"
            : "[red]Something above failed: training or scoring here would give wrong results or crash.[/] See the README's \"When something fails\".");
        return healthy ? 0 : 1;
    }

    static string YesNo(bool value) => value ? "yes" : "no";
}

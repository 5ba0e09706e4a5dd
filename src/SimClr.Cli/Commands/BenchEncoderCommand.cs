using System.ComponentModel;
using System.Diagnostics;
using SimClr.Cli.Infrastructure;
using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.Cli.Commands;

/// <summary>
/// <c>simclr bench encoder</c>: forward, backward and an Adam step of an encoder on random images, to measure
/// the raw training speed of this machine (and the effect of the allocator tuning).
/// </summary>
internal sealed class BenchEncoderCommand : Command<BenchEncoderCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--size <PX>")] [Description("Image side in pixels.")] [DefaultValue(96)]
        public int Size { get; init; } = 96;

        [CommandOption("--batch <N>")] [Description("Images per step.")] [DefaultValue(256)]
        public int Batch { get; init; } = 256;

        [CommandOption("--width <N>")] [Description("Encoder width.")] [DefaultValue(128)]
        public int Width { get; init; } = 128;

        [CommandOption("--encoder <NAME>")] [Description("Reference or SmallResNet18.")] [DefaultValue(EncoderArchitecture.Reference)]
        public EncoderArchitecture Encoder { get; init; } = EncoderArchitecture.Reference;

        [CommandOption("--steps <N>")] [Description("Timed steps, after one warm-up step.")] [DefaultValue(5)]
        public int Steps { get; init; } = 5;

        [CommandOption("--precision <P>")] [Description("Float32 or BFloat16.")] [DefaultValue(ComputePrecision.Float32)]
        public ComputePrecision Precision { get; init; } = ComputePrecision.Float32;

        [CommandOption("--no-allocator-tuning")] [Description("Leave glibc malloc and libtorch's allocator at their defaults.")]
        public bool NoAllocatorTuning { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.Configure(new TorchRuntimeOptions { TuneAllocator = !settings.NoAllocatorTuning });
        TorchRuntime.Seed(1);
        using var encoder = Encoder.Create(new EncoderSpec(settings.Encoder, settings.Width, settings.Size));
        encoder.Precision = settings.Precision;
        using var optimizer = optim.Adam(encoder.parameters(), 1e-3);
        using var images = rand(settings.Batch, 3, settings.Size, settings.Size);

        var times = new List<double>();
        var cpuBefore = ProcessStats.CpuTime();
        for (int step = 0; step <= settings.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            if (step == 1)
                cpuBefore = ProcessStats.CpuTime();
            var watch = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = encoder.call(images).square().mean();
                loss.backward();
                optimizer.step();
            }
            if (step > 0)
                times.Add(watch.Elapsed.TotalSeconds);
        }
        var cpuAfter = ProcessStats.CpuTime();
        times.Sort();
        double median = times[times.Count / 2];
        AnsiConsole.WriteLine(
            $"{settings.Encoder} encoder width {settings.Width}, {settings.Size} px, batch {settings.Batch}, {settings.Precision}, {TorchRuntime.Description}: " +
            $"median step {median * 1000:F0} ms = {settings.Batch / median:F1} img/s; CPU over timed steps: " +
            $"user {(cpuAfter.User - cpuBefore.User).TotalSeconds:F1} s, system {(cpuAfter.System - cpuBefore.System).TotalSeconds:F1} s");
        return 0;
    }
}

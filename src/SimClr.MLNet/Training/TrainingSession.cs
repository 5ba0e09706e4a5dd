using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>
/// What every trainer does around its run: check the options and the images, choose the device and the precision,
/// then hand the run to <see cref="TrainingLoop"/>. Pretraining (any method), supervised training and distillation
/// differ only in the run they build.
/// </summary>
internal sealed class TrainingSession<TOptions> where TOptions : TrainingOptions
{
    TrainingSession(TOptions options, string name, EncoderSpec encoder, Device device, Action<string> log)
        => (Options, Name, Encoder, Device, Log) = (options, name, encoder, device, log);

    /// <summary>The options with Auto precision resolved (a copy; the caller's object is unchanged).</summary>
    public TOptions Options { get; }
    public string Name { get; }
    public EncoderSpec Encoder { get; }
    public Device Device { get; }
    public Action<string> Log { get; }

    /// <summary>
    /// Validates the options, checks every image set against the encoder's size and the validation classes against
    /// the labelled ones, resolves device and precision. <paramref name="defaultName"/> names the run when
    /// <see cref="TrainingOptions.RunName"/> is not set; <paramref name="others"/> are further sets, named for messages.
    /// </summary>
    public static TrainingSession<TOptions> Open(TOptions options, EncoderSpec encoder, string defaultName, Action<string>? log,
        ImageTensorSet labeled, ImageTensorSet? validation, params (ImageTensorSet? Set, string Name)[] others)
    {
        options.Validate();
        TorchRuntime.EnsureInitialized();
        ImageSets.CheckSize(encoder.ImageSize, others.Append((labeled, "labeled")).Append((validation, "validation")).ToArray());
        ImageSets.CheckClasses(labeled, validation);
        var write = log ?? (_ => { });
        var device = TrainingDevice.Resolve(options.GpuDeviceId, options.FallbackToCpu, write);
        string name = options.RunName ?? defaultName;
        return new TrainingSession<TOptions>(TrainingDevice.ResolvePrecision(options, device, encoder, name, write), name, encoder, device, write);
    }

    /// <summary>Logs <paramref name="description"/> and trains <paramref name="run"/> to the end (or on from its checkpoint).</summary>
    public TrainingHistory Train(ITrainingRun run, IReadOnlyList<string> classNames, string description)
    {
        Log($"{Name}: {description}");
        return new TrainingLoop(Options, Name, Encoder, classNames, Log).Run(run);
    }
}

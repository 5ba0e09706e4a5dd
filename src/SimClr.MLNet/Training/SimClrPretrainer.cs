using SimClr.MLNet.Runtime;

namespace SimClr.MLNet.Training;

/// <summary>
/// SimCLR pretraining with an online linear probe (the reference's second experiment), as a library call.
/// </summary>
/// <example><code>
/// var result = new SimClrPretrainer(new PretrainOptions { Epochs = 20 }).Fit(unlabeled, labeled, validation);
/// Console.WriteLine(result.History.Epochs[^1]["val_p_acc"]);
/// </code></example>
public sealed class SimClrPretrainer(PretrainOptions options, Action<string>? log = null)
{
    /// <summary>
    /// Pretrains on <paramref name="unlabeled"/> plus the images of <paramref name="labeled"/>; the probe learns
    /// from the labelled rows and is scored on <paramref name="validation"/> each epoch when given.
    /// </summary>
    /// <exception cref="ArgumentException">The image sets do not match the options (size, classes); the message names the option.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public PretrainResult Fit(ImageTensorSet unlabeled, ImageTensorSet labeled, ImageTensorSet? validation = null)
    {
        options.Validate();
        TorchRuntime.EnsureInitialized();
        ImageSets.CheckSize(options.EncoderSpec.ImageSize, (unlabeled, "unlabeled"), (labeled, "labeled"), (validation, "validation"));
        ImageSets.CheckClasses(labeled, validation);
        var write = log ?? (_ => { });
        var device = TrainingDevice.Resolve(options.GpuDeviceId, options.FallbackToCpu, write);
        string name = options.RunName ?? "pretrain";
        var resolved = TrainingDevice.ResolvePrecision(options, device, options.EncoderSpec, name, write);
        using var run = new SimClrPretrainingRun(resolved, unlabeled, labeled, validation, device);
        write($"{name}: {run.StepsPerEpoch} steps/epoch of {run.UnlabeledBatch} unlabeled + {run.LabeledBatch} labeled images, " +
              $"{options.EncoderSpec.Architecture} width {options.EncoderSpec.Width} at {options.EncoderSpec.ImageSize} px, {resolved.Precision}, on {device}; {TorchRuntime.Description}");
        var history = new TrainingLoop(resolved, name, options.EncoderSpec, labeled.ClassNames, write).Run(run);
        run.Encoder.eval();
        run.Head.eval();
        run.Probe?.eval();
        return new PretrainResult(run.Encoder, run.Head, run.Probe, history, labeled.ClassNames);
    }
}

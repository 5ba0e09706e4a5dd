using SimClr.MLNet.Runtime;
using SimClr.MLNet.Training.Methods;

namespace SimClr.MLNet.Training;

/// <summary>
/// Self-supervised pretraining with an online linear probe (the reference's second experiment), as a library call.
/// The method is <see cref="PretrainOptions.Method"/>: SimCLR by default, or MoCo v2, BYOL, SimSiam, Barlow Twins, SwAV.
/// </summary>
/// <example><code>
/// var result = new SelfSupervisedPretrainer(new PretrainOptions { Epochs = 20, Method = PretrainingMethod.Byol })
///     .Fit(unlabeled, labeled, validation);
/// Console.WriteLine(result.History.Epochs[^1]["val_p_acc"]);
/// </code></example>
public sealed class SelfSupervisedPretrainer(PretrainOptions options, Action<string>? log = null)
{
    /// <summary>
    /// Pretrains on <paramref name="unlabeled"/> plus the images of <paramref name="labeled"/>; the probe learns
    /// from the labelled rows and is scored on <paramref name="validation"/> each epoch when given.
    /// </summary>
    /// <exception cref="ArgumentException">The image sets do not match the options (size, classes); the message names the option.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public PretrainResult Fit(ImageTensorSet unlabeled, ImageTensorSet labeled, ImageTensorSet? validation = null)
    {
        var spec = options.EncoderSpec;
        var session = TrainingSession<PretrainOptions>.Open(options, spec, "pretrain", log, labeled, validation, (unlabeled, "unlabeled"));
        var resolved = session.Options;
        using var run = new SelfSupervisedRun(resolved, unlabeled, labeled, validation, session.Device);
        var monitor = new CollapseMonitor(run.Objective.EmbeddingDim, resolved.CollapseThreshold, session.Name, session.Log);
        var userCallback = resolved.EpochCompleted;
        resolved.EpochCompleted = metrics =>
        {
            monitor.Check(metrics);
            userCallback?.Invoke(metrics);
        };
        var history = session.Train(run, labeled.ClassNames,
            $"{MethodNames.Display(resolved.Method)}{(resolved.SupervisedContrastiveWeight > 0 ? $" + SuNCEt x {resolved.SupervisedContrastiveWeight}" : "")}, {run.StepsPerEpoch} steps/epoch of {run.UnlabeledBatch} unlabeled + {run.LabeledBatch} labeled images, " +
            $"{spec.Architecture} width {spec.Width} at {spec.ImageSize} px, {resolved.Precision}, on {session.Device}; {TorchRuntime.Description}");
        run.Encoder.eval();
        run.Objective.Projector.eval();
        run.Probe?.eval();
        return new PretrainResult(run.Encoder, run.Objective, run.Probe, history, labeled.ClassNames);
    }
}

using SimClr.MLNet.Models;

namespace SimClr.MLNet.Training;

/// <summary>
/// Supervised training of an encoder plus linear head: the supervised baseline (no <c>pretrained</c> encoder)
/// and fine-tuning (a pretrained encoder, which is copied, not changed), the reference's first and third experiments.
/// </summary>
public sealed class SupervisedTrainer(SupervisedOptions options, Action<string>? log = null)
{
    /// <summary>Trains on the labelled rows of <paramref name="labeled"/>, scoring <paramref name="validation"/> each epoch when given.</summary>
    /// <exception cref="ArgumentException">No labelled rows, or sizes and classes that do not match; the message names what.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public SupervisedResult Fit(ImageTensorSet labeled, ImageTensorSet? validation = null, Encoder? pretrained = null)
    {
        if (pretrained != null && options.EncoderSpec != null && options.EncoderSpec != pretrained.Spec)
            throw new ArgumentException(
                $"EncoderSpec is {options.EncoderSpec}, but the pretrained encoder is {pretrained.Spec} (a different architecture or image size). " +
                "Leave EncoderSpec unset to fine-tune the pretrained one.", nameof(options));
        var spec = pretrained?.Spec ?? options.EncoderSpec ?? EncoderSpec.ReferenceDefault;
        var session = TrainingSession<SupervisedOptions>.Open(options, spec, pretrained == null ? "baseline" : "finetune", log, labeled, validation);
        using var run = new SupervisedRun(session.Options, labeled, validation, session.Device, pretrained);
        var history = session.Train(run, labeled.ClassNames,
            $"{run.StepsPerEpoch} steps/epoch of {options.BatchSize} labeled images, {spec.Architecture} width {spec.Width} " +
            $"at {spec.ImageSize} px ({(pretrained == null ? "random init" : "pretrained")}), {session.Options.Precision}, on {session.Device}");
        run.Encoder.eval();
        run.Head.eval();
        return new SupervisedResult(run.Encoder, run.Head, history, labeled.ClassNames);
    }
}

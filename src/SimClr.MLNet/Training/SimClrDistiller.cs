using SimClr.MLNet.Models;

namespace SimClr.MLNet.Training;

/// <summary>
/// Knowledge distillation on unlabelled images, SimCLRv2's third step (Chen et al., 2020): a fine-tuned classifier
/// (the teacher) labels the images with its softened predictions, and a student learns from them, plus the
/// cross-entropy on the labelled images. The student has the teacher's encoder architecture unless
/// <see cref="SupervisedOptions.EncoderSpec"/> or its starting encoder says otherwise: SimCLRv2 distils a big
/// fine-tuned network into a smaller one. The teacher is copied, never changed.
/// </summary>
/// <example><code>
/// var finetuned = new SupervisedTrainer(new SupervisedOptions()).Fit(labeled, validation, pretrained.Encoder);
/// var student = new SimClrDistiller(new DistillOptions { LabeledLossWeight = 0 })
///     .Fit(unlabeled, labeled, validation, finetuned.Encoder, finetuned.Head, studentStart: pretrained.Encoder);
/// </code></example>
public sealed class SimClrDistiller(DistillOptions options, Action<string>? log = null)
{
    /// <summary>
    /// Trains a student on every image of <paramref name="unlabeled"/> and <paramref name="labeled"/> (rows of
    /// <paramref name="labeled"/> without a label count as unlabelled), scoring <paramref name="validation"/> each
    /// epoch when given.
    /// </summary>
    /// <param name="unlabeled">Images the teacher labels; their own labels, if any, are ignored.</param>
    /// <param name="labeled">Images with 0-based labels; its class names are the classifier's.</param>
    /// <param name="validation">Labelled images scored after every ValidationFrequency-th epoch and the last (val_loss, val_acc), or null.</param>
    /// <param name="teacherEncoder">The teacher's encoder: its image size is the student's, and its architecture too unless the options or <paramref name="studentStart"/> give another.</param>
    /// <param name="teacherHead">The teacher's classification head, one output per class of <paramref name="labeled"/>.</param>
    /// <param name="studentStart">An encoder to start the student from (copied), of the teacher's image size, or null for a random one.</param>
    /// <param name="studentHead">
    /// A head to start the student's from (copied), with <paramref name="studentStart"/>, or null for a random one. The
    /// teacher's own encoder and head make the student start where fine-tuning ended: self-training on the unlabelled
    /// images rather than distillation into fresh weights.
    /// </param>
    /// <exception cref="ArgumentException">Sizes, classes or architectures do not match; the message names what.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public SupervisedResult Fit(ImageTensorSet unlabeled, ImageTensorSet labeled, ImageTensorSet? validation,
        Encoder teacherEncoder, LinearClassifier teacherHead, Encoder? studentStart = null, LinearClassifier? studentHead = null)
    {
        ArgumentNullException.ThrowIfNull(unlabeled);
        ArgumentNullException.ThrowIfNull(labeled);
        ArgumentNullException.ThrowIfNull(teacherEncoder);
        ArgumentNullException.ThrowIfNull(teacherHead);
        var teacherSpec = teacherEncoder.Spec;
        if (studentStart != null && options.EncoderSpec != null && studentStart.Spec != options.EncoderSpec)
            throw new ArgumentException(
                $"studentStart is {studentStart.Spec}, but EncoderSpec is {options.EncoderSpec}; leave EncoderSpec unset to train the encoder the student starts from.",
                nameof(studentStart));
        var spec = studentStart?.Spec ?? options.EncoderSpec ?? teacherSpec;
        if (spec.ImageSize != teacherSpec.ImageSize)
        {
            string name = studentStart != null ? nameof(studentStart) : nameof(options.EncoderSpec);
            throw new ArgumentException(
                $"{name} is {spec}, but the teacher's encoder is {teacherSpec}; the student learns the teacher's answers on the same images, so its image size must be the teacher's.",
                name);
        }
        if (teacherHead.FeatureDim != teacherEncoder.FeatureDim)
            throw new ArgumentException(
                $"teacherHead takes {teacherHead.FeatureDim} features, but teacherEncoder gives {teacherEncoder.FeatureDim}.", nameof(teacherHead));
        if (teacherHead.ClassCount != labeled.ClassNames.Count)
            throw new ArgumentException(
                $"teacherHead has {teacherHead.ClassCount} classes, but the labelled images have {labeled.ClassNames.Count} ({string.Join(", ", labeled.ClassNames)}).",
                nameof(teacherHead));
        if (studentHead != null && studentStart == null)
            throw new ArgumentException("studentHead needs studentStart: a head is trained on the features of the encoder it started with.", nameof(studentHead));
        if (studentHead != null && (studentHead.FeatureDim, studentHead.ClassCount) != (studentStart!.FeatureDim, teacherHead.ClassCount))
            throw new ArgumentException(
                $"studentHead maps {studentHead.FeatureDim} features to {studentHead.ClassCount} classes, but studentStart gives {studentStart.FeatureDim} features and the teacher has {teacherHead.ClassCount} classes.",
                nameof(studentHead));
        var session = TrainingSession<DistillOptions>.Open(options, spec, "distill", log, labeled, validation, (unlabeled, "unlabeled"));
        using var run = new DistillRun(session.Options, unlabeled, labeled, validation, session.Device, teacherEncoder, teacherHead, studentStart, session.Log, studentHead, spec);
        // Before the loop, so that the teacher's pass is not timed as part of the first epoch.
        run.PrepareTargets();
        var history = session.Train(run, labeled.ClassNames,
            $"{run.StepsPerEpoch} steps/epoch of {options.BatchSize} images ({run.PoolSize - run.LabeledImages:N0} unlabelled + {run.LabeledImages:N0} labelled), " +
            $"{spec.Architecture} width {spec.Width} at {spec.ImageSize} px" +
            (spec != teacherSpec ? $" (teacher: {teacherSpec.Architecture} width {teacherSpec.Width})" : "") +
            $", student from {(studentHead != null ? "a given classifier (encoder and head)" : studentStart == null ? "scratch" : "pretrained encoder")}, " +
            $"T={options.Temperature:G4}, labelled weight {options.LabeledLossWeight:G4}, targets {options.Targets}" +
            (options.Targets == DistillTargets.PerStep ? $" (the teacher's pass in {run.TeacherRuntime})" : "") +
            (options.PseudoLabelThreshold is { } threshold ? $" as pseudo-labels from {threshold:G4}" : "") +
            (options.TeacherFlipAveraging ? " averaged over each image and its mirror image" : "") +
            (options.StudentAugmentation != null ? ", a strong view for the student" : "") +
            $", {session.Options.Precision.ShortName()}, on {session.Device}");
        run.Encoder.eval();
        run.Head.eval();
        return new SupervisedResult(run.Encoder, run.Head, history, labeled.ClassNames);
    }
}

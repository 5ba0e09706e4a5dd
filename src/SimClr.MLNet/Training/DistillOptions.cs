using SimClr.MLNet.Augmentation;

namespace SimClr.MLNet.Training;

/// <summary>
/// Distillation of a fine-tuned classifier (the teacher) into a student, on unlabelled and labelled images: SimCLRv2's
/// third step (Chen et al., 2020). The supervised settings apply to the
/// student: <see cref="SupervisedOptions.BatchSize"/> images per step drawn from all images together,
/// <see cref="SupervisedOptions.Augmentation"/> on them, and <see cref="SupervisedOptions.EncoderLearningRateScale"/>
/// on the encoder of a student that starts from a pretrained encoder. <see cref="SupervisedOptions.EncoderSpec"/>
/// may stay null: the student takes the architecture of the encoder it starts from, else the teacher's. Set, it may
/// name a smaller encoder than the teacher's (at the teacher's image size): SimCLRv2 distils a big fine-tuned network
/// into a small one, which is cheaper to score than the teacher.
/// </summary>
public class DistillOptions : SupervisedOptions
{
    /// <summary>Default values of the distillation options.</summary>
    public static new class Defaults
    {
        /// <summary>1: the teacher's probabilities as its softmax gives them, neither sharpened nor softened.</summary>
        public const double Temperature = 1.0;
        /// <summary>0.5: the labelled cross-entropy and the distillation term weigh the same.</summary>
        public const double LabeledLossWeight = 0.5;
        /// <summary>Once: one teacher pass before training, not one per step.</summary>
        public const DistillTargets Targets = DistillTargets.Once;
    }

    /// <summary>T, dividing both teacher and student logits before the softmax; higher is softer. Must be positive. Default: 1.</summary>
    public double Temperature { get; set; } = Defaults.Temperature;

    /// <summary>
    /// Weight w of the cross-entropy on the batch's labelled images; the distillation term over the whole batch
    /// gets 1 - w. 0 is pure distillation (SimCLRv2's eq. 2 alone). Must be in [0, 1]. Default: 0.5.
    /// </summary>
    public double LabeledLossWeight { get; set; } = Defaults.LabeledLossWeight;

    /// <summary>When the teacher computes its targets. Default: <see cref="DistillTargets.Once"/>.</summary>
    public DistillTargets Targets { get; set; } = Defaults.Targets;

    /// <summary>
    /// True: the teacher's target for an image is the mean of its probabilities for that image and for its mirror image
    /// (a horizontal flip), test-time augmentation of the teacher, so the student learns from a better teacher than a
    /// single pass gives. It costs a second teacher pass: once in all with <see cref="DistillTargets.Once"/>, every step
    /// with <see cref="DistillTargets.PerStep"/>. On CIFAR-10's validation split it raised three width-16 fine-tuned
    /// teachers from 73.2 / 72.6 / 72.7% to 74.7 / 74.3 / 74.1%, yet their width-8 students ended where they did
    /// without it, after 12 and after 22 epochs (docs/cifar10/experiments.md). Not with <see cref="DistillTargets.Self"/>, which has no
    /// teacher. Default: false.
    /// </summary>
    public bool TeacherFlipAveraging { get; set; }

    /// <summary>
    /// A second, stronger view of every image for the distillation term, while the targets (<see cref="DistillTargets.PerStep"/>,
    /// <see cref="DistillTargets.Self"/>) and the labelled cross-entropy keep the <see cref="SupervisedOptions.Augmentation"/>
    /// view: the student must give on a hard view the answer given on an easy one (FixMatch's weak and strong views).
    /// Default: null, one view for everything (SimCLRv2).
    /// </summary>
    public AugmentationOptions? StudentAugmentation { get; set; }

    /// <summary>
    /// Turns the targets into pseudo-labels: a row whose largest target probability reaches the threshold gets its
    /// class as a one-hot target, a row below it no distillation loss (the term still averages over all rows, as
    /// FixMatch does). In [0, 1]; FixMatch uses 0.95. Default: null, the probabilities themselves (SimCLRv2).
    /// </summary>
    public double? PseudoLabelThreshold { get; set; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (!(Temperature > 0) || !double.IsFinite(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, $"{nameof(Temperature)} must be positive.");
        if (!(LabeledLossWeight is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(LabeledLossWeight), LabeledLossWeight, $"{nameof(LabeledLossWeight)} must be in [0, 1].");
        if (!Enum.IsDefined(Targets))
            throw new ArgumentOutOfRangeException(nameof(Targets), Targets, $"{nameof(Targets)} must be Once, PerStep or Self.");
        if (PseudoLabelThreshold is { } threshold && !(threshold is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(PseudoLabelThreshold), threshold, $"{nameof(PseudoLabelThreshold)} must be in [0, 1].");
        if (TeacherFlipAveraging && Targets == DistillTargets.Self)
            throw new ArgumentException($"{nameof(TeacherFlipAveraging)} averages the teacher's answers; with {nameof(Targets)} Self the student makes its own targets. Use Once or PerStep with it.", nameof(TeacherFlipAveraging));
        StudentAugmentation?.Validate(nameof(StudentAugmentation));
    }
}

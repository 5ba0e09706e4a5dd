namespace SimClr.MLNet.Training;

/// <summary>When the teacher computes the distillation targets.</summary>
public enum DistillTargets
{
    /// <summary>
    /// Once, before training: the teacher scores every un-augmented image and the probabilities [N, C] are kept.
    /// One teacher pass over the data in all; the student's augmented view is matched to the clean image's target.
    /// </summary>
    Once,

    /// <summary>
    /// Every step, on the student's own augmented batch: an extra forward pass of the teacher (without gradients)
    /// per step, so targets and inputs are the same view. In a float32 run on the CPU that pass runs in ONNX Runtime,
    /// which scores faster than libtorch (README, "How it runs fast on CPU").
    /// </summary>
    PerStep,

    /// <summary>
    /// Every step, from the student itself: its prediction (without gradients, BatchNorm in evaluation mode) on the
    /// weakly augmented view. The targets improve as the student does; with
    /// <see cref="DistillOptions.StudentAugmentation"/> and <see cref="DistillOptions.PseudoLabelThreshold"/> this is
    /// FixMatch (Sohn et al., 2020). The teacher only fixes the classes; start the student from it
    /// (<c>StudentFromTeacher</c>) so that the first targets are a fine-tuned classifier's.
    /// </summary>
    Self,
}

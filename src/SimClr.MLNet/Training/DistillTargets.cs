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
    /// per step, so targets and inputs are the same view.
    /// </summary>
    PerStep,
}

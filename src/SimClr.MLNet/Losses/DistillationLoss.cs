using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>
/// The distillation loss of SimCLRv2 (Chen et al., 2020, "Big Self-Supervised Models are Strong Semi-Supervised
/// Learners", eq. 2): the cross-entropy between the teacher's and the student's temperature-softened class
/// distributions, averaged over the rows of a batch.
/// </summary>
public static class DistillationLoss
{
    /// <summary>The teacher's targets: softmax(logits / T) over the classes (dim 1) of [N, C] logits.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is not a positive finite number.</exception>
    public static Tensor TeacherProbabilities(Tensor teacherLogits, double temperature)
    {
        CheckTemperature(temperature);
        CheckLogits(teacherLogits, nameof(teacherLogits));
        using var scope = NewDisposeScope();
        return nn.functional.softmax(teacherLogits.div(temperature), 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pseudo-labels of [N, C] target probabilities: row i becomes the one-hot vector of its most probable class
    /// when that probability is at least <paramref name="threshold"/>, and zeros otherwise, so that
    /// <see cref="Compute"/> gives it no loss while still dividing by N (FixMatch, Sohn et al., 2020, eq. 4).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is not in [0, 1].</exception>
    public static Tensor PseudoLabels(Tensor probabilities, double threshold)
    {
        if (!(threshold is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The pseudo-label threshold must be in [0, 1].");
        CheckLogits(probabilities, nameof(probabilities));
        using var scope = NewDisposeScope();
        var (top, classes) = probabilities.max(1);
        var oneHot = nn.functional.one_hot(classes, probabilities.shape[1]).to(probabilities.dtype);
        return oneHot.mul(top.ge(threshold).to(probabilities.dtype).unsqueeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean over the N rows of -sum_c p_c log softmax(s / T)_c: a scalar. Its gradient with respect to the student
    /// logits is (softmax(s / T) - p) / (T N).
    /// </summary>
    /// <remarks>
    /// No T^2 factor: Hinton et al. (2015) multiply by T^2 to keep the soft term's gradients comparable with a hard
    /// cross-entropy they are added to; SimCLRv2's eq. 2 has none, and its labelled term is weighted separately.
    /// </remarks>
    /// <param name="studentLogits">[N, C] logits of the student.</param>
    /// <param name="teacherProbabilities">[N, C] rows that sum to 1, from <see cref="TeacherProbabilities"/>.</param>
    /// <param name="temperature">T, the same as the teacher's.</param>
    /// <exception cref="ArgumentException">The shapes differ or are not [N, C].</exception>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is not a positive finite number.</exception>
    public static Tensor Compute(Tensor studentLogits, Tensor teacherProbabilities, double temperature)
    {
        CheckTemperature(temperature);
        CheckLogits(studentLogits, nameof(studentLogits));
        if (!studentLogits.shape.SequenceEqual(teacherProbabilities.shape))
            throw new ArgumentException(
                $"Student logits [{string.Join(", ", studentLogits.shape)}] and teacher probabilities [{string.Join(", ", teacherProbabilities.shape)}] must have the same shape.",
                nameof(teacherProbabilities));
        using var scope = NewDisposeScope();
        var logProbabilities = nn.functional.log_softmax(studentLogits.div(temperature), 1);
        return teacherProbabilities.mul(logProbabilities).sum(1).mean().neg().MoveToOuterDisposeScope();
    }

    static void CheckTemperature(double temperature)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The distillation temperature must be positive.");
    }

    static void CheckLogits(Tensor logits, string name)
    {
        if (logits.dim() != 2)
            throw new ArgumentException($"Logits must be [N, classes]; got [{string.Join(", ", logits.shape)}].", name);
    }
}

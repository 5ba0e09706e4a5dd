namespace SimClr.MLNet.Training;

/// <summary>How the learning rate changes over a run.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout (the reference).</summary>
    Constant,

    /// <summary>Linear warm-up, then cosine decay to zero at the last step (SimCLR's schedule).</summary>
    Cosine,
}

/// <summary>The learning rate at a given step.</summary>
public static class LearningRates
{
    /// <summary>The rate for step <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>.</summary>
    public static double At(LearningRateSchedule schedule, double baseRate, long step, long totalSteps, long warmupSteps)
    {
        if (warmupSteps > 0 && step < warmupSteps)
            return baseRate * (step + 1) / warmupSteps;
        if (schedule == LearningRateSchedule.Constant)
            return baseRate;
        double progress = (double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps);
        return baseRate * 0.5 * (1 + Math.Cos(Math.PI * Math.Clamp(progress, 0, 1)));
    }
}

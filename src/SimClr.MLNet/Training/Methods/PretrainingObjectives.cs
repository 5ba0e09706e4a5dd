using SimClr.MLNet.Models;

namespace SimClr.MLNet.Training.Methods;

/// <summary>Builds the objective of <see cref="PretrainOptions.Method"/>: the one place that maps a method to its code.</summary>
internal static class PretrainingObjectives
{
    /// <summary>A new objective for <paramref name="encoder"/>; draws its initial weights from libtorch's global generator.</summary>
    public static IPretrainingObjective Create(PretrainOptions options, Encoder encoder) => options.Method switch
    {
        PretrainingMethod.SimClr => new SimClrObjective(options, encoder.FeatureDim),
        PretrainingMethod.MoCo => new MoCoObjective(options, encoder),
        PretrainingMethod.Byol => new ByolObjective(options, encoder),
        PretrainingMethod.SimSiam => new SimSiamObjective(options, encoder.FeatureDim),
        PretrainingMethod.BarlowTwins => new BarlowTwinsObjective(options, encoder.FeatureDim),
        PretrainingMethod.Swav => new SwavObjective(options, encoder.FeatureDim),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown pretraining method."),
    };
}

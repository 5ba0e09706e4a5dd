namespace SimClr.MLNet.Embeddings;

/// <summary>
/// Settings of <see cref="TSne.Embed"/>. The defaults are those of van der Maaten and Hinton (2008) as scikit-learn
/// uses them today: perplexity 30, 1,000 iterations, early exaggeration 12 for the first 250, and the "auto"
/// learning rate of Belkina et al. (2019).
/// </summary>
public sealed class TSneOptions
{
    /// <summary>Default values, in one place so that documentation, options and code agree.</summary>
    public static class Defaults
    {
        /// <summary>30, the usual choice; the paper finds t-SNE robust to values from 5 to 50.</summary>
        public const double Perplexity = 30;
        /// <summary>1,000 gradient steps, as the paper and scikit-learn.</summary>
        public const int Iterations = 1000;
        /// <summary>12, scikit-learn's value (the paper used 4): pulls clusters apart early, before they settle.</summary>
        public const double EarlyExaggeration = 12;
        /// <summary>250 iterations of early exaggeration and of the initial momentum, as scikit-learn.</summary>
        public const int EarlyExaggerationIterations = 250;
        /// <summary>0.5 while the map forms, as the paper.</summary>
        public const double InitialMomentum = 0.5;
        /// <summary>0.8 afterwards, as the paper.</summary>
        public const double FinalMomentum = 0.8;
        /// <summary>Seed when none is given: 1.</summary>
        public const int Seed = 1;
        /// <summary>The smallest learning rate the "auto" rule gives: 50.</summary>
        public const double MinimumAutomaticLearningRate = 50;
    }

    /// <summary>
    /// Perplexity: the effective number of neighbours each point's Gaussian covers, in [1, N). Default: 30.
    /// <see cref="TSne.Embed"/> checks it against the number of points.
    /// </summary>
    public double Perplexity { get; set; } = Defaults.Perplexity;

    /// <summary>Gradient steps, at least 1. Default: 1,000.</summary>
    public int Iterations { get; set; } = Defaults.Iterations;

    /// <summary>
    /// Step size, in map units per unit of gradient. Default: null, meaning max(N / <see cref="EarlyExaggeration"/> / 4, 50),
    /// the rule of Belkina et al. (2019, "Automated optimized parameters for t-distributed stochastic neighbor
    /// embedding improve visualization and analysis of large datasets") that scikit-learn calls "auto": a fixed rate
    /// of 200 leaves maps of many points unconverged.
    /// </summary>
    public double? LearningRate { get; set; }

    /// <summary>Factor on P during the first <see cref="EarlyExaggerationIterations"/> iterations, at least 1. Default: 12.</summary>
    public double EarlyExaggeration { get; set; } = Defaults.EarlyExaggeration;

    /// <summary>
    /// Iterations with early exaggeration and <see cref="InitialMomentum"/>, at least 0; after them P is used as it is
    /// and the momentum is <see cref="FinalMomentum"/>. A value of <see cref="Iterations"/> or more exaggerates
    /// throughout. Default: 250.
    /// </summary>
    public int EarlyExaggerationIterations { get; set; } = Defaults.EarlyExaggerationIterations;

    /// <summary>Momentum during the early-exaggeration phase, in [0, 1). Default: 0.5.</summary>
    public double InitialMomentum { get; set; } = Defaults.InitialMomentum;

    /// <summary>Momentum afterwards, in [0, 1). Default: 0.8.</summary>
    public double FinalMomentum { get; set; } = Defaults.FinalMomentum;

    /// <summary>Seed of the initial map. The same seed and points give the same map, bit for bit. Default: 1.</summary>
    public int Seed { get; set; } = Defaults.Seed;

    /// <summary>The learning rate for <paramref name="pointCount"/> points: <see cref="LearningRate"/>, or the "auto" rule.</summary>
    public double LearningRateFor(int pointCount)
        => LearningRate ?? Math.Max(pointCount / EarlyExaggeration / 4, Defaults.MinimumAutomaticLearningRate);

    /// <summary>Throws if a value is out of range, naming the option. The perplexity's upper bound, N, is checked by <see cref="TSne.Embed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        static void Check(bool ok, string option, object? value, string rule)
        {
            if (!ok)
                throw new ArgumentOutOfRangeException(option, value, $"{option} {rule}.");
        }
        Check(Perplexity >= 1 && double.IsFinite(Perplexity), nameof(Perplexity), Perplexity, "must be at least 1 (and less than the number of points)");
        Check(Iterations >= 1, nameof(Iterations), Iterations, "must be at least 1");
        Check(LearningRate is null || (LearningRate > 0 && double.IsFinite(LearningRate.Value)), nameof(LearningRate), LearningRate, "must be positive, or null for the automatic rate");
        Check(EarlyExaggeration >= 1 && double.IsFinite(EarlyExaggeration), nameof(EarlyExaggeration), EarlyExaggeration, "must be at least 1");
        Check(EarlyExaggerationIterations >= 0, nameof(EarlyExaggerationIterations), EarlyExaggerationIterations, "must not be negative");
        Check(InitialMomentum is >= 0 and < 1, nameof(InitialMomentum), InitialMomentum, "must be in [0, 1)");
        Check(FinalMomentum is >= 0 and < 1, nameof(FinalMomentum), FinalMomentum, "must be in [0, 1)");
    }
}

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// Warns, once per run, when the embeddings collapse: emb_std, the standard deviation of the L2-normalised
/// embeddings (SimSiam's paper, section 4.1), is about 1/sqrt(d) for embeddings spread over the sphere and near 0
/// when every image maps to the same point. Methods without negatives (BYOL, SimSiam) can collapse silently, with
/// a loss that looks fine.
/// </summary>
internal sealed class CollapseMonitor(int embeddingDim, double threshold, string runName, Action<string> log)
{
    bool _warned;

    /// <summary>emb_std below this means collapse: <c>threshold / sqrt(d)</c>.</summary>
    public double Level { get; } = threshold / Math.Sqrt(embeddingDim);

    public void Check(EpochMetrics metrics)
    {
        if (_warned || threshold <= 0 || !metrics.Values.TryGetValue("emb_std", out var std) || std >= Level)
            return;
        _warned = true;
        log($"warning: {runName}: the embeddings are collapsing at epoch {metrics.Epoch}: emb_std {std:G3} is below {Level:G3} " +
            $"({threshold:G3}/sqrt({embeddingDim}); about {1 / Math.Sqrt(embeddingDim):G3} when healthy). " +
            "Features from this encoder will be poor; try a lower LearningRate, another method, or (BYOL) a higher Byol.BaseMomentum.");
    }
}

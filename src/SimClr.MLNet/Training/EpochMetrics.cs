namespace SimClr.MLNet.Training;

/// <summary>
/// What one epoch measured, keyed by the reference's metric names (<c>c_loss c_acc p_loss p_acc val_p_loss
/// val_p_acc</c> for pretraining, <c>loss acc val_loss val_acc</c> for supervised runs) plus <c>lr</c>,
/// <c>knn_acc</c> and <c>temperature</c> where they apply.
/// </summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Seconds">Wall time of the epoch, evaluation included.</param>
/// <param name="Values">Metric values.</param>
public sealed record EpochMetrics(int Epoch, double Seconds, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>A metric's value, or NaN when the epoch did not measure it.</summary>
    public double this[string metric] => Values.TryGetValue(metric, out var value) ? value : double.NaN;

    /// <summary>One log line: "epoch 3: c_loss 4.1234 c_acc 0.2100 ... (12.3 s)".</summary>
    public override string ToString()
        => $"epoch {Epoch}: {string.Join(" ", Values.Select(kv => $"{kv.Key} {kv.Value:0.####}"))} ({Seconds:F1} s)";
}

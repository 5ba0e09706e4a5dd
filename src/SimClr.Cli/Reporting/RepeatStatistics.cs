namespace SimClr.Cli.Reporting;

/// <summary>Mean and sample standard deviation of one experiment's score over its seeds.</summary>
public sealed record RepeatStatistics(int Count, double Mean, double StandardDeviation)
{
    /// <summary>The statistics of <paramref name="values"/>; the deviation is NaN for fewer than two values.</summary>
    public static RepeatStatistics Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0)
            return new RepeatStatistics(0, double.NaN, double.NaN);
        double mean = list.Average();
        double deviation = list.Count < 2 ? double.NaN : Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
        return new RepeatStatistics(list.Count, mean, deviation);
    }

    /// <summary>
    /// This mean minus <paramref name="other"/>'s, and the standard error of that difference
    /// (sqrt(sd1^2/n1 + sd2^2/n2): independent seeds).
    /// </summary>
    public (double Difference, double StandardError) DifferenceFrom(RepeatStatistics other)
        => (Mean - other.Mean, Math.Sqrt(StandardDeviation * StandardDeviation / Count + other.StandardDeviation * other.StandardDeviation / other.Count));
}

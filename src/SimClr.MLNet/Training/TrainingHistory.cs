using System.Globalization;
using System.Text;
using System.Text.Json;
using SimClr.MLNet.IO;

namespace SimClr.MLNet.Training;

/// <summary>Per-epoch metrics of a run, saved as CSV and JSON.</summary>
public sealed class TrainingHistory
{
    readonly List<EpochMetrics> _epochs = new();

    /// <summary>An empty history.</summary>
    public TrainingHistory() { }

    /// <summary>A history holding <paramref name="epochs"/>.</summary>
    public TrainingHistory(IEnumerable<EpochMetrics> epochs) => _epochs.AddRange(epochs);

    /// <summary>The epochs so far, in order.</summary>
    public IReadOnlyList<EpochMetrics> Epochs => _epochs;

    /// <summary>Appends an epoch; epochs must be consecutive.</summary>
    public void Add(EpochMetrics epoch)
    {
        int expected = _epochs.Count == 0 ? epoch.Epoch : _epochs[^1].Epoch + 1;
        if (epoch.Epoch != expected)
            throw new InvalidOperationException($"History is at epoch {_epochs[^1].Epoch}; epoch {epoch.Epoch} would leave a gap.");
        _epochs.Add(epoch);
    }

    /// <summary>Metric names in first-seen order.</summary>
    public IReadOnlyList<string> MetricNames => _epochs.SelectMany(e => e.Values.Keys).Distinct().ToList();

    /// <summary>The values of one metric, epoch by epoch (NaN where missing).</summary>
    public double[] Series(string metric) => _epochs.Select(e => e[metric]).ToArray();

    /// <summary>CSV with a header: epoch, seconds, then one column per metric.</summary>
    public string ToCsv()
    {
        var names = MetricNames;
        var csv = new StringBuilder("epoch,seconds");
        foreach (var name in names)
            csv.Append(',').Append(name);
        csv.Append('\n');
        foreach (var epoch in _epochs)
        {
            csv.Append(epoch.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',')
               .Append(epoch.Seconds.ToString("R", CultureInfo.InvariantCulture));
            foreach (var name in names)
                csv.Append(',').Append(epoch.Values.TryGetValue(name, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
            csv.Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>
    /// JSON: an array of {"epoch", "seconds", "metrics": {...}}. A metric that is not a finite number (a loss
    /// that diverged, an accuracy with nothing to measure) is written as the string "NaN", "Infinity" or
    /// "-Infinity", so the file stays valid JSON.
    /// </summary>
    public string ToJson()
        => JsonSerializer.Serialize(_epochs.Select(e => new EpochRecord(e.Epoch, e.Seconds, e.Values.ToDictionary(kv => kv.Key, kv => kv.Value))), Json);

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    public static TrainingHistory FromJson(string json)
        => new((JsonSerializer.Deserialize<List<EpochRecord>>(json, Json) ?? new())
            .Select(r => new EpochMetrics(r.Epoch, r.Seconds, r.Metrics)));

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <c>{name}.csv</c> and <c>{name}.json</c> into <paramref name="directory"/>, each atomically.</summary>
    public void Save(string directory, string name)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, name + ".csv"), ToCsv());
        AtomicFile.WriteAllText(Path.Combine(directory, name + ".json"), ToJson());
    }

    sealed record EpochRecord(
        [property: System.Text.Json.Serialization.JsonPropertyName("epoch")] int Epoch,
        [property: System.Text.Json.Serialization.JsonPropertyName("seconds")] double Seconds,
        [property: System.Text.Json.Serialization.JsonPropertyName("metrics")] Dictionary<string, double> Metrics);
}

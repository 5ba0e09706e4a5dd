using System.Diagnostics;

namespace SimClr.MLNet.Training;

/// <summary>
/// Accumulates wall time per named phase of a training step, for the benchmark's breakdown. On CPU, libtorch
/// runs ops synchronously, so phase boundaries are exact.
/// </summary>
public sealed class PhaseTimer
{
    readonly Dictionary<string, TimeSpan> _totals = new();
    readonly Stopwatch _watch = new();
    string? _current;

    /// <summary>Ends the current phase (if any) and starts <paramref name="phase"/>.</summary>
    public void Start(string phase)
    {
        Stop();
        _current = phase;
        _watch.Restart();
    }

    /// <summary>Ends the current phase.</summary>
    public void Stop()
    {
        if (_current == null)
            return;
        _totals[_current] = _totals.GetValueOrDefault(_current) + _watch.Elapsed;
        _current = null;
    }

    /// <summary>Total time per phase, in first-started order.</summary>
    public IReadOnlyDictionary<string, TimeSpan> Totals => _totals;

    /// <summary>Clears all totals.</summary>
    public void Reset()
    {
        _totals.Clear();
        _current = null;
    }
}

namespace SimClr.MLNet.Training;

/// <summary>
/// Derives independent seeds from a run seed and indices, identically in every process. (HashCode.Combine is
/// randomised per process, so it cannot be used for anything a resumed run must repeat.)
/// </summary>
public static class SeedMixer
{
    /// <summary>A 31-bit seed from the given values (SplitMix64 finaliser over each).</summary>
    public static int Mix(params long[] values)
    {
        ulong state = 0x9E3779B97F4A7C15;
        foreach (var value in values)
        {
            state ^= (ulong)value + 0x9E3779B97F4A7C15 + (state << 6) + (state >> 2);
            state = (state ^ (state >> 30)) * 0xBF58476D1CE4E5B9;
            state = (state ^ (state >> 27)) * 0x94D049BB133111EB;
            state ^= state >> 31;
        }
        return (int)(state & 0x7FFFFFFF);
    }
}

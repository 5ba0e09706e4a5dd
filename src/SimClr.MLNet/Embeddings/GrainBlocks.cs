using static TorchSharp.torch;

namespace SimClr.MLNet.Embeddings;

/// <summary>
/// Splits work on an [N, N] matrix into blocks below libtorch's parallel grain size and hands them to .NET's thread
/// pool, one at a time.
/// </summary>
/// <remarks>
/// Below the grain size (32,768 elements, <c>at::internal::GRAIN_SIZE</c>) an element-wise operation or reduction runs
/// on the calling thread, and its block stays in that core's cache. libtorch's own threads split each operation in
/// equal parts and wait for the slowest, and whole [N, N] matrices stream from memory on every pass: on 2 cores shared
/// with a training run, a t-SNE step at N = 2,000 took about 60 ms that way, and about 18 ms as tiles handed out one at
/// a time (<see cref="TSne"/>). Each block's arithmetic is the same whichever thread runs it, so results stay
/// deterministic.
/// </remarks>
internal static class GrainBlocks
{
    /// <summary>libtorch's grain size: smaller element-wise operations and reductions run on the calling thread.</summary>
    const long GrainSize = 32768;

    /// <summary>Rows per row block of a matrix <paramref name="columns"/> wide: as many as fit under the grain size, at least 1.</summary>
    public static long RowsPerBlock(long columns) => Math.Max(1, (GrainSize - 1) / columns);

    /// <summary>Side of a square tile: 181, the largest whose 181 x 181 elements fit under the grain size.</summary>
    public static readonly long TileSide = (long)Math.Sqrt(GrainSize - 1);

    /// <summary>The number of tiles along each side of an [N, N] matrix.</summary>
    public static int TilesPerSide(long n) => (int)((n + TileSide - 1) / TileSide);

    /// <summary>
    /// Calls <paramref name="body"/>(start, rows) for consecutive row blocks covering rows 0 to <paramref name="n"/> - 1
    /// of a matrix <paramref name="columns"/> wide, each in its own dispose scope.
    /// </summary>
    public static void ForEachRowBlock(long n, long columns, Action<long, long> body)
    {
        long rows = RowsPerBlock(columns);
        Run((int)((n + rows - 1) / rows), block =>
        {
            long start = block * rows;
            body(start, Math.Min(rows, n - start));
        });
    }

    /// <summary>
    /// Calls <paramref name="body"/>(i, j) for every tile on or above the diagonal (i &lt;= j) of an [N, N] matrix cut into
    /// <see cref="TileSide"/>-square tiles, each in its own dispose scope. Tile i covers rows (or columns)
    /// i * <see cref="TileSide"/> onwards, the last one fewer if N is not a multiple.
    /// </summary>
    public static void ForEachUpperTile(long n, Action<int, int> body)
    {
        int side = TilesPerSide(n);
        var tiles = new List<(int I, int J)>(side * (side + 1) / 2);
        for (int i = 0; i < side; i++)
            for (int j = i; j < side; j++)
                tiles.Add((i, j));
        Run(tiles.Count, index => body(tiles[index].I, tiles[index].J));
    }

    /// <summary>The rows (or columns) of tile <paramref name="tile"/>: its first index and its size.</summary>
    public static (long Start, long Size) TileSpan(long n, int tile)
    {
        long start = tile * TileSide;
        return (start, Math.Min(TileSide, n - start));
    }

    static void Run(int blocks, Action<int> body)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) };
        Parallel.For(0, blocks, options, block =>
        {
            using var scope = NewDisposeScope();
            body(block);
        });
    }
}

using SimClr.MLNet.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Embeddings;

/// <summary>
/// Exact t-SNE, from "Visualizing Data using t-SNE" (van der Maaten and Hinton, 2008): a 2-D map of up to a few
/// thousand feature vectors in which points that are near neighbours in feature space stay near.
/// </summary>
/// <remarks>
/// <para>
/// Each point i gets a Gaussian over the others whose width makes its entropy log(perplexity), giving P(j|i); the
/// symmetrised p_ij = (P(j|i) + P(i|j)) / 2N are matched by q_ij, proportional to a Student t kernel
/// (1 + |y_i - y_j|^2)^-1 in the map, by gradient descent on KL(P || Q). The heavy-tailed kernel lets moderately
/// distant points sit far apart in the map, which is what separates clusters (the paper's "crowding problem").
/// </para>
/// <para>
/// The optimiser is the paper's, as its reference implementation and scikit-learn run it: a seeded Gaussian start
/// with standard deviation 1e-4, early exaggeration of P, momentum, per-coordinate gains (delta-bar-delta, Jacobs
/// 1988) and a map centred after every step. It is exact, O(N^2) in time and memory per step (no Barnes-Hut), and
/// computed in float64 with TorchSharp on the CPU; meant for up to about 2,000 points, such as the test features of
/// a report. The points are used as given: normalise them first if cosine geometry is what matters.
/// </para>
/// <example><code>
/// float[,] map = TSne.Embed(features, new TSneOptions { Perplexity = 30, Seed = 7 });   // [N, 2]
/// </code></example>
/// </remarks>
public static class TSne
{
    /// <summary>Gains never fall below this, as in the reference implementation.</summary>
    const double MinimumGain = 0.01;

    /// <summary>Entropy tolerance of the perplexity search, in nats, as in the reference implementation.</summary>
    const double EntropyTolerance = 1e-5;

    /// <summary>Enough halvings to bracket any precision a double can hold, then to pin it down.</summary>
    const int MaximumSearchSteps = 200;

    /// <summary>Embeds <paramref name="points"/> ([N][D]) in two dimensions.</summary>
    /// <param name="points">N rows of D features each, all finite; N &gt; <see cref="TSneOptions.Perplexity"/>. Not modified.</param>
    /// <param name="options">Settings; null uses the defaults.</param>
    /// <returns>The map, [N, 2], centred on the origin; row i is point i.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="points"/> or one of its rows is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="points"/> is empty, ragged, has no features or a non-finite value.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or the perplexity is not below N.</exception>
    public static float[,] Embed(float[][] points, TSneOptions? options = null)
    {
        options ??= new TSneOptions();
        options.Validate();
        var (n, d) = CheckPoints(points);
        if (options.Perplexity >= n)
            throw new ArgumentOutOfRangeException(nameof(TSneOptions.Perplexity), options.Perplexity,
                $"{nameof(TSneOptions.Perplexity)} ({options.Perplexity}) must be less than the number of points ({n}): " +
                "each point's Gaussian must have fewer effective neighbours than there are other points.");

        TorchRuntime.EnsureInitialized();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor p;                                                                   // [N, N]
        using (FinalizerPause.Begin())
        using (var inputScope = NewDisposeScope())
        {
            var flat = new double[n * d];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++)
                    flat[i * d + j] = points[i][j];
            var x = tensor(flat, new long[] { n, d });                              // [N, D]
            // The distances go as soon as P is made: at N = 2,000 each [N, N] matrix is 32 MB.
            p = Affinities(SquaredDistances(x), options.Perplexity).MoveToOuterDisposeScope();
        }

        using var generator = new Generator((ulong)options.Seed);
        var y = randn(n, 2, ScalarType.Float64, generator: generator).mul_(1e-4);   // [N, 2]
        var update = zeros_like(y);                                                 // [N, 2]
        var gains = ones_like(y);                                                   // [N, 2]
        double learningRate = options.LearningRateFor(n);
        int earlyIterations = Math.Min(options.EarlyExaggerationIterations, options.Iterations);

        for (int iteration = 0; iteration < options.Iterations; iteration++)
        {
            bool early = iteration < earlyIterations;
            using var pause = FinalizerPause.Begin();
            using var step = NewDisposeScope();
            var gradient = Gradient(p, y, early ? options.EarlyExaggeration : 1);   // [N, 2]
            // Delta-bar-delta: a coordinate whose gradient keeps pointing against its last update speeds up.
            var grow = gradient.gt(0).ne_(update.gt(0));                            // [N, 2]
            gains.copy_(where(grow, gains + 0.2, gains * 0.8)).clamp_min_(MinimumGain);
            double momentum = early ? options.InitialMomentum : options.FinalMomentum;
            update.mul_(momentum).addcmul_(gains, gradient, value: -learningRate);
            y.add_(update);
            // KL(P || Q) does not change when the map moves; centring keeps it from drifting away.
            y.sub_(y.mean(new long[] { 0 }, keepdim: true));
        }

        var values = y.data<double>().ToArray();
        var map = new float[n, 2];
        for (int i = 0; i < n; i++)
        {
            map[i, 0] = (float)values[2 * i];
            map[i, 1] = (float)values[2 * i + 1];
        }
        return map;
    }

    /// <summary>
    /// The joint affinities p_ij = (P(j|i) + P(i|j)) / 2N ([N, N], float64, symmetric, zero diagonal, summing to 1) of
    /// points whose squared distances are <paramref name="squaredDistances"/> ([N, N]); see <see cref="ConditionalAffinities"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="squaredDistances"/> is not [N, N].</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="perplexity"/> is not in [1, N).</exception>
    internal static Tensor Affinities(Tensor squaredDistances, double perplexity)
    {
        using var scope = NewDisposeScope();
        var conditional = ConditionalAffinities(squaredDistances, perplexity);     // [N, N], rows sum to 1
        // Symmetrising gives every point, outliers included, a share of at least 1/2N (the paper, section 3.1).
        return conditional.add(conditional.t()).div_(2.0 * conditional.shape[0]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The conditional affinities P(j|i) ([N, N], float64, row i sums to 1, zero diagonal): a Gaussian over
    /// <paramref name="squaredDistances"/> ([N, N]) whose precision is found per row by bisection, so that the row's
    /// entropy is log(<paramref name="perplexity"/>) nats, within 1e-5. Blocks of rows are searched at once.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="squaredDistances"/> is not [N, N].</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="perplexity"/> is not in [1, N).</exception>
    internal static Tensor ConditionalAffinities(Tensor squaredDistances, double perplexity)
    {
        if (squaredDistances.dim() != 2 || squaredDistances.shape[0] != squaredDistances.shape[1] || squaredDistances.shape[0] < 2)
            throw new ArgumentException("Squared distances must be an [N, N] matrix with N >= 2.", nameof(squaredDistances));
        long n = squaredDistances.shape[0];
        if (!(perplexity >= 1 && perplexity < n))
            throw new ArgumentOutOfRangeException(nameof(perplexity), perplexity, $"The perplexity must be in [1, {n}), below the number of points.");

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var distances = squaredDistances.to_type(ScalarType.Float64);                             // [N, N]
        var conditional = empty(n, n, ScalarType.Float64);                                        // [N, N]
        double target = Math.Log(perplexity);
        GrainBlocks.ForEachRowBlock(n, n, (start, rows) =>
            conditional.narrow(0, start, rows).copy_(SearchPrecisions(distances.narrow(0, start, rows), start, target)));
        return conditional.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// P(j|i) for rows <paramref name="start"/> onwards of the squared distances (<paramref name="distances"/>, [B, N]),
    /// each row's Gaussian precision beta = 1 / 2 sigma^2 bisected until its entropy is <paramref name="targetEntropy"/>.
    /// </summary>
    static Tensor SearchPrecisions(Tensor distances, long start, double targetEntropy)
    {
        long n = distances.shape[1];
        var shifted = distances.clone();                                                          // [B, N]
        var self = shifted.diagonal(start);                                                       // [B], a view of d_ii
        self.fill_(double.PositiveInfinity);
        // Measured from each row's nearest neighbour: P(j|i) is unchanged, and that neighbour's weight is exp(0) = 1,
        // so no row underflows to all zeros however tight its Gaussian.
        shifted.sub_(shifted.min(1, keepdim: true).values);
        self.zero_();
        var meanShift = shifted.sum(1, keepdim: true).div_(n - 1);                                // [B, 1]
        var beta = where(meanShift.gt(0), meanShift.reciprocal(), ones_like(meanShift));          // [B, 1]
        var lower = zeros_like(beta);                                                             // [B, 1]
        var upper = full_like(beta, double.PositiveInfinity);                                     // [B, 1]

        for (int search = 0; ; search++)
        {
            using var step = NewDisposeScope();
            var weights = shifted.mul(beta.neg()).exp_();                                         // [B, N]
            weights.diagonal(start).zero_();
            var total = weights.sum(1, keepdim: true);                                            // [B, 1], >= 1
            // H = -sum_j p_j log p_j with p_j = w_j / total and log w_j = -beta d_j.
            var entropy = total.log().add_(beta.mul(shifted.mul(weights).sum(1, keepdim: true)).div_(total));   // [B, 1]
            var error = entropy.sub_(targetEntropy);                                              // [B, 1]
            if (search == MaximumSearchSteps || error.abs().max().item<double>() <= EntropyTolerance)
                return weights.div_(total).MoveToOuterDisposeScope();

            // Entropy falls as the precision rises: too flat a row needs a larger beta, too peaked a smaller one.
            var tooFlat = error.gt(0);                                                            // [B, 1]
            lower = where(tooFlat, beta, lower).MoveToOuterDisposeScope();
            upper = where(tooFlat, upper, beta).MoveToOuterDisposeScope();
            beta = where(tooFlat, where(upper.isinf(), beta * 2, (beta + upper) / 2), (beta + lower) / 2).MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// The gradient of KL(P || Q) with respect to the map <paramref name="y"/> ([N, M], float64), from the paper's
    /// equation 5: dC/dy_i = 4 sum_j (p_ij - q_ij)(y_i - y_j)(1 + |y_i - y_j|^2)^-1. Returns [N, M].
    /// </summary>
    /// <param name="p">Joint affinities, [N, N], float64, zero diagonal.</param>
    /// <param name="y">The map, [N, M], float64.</param>
    /// <exception cref="ArgumentException">The shapes do not match.</exception>
    internal static Tensor Gradient(Tensor p, Tensor y)
    {
        if (y.dim() != 2 || p.dim() != 2 || p.shape[0] != y.shape[0] || p.shape[1] != y.shape[0])
            throw new ArgumentException($"P must be [N, N] for a map y of [N, M]; got P [{string.Join(", ", p.shape)}] and y [{string.Join(", ", y.shape)}].", nameof(p));
        return Gradient(p, y, exaggeration: 1);
    }

    /// <summary>The gradient for P multiplied by <paramref name="exaggeration"/>, computed one square tile of the kernel at a time.</summary>
    /// <remarks>
    /// <para>
    /// Written as dC/dy_i = 4 (e A_i - R_i / Z) with attraction A_i = sum_j p_ij k_ij (y_i - y_j), repulsion
    /// R_i = sum_j k_ij^2 (y_i - y_j), k_ij = (1 + |y_i - y_j|^2)^-1 and Z = sum_(k != l) k_kl, so that no tile waits for Z
    /// and no [N, N] matrix is ever whole. P and the kernel are symmetric, so only tiles on or above the diagonal are
    /// computed; each serves its rows and, transposed, its columns.
    /// </para>
    /// <para>
    /// Measured at N = 2,000 on 2 busy cores: the kernel built element-wise beats a matrix product of inner size M + 2,
    /// and matrix-vector products beat one [S, S] x [S, M + 1] product per tile; such thin products were the slowest
    /// part of a step.
    /// </para>
    /// </remarks>
    static Tensor Gradient(Tensor p, Tensor y, double exaggeration)
    {
        using var scope = NewDisposeScope();
        long n = y.shape[0], m = y.shape[1];
        var squaredNorms = y.square().sum(1, keepdim: true);                                  // [N, 1]
        var squaredNormsPlusOne = squaredNorms + 1;                                           // [N, 1]
        var squaredNormsRow = squaredNorms.t().contiguous();                                  // [1, N]
        var yColumns = y.t().contiguous();                                                    // [M, N]
        int side = GrainBlocks.TilesPerSide(n);
        long tile = GrainBlocks.TileSide;
        // For the rows of tile i, tile (i, j) leaves sum_j w_ij y_j (M columns) and sum_j w_ij (the last) at [i, j].
        var attraction = zeros(new long[] { side, side, tile, m + 1 }, ScalarType.Float64);  // [T, T, S, M + 1]
        var repulsion = zeros(new long[] { side, side, tile, m + 1 }, ScalarType.Float64);   // [T, T, S, M + 1]
        var kernelSums = new double[side, side];
        GrainBlocks.ForEachUpperTile(n, (i, j) =>
        {
            var (rowStart, rows) = GrainBlocks.TileSpan(n, i);
            var (columnStart, columns) = GrainBlocks.TileSpan(n, j);
            // 1 + |y_r - y_c|^2 = 1 + |y_r|^2 + |y_c|^2 - 2 sum_d y_rd y_cd
            var kernel = squaredNormsPlusOne.narrow(0, rowStart, rows)
                .add(squaredNormsRow.narrow(1, columnStart, columns));                        // [S_i, S_j]
            var yRows = y.narrow(0, rowStart, rows);                                          // [S_i, M]
            for (long d = 0; d < m; d++)
                kernel.addcmul_(yRows.narrow(1, d, 1), yColumns.narrow(0, d, 1).narrow(1, columnStart, columns), value: -2);
            kernel.reciprocal_();
            if (i == j)
                kernel.diagonal().zero_();                                                    // k_ii = 0: a view, zeroed in place

            // Writes w's sums for the rows of tile i at [i, j] and, off the diagonal, for the rows of tile j at [j, i].
            void Share(Tensor w, Tensor shares)                                               // w: [S_i, S_j]
            {
                var rowShare = shares[i, j].narrow(0, 0, rows);                               // [S_i, M + 1]
                for (long d = 0; d < m; d++)
                    rowShare.select(1, d).copy_(w.mv(yColumns[d].narrow(0, columnStart, columns)));
                rowShare.select(1, m).copy_(w.sum(1L));
                if (i == j)
                    return;
                var columnShare = shares[j, i].narrow(0, 0, columns);                         // [S_j, M + 1]
                var transposed = w.t();                                                       // [S_j, S_i]
                for (long d = 0; d < m; d++)
                    columnShare.select(1, d).copy_(transposed.mv(yColumns[d].narrow(0, rowStart, rows)));
                columnShare.select(1, m).copy_(w.sum(0L));
            }

            kernelSums[i, j] = kernel.sum().item<double>();
            Share(kernel.mul(p.narrow(0, rowStart, rows).narrow(1, columnStart, columns)), attraction);   // p_rc k_rc
            Share(kernel.mul_(kernel), repulsion);                                                           // k_rc^2
        });
        double z = 0;                                                                         // q_ij = k_ij / z, summed in a fixed order
        for (int i = 0; i < side; i++)
            for (int j = i; j < side; j++)
                z += (i == j ? 1 : 2) * kernelSums[i, j];
        // Tile shares summed, tiles of rows stacked, the last tile's padding dropped.
        var attractionSums = attraction.sum(1).reshape(side * tile, m + 1).narrow(0, 0, n);    // [N, M + 1]
        var repulsionSums = repulsion.sum(1).reshape(side * tile, m + 1).narrow(0, 0, n);      // [N, M + 1]
        // sum_j w_ij (y_i - y_j) = y_i sum_j w_ij - sum_j w_ij y_j
        var attract = y.mul(attractionSums.narrow(1, m, 1)).sub_(attractionSums.narrow(1, 0, m));   // [N, M]
        var repel = y.mul(repulsionSums.narrow(1, m, 1)).sub_(repulsionSums.narrow(1, 0, m));        // [N, M]
        return attract.mul_(4 * exaggeration).sub_(repel.mul_(4 / z)).MoveToOuterDisposeScope();
    }

    /// <summary>Squared Euclidean distances between the rows of <paramref name="x"/> ([N, D], float64); returns [N, N].</summary>
    internal static Tensor SquaredDistances(Tensor x)
    {
        using var scope = NewDisposeScope();
        var squaredNorms = x.square().sum(1, keepdim: true);                                  // [N, 1]
        // Rounding can make |a|^2 + |b|^2 - 2 a.b slightly negative for near-duplicates.
        var distances = squaredNorms.add(squaredNorms.t()).addmm_(x, x.t(), beta: 1, alpha: -2).clamp_min_(0);   // [N, N]
        distances.diagonal().zero_();   // a view: zeroes the diagonal in place
        return distances.MoveToOuterDisposeScope();
    }

    static (int N, int D) CheckPoints(float[][] points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Length == 0)
            throw new ArgumentException("t-SNE needs at least one point; got none.", nameof(points));
        if (points[0] is null)
            throw new ArgumentNullException(nameof(points), "Row 0 of the points is null.");
        int d = points[0].Length;
        if (d == 0)
            throw new ArgumentException("The points have no features: row 0 is empty.", nameof(points));
        for (int i = 0; i < points.Length; i++)
        {
            var row = points[i] ?? throw new ArgumentNullException(nameof(points), $"Row {i} of the points is null.");
            if (row.Length != d)
                throw new ArgumentException($"The points are ragged: row {i} has {row.Length} features, row 0 has {d}.", nameof(points));
            for (int j = 0; j < d; j++)
                if (!float.IsFinite(row[j]))
                    throw new ArgumentException($"Point {i} has a non-finite feature {j} ({row[j]}).", nameof(points));
        }
        return (points.Length, d);
    }
}

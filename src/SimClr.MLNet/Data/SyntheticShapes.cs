using SimClr.MLNet.Training;

namespace SimClr.MLNet.Data;

/// <summary>
/// A procedurally generated 10-class image dataset that needs no download: the class is a shape or texture; its
/// colour, the background, position, scale and noise are random nuisances. Image i of a given seed is always the
/// same, in every process, so datasets are reproducible and can be generated on demand.
/// </summary>
public static class SyntheticShapes
{
    /// <summary>The classes, by 0-based label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "circle", "square", "triangle", "cross", "ring", "diamond", "horizontal-stripes", "vertical-stripes", "checkerboard", "dots",
    };

    /// <summary>The label of image <paramref name="index"/>: classes cycle, so any prefix is balanced.</summary>
    public static int LabelOf(long index) => (int)(index % ClassNames.Count);

    /// <summary>Draws image <paramref name="index"/> as RGB planes (3 x size x size, row-major) into <paramref name="planes"/>.</summary>
    public static void Draw(int seed, long index, int size, Span<byte> planes)
    {
        var random = new Random(SeedMixer.Mix(seed, index, 0x5A9E));
        int label = LabelOf(index);
        Span<double> background = stackalloc double[3];
        Span<double> foreground = stackalloc double[3];
        RandomColour(random, background);
        do RandomColour(random, foreground);
        while (Distance(background, foreground) < 0.45);

        double scale = 0.28 + 0.17 * random.NextDouble();                 // half-size, as a fraction of the side
        double cx = scale + (1 - 2 * scale) * random.NextDouble();
        double cy = scale + (1 - 2 * scale) * random.NextDouble();
        double period = 0.09 + 0.06 * random.NextDouble();                  // texture period, fraction of the side
        double noise = 0.08 * random.NextDouble();
        double gradient = 0.25 * (random.NextDouble() - 0.5);
        int plane = size * size;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double u = (x + 0.5) / size, v = (y + 0.5) / size;
                bool inside = Inside(label, (u - cx) / scale, (v - cy) / scale, u, v, period, cx, cy, scale);
                double shade = 1 + gradient * (u - 0.5) + noise * (random.NextDouble() - 0.5) * 2;
                var colour = inside ? foreground : background;
                for (int c = 0; c < 3; c++)
                    planes[c * plane + y * size + x] = (byte)Math.Clamp(Math.Round(255 * colour[c] * shade), 0, 255);
            }
        }
    }

    /// <summary>Generates images [first, first + count) as an in-memory set; labels are kept unless <paramref name="unlabeled"/>.</summary>
    public static ImageTensorSet CreateSet(int seed, long first, int count, int size, bool unlabeled = false)
    {
        Runtime.TorchRuntime.EnsureInitialized();
        int record = 3 * size * size;
        var bytes = new byte[(long)count * record];
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            Draw(seed, first + i, size, bytes.AsSpan(i * record, record));
            labels[i] = unlabeled ? -1 : LabelOf(first + i);
        }
        return new ImageTensorSet(TorchSharp.torch.tensor(bytes, new long[] { count, 3, size, size }), labels, ClassNames);
    }

    /// <summary>The same images as an IDataView with the library's schema (Image, Label, Index).</summary>
    public static ImageDataView CreateDataView(int seed, long first, int count, int size, bool unlabeled = false)
        => new SyntheticShapesDataView(seed, first, count, size, unlabeled);

    static bool Inside(int label, double dx, double dy, double u, double v, double period, double cx, double cy, double scale)
    {
        double r = Math.Sqrt(dx * dx + dy * dy);
        bool inBox = Math.Abs(dx) <= 1 && Math.Abs(dy) <= 1;
        return label switch
        {
            0 => r <= 1,                                                                    // circle
            1 => Math.Abs(dx) <= 0.85 && Math.Abs(dy) <= 0.85,                             // square
            2 => dy <= 0.9 && dy >= -0.9 && Math.Abs(dx) <= (dy + 0.9) / 1.8,             // triangle, apex up
            3 => (Math.Abs(dx) <= 0.28 && Math.Abs(dy) <= 1) || (Math.Abs(dy) <= 0.28 && Math.Abs(dx) <= 1),   // cross
            4 => r <= 1 && r >= 0.55,                                                       // ring
            5 => Math.Abs(dx) + Math.Abs(dy) <= 1,                                          // diamond
            6 => inBox && Math.Floor(v / period) % 2 == 0,                                  // horizontal stripes
            7 => inBox && Math.Floor(u / period) % 2 == 0,                                  // vertical stripes
            8 => inBox && (Math.Floor(u / period) + Math.Floor(v / period)) % 2 == 0,       // checkerboard
            _ => inBox && Dot(u, v, period),                                                // dots
        };
    }

    static bool Dot(double u, double v, double period)
    {
        double fu = u / period - Math.Floor(u / period) - 0.5, fv = v / period - Math.Floor(v / period) - 0.5;
        return fu * fu + fv * fv <= 0.09;
    }

    static void RandomColour(Random random, Span<double> colour)
    {
        for (int c = 0; c < 3; c++)
            colour[c] = 0.1 + 0.8 * random.NextDouble();
    }

    static double Distance(Span<double> a, Span<double> b)
        => Math.Sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

/// <summary>Plain float64 arithmetic for the explicit-loop references of the method tests.</summary>
static class Reference
{
    /// <summary>The rows of a float32 [N, D] tensor as doubles.</summary>
    public static double[][] Rows(Tensor t)
    {
        long n = t.shape[0], d = t.shape[1];
        var values = t.detach().contiguous().data<float>().ToArray();
        return Enumerable.Range(0, (int)n).Select(i => Enumerable.Range(0, (int)d).Select(j => (double)values[i * d + j]).ToArray()).ToArray();
    }

    public static double Dot(double[] x, double[] y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }

    public static double[] Normalise(double[] row)
    {
        double norm = Math.Sqrt(Dot(row, row));
        return row.Select(v => v / norm).ToArray();
    }

    public static double[][] Normalise(double[][] rows) => rows.Select(Normalise).ToArray();

    /// <summary>No gradient reached <paramref name="t"/>: none was made, or it is all zero.</summary>
    public static bool HasNoGradient(Tensor t) => t.grad is null || t.grad.abs().max().item<float>() == 0;
}

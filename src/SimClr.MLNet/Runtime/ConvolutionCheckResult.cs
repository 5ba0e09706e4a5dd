using SimClr.MLNet.Models;

namespace SimClr.MLNet.Runtime;

/// <summary>
/// How far one convolution's float32 (or bfloat16) results are from the same convolution in float64. Errors are
/// relative: the largest absolute difference divided by the largest absolute float64 value.
/// </summary>
/// <param name="Shape">The convolution checked.</param>
/// <param name="Precision">The number format checked against float64.</param>
/// <param name="ForwardError">Relative error of the output.</param>
/// <param name="InputGradientError">Relative error of the gradient with respect to the input.</param>
/// <param name="WeightGradientError">Relative error of the gradient with respect to the weights.</param>
/// <param name="Tolerance">The largest relative error that passes.</param>
public sealed record ConvolutionCheckResult(
    ConvolutionShape Shape, ComputePrecision Precision,
    double ForwardError, double InputGradientError, double WeightGradientError, double Tolerance)
{
    /// <summary>All three errors are finite and within <see cref="Tolerance"/>.</summary>
    public bool Passed => new[] { ForwardError, InputGradientError, WeightGradientError }.All(e => e <= Tolerance);

    /// <summary>The largest of the three errors (NaN if any is NaN).</summary>
    public double WorstError => Worst(new[] { ForwardError, InputGradientError, WeightGradientError });

    /// <summary>The largest of some errors, NaN if any is NaN (Math.Max alone would let a later number hide it).</summary>
    internal static double Worst(IEnumerable<double> errors)
        => errors.Aggregate((a, b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b));
}

using SimClr.MLNet.Models;

namespace SimClr.MLNet.Training;

/// <summary>The number format a run trains in, and why it was chosen (for the run log and the report).</summary>
/// <param name="Precision">Float32 or BFloat16, never Auto.</param>
/// <param name="Reason">One line, e.g. "Auto chose BFloat16: the CPU has AVX512-BF16 and ...".</param>
public sealed record PrecisionChoice(ComputePrecision Precision, string Reason);

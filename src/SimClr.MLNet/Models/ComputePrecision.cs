namespace SimClr.MLNet.Models;

/// <summary>The number format of an encoder's convolutions and matrix products.</summary>
public enum ComputePrecision
{
    /// <summary>32-bit floats throughout.</summary>
    Float32,

    /// <summary>
    /// Convolutions and matrix products in bfloat16 with channels-last strides; weights, optimizer state,
    /// BatchNorm statistics and the loss stay in float32 (weights are cast on the fly, as autocast does).
    /// On CPUs with AVX512-BF16 this roughly doubles the encoder's speed.
    /// </summary>
    BFloat16,
}

/// <summary>Parses and names <see cref="ComputePrecision"/> values the way users write them.</summary>
public static class ComputePrecisionNames
{
    /// <summary>Accepts fp32 / float32 and bf16 / bfloat16, case-insensitively.</summary>
    /// <exception cref="ArgumentException">Anything else; the message lists the accepted names.</exception>
    public static ComputePrecision Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => ComputePrecision.Float32,
        "bf16" or "bfloat16" => ComputePrecision.BFloat16,
        _ => throw new ArgumentException($"Unknown precision '{text}'; use fp32 or bf16.", nameof(text)),
    };

    /// <summary>The short name: fp32 or bf16.</summary>
    public static string ShortName(this ComputePrecision precision) => precision == ComputePrecision.BFloat16 ? "bf16" : "fp32";
}

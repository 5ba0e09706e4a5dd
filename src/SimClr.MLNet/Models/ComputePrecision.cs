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

    /// <summary>
    /// Chosen when training starts (<see cref="Training.PrecisionSelector"/>): <see cref="BFloat16"/> on a CPU with
    /// native bfloat16 (AVX512-BF16 or AMX-BF16) whose bfloat16 convolutions pass the float64 check for the
    /// encoder's shapes; <see cref="Float32"/> elsewhere, and on GPUs (bfloat16 on CUDA is untested here).
    /// </summary>
    Auto,
}

/// <summary>Parses and names <see cref="ComputePrecision"/> values the way users write them.</summary>
public static class ComputePrecisionNames
{
    /// <summary>Accepts fp32 / float32, bf16 / bfloat16 and auto, case-insensitively.</summary>
    /// <exception cref="ArgumentException">Anything else; the message lists the accepted names.</exception>
    public static ComputePrecision Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => ComputePrecision.Float32,
        "bf16" or "bfloat16" => ComputePrecision.BFloat16,
        "auto" => ComputePrecision.Auto,
        _ => throw new ArgumentException($"Unknown precision '{text}'; use fp32, bf16 or auto.", nameof(text)),
    };

    /// <summary>The short name: fp32, bf16 or auto.</summary>
    public static string ShortName(this ComputePrecision precision) => precision switch
    {
        ComputePrecision.BFloat16 => "bf16",
        ComputePrecision.Auto => "auto",
        _ => "fp32",
    };
}

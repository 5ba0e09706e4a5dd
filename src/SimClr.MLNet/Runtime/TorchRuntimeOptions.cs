namespace SimClr.MLNet.Runtime;

/// <summary>How <see cref="TorchRuntime"/> prepares libtorch before the first tensor exists.</summary>
public sealed class TorchRuntimeOptions
{
    /// <summary>
    /// Keep freed memory inside the process instead of returning it to the OS, and back large tensors with
    /// transparent huge pages. Default: true, unless the environment variable <c>SIMCLR_TUNE_ALLOCATOR</c> is
    /// <c>0</c> or <c>false</c>.
    /// </summary>
    /// <remarks>
    /// libtorch allocates and frees its large activation buffers on every training step. With glibc's
    /// defaults each of those is a fresh mmap, and every fresh page costs a fault (about 12 us on the VMs we
    /// measured), which made training 4-10x slower. The price: the process's resident memory stays at its
    /// high-water mark until it exits. Turn this off for long-lived services that train once and then serve.
    /// </remarks>
    public bool TuneAllocator { get; set; } = !IsFalse(Environment.GetEnvironmentVariable("SIMCLR_TUNE_ALLOCATOR"));

    /// <summary>Intra-op threads for libtorch. Default: null, meaning one per logical processor.</summary>
    public int? Threads { get; set; }

    static bool IsFalse(string? value) => value is "0" || string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);
}

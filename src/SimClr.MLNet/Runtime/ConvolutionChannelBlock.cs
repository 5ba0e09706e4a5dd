using SimClr.MLNet.Models;

namespace SimClr.MLNet.Runtime;

/// <summary>
/// The channel block that <see cref="Convolution"/> pads to on this CPU. oneDNN stores channels in blocks of one
/// vector register: 16 floats with AVX-512, 8 with AVX2, and libtorch 2.10's oneDNN mishandles partial blocks
/// (every wrong result we measured wrote 8 channels on AVX-512 or 4 on AVX2). Padding to 16 is right on both, but
/// on an AVX2-only CPU it makes a width-8 ResNet compute its first stage at width 16: on an AVX2-only EPYC its
/// SimCLR step took 693-745 ms with 8-channel blocks against 1,049-1,229 ms with 16, and its distillation step
/// 346-493 ms against 526-576 (<c>simclr bench pretrain|distill --size 32 --encoder SmallResNet18 --width 8
/// --unlabeled 230 --labeled 26</c>; README, Benchmarks).
/// So float32 on a CPU with AVX2 and without AVX-512 pads to 8, once the 8-channel kernels that failed elsewhere
/// match float64 here; anything else pads to 16.
/// </summary>
public static class ConvolutionChannelBlock
{
    /// <summary>oneDNN's block with AVX-512: the padding that was right on every CPU we measured.</summary>
    public const int Wide = 16;

    /// <summary>oneDNN's block with AVX2.</summary>
    public const int Narrow = 8;

    /// <summary>
    /// The shapes whose 8-channel kernels failed on some CPU (issue 10 and <see cref="Convolution"/>'s remarks): the
    /// input gradient of a stride-1 3x3 into 8 channels and of a stride-2 3x3 from 8, and forward convolutions
    /// writing 8, at the width-8 ResNet's 32 px. The 1x1 shapes that failed are no longer probed: 1x1 convolutions
    /// are matrix products that never reach oneDNN's convolution kernels.
    /// </summary>
    internal static readonly ConvolutionShape[] ProbedShapes =
    {
        new(8, 8, 3, 1, 1, 32), new(3, 8, 3, 1, 1, 32), new(16, 8, 3, 1, 1, 32), new(8, 16, 3, 2, 1, 32),
    };

    static readonly Lazy<(int Block, string Reason)> Float32Choice = new(() => Choose(CpuFeatures.HasAvx2, CpuFeatures.HasAvx512, ProbeNarrowBlock));

    /// <summary>
    /// The block for float32 convolutions on the CPU; the first call may run the float64 probe (1.4-4.2 s on a 2-core
    /// AVX2-only EPYC while a training run shared its cores), once per process.
    /// </summary>
    public static int Float32OnCpu => Float32Choice.Value.Block;

    /// <summary>Why <see cref="Float32OnCpu"/> is what it is, for logs and <c>simclr doctor</c>.</summary>
    public static string Float32Reason => Float32Choice.Value.Reason;

    /// <summary>The decision, with the CPU probe and the numerics check passed in, so tests can simulate any CPU.</summary>
    internal static (int Block, string Reason) Choose(bool avx2, bool avx512, Func<(bool Passed, string Detail)> narrowBlockCheck)
    {
        if (avx512)
            return (Wide, $"channels padded to blocks of {Wide}: oneDNN may use AVX-512 here, where its 8-channel kernels are wrong");
        if (!avx2)
            return (Wide, $"channels padded to blocks of {Wide}: oneDNN has no AVX2 here, and only AVX2's 8-channel kernels were measured");
        var (passed, detail) = narrowBlockCheck();
        return passed
            ? (Narrow, $"channels padded to blocks of {Narrow}: oneDNN may use AVX2 but not AVX-512 here, and {detail}")
            : (Wide, $"channels padded to blocks of {Wide}: oneDNN may use AVX2 but not AVX-512 here, but {detail}");
    }

    static (bool, string) ProbeNarrowBlock()
    {
        var failed = ProbedShapes.Select(shape => ConvolutionGradientCheck.Check(shape, ComputePrecision.Float32, batchSize: null, seed: 1, channelBlock: Narrow)).Where(r => !r.Passed).ToList();
        return failed.Count == 0
            ? (true, $"its float32 convolutions in blocks of {Narrow} match float64 ({ProbedShapes.Length} shapes)")
            : (false, $"its float32 convolutions in blocks of {Narrow} are wrong for {failed.Count} of {ProbedShapes.Length} shapes (first: {failed[0].Shape})");
    }
}

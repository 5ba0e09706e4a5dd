using SimClr.MLNet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Runtime;

/// <summary>
/// Checks convolutions on the running CPU against float64, which libtorch computes without oneDNN: the output,
/// the input gradient and the weight gradient of a random batch. This is how a wrong kernel is caught
/// (libtorch 2.10's oneDNN returns wrong input gradients for some stride-1 shapes on some CPUs; see
/// <see cref="Convolution"/>), and what <c>simclr doctor</c> and the test suite run.
/// </summary>
/// <example>
/// <code>
/// using var encoder = Encoder.Create(new EncoderSpec(EncoderArchitecture.SmallResNet18, 8, 32));
/// foreach (var result in ConvolutionGradientCheck.Run(encoder.ConvolutionShapes().Distinct()))
///     Console.WriteLine($"{result.Shape}: {(result.Passed ? "ok" : "WRONG")}");
/// </code>
/// </example>
public static class ConvolutionGradientCheck
{
    /// <summary>Largest relative error that passes in float32: float32 sums of a few thousand terms stay far below it.</summary>
    public const double Float32Tolerance = 1e-4;

    /// <summary>
    /// Largest relative error that passes in bfloat16: inputs, weights and outputs are rounded to 8 significant
    /// bits (relative error up to 2^-9 each); a wrong kernel is off by tens of percent or NaN.
    /// </summary>
    public const double BFloat16Tolerance = 3e-2;

    /// <summary>
    /// The batch checked when none is given: 25, the reference's supervised batch; 4 for convolutions with more
    /// than 64 x 64 channels on a 32 px map, whose float64 reference takes seconds per image. Kernels are chosen
    /// by shape, and a batch above 1 keeps the batched ones.
    /// </summary>
    public static int DefaultBatchSize(ConvolutionShape shape)
        => (long)shape.InChannels * shape.OutChannels * shape.InputSize * shape.InputSize > 64L * 64 * 32 * 32 ? 4 : 25;

    /// <summary>Checks each shape once; see <see cref="Check(ConvolutionShape, ComputePrecision, int?, int)"/>.</summary>
    public static IReadOnlyList<ConvolutionCheckResult> Run(IEnumerable<ConvolutionShape> shapes,
        ComputePrecision precision = ComputePrecision.Float32, int? batchSize = null, int seed = 1)
        => shapes.Distinct().Select(shape => Check(shape, precision, batchSize, seed)).ToList();

    /// <summary>
    /// Runs one convolution forward and backward in <paramref name="precision"/> the way the encoders do (their
    /// convolution function, bfloat16 with float32 master weights) in every memory layout an encoder may use on
    /// this CPU, and in float64, on the same random input, weights and output gradient. Each error is the worst
    /// over those layouts.
    /// </summary>
    /// <param name="shape">The convolution.</param>
    /// <param name="precision">Float32 or BFloat16.</param>
    /// <param name="batchSize">Images in the batch. Default: <see cref="DefaultBatchSize"/>.</param>
    /// <param name="seed">Seed of the random tensors (a private generator: the global one is not touched).</param>
    public static ConvolutionCheckResult Check(ConvolutionShape shape, ComputePrecision precision = ComputePrecision.Float32,
        int? batchSize = null, int seed = 1)
        => Check(shape, precision, batchSize, seed, channelBlock: null);

    /// <summary>
    /// <see cref="Check(ConvolutionShape, ComputePrecision, int?, int)"/> with the channels padded to
    /// <paramref name="channelBlock"/> instead of the block <see cref="Convolution"/> chooses (null), which is how
    /// <see cref="ConvolutionChannelBlock"/> probes a block before choosing it. Draws nothing from libtorch's global
    /// generator, so a probe in the middle of a seeded run leaves its numbers as they were.
    /// </summary>
    internal static ConvolutionCheckResult Check(ConvolutionShape shape, ComputePrecision precision, int? batchSize, int seed, int? channelBlock)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int batch = batchSize ?? DefaultBatchSize(shape);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1, nameof(batchSize));
        TorchRuntime.EnsureInitialized();
        using var pause = FinalizerPause.Begin();
        using var scope = NewDisposeScope();
        // The probe may run inside an inference block of its caller; the check needs gradients.
        using var gradients = enable_grad();
        using var random = new Generator((ulong)seed);
        var input64 = randn(new long[] { batch, shape.InChannels, shape.InputSize, shape.InputSize }, float64, generator: random);
        var outputGradient64 = randn(new long[] { batch, shape.OutChannels, shape.OutputSize, shape.OutputSize }, float64, generator: random);
        var weight64 = randn(new long[] { shape.OutChannels, shape.InChannels, shape.KernelSize, shape.KernelSize }, float64, generator: random)
            .mul_(Math.Sqrt(2.0 / (shape.InChannels * shape.KernelSize * shape.KernelSize)));
        var bias64 = randn(new long[] { shape.OutChannels }, float64, generator: random).mul_(0.1);
        var conv = (Weight: weight64, Bias: bias64, Stride: new long[] { shape.Stride, shape.Stride }, Padding: new long[] { shape.Padding, shape.Padding });

        var (output64, inputGradient64, weightGradient64) = ForwardBackward(conv, input64, outputGradient64, float64, channelsLast: false, channelBlock);
        var dtype = precision == ComputePrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        var errors = LayoutsThisCpuMayRun(precision).Select(channelsLast =>
        {
            var (output, inputGradient, weightGradient) = ForwardBackward(conv, input64, outputGradient64, dtype, channelsLast, channelBlock);
            return (Output: RelativeError(output, output64), Input: RelativeError(inputGradient, inputGradient64), Weight: RelativeError(weightGradient, weightGradient64));
        }).ToList();
        return new ConvolutionCheckResult(shape, precision,
            ConvolutionCheckResult.Worst(errors.Select(e => e.Output)), ConvolutionCheckResult.Worst(errors.Select(e => e.Input)),
            ConvolutionCheckResult.Worst(errors.Select(e => e.Weight)),
            precision == ComputePrecision.BFloat16 ? BFloat16Tolerance : Float32Tolerance);
    }

    /// <summary>Channels-last (true) and NCHW (false), as far as some encoder may train in them on this CPU.</summary>
    static IEnumerable<bool> LayoutsThisCpuMayRun(ComputePrecision precision)
    {
        if (precision != ComputePrecision.BFloat16)
            yield return false;
        if (Encoder.RunsChannelsLast(precision, DeviceType.CPU, CpuFeatures.HasAvx512, encoderPrefersIt: true))
            yield return true;
    }

    static (Tensor Output, Tensor InputGradient, Tensor WeightGradient) ForwardBackward(
        (Tensor Weight, Tensor Bias, long[] Stride, long[] Padding) conv, Tensor input64, Tensor outputGradient64, ScalarType dtype,
        bool channelsLast, int? channelBlock)
    {
        // Master weights stay float32 (float64 for the reference); bfloat16 runs cast them on the fly, as the encoders do.
        var masterType = dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var weight = conv.Weight.to(masterType).detach().requires_grad_();
        var bias = conv.Bias.to(masterType).detach();
        var input = input64.to(masterType).detach().requires_grad_();
        var x = channelsLast ? Encoder.ToChannelsLast(input.to(dtype)) : input.to(dtype);
        var w = weight.to(dtype);
        var b = bias.to(dtype);
        var dilation = new long[] { 1, 1 };
        var output = channelBlock is { } block
            ? Convolution.Apply(x, w, b, conv.Stride, conv.Padding, dilation, block)
            : Convolution.Apply(x, w, b, conv.Stride, conv.Padding, dilation);
        output.backward(new[] { outputGradient64.to(dtype) });
        return (output, input.grad!, weight.grad!);
    }

    internal static double RelativeError(Tensor actual, Tensor expected64)
    {
        double scale = expected64.abs().max().item<double>();
        double difference = (actual.to(float64) - expected64).abs().max().item<double>();
        return difference / Math.Max(scale, double.Epsilon);
    }
}

using static TorchSharp.torch;

namespace SimClr.MLNet.Models;

/// <summary>
/// The 2-D convolution every encoder runs: libtorch's, with channel counts padded with zeros to whole blocks of
/// oneDNN's (<see cref="Runtime.ConvolutionChannelBlock"/>: 8 for float32 on AVX2-only CPUs, 16 elsewhere) where
/// oneDNN would otherwise write a partial block (see remarks). The result and every gradient are the
/// same as an unpadded convolution's: the extra output channels are cut off, and zero input channels and zero
/// weights add nothing.
/// </summary>
/// <remarks>
/// libtorch 2.10 ships oneDNN 3.7.1, whose convolution kernels failed on our CPUs in these ways:
/// <list type="bullet">
/// <item>the input gradient of stride-1 float32 convolutions with 8 or fewer channels: NaN and heap corruption
/// on AVX-512, a silent 90% error on AVX2 at 4 channels (issue 10);</item>
/// <item>the input gradient of 1x1 stride-2 convolutions from 4 or 8 channels, float32 and bfloat16 in
/// channels-last layout (<c>brgconv_strided</c>): segmentation fault or heap corruption on an AVX512-BF16 EPYC;</item>
/// <item>a forward 1x1 convolution with 8 output channels (<c>jit_1x1:avx512_core</c>): heap corruption, same CPU;</item>
/// <item>1x1 convolutions into 1,024 or 2,048 channels at 4-8 px, such as the last shortcut of a SmallResNet18 of
/// width 128: an integer division by zero (SIGFPE, the process dies) in the blocking heuristic
/// <c>brg_blocking_t::est_eff_1x1</c> while the primitive is created, for the strided backward kernel (float32 and
/// bfloat16) and the bfloat16 forward one, on an AVX-512 + AVX512-BF16 EPYC of family 26, model 2.</item>
/// </list>
/// So a 1x1 convolution on the CPU never reaches oneDNN's convolution kernels: it is computed as what it is, a
/// matrix product over channels of the pixels it reads (every stride-th row and column), the same sum over the
/// same terms; autograd carries the gradients back through the product and the sampling.
/// Every failure of the other kernels wrote a tensor whose channel count was 4 or 8, and every shape whose
/// written channel counts are multiples of 16 was right on both CPU kinds (on an AVX2-only EPYC every 8-channel
/// one was too). So output channels are padded whenever they are not a multiple of the block,
/// and input channels whenever the input needs a gradient (that gradient has as many channels as the input). An
/// input that needs none, such as the images into an encoder's first convolution, keeps its 3 channels: the
/// forward and weight gradient of those were right everywhere, and padding them would make the reference
/// encoder's first layer 5 times as costly. The price is paid by narrow encoders only (with blocks of 16, a
/// SmallResNet18 of width 8 computes its first stage at width 16); which shapes fail differs between CPUs, and
/// probing a faulty kernel to find out can itself corrupt the heap on AVX-512 (the 8-channel probe runs only on
/// CPUs without it, where every failure we saw was a silent error).
/// <see cref="Runtime.ConvolutionGradientCheck"/> verifies this function against float64 on the running CPU;
/// float64 convolutions never reach oneDNN.
/// </remarks>
internal static class Convolution
{
    /// <summary>Convolves like <c>nn.functional.conv2d</c> (groups 1), padding channels as described above.</summary>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[]? padding, long[] dilation)
        => Apply(input, weight, bias, stride, padding, dilation, ChannelBlockFor(input));

    /// <summary>Convolves with channels padded to <paramref name="channelBlock"/>; the probe that chooses the block calls this.</summary>
    internal static Tensor Apply(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[]? padding, long[] dilation, int channelBlock)
    {
        if (IsPointwise(weight, padding, dilation) && input.dtype != ScalarType.Float64 && input.device_type == TorchSharp.DeviceType.CPU)
            return PointwiseAsMatrixProduct(input, weight, bias, stride);
        long outChannels = weight.shape[0], inChannels = weight.shape[1];
        long extraOut = MissingToBlock(outChannels, channelBlock);
        long extraIn = input.requires_grad && is_grad_enabled() ? MissingToBlock(inChannels, channelBlock) : 0;
        if ((extraOut == 0 && extraIn == 0) || input.dtype == ScalarType.Float64)
            return nn.functional.conv2d(input, weight, bias, stride, padding, dilation);

        using var scope = NewDisposeScope();
        // pad() lists dimensions from the last: kernel width, kernel height, input channels, output channels.
        var paddedWeight = nn.functional.pad(weight, new long[] { 0, 0, 0, 0, 0, extraIn, 0, extraOut });   // [Cout+, Cin+, k, k]
        var paddedInput = extraIn == 0 ? input : nn.functional.pad(input, new long[] { 0, 0, 0, 0, 0, extraIn });   // [N, Cin+, H, W]
        var paddedBias = bias is null || extraOut == 0 ? bias : nn.functional.pad(bias, new long[] { 0, extraOut });
        var output = nn.functional.conv2d(paddedInput, paddedWeight, paddedBias, stride, padding, dilation);   // [N, Cout+, Ho, Wo]
        if (extraOut == 0)
            return output.MoveToOuterDisposeScope();
        // A channels-last tensor narrowed on its channel axis is contiguous in no layout, and BatchNorm, ReLU and the
        // residual add on such strided memory cost the width-8 ResNet all that channels-last saves on AVX2.
        var kept = output.narrow(1, 0, outChannels);                                                          // [N, Cout, Ho, Wo]
        return (IsChannelsLast(output) ? Encoder.ToChannelsLast(kept) : kept).MoveToOuterDisposeScope();
    }

    /// <summary>A 1x1 convolution without padding or dilation: a matrix product over channels at every pixel it reads.</summary>
    static bool IsPointwise(Tensor weight, long[]? padding, long[] dilation)
        => weight.shape[2] == 1 && weight.shape[3] == 1 && (padding is null || padding.All(p => p == 0)) && dilation.All(d => d == 1);

    /// <summary>
    /// A 1x1 convolution computed as what it is, a matrix product of every stride-th pixel's channels with the
    /// weight matrix (see remarks for why), returned in the input's memory layout.
    /// </summary>
    static Tensor PointwiseAsMatrixProduct(Tensor input, Tensor weight, Tensor? bias, long[] stride)
    {
        using var scope = NewDisposeScope();
        long rowStride = stride[0], columnStride = stride.Length > 1 ? stride[1] : stride[0];
        var sampled = rowStride == 1 && columnStride == 1
            ? input
            : input.slice(2, 0, input.shape[2], rowStride).slice(3, 0, input.shape[3], columnStride);   // [N, Cin, Ho, Wo]
        var pixels = sampled.permute(0, 2, 3, 1);                                                       // [N, Ho, Wo, Cin]
        var products = nn.functional.linear(pixels, weight.flatten(1), bias);                          // [N, Ho, Wo, Cout]
        var output = products.permute(0, 3, 1, 2);                                                      // [N, Cout, Ho, Wo], channels-last memory
        return (IsChannelsLast(input) ? output : output.contiguous()).MoveToOuterDisposeScope();
    }

    internal static bool IsChannelsLast(Tensor x) => x.dim() == 4 && x.shape[1] > 1 && x.stride(1) == 1;

    // Only float32 on the CPU was measured with the narrow block; everything else keeps the wide one.
    static int ChannelBlockFor(Tensor input)
        => input.dtype == ScalarType.Float32 && input.device_type == TorchSharp.DeviceType.CPU
            ? Runtime.ConvolutionChannelBlock.Float32OnCpu
            : Runtime.ConvolutionChannelBlock.Wide;

    static long MissingToBlock(long channels, int block) => (block - channels % block) % block;
}

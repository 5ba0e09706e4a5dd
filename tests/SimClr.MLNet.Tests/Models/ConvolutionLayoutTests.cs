using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Models;

/// <summary>
/// The memory layout the encoders' convolutions run in: channels-last where it measured faster, and a padded
/// convolution's narrowed output handed on contiguous in its layout with the unpadded convolution's values.
/// </summary>
[Collection(LibtorchGlobalState.Name)]
public class ConvolutionLayoutTests
{
    [Theory]
    [InlineData(ComputePrecision.BFloat16, DeviceType.CPU, true, false, true)]
    [InlineData(ComputePrecision.BFloat16, DeviceType.CPU, false, false, true)]
    [InlineData(ComputePrecision.BFloat16, DeviceType.CUDA, false, false, true)]
    [InlineData(ComputePrecision.Float32, DeviceType.CPU, false, true, true)]
    [InlineData(ComputePrecision.Float32, DeviceType.CPU, false, false, false)]
    [InlineData(ComputePrecision.Float32, DeviceType.CPU, true, true, false)]
    [InlineData(ComputePrecision.Float32, DeviceType.CUDA, false, true, false)]
    public void ChannelsLastRunsInBFloat16AndInFloat32WhereItMeasuredFaster(
        ComputePrecision precision, DeviceType device, bool cpuHasAvx512, bool encoderPrefersIt, bool channelsLast)
    {
        Assert.Equal(channelsLast, Encoder.RunsChannelsLast(precision, device, cpuHasAvx512, encoderPrefersIt));
    }

    [Fact]
    public void TheResNetPrefersChannelsLastWithoutAvx512AndTheReferenceEncoderDoesNot()
    {
        using var resnet = Encoder.Create(new EncoderSpec(EncoderArchitecture.SmallResNet18, 8, 32));
        using var reference = Encoder.Create(new EncoderSpec(EncoderArchitecture.Reference, 8, 32));
        Assert.True(resnet.PrefersChannelsLastWithoutAvx512);
        Assert.False(reference.PrefersChannelsLastWithoutAvx512);
    }

    /// <summary>
    /// 8 output channels are computed as 16 and narrowed to 8; in channels-last the narrowed view would be strided
    /// in every layout, so it is copied into a contiguous channels-last tensor. The values must be the unpadded
    /// convolution's, here a float64 one (float64 never reaches oneDNN or the padding).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void APaddedOutputKeepsItsLayoutAndTheUnpaddedValues(bool channelsLast)
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(3);
        var images64 = randn(new long[] { 3, 8, 12, 12 }, float64, generator: random);
        var weight64 = randn(new long[] { 8, 8, 3, 3 }, float64, generator: random);
        var images = images64.to(float32);
        var input = channelsLast ? Encoder.ToChannelsLast(images) : images;

        var output = Convolution.Apply(input, weight64.to(float32), null, new long[] { 1, 1 }, new long[] { 1, 1 }, new long[] { 1, 1 });

        Assert.Equal(new long[] { 3, 8, 12, 12 }, output.shape);
        Assert.Equal(channelsLast, Convolution.IsChannelsLast(output));
        if (channelsLast)
            Assert.Equal(new long[] { 12 * 12 * 8, 1, 12 * 8, 8 }, output.stride());
        var expected = nn.functional.conv2d(images64, weight64, null, new long[] { 1, 1 }, new long[] { 1, 1 }, new long[] { 1, 1 });
        Assert.True(ConvolutionGradientCheck.RelativeError(output, expected) < 1e-5);
    }

    /// <summary>
    /// A 1x1 convolution is computed as a matrix product over channels of every stride-th pixel (oneDNN's 1x1
    /// kernels crashed or corrupted the heap on two CPUs). It must hand on the input's layout, and give the
    /// values and gradients of a float64 convolution, which never takes that path, at odd sizes and strides too.
    /// </summary>
    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 2)]
    [InlineData(false, 3)]
    [InlineData(true, 1)]
    public void APointwiseConvolutionKeepsItsLayoutAndTheConvolutionsValues(bool channelsLast, int stride)
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(4);
        var images64 = randn(new long[] { 3, 24, 11, 11 }, float64, generator: random).requires_grad_();
        var weight64 = randn(new long[] { 40, 24, 1, 1 }, float64, generator: random).requires_grad_();
        var bias64 = randn(new long[] { 40 }, float64, generator: random).requires_grad_();
        var images = images64.detach().to(float32).requires_grad_();
        var weight = weight64.detach().to(float32).requires_grad_();
        var bias = bias64.detach().to(float32).requires_grad_();
        var input = channelsLast ? Encoder.ToChannelsLast(images) : images;
        var strides = new long[] { stride, stride };

        var output = Convolution.Apply(input, weight, bias, strides, new long[] { 0, 0 }, new long[] { 1, 1 });
        var expected = nn.functional.conv2d(images64, weight64, bias64, strides, new long[] { 0, 0 }, new long[] { 1, 1 });
        using var outputGradient = new Generator(5);
        var gradient64 = randn(expected.shape, float64, generator: outputGradient);
        output.backward(new[] { gradient64.to(float32) });
        expected.backward(new[] { gradient64 });

        long side = (11 - 1) / stride + 1;
        Assert.Equal(new long[] { 3, 40, side, side }, output.shape);
        Assert.Equal(channelsLast, Convolution.IsChannelsLast(output));
        Assert.True(output.is_contiguous() || channelsLast);
        Assert.True(ConvolutionGradientCheck.RelativeError(output, expected) < 1e-5);
        Assert.True(ConvolutionGradientCheck.RelativeError(images.grad!, images64.grad!) < 1e-5);
        Assert.True(ConvolutionGradientCheck.RelativeError(weight.grad!, weight64.grad!) < 1e-5);
        Assert.True(ConvolutionGradientCheck.RelativeError(bias.grad!, bias64.grad!) < 1e-5);
    }
}

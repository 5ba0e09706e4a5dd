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
}

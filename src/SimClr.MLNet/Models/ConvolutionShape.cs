using TorchSharp.Modules;

namespace SimClr.MLNet.Models;

/// <summary>One convolution of an encoder as the CPU kernels see it: channels, square kernel, stride, padding and input size.</summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="KernelSize">Side of the square kernel.</param>
/// <param name="Stride">Stride in both directions.</param>
/// <param name="Padding">Zero padding on each side.</param>
/// <param name="InputSize">Side of the square input map, in pixels.</param>
public sealed record ConvolutionShape(int InChannels, int OutChannels, int KernelSize, int Stride, int Padding, int InputSize)
{
    /// <summary>Side of the output map.</summary>
    public int OutputSize => (InputSize + 2 * Padding - KernelSize) / Stride + 1;

    /// <summary>The shape of <paramref name="conv"/> applied to a square map of side <paramref name="inputSize"/>.</summary>
    internal static ConvolutionShape Of(Conv2d conv, int inputSize)
        => new((int)conv.in_channels, (int)conv.out_channels, (int)conv.kernel_size[0], (int)conv.stride[0],
            conv.padding is { Length: > 0 } padding ? (int)padding[0] : 0, inputSize);

    /// <summary>For example <c>8->8 3x3 stride 1 pad 1 at 32 px</c>.</summary>
    public override string ToString()
        => $"{InChannels}->{OutChannels} {KernelSize}x{KernelSize} stride {Stride} pad {Padding} at {InputSize} px";
}

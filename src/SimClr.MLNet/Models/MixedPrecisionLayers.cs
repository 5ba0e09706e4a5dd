using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Models;

/// <summary>
/// Runs a layer in the dtype of its input, casting the float32 weights on the fly. Autograd carries the
/// gradients back through the cast, so the float32 master weights are what the optimizer updates.
/// TorchSharp has no autocast; this is the part of it our encoders need.
/// </summary>
internal static class MixedPrecisionLayers
{
    public static Tensor Conv(Conv2d conv, Tensor x)
        => conv.groups == 1
            ? Convolution.Apply(x, As(conv.weight!, x), conv.bias is null ? null : As(conv.bias, x), conv.stride, conv.padding, conv.dilation)
            : throw new NotSupportedException("Grouped convolutions are not used by the encoders.");

    public static Tensor Dense(Linear dense, Tensor x)
        => nn.functional.linear(x, As(dense.weight!, x), dense.bias is null ? null : As(dense.bias, x));

    /// <summary>BatchNorm keeps float32 statistics and affine parameters; libtorch's CPU kernel accepts bfloat16 input with them.</summary>
    public static Tensor Norm(BatchNorm2d norm, Tensor x)
        => nn.functional.batch_norm(x, norm.running_mean, norm.running_var, norm.weight, norm.bias,
            norm.training, norm.momentum ?? 0.1, norm.eps);

    static Tensor As(Tensor weight, Tensor like) => weight.dtype == like.dtype ? weight : weight.to(like.dtype);
}

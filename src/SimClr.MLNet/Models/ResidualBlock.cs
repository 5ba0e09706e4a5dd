using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Models;

/// <summary>
/// ResNet's basic block (He et al., 2016): two 3x3 conv + BatchNorm layers, added to a shortcut that is a 1x1
/// conv + BatchNorm when the block changes resolution or width, then ReLU.
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;
    private readonly Conv2d? shortcut_conv;
    private readonly BatchNorm2d? shortcut_bn;

    /// <summary>A block from <paramref name="inChannels"/> to <paramref name="outChannels"/> at the given stride.</summary>
    public ResidualBlock(int inChannels, int outChannels, int stride) : base(nameof(ResidualBlock))
    {
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(outChannels);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
        {
            shortcut_conv = nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);
            shortcut_bn = nn.BatchNorm2d(outChannels);
        }
        RegisterComponents();
    }

    internal (Conv2d Conv, BatchNorm2d Norm) First => (conv1, bn1);
    internal (Conv2d Conv, BatchNorm2d Norm) Second => (conv2, bn2);
    internal (Conv2d Conv, BatchNorm2d Norm)? Shortcut => shortcut_conv is null ? null : (shortcut_conv, shortcut_bn!);

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = nn.functional.relu(MixedPrecisionLayers.Norm(bn1, MixedPrecisionLayers.Conv(conv1, input)));
        x = MixedPrecisionLayers.Norm(bn2, MixedPrecisionLayers.Conv(conv2, x));
        var identity = shortcut_conv is null ? input : MixedPrecisionLayers.Norm(shortcut_bn!, MixedPrecisionLayers.Conv(shortcut_conv, input));
        return nn.functional.relu(x.add_(identity));
    }
}

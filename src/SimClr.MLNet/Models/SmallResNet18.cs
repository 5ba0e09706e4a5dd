using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Models;

/// <summary>
/// ResNet-18 for small images, as SimCLR (Chen et al., 2020, appendix B.9) trains it on CIFAR-10: a 3x3
/// stride-1 stem without max-pool, four stages of two <see cref="ResidualBlock"/>s at widths w, 2w, 4w, 8w,
/// and global average pooling. Features are 8w wide (512 at the usual w = 64).
/// </summary>
public sealed class SmallResNet18 : Encoder
{
    private readonly Conv2d stem_conv;
    private readonly BatchNorm2d stem_bn;
    private readonly ModuleList<ResidualBlock> blocks;

    internal SmallResNet18(EncoderSpec spec) : base(nameof(SmallResNet18), spec, spec.FeatureDim)
    {
        int w = spec.Width;
        stem_conv = nn.Conv2d(3, w, 3, stride: 1, padding: 1, bias: false);
        stem_bn = nn.BatchNorm2d(w);
        blocks = new ModuleList<ResidualBlock>();
        int channels = w;
        foreach (var (width, stride) in new[] { (w, 1), (2 * w, 2), (4 * w, 2), (8 * w, 2) })
        {
            blocks.Add(new ResidualBlock(channels, width, stride));
            blocks.Add(new ResidualBlock(width, width, 1));
            channels = width;
        }
        RegisterComponents();
    }

    /// <inheritdoc />
    internal override bool PrefersChannelsLastWithoutAvx512 => true;

    internal (Conv2d Conv, BatchNorm2d Norm) Stem => (stem_conv, stem_bn);

    internal IEnumerable<ResidualBlock> Blocks => blocks;

    /// <inheritdoc />
    public override IReadOnlyList<ConvolutionShape> ConvolutionShapes()
    {
        var shapes = new List<ConvolutionShape> { ConvolutionShape.Of(stem_conv, Spec.ImageSize) };
        int size = Spec.ImageSize;
        foreach (var block in blocks)
        {
            var first = ConvolutionShape.Of(block.First.Conv, size);
            shapes.Add(first);
            shapes.Add(ConvolutionShape.Of(block.Second.Conv, first.OutputSize));
            if (block.Shortcut is { } shortcut)
                shapes.Add(ConvolutionShape.Of(shortcut.Conv, size));
            size = first.OutputSize;
        }
        return shapes;
    }

    /// <inheritdoc />
    protected override Tensor Features(Tensor images)
    {
        var x = nn.functional.relu(MixedPrecisionLayers.Norm(stem_bn, MixedPrecisionLayers.Conv(stem_conv, images)));   // [N, w, S, S]
        foreach (var block in blocks)
            x = block.call(x);                                               // [N, 8w, S/8, S/8]
        return x.mean(new long[] { 2, 3 });                                  // [N, 8w]
    }
}

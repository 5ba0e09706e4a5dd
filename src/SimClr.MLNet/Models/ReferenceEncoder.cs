using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Models;

/// <summary>
/// The Keras SimCLR example's encoder: four 3x3 stride-2 convolutions without padding, each followed by ReLU,
/// then flatten and a dense layer with ReLU. At 96x96 the maps are 47, 23, 11 and 5 pixels wide.
/// </summary>
public sealed class ReferenceEncoder : Encoder
{
    /// <summary>The smallest input that leaves a 1x1 map after four valid stride-2 convolutions.</summary>
    public const int MinimumImageSize = 31;

    private readonly Conv2d conv1, conv2, conv3, conv4;
    private readonly Linear dense;

    internal ReferenceEncoder(EncoderSpec spec) : base(nameof(ReferenceEncoder), spec, spec.FeatureDim)
    {
        int w = spec.Width;
        conv1 = nn.Conv2d(3, w, 3, stride: 2);
        conv2 = nn.Conv2d(w, w, 3, stride: 2);
        conv3 = nn.Conv2d(w, w, 3, stride: 2);
        conv4 = nn.Conv2d(w, w, 3, stride: 2);
        FinalMapSize = MapSizeAfterConvs(spec.ImageSize);
        dense = nn.Linear(w * FinalMapSize * FinalMapSize, w);
        RegisterComponents();
    }

    /// <summary>Side of the last convolution's output map.</summary>
    public int FinalMapSize { get; }

    internal IEnumerable<Conv2d> Convolutions => new[] { conv1, conv2, conv3, conv4 };

    internal Linear Dense => dense;

    /// <inheritdoc />
    public override IReadOnlyList<ConvolutionShape> ConvolutionShapes()
    {
        var shapes = new List<ConvolutionShape>();
        int size = Spec.ImageSize;
        foreach (var conv in Convolutions)
        {
            shapes.Add(ConvolutionShape.Of(conv, size));
            size = shapes[^1].OutputSize;
        }
        return shapes;
    }

    /// <summary>Map side after the four convolutions: each maps s to (s - 3) / 2 + 1.</summary>
    public static int MapSizeAfterConvs(int imageSize)
    {
        int s = imageSize;
        for (int i = 0; i < 4; i++)
            s = (s - 3) / 2 + 1;
        return s;
    }

    /// <inheritdoc />
    protected override Tensor Features(Tensor images)
    {
        var x = nn.functional.relu(MixedPrecisionLayers.Conv(conv1, images));   // [N, w, 47, 47] at 96 px
        x = nn.functional.relu(MixedPrecisionLayers.Conv(conv2, x));            // [N, w, 23, 23]
        x = nn.functional.relu(MixedPrecisionLayers.Conv(conv3, x));            // [N, w, 11, 11]
        x = nn.functional.relu(MixedPrecisionLayers.Conv(conv4, x));            // [N, w, 5, 5]
        return nn.functional.relu(MixedPrecisionLayers.Dense(dense, x.flatten(1)));   // [N, w]
    }
}

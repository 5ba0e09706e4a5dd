using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Models;

/// <summary>
/// A single linear layer from features to class logits: the online linear probe on frozen features, and the
/// classification head of the supervised baseline and of fine-tuning.
/// </summary>
public sealed class LinearClassifier : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear;

    /// <summary>A classifier from <paramref name="featureDim"/> features to <paramref name="classCount"/> logits.</summary>
    public LinearClassifier(int featureDim, int classCount) : base(nameof(LinearClassifier))
    {
        if (featureDim < 1)
            throw new ArgumentOutOfRangeException(nameof(featureDim), featureDim, "Feature width must be at least 1.");
        if (classCount < 2)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "A classifier needs at least 2 classes.");
        linear = nn.Linear(featureDim, classCount);
        FeatureDim = featureDim;
        ClassCount = classCount;
        RegisterComponents();
    }

    /// <summary>Input width.</summary>
    public int FeatureDim { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    internal Linear Linear => linear;

    /// <inheritdoc />
    public override Tensor forward(Tensor features) => linear.call(features);   // [N, classes]
}

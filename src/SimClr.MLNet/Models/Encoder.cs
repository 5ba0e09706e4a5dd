using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Models;

/// <summary>An image encoder: [N, 3, S, S] floats in [0, 1] to [N, FeatureDim] features.</summary>
public abstract class Encoder : nn.Module<Tensor, Tensor>
{
    private protected Encoder(string name, EncoderSpec spec, int featureDim) : base(name)
    {
        Spec = spec;
        FeatureDim = featureDim;
    }

    /// <summary>How to rebuild this encoder.</summary>
    public EncoderSpec Spec { get; }

    /// <summary>Width of the feature vector.</summary>
    public int FeatureDim { get; }

    /// <summary>Builds an untrained encoder.</summary>
    public static Encoder Create(EncoderSpec spec)
    {
        spec.Validate();
        Runtime.TorchRuntime.EnsureInitialized();
        return spec.Architecture switch
        {
            EncoderArchitecture.Reference => new ReferenceEncoder(spec),
            EncoderArchitecture.SmallResNet18 => new SmallResNet18(spec),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Architecture, "Unknown encoder architecture."),
        };
    }
}

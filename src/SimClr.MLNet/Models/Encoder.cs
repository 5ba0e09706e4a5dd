using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Models;

/// <summary>An image encoder: [N, 3, S, S] floats in [0, 1] to [N, FeatureDim] features.</summary>
public abstract class Encoder : nn.Module<Tensor, Tensor>
{
    /// <param name="name">The module's name (TorchSharp's, used in state-dict keys).</param>
    /// <param name="spec">How to rebuild this encoder.</param>
    /// <param name="featureDim">Width of the features it outputs.</param>
    protected Encoder(string name, EncoderSpec spec, int featureDim) : base(name)
    {
        Spec = spec;
        FeatureDim = featureDim;
    }

    /// <summary>How to rebuild this encoder.</summary>
    public EncoderSpec Spec { get; }

    /// <summary>Width of the feature vector.</summary>
    public int FeatureDim { get; }

    /// <summary>
    /// Number format of the convolutions and matrix products: Float32 or BFloat16 (resolve
    /// <see cref="ComputePrecision.Auto"/> with <see cref="Training.PrecisionSelector"/> first). Default: Float32.
    /// </summary>
    public ComputePrecision Precision
    {
        get => _precision;
        set => _precision = value != ComputePrecision.Auto ? value
            : throw new ArgumentException("An encoder runs in Float32 or BFloat16; resolve Auto with PrecisionSelector.Choose first.", nameof(Precision));
    }

    ComputePrecision _precision = ComputePrecision.Float32;

    /// <summary>Encodes images: [N, 3, S, S] floats in [0, 1] (any float dtype) to [N, FeatureDim] float32.</summary>
    public sealed override Tensor forward(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"Encoder input must be [N, 3, H, W]; got [{string.Join(", ", images.shape)}].", nameof(images));
        var x = Precision == ComputePrecision.BFloat16 ? images.to(ScalarType.BFloat16) : images;
        if (RunsChannelsLast(Precision, x.device_type, Runtime.CpuFeatures.HasAvx512, PrefersChannelsLastWithoutAvx512))
            x = ToChannelsLast(x);
        return Features(x).to(ScalarType.Float32);
    }

    /// <summary>The network proper, in the dtype and memory layout of its input.</summary>
    protected abstract Tensor Features(Tensor x);

    /// <summary>
    /// Every convolution this encoder runs on an image of <see cref="EncoderSpec.ImageSize"/>, in order, repeats
    /// included: what <see cref="Runtime.ConvolutionGradientCheck"/> verifies on the running CPU. Default: none;
    /// an encoder defined outside this library lists its own to have them checked.
    /// </summary>
    public virtual IReadOnlyList<ConvolutionShape> ConvolutionShapes() => Array.Empty<ConvolutionShape>();

    /// <summary>
    /// Whether this encoder's float32 convolutions run channels-last on CPUs without AVX-512, where it measured
    /// faster for it. Default: false (NCHW).
    /// </summary>
    internal virtual bool PrefersChannelsLastWithoutAvx512 => false;

    /// <summary>
    /// Channels-last in bfloat16 everywhere; in float32 only for an encoder that prefers it, on a CPU without
    /// AVX-512. On an AVX2-only EPYC, oneDNN's NCHW kernels spent 45% of the width-8 ResNet's convolution time
    /// converting activations to and from a blocked layout, and channels-last made its step 1.19x and the width-16
    /// one's 1.26x faster, but the reference encoder's 0.88x as fast. On AVX-512 it slowed the reference encoder to
    /// 0.77x and left the width-8 ResNet as it was; on GPUs it is unmeasured (README, "Channels-last in fp32").
    /// </summary>
    internal static bool RunsChannelsLast(ComputePrecision precision, DeviceType device, bool cpuHasAvx512, bool encoderPrefersIt)
        => precision == ComputePrecision.BFloat16 || (encoderPrefersIt && device == DeviceType.CPU && !cpuHasAvx512);

    /// <summary>
    /// NHWC strides with NCHW shape. TorchSharp has no contiguous(memory_format); this permutation gives the
    /// same layout, which oneDNN's bfloat16 convolutions run fastest on, and convolutions keep it downstream.
    /// </summary>
    internal static Tensor ToChannelsLast(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>Builds an untrained encoder.</summary>
    public static Encoder Create(EncoderSpec spec)
    {
        spec.Validate();
        return Runtime.TorchRuntime.WithGlobalGenerator(() =>
        {
            Encoder encoder = spec.Architecture switch
            {
                EncoderArchitecture.Reference => new ReferenceEncoder(spec),
                EncoderArchitecture.SmallResNet18 => new SmallResNet18(spec),
                _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Architecture, "Unknown encoder architecture."),
            };
            encoder.InitialiseWeights();
            return encoder;
        });
    }

    /// <summary>
    /// He initialisation (He et al., 2015) for every convolution and dense layer, zero biases. Every such layer
    /// here feeds a ReLU. libtorch's default (uniform, variance 1/(3 fan_in)) shrinks the signal threefold per
    /// layer; on a 300-image 32 px run of the reference encoder, training accuracy after 5 epochs was 0.12 with
    /// the default and 0.21 with He initialisation.
    /// </summary>
    void InitialiseWeights()
    {
        using var _ = no_grad();
        foreach (var module in modules())
        {
            var (weight, bias) = module switch
            {
                TorchSharp.Modules.Conv2d conv => (conv.weight, conv.bias),
                TorchSharp.Modules.Linear dense => (dense.weight, dense.bias),
                _ => (null, null),
            };
            if (weight is null)
                continue;
            nn.init.kaiming_normal_(weight, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
            if (bias is not null)
                nn.init.zeros_(bias);
        }
    }
}

using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>
/// What supervised training and distillation both train: an encoder plus a linear head, their optimizer, and the
/// weak augmentation of their batches with its own random stream (what a checkpoint saves and restores).
/// </summary>
internal sealed class ClassifierUnderTraining : IDisposable
{
    /// <param name="options">Learning rate, encoder rate scale, precision, augmentation, optimizer.</param>
    /// <param name="spec">The encoder's architecture.</param>
    /// <param name="classCount">Outputs of the head.</param>
    /// <param name="start">An encoder to start from (copied), or null for weights drawn from <paramref name="seed"/>.</param>
    /// <param name="startHead">A head to start from (copied), or null for weights drawn from <paramref name="seed"/>.</param>
    /// <param name="device">Where to train.</param>
    /// <param name="seed">Seed of the initial weights.</param>
    /// <param name="augmentationSeed">Seed of the augmentation stream.</param>
    public ClassifierUnderTraining(SupervisedOptions options, EncoderSpec spec, int classCount, Encoder? start, Device device, int seed, ulong augmentationSeed,
        LinearClassifier? startHead = null)
    {
        (Encoder, Head) = Runtime.TorchRuntime.WithSeed(seed, () =>
        {
            var encoder = Encoder.Create(spec);
            return (encoder, new LinearClassifier(encoder.FeatureDim, classCount));
        });
        if (start != null)
            // A copy: training must not change the encoder the caller still holds.
            Encoder.load_state_dict(start.state_dict());
        if (startHead != null)
            Head.load_state_dict(startHead.state_dict());
        Encoder.Precision = options.Precision;
        Encoder.to(device);
        Head.to(device);

        double encoderRate = options.LearningRate * (start != null ? options.EncoderLearningRateScale : 1.0);
        if (encoderRate == 0)
            foreach (var parameter in Encoder.parameters())
                parameter.requires_grad = false;
        Optimizer = OptimizerFactory.Create(options,
            (encoderRate == 0 ? Enumerable.Empty<Parameter>() : Encoder.parameters(), encoderRate),
            (Head.parameters(), options.LearningRate));
        Augmenter = new ImageAugmenter(options.Augmentation);
        AugmentationRandom = new Generator(augmentationSeed);
    }

    public Encoder Encoder { get; }
    public LinearClassifier Head { get; }
    public OptimizerHelper Optimizer { get; }
    public ImageAugmenter Augmenter { get; }
    public Generator AugmentationRandom { get; }

    public IReadOnlyDictionary<string, nn.Module> Modules => new Dictionary<string, nn.Module> { ["encoder"] = Encoder, ["head"] = Head };
    public IReadOnlyDictionary<string, OptimizerHelper> Optimizers => new Dictionary<string, OptimizerHelper> { ["classifier"] = Optimizer };
    public IReadOnlyDictionary<string, Generator> Generators => new Dictionary<string, Generator> { ["augmentation"] = AugmentationRandom };

    /// <summary>Frees the optimizer state and the generator; the encoder and head belong to the caller's result.</summary>
    public void Dispose()
    {
        Optimizer.Dispose();
        AugmentationRandom.Dispose();
    }
}

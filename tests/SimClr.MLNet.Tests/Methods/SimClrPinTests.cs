using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Data;
using SimClr.MLNet.Losses;
using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

/// <summary>
/// SimCLR through the method engine computes, bit for bit, what the SimCLR trainer computed before there was an
/// engine: the parts (encoder, projection head, NT-Xent, probe, Adam, augmentations) composed by hand below, in the
/// order the original trainer drew its random numbers. Written and passing against the pre-engine trainer.
/// </summary>
[Collection(LibtorchGlobalState.Name)]
public class SimClrPinTests
{
    const int Size = 32, Seed = 5, Epochs = 2, BatchSize = 24;
    static readonly EncoderSpec Spec = new(EncoderArchitecture.SmallResNet18, 4, Size);

    [Fact]
    public void SimClrThroughTheEngineIsBitIdenticalToTheHandComposedSimClrStep()
    {
        using var unlabeled = SyntheticShapes.CreateSet(seed: 11, first: 0, count: 40, Size, unlabeled: true);
        using var labeled = SyntheticShapes.CreateSet(seed: 12, first: 0, count: 8, Size);
        var options = new PretrainOptions { Epochs = Epochs, BatchSize = BatchSize, EncoderSpec = Spec, Seed = Seed, KnnNeighbors = 0 };

        using var engine = new SelfSupervisedPretrainer(options).Fit(unlabeled, labeled);
        var (encoder, head, probe, losses) = HandComposed(options, unlabeled, labeled);

        Assert.Equal(losses, engine.History.Series("c_loss"));
        Assert.All(engine.Encoder.state_dict().Zip(encoder.state_dict()), pair => Assert.True(TensorAssert.Same(pair.First.Value, pair.Second.Value), pair.First.Key));
        Assert.All(engine.ProjectionHead.parameters().Zip(head.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
        Assert.All(engine.Probe!.parameters().Zip(probe.parameters()), pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));
    }

    /// <summary>The pre-engine SimCLR trainer's step, written out: returns the trained modules and each epoch's mean loss.</summary>
    static (Encoder, ProjectionHead, LinearClassifier, double[]) HandComposed(PretrainOptions options, ImageTensorSet unlabeled, ImageTensorSet labeled)
    {
        int classes = labeled.ClassNames.Count;
        var (encoder, head, loss, probe) = TorchRuntime.WithSeed(Seed, () =>
        {
            var e = Encoder.Create(Spec);
            return (e, new ProjectionHead(e.FeatureDim, e.FeatureDim, e.FeatureDim), new NtXentLoss(options.Temperature), new LinearClassifier(e.FeatureDim, classes));
        });
        var optimizer = optim.Adam(encoder.parameters().Concat(head.parameters()), options.LearningRate);
        var probeOptimizer = optim.Adam(probe.parameters(), options.ProbeLearningRate);
        var strong = new ImageAugmenter(options.ContrastiveAugmentation);
        var weak = new ImageAugmenter(options.ProbeAugmentation);
        using var random = new Generator(Seed + 1);
        var labeledRows = labeled.LabeledIndices();
        int steps = (unlabeled.Count + labeledRows.Length) / BatchSize;
        int unlabeledBatch = unlabeled.Count / steps, labeledBatch = labeledRows.Length / steps;
        var losses = new double[Epochs];
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            for (int step = 0; step < steps; step++)
            {
                using var scope = NewDisposeScope();
                var (u, _) = unlabeled.Gather(EpochOrder.Slice(unlabeled.Count, Seed, epoch, 0, step, unlabeledBatch).ToArray());
                var (l, y) = labeled.Gather(EpochOrder.Slice(labeledRows.Length, Seed, epoch, 1, step, labeledBatch).Select(i => labeledRows[i]).ToArray());
                var images = cat(new[] { u, l }, 0);
                long n = images.shape[0];
                Tensor views;
                using (no_grad())
                    views = cat(new[] { strong.Apply(images, random), strong.Apply(images, random) }, 0);
                var projections = head.call(encoder.call(views));
                var value = loss.call(projections[..(int)n], projections[(int)n..]);
                optimizer.zero_grad();
                value.backward();
                optimizer.step();
                losses[epoch] += value.item<float>();

                Tensor features;
                using (no_grad())
                {
                    encoder.eval();
                    features = encoder.call(weak.Apply(l, random));
                    encoder.train();
                }
                var probeLoss = nn.functional.cross_entropy(probe.call(features), y);
                probeOptimizer.zero_grad();
                probeLoss.backward();
                probeOptimizer.step();
            }
            losses[epoch] /= steps;
        }
        return (encoder, head, probe, losses);
    }
}

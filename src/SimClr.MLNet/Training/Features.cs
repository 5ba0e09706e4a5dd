using SimClr.MLNet.Models;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>Encoder features of whole image sets, in eval mode and without gradients.</summary>
internal static class Features
{
    /// <summary>Features ([N, D] float32, on <paramref name="device"/>) of uint8 images [N, 3, S, S], in batches.</summary>
    public static Tensor Extract(Encoder encoder, Tensor images, int batchSize, Device device)
    {
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            using var _ = no_grad();
            var parts = new List<Tensor>();
            for (long start = 0; start < images.shape[0]; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var batch = images.narrow(0, start, Math.Min(batchSize, images.shape[0] - start)).to(device).to(ScalarType.Float32).div_(255f);
                parts.Add(encoder.call(batch).MoveToOuterDisposeScope());
            }
            if (parts.Count == 0)
                return zeros(0, encoder.FeatureDim, device: device);
            var all = cat(parts.ToArray(), 0);
            foreach (var part in parts)
                part.Dispose();
            return all;
        }
        finally
        {
            encoder.train(wasTraining);
        }
    }

    /// <summary>Mean cross-entropy and accuracy of <paramref name="classifier"/> on features with 0-based labels.</summary>
    public static (double Loss, double Accuracy) Score(nn.Module<Tensor, Tensor> classifier, Tensor features, Tensor labels)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logits = classifier.call(features);
        var loss = nn.functional.cross_entropy(logits, labels).item<float>();
        var accuracy = logits.argmax(1).eq(labels).to(ScalarType.Float32).mean().item<float>();
        return (loss, accuracy);
    }
}

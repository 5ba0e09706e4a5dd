using SimClr.MLNet.Models;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>Encoder features of whole image sets, in eval mode and without gradients.</summary>
internal static class Features
{
    /// <summary>Features ([N, D] float32, on <paramref name="device"/>) of uint8 images [N, 3, S, S], in batches.</summary>
    public static Tensor Extract(Encoder encoder, Tensor images, int batchSize, Device device)
        => Extract(encoder, images, batchSize, device, features => features, encoder.FeatureDim);

    /// <summary>
    /// Like <see cref="Extract(Encoder, Tensor, int, Device)"/>, but each batch's features go through
    /// <paramref name="then"/> ([n, D] to [n, <paramref name="width"/>]) first, so only the results of the whole set
    /// are held at once, never all its features.
    /// </summary>
    public static Tensor Extract(Encoder encoder, Tensor images, int batchSize, Device device, Func<Tensor, Tensor> then, long width)
    {
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            using var pause = Runtime.FinalizerPause.Begin();
            using var _ = no_grad();
            var parts = new List<Tensor>();
            for (long start = 0; start < images.shape[0]; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var batch = images.narrow(0, start, Math.Min(batchSize, images.shape[0] - start)).to(device).to(ScalarType.Float32).div_(255f);
                parts.Add(then(encoder.call(batch)).MoveToOuterDisposeScope());
            }
            if (parts.Count == 0)
                return zeros(0, width, device: device);
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

    /// <summary>
    /// val_loss and val_acc of an encoder plus head on the labelled rows of <paramref name="validation"/>; empty
    /// without validation or labels. Every classifier run reports these, under these names.
    /// </summary>
    public static Dictionary<string, double> Validate(Encoder encoder, nn.Module<Tensor, Tensor> head, ImageTensorSet? validation, int batchSize, Device device)
    {
        var values = new Dictionary<string, double>();
        if (validation == null)
            return values;
        var rows = validation.LabeledIndices();
        if (rows.Length == 0)
            return values;
        using var scope = NewDisposeScope();
        var (images, labels) = validation.Gather(rows);
        var features = Extract(encoder, images, batchSize, device);
        var (loss, accuracy) = Score(head, features, labels.to(device));
        values["val_loss"] = loss;
        values["val_acc"] = accuracy;
        return values;
    }
}

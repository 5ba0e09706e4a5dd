using SimClr.MLNet.Models;
using static SimClr.MLNet.Onnx.OnnxProtoWriter;

namespace SimClr.MLNet.Onnx;

/// <summary>
/// The two ONNX models the ML.NET transformers embed. Input and output names are the ML.NET column names they
/// bind to; the batch dimension is the symbol "N".
/// </summary>
public static class OnnxModels
{
    static string Version => typeof(OnnxModels).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>Images [N, 3, S, S] (RGB in [0, 1]) in <paramref name="inputName"/> to features [N, D] in <paramref name="featuresName"/>.</summary>
    /// <exception cref="OnnxExportException">The encoder has a layer the exporter does not support.</exception>
    public static byte[] FeatureExtractor(Encoder encoder, string inputName, string featuresName)
    {
        var graph = new OnnxGraph("simclr_encoder");
        int s = encoder.Spec.ImageSize;
        graph.AddInput(inputName, DataType.Float, OnnxDim.Named("N"), 3, s, s);
        var features = EncoderOnnxExporter.Append(graph, encoder, inputName);
        graph.AddNamed("Identity", new[] { features }, featuresName);
        graph.AddOutput(featuresName, DataType.Float, OnnxDim.Named("N"), encoder.FeatureDim);
        return graph.ToBytes(Version);
    }

    /// <summary>
    /// Images to class probabilities ([N, C], softmax of the head's logits) in <paramref name="probabilitiesName"/>,
    /// the one-hot vector of the most probable class ([N, C]) in <paramref name="oneHotName"/> and, when
    /// <paramref name="featuresName"/> is given, the encoder's features ([N, D]), so that a classifier's .zip also
    /// gives the embeddings it classifies.
    /// </summary>
    /// <exception cref="OnnxExportException">The encoder has a layer the exporter does not support.</exception>
    public static byte[] Classifier(Encoder encoder, LinearClassifier head, string inputName, string probabilitiesName, string oneHotName, string? featuresName = null)
    {
        var graph = new OnnxGraph("simclr_classifier");
        int s = encoder.Spec.ImageSize;
        graph.AddInput(inputName, DataType.Float, OnnxDim.Named("N"), 3, s, s);
        var features = EncoderOnnxExporter.Append(graph, encoder, inputName);
        var logits = EncoderOnnxExporter.AppendDense(graph, head.Linear, features, "head");
        graph.AddNamed("Softmax", new[] { logits }, probabilitiesName, ("axis", 1L));
        var best = graph.Add("ReduceMax", new[] { logits }, "best_logit", ("axes", new long[] { 1 }), ("keepdims", 1L));
        var isBest = graph.Add("Equal", new[] { logits, best }, "is_best");
        graph.AddNamed("Cast", new[] { isBest }, oneHotName, ("to", (long)DataType.Float));
        graph.AddOutput(probabilitiesName, DataType.Float, OnnxDim.Named("N"), head.ClassCount);
        graph.AddOutput(oneHotName, DataType.Float, OnnxDim.Named("N"), head.ClassCount);
        if (featuresName != null)
        {
            graph.AddNamed("Identity", new[] { features }, featuresName);
            graph.AddOutput(featuresName, DataType.Float, OnnxDim.Named("N"), encoder.FeatureDim);
        }
        return graph.ToBytes(Version);
    }
}

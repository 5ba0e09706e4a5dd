using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static SimClr.MLNet.Onnx.OnnxProtoWriter;
using static TorchSharp.torch;

namespace SimClr.MLNet.Onnx;

/// <summary>
/// Writes our encoders and heads as ONNX nodes: Conv (with BatchNorm folded in), Relu, Flatten, Gemm, Add,
/// GlobalAveragePool. Weights are exported in float32 whatever precision the model trained in.
/// </summary>
internal static class EncoderOnnxExporter
{
    /// <summary>Appends <paramref name="encoder"/> reading tensor <paramref name="input"/> ([N, 3, S, S]); returns the features tensor ([N, D]).</summary>
    /// <exception cref="OnnxExportException">The encoder is of a kind the exporter does not know.</exception>
    public static string Append(OnnxGraph graph, Encoder encoder, string input) => encoder switch
    {
        ReferenceEncoder reference => AppendReference(graph, reference, input),
        SmallResNet18 resnet => AppendResNet(graph, resnet, input),
        _ => throw new OnnxExportException(
            $"The ONNX exporter does not support encoder '{encoder.GetType().FullName}'; it supports {nameof(ReferenceEncoder)} and {nameof(SmallResNet18)}."),
    };

    /// <summary>Appends a dense layer y = x W^T + b; returns y.</summary>
    public static string AppendDense(OnnxGraph graph, Linear dense, string input, string prefix)
    {
        var weight = Floats(dense.weight!);
        var w = graph.AddFloats(prefix + "_weight", weight, dense.weight!.shape);
        var inputs = dense.bias is null ? new[] { input, w } : new[] { input, w, graph.AddFloats(prefix + "_bias", Floats(dense.bias), dense.bias.shape) };
        return graph.Add("Gemm", inputs, prefix, ("transB", 1L));
    }

    static string AppendReference(OnnxGraph graph, ReferenceEncoder encoder, string input)
    {
        var x = input;
        int i = 1;
        foreach (var conv in encoder.Convolutions)
            x = graph.Add("Relu", new[] { AppendConv(graph, conv, null, x, $"conv{i++}") });
        x = graph.Add("Flatten", new[] { x }, "flatten", ("axis", 1L));
        return graph.Add("Relu", new[] { AppendDense(graph, encoder.Dense, x, "dense") }, "features");
    }

    static string AppendResNet(OnnxGraph graph, SmallResNet18 encoder, string input)
    {
        var (stemConv, stemNorm) = encoder.Stem;
        var x = graph.Add("Relu", new[] { AppendConv(graph, stemConv, stemNorm, input, "stem") });
        int b = 1;
        foreach (var block in encoder.Blocks)
        {
            string prefix = $"block{b++}";
            var (conv1, norm1) = block.First;
            var (conv2, norm2) = block.Second;
            var y = graph.Add("Relu", new[] { AppendConv(graph, conv1, norm1, x, prefix + "_conv1") });
            y = AppendConv(graph, conv2, norm2, y, prefix + "_conv2");
            var shortcut = block.Shortcut is { } s ? AppendConv(graph, s.Conv, s.Norm, x, prefix + "_shortcut") : x;
            x = graph.Add("Relu", new[] { graph.Add("Add", new[] { y, shortcut }, prefix + "_sum") }, prefix + "_out");
        }
        var pooled = graph.Add("GlobalAveragePool", new[] { x }, "pool");
        return graph.Add("Flatten", new[] { pooled }, "features", ("axis", 1L));
    }

    /// <summary>A convolution, with an eval-mode BatchNorm folded into its weights and bias when given.</summary>
    static string AppendConv(OnnxGraph graph, Conv2d conv, BatchNorm2d? norm, string input, string prefix)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (conv.groups != 1 || conv.dilation.Any(d => d != 1) || conv.padding_mode != TorchSharp.PaddingModes.Zeros)
            throw new OnnxExportException($"The ONNX exporter does not support convolution '{prefix}' (groups, dilation or padding mode).");
        var weight = conv.weight!.detach().to(ScalarType.Float32);
        var bias = conv.bias is null ? zeros(weight.shape[0]) : conv.bias.detach().to(ScalarType.Float32);
        if (norm is not null)
        {
            // y = gamma * (conv(x) + b - mean) / sqrt(var + eps) + beta, with running statistics.
            var scale = norm.weight!.detach() / (norm.running_var! + norm.eps).sqrt();
            weight = weight * scale.reshape(-1, 1, 1, 1);
            bias = (bias - norm.running_mean!) * scale + norm.bias!.detach();
        }
        var w = graph.AddFloats(prefix + "_weight", Floats(weight), weight.shape);
        var b = graph.AddFloats(prefix + "_bias", Floats(bias), bias.shape);
        long[] pads = conv.padding is { Length: 2 } padding ? new[] { padding[0], padding[1], padding[0], padding[1] } : new long[] { 0, 0, 0, 0 };
        return graph.Add("Conv", new[] { input, w, b }, prefix,
            ("kernel_shape", conv.kernel_size), ("strides", conv.stride), ("pads", pads));
    }

    static float[] Floats(Tensor t) => t.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
}

using Google.Protobuf;
using static SimClr.MLNet.Onnx.OnnxProtoWriter;

namespace SimClr.MLNet.Onnx;

/// <summary>A constant tensor of the graph (weights, shapes, class names).</summary>
internal sealed record OnnxTensor(string Name, DataType Type, long[] Dims, byte[] RawData);

/// <summary>One dimension of a declared shape: a fixed size, or a named symbol such as the batch size "N".</summary>
internal readonly record struct OnnxDim(long Value, string? Symbol = null)
{
    public static implicit operator OnnxDim(long value) => new(value);
    public static OnnxDim Named(string symbol) => new(0, symbol);
}

/// <summary>A graph input or output.</summary>
internal sealed record OnnxValueInfo(string Name, DataType Type, OnnxDim[] Shape);

/// <summary>An operator node.</summary>
internal sealed record OnnxNode(string OpType, string Name, string[] Inputs, string[] Outputs, IReadOnlyList<(string Name, object Value)> Attributes);

/// <summary>
/// Builds an ONNX graph node by node and writes it as a ModelProto (IR version 7, opset 13). Tensor names are
/// unique: <see cref="Fresh"/> makes new ones from a prefix.
/// </summary>
internal sealed class OnnxGraph(string name)
{
    /// <summary>The operator set the exporter targets.</summary>
    public const long Opset = 13;
    const long IrVersion = 7;

    readonly List<OnnxNode> _nodes = new();
    readonly List<OnnxTensor> _initializers = new();
    readonly List<OnnxValueInfo> _inputs = new();
    readonly List<OnnxValueInfo> _outputs = new();
    readonly Dictionary<string, int> _counters = new();

    /// <summary>A name not used before, built from <paramref name="prefix"/>.</summary>
    public string Fresh(string prefix)
    {
        int n = _counters.GetValueOrDefault(prefix);
        _counters[prefix] = n + 1;
        return n == 0 ? prefix : $"{prefix}_{n}";
    }

    public void AddInput(string tensor, DataType type, params OnnxDim[] shape) => _inputs.Add(new(tensor, type, shape));

    public void AddOutput(string tensor, DataType type, params OnnxDim[] shape) => _outputs.Add(new(tensor, type, shape));

    /// <summary>Adds a float32 constant with the given dims and returns its name.</summary>
    public string AddFloats(string prefix, float[] values, params long[] dims)
    {
        if (values.Length != dims.Aggregate(1L, (a, b) => a * b))
            throw new ArgumentException($"{values.Length} values do not fill dims [{string.Join(", ", dims)}].");
        var name = Fresh(prefix);
        var raw = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian.");
        _initializers.Add(new(name, DataType.Float, dims, raw));
        return name;
    }

    /// <summary>Adds a node with one output named from <paramref name="outputPrefix"/>; returns that output's name.</summary>
    public string Add(string opType, string[] inputs, string? outputPrefix = null, params (string Name, object Value)[] attributes)
    {
        var output = Fresh(outputPrefix ?? opType.ToLowerInvariant());
        AddNamed(opType, inputs, output, attributes);
        return output;
    }

    /// <summary>Adds a node whose output gets exactly the name <paramref name="output"/> (for graph outputs).</summary>
    public void AddNamed(string opType, string[] inputs, string output, params (string Name, object Value)[] attributes)
        => _nodes.Add(new(opType, Fresh("node_" + opType), inputs, new[] { output }, attributes));

    /// <summary>The graph as ONNX ModelProto bytes.</summary>
    public byte[] ToBytes(string producerVersion)
    {
        using var buffer = new MemoryStream();
        using (var model = new CodedOutputStream(buffer, leaveOpen: true))
        {
            WriteInt64(model, 1, IrVersion);                      // ir_version
            WriteString(model, 2, "SimClr.MLNet");                // producer_name
            WriteString(model, 3, producerVersion);               // producer_version
            WriteMessage(model, 7, graph =>                       // graph
            {
                foreach (var node in _nodes)
                    WriteMessage(graph, 1, n => WriteNode(n, node));
                WriteString(graph, 2, name);
                foreach (var tensor in _initializers)
                    WriteMessage(graph, 5, t => WriteTensor(t, tensor));
                foreach (var input in _inputs)
                    WriteMessage(graph, 11, v => WriteValueInfo(v, input));
                foreach (var output in _outputs)
                    WriteMessage(graph, 12, v => WriteValueInfo(v, output));
            });
            WriteMessage(model, 8, opset =>                       // opset_import: default domain
            {
                WriteString(opset, 1, "");
                WriteInt64(opset, 2, Opset);
            });
        }
        return buffer.ToArray();
    }
}

using Google.Protobuf;

namespace SimClr.MLNet.Onnx;

/// <summary>
/// Encodes the parts of onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto,
/// AttributeProto) that our exporter needs, field by field with Google.Protobuf's CodedOutputStream, so no
/// generated code or .proto compiler is needed. Field numbers are those of onnx/onnx.proto (IR version 7+).
/// </summary>
internal static class OnnxProtoWriter
{
    /// <summary>onnx.TensorProto.DataType values.</summary>
    public enum DataType { Float = 1 }

    enum AttributeType { Float = 1, Int = 2, Ints = 7 }

    /// <summary>Encodes a message body as a length-delimited field.</summary>
    public static void WriteMessage(CodedOutputStream output, int field, Action<CodedOutputStream> body)
    {
        using var buffer = new MemoryStream();
        using (var inner = new CodedOutputStream(buffer, leaveOpen: true))
            body(inner);
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    public static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    public static void WriteInt64(CodedOutputStream output, int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }

    /// <summary>TensorProto: dims (1), data_type (2), name (8), raw_data (9).</summary>
    public static void WriteTensor(CodedOutputStream output, OnnxTensor tensor)
    {
        foreach (var dim in tensor.Dims)
            WriteInt64(output, 1, dim);
        output.WriteTag(2, WireFormat.WireType.Varint);
        output.WriteInt32((int)tensor.Type);
        WriteString(output, 8, tensor.Name);
        output.WriteTag(9, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(tensor.RawData));
    }

    /// <summary>ValueInfoProto with a tensor type: name (1), type (2) = TypeProto{tensor_type (1) = {elem_type (1), shape (2)}}.</summary>
    public static void WriteValueInfo(CodedOutputStream output, OnnxValueInfo info)
    {
        WriteString(output, 1, info.Name);
        WriteMessage(output, 2, type => WriteMessage(type, 1, tensorType =>
        {
            tensorType.WriteTag(1, WireFormat.WireType.Varint);
            tensorType.WriteInt32((int)info.Type);
            WriteMessage(tensorType, 2, shape =>
            {
                foreach (var dim in info.Shape)
                    WriteMessage(shape, 1, dimension =>
                    {
                        if (dim.Symbol != null)
                            WriteString(dimension, 2, dim.Symbol);
                        else
                            WriteInt64(dimension, 1, dim.Value);
                    });
            });
        }));
    }

    /// <summary>NodeProto: input (1), output (2), name (3), op_type (4), attribute (5).</summary>
    public static void WriteNode(CodedOutputStream output, OnnxNode node)
    {
        foreach (var input in node.Inputs)
            WriteString(output, 1, input);
        foreach (var name in node.Outputs)
            WriteString(output, 2, name);
        WriteString(output, 3, node.Name);
        WriteString(output, 4, node.OpType);
        foreach (var (name, value) in node.Attributes)
            WriteMessage(output, 5, attribute => WriteAttribute(attribute, name, value));
    }

    /// <summary>AttributeProto: name (1), f (2), i (3), ints (8), type (20).</summary>
    static void WriteAttribute(CodedOutputStream output, string name, object value)
    {
        WriteString(output, 1, name);
        switch (value)
        {
            case float f:
                output.WriteTag(2, WireFormat.WireType.Fixed32);
                output.WriteFloat(f);
                WriteType(output, AttributeType.Float);
                break;
            case long i:
                WriteInt64(output, 3, i);
                WriteType(output, AttributeType.Int);
                break;
            case long[] ints:
                foreach (var i in ints)
                    WriteInt64(output, 8, i);
                WriteType(output, AttributeType.Ints);
                break;
            default:
                throw new NotSupportedException($"ONNX attribute '{name}' of type {value.GetType().Name} is not supported by this writer.");
        }
    }

    static void WriteType(CodedOutputStream output, AttributeType type)
    {
        output.WriteTag(20, WireFormat.WireType.Varint);
        output.WriteInt32((int)type);
    }
}

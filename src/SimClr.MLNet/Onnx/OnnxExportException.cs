namespace SimClr.MLNet.Onnx;

/// <summary>A model holds a layer that the ONNX exporter cannot write; the message names it.</summary>
public sealed class OnnxExportException(string message) : NotSupportedException(message);

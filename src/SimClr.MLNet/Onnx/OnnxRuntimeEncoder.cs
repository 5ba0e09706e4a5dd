using Microsoft.ML.OnnxRuntime;
using SimClr.MLNet.Models;
using static TorchSharp.torch;

namespace SimClr.MLNet.Onnx;

/// <summary>
/// A frozen float32 encoder exported to ONNX (as saved models are) and run by ONNX Runtime on the CPU: the features its
/// own forward pass gives in evaluation mode, faster. Distillation's teacher scores every batch with it: on the
/// AVX2-only EPYC the width-16 ResNet-18's pass over 256 images of 32 px took 122-188 ms here against 218-293 ms in
/// libtorch, and a CIFAR-10 distillation epoch about 8% less time (docs/cifar10/experiments.md). The weights are
/// copied when it is made; later changes to the encoder are not seen.
/// </summary>
internal sealed class OnnxRuntimeEncoder : IDisposable
{
    // Not the graph's inner names ("features", ...): ONNX rejects a name defined twice.
    const string InputName = "Image", OutputName = "Features";
    readonly SessionOptions _sessionOptions;
    readonly RunOptions _runOptions = new();
    readonly InferenceSession _session;
    readonly long _imageSize, _featureDim;

    /// <param name="encoder">A float32 encoder; its BatchNorm layers score with their running statistics.</param>
    /// <param name="threads">ONNX Runtime's intra-op threads; libtorch's thread count, so the two never oversubscribe the cores.</param>
    public OnnxRuntimeEncoder(Encoder encoder, int threads)
    {
        if (encoder.Precision != ComputePrecision.Float32)
            throw new ArgumentException($"ONNX Runtime scores the float32 graph; this encoder runs in {encoder.Precision}.", nameof(encoder));
        _imageSize = encoder.Spec.ImageSize;
        _featureDim = encoder.FeatureDim;
        _sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, threads),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // By default ONNX Runtime's threads spin after each run, on the cores that libtorch's student step needs next.
        _sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(OnnxModels.FeatureExtractor(encoder, InputName, OutputName), _sessionOptions);
    }

    /// <summary>Features [n, D] (float32, CPU) of float images [n, 3, S, S] on the CPU, RGB in [0, 1].</summary>
    public Tensor Features(Tensor images)
    {
        long count = images.shape[0];
        if (images.ndim != 4 || images.shape[1] != 3 || images.shape[2] != _imageSize || images.shape[3] != _imageSize)
            throw new ArgumentException($"Expected images [n, 3, {_imageSize}, {_imageSize}]; got [{string.Join(", ", images.shape)}].", nameof(images));
        var pixels = images.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, new[] { count, 3, _imageSize, _imageSize });
        using var outputs = _session.Run(_runOptions, new[] { InputName }, new[] { input }, new[] { OutputName });
        // A copy in libtorch's own storage. Made straight from the managed array, the features gave the teacher head's
        // matrix product different last bits from run to run on an AVX-512 EPYC (family 26), so two PerStep
        // distillations with one seed ended apart (9 of 10 runs of DistillTests' seed test failed; 0 of 10 with the copy).
        using var borrowed = tensor(outputs[0].GetTensorDataAsSpan<float>().ToArray(), new[] { count, _featureDim });
        return borrowed.clone();
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
        _sessionOptions.Dispose();
    }
}

using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SimClr.MLNet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Onnx;

/// <summary>Whether ONNX Runtime, which scores the saved .zip models, loads here and computes what libtorch computes.</summary>
/// <param name="Version">ONNX Runtime's version, or null if it did not load.</param>
/// <param name="RelativeError">Largest difference between ONNX Runtime's and libtorch's features, relative to the largest feature.</param>
/// <param name="Error">Why ONNX Runtime failed, or null.</param>
public sealed record OnnxRuntimeCheck(string? Version, double RelativeError, string? Error)
{
    /// <summary>Largest relative difference that passes: float32 inference of the same graph by two libraries.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>ONNX Runtime loaded and agreed with libtorch.</summary>
    public bool Passed => Error == null && RelativeError <= Tolerance;

    /// <summary>Whether <paramref name="e"/> says that ONNX Runtime could not load or run here, rather than a bug of the caller.</summary>
    internal static bool IsLoadFailure(Exception e)
        => e is OnnxRuntimeException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException;

    /// <summary>Exports a small untrained encoder the way saved models are exported, and scores random images with both libraries.</summary>
    public static OnnxRuntimeCheck Run()
    {
        const int size = 16, images = 4;
        try
        {
            var version = OrtEnv.Instance().GetVersionString();
            using var scope = NewDisposeScope();
            using var encoder = Encoder.Create(new EncoderSpec(EncoderArchitecture.SmallResNet18, 4, size));
            encoder.eval();
            using var random = new Generator(1);
            var pixels = rand(new long[] { images, 3, size, size }, generator: random);
            float[] expected;
            using (no_grad())
                expected = encoder.call(pixels).data<float>().ToArray();

            using var session = new InferenceSession(OnnxModels.FeatureExtractor(encoder, "Image", "Features"));
            var input = new DenseTensor<float>(pixels.data<float>().ToArray(), new[] { images, 3, size, size });
            using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Image", input) });
            var actual = results.Single().AsEnumerable<float>().ToArray();
            double scale = expected.Max(v => Math.Abs((double)v));
            double difference = actual.Zip(expected, (a, e) => Math.Abs((double)a - e)).Max();
            return new OnnxRuntimeCheck(version, difference / Math.Max(scale, double.Epsilon), null);
        }
        catch (Exception e) when (IsLoadFailure(e))
        {
            return new OnnxRuntimeCheck(null, double.NaN, e.Message.ReplaceLineEndings(" "));
        }
    }
}

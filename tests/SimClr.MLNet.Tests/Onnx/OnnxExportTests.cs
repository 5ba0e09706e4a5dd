using SimClr.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SimClr.MLNet.Models;
using SimClr.MLNet.Onnx;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Training;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Onnx;

/// <summary>The exported graphs compute what TorchSharp computes, run by ONNX Runtime.</summary>
[Collection(LibtorchGlobalState.Name)]
public class OnnxExportTests
{
    static float[] RunOnnx(byte[] model, string input, float[] pixels, int n, int size, string output)
    {
        using var session = new InferenceSession(model);
        var tensor = new DenseTensor<float>(pixels, new[] { n, 3, size, size });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(input, tensor) });
        return results.Single(r => r.Name == output).AsEnumerable<float>().ToArray();
    }

    static double RelativeError(float[] actual, float[] expected)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff += Math.Pow(actual[i] - expected[i], 2);
            norm += Math.Pow(expected[i], 2);
        }
        return Math.Sqrt(diff / norm);
    }

    /// <summary>An encoder with non-trivial BatchNorm statistics, as after training.</summary>
    static Encoder TrainedLooking(EncoderSpec spec)
    {
        TorchRuntime.Seed(21);
        var encoder = Encoder.Create(spec);
        using (no_grad())
            foreach (var (name, buffer) in encoder.named_buffers())
                if (name.EndsWith("running_mean"))
                    buffer.copy_(randn(buffer.shape) * 0.1);
                else if (name.EndsWith("running_var"))
                    buffer.copy_(rand(buffer.shape) + 0.5);
        foreach (var (name, parameter) in encoder.named_parameters())
            if (name.Contains("bn") && name.EndsWith("weight"))
                using (no_grad()) parameter.copy_(rand(parameter.shape) + 0.5);
        encoder.eval();
        return encoder;
    }

    [Theory]
    [InlineData(EncoderArchitecture.Reference, 8, 40)]
    [InlineData(EncoderArchitecture.SmallResNet18, 4, 16)]
    public void FeatureExtractorMatchesTorchSharp(EncoderArchitecture architecture, int width, int size)
    {
        using var encoder = TrainedLooking(new EncoderSpec(architecture, width, size));
        using var scope = NewDisposeScope();
        var images = rand(3, 3, size, size);
        var expected = encoder.call(images).data<float>().ToArray();

        var model = OnnxModels.FeatureExtractor(encoder, "Pixels", "Features");
        var actual = RunOnnx(model, "Pixels", images.data<float>().ToArray(), 3, size, "Features");

        Assert.Equal(expected.Length, actual.Length);
        Assert.True(RelativeError(actual, expected) <= 1e-5, $"relative error {RelativeError(actual, expected)}");
    }

    [Fact]
    public void ClassifierGivesSoftmaxAndOneHotOfTheBestClass()
    {
        using var encoder = TrainedLooking(new EncoderSpec(EncoderArchitecture.SmallResNet18, 4, 16));
        TorchRuntime.Seed(22);
        using var head = new LinearClassifier(encoder.FeatureDim, 5);
        using var scope = NewDisposeScope();
        var images = rand(4, 3, 16, 16);
        var logits = head.call(encoder.call(images));
        var expected = nn.functional.softmax(logits, 1).data<float>().ToArray();
        var best = logits.argmax(1).data<long>().ToArray();

        var model = OnnxModels.Classifier(encoder, head, "Pixels", "Probabilities", "OneHot");
        var pixels = images.data<float>().ToArray();
        var probabilities = RunOnnx(model, "Pixels", pixels, 4, 16, "Probabilities");
        var oneHot = RunOnnx(model, "Pixels", pixels, 4, 16, "OneHot");

        Assert.True(RelativeError(probabilities, expected) <= 1e-5);
        for (int i = 0; i < 4; i++)
            for (int c = 0; c < 5; c++)
                Assert.Equal(c == best[i] ? 1f : 0f, oneHot[i * 5 + c]);
    }

    [Fact]
    public void AnUnknownEncoderIsRejectedByName()
    {
        using var custom = new CustomEncoder();
        var error = Assert.Throws<OnnxExportException>(() => OnnxModels.FeatureExtractor(custom, "Pixels", "Features"));
        Assert.Contains(nameof(CustomEncoder), error.Message);
    }

    sealed class CustomEncoder() : Encoder(nameof(CustomEncoder), new EncoderSpec(EncoderArchitecture.Reference, 4, 32), 4)
    {
        protected override TorchSharp.torch.Tensor Features(TorchSharp.torch.Tensor x) => x.mean(new long[] { 2, 3 }).repeat(1, 2)[.., ..4];
    }
}

using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Models;

/// <summary>
/// Every convolution the shipped encoders run, at the widths and sizes of pipelines/ and of these tests, gives the
/// float64 output, input gradient and weight gradient on this CPU (libtorch 2.10's oneDNN does not on some CPUs).
/// </summary>
[Collection(LibtorchGlobalState.Name)]
public class ConvolutionGradientTests
{
    public static TheoryData<EncoderArchitecture, int, int> Encoders()
    {
        var data = new TheoryData<EncoderArchitecture, int, int>();
        foreach (int width in new[] { 4, 8, 16, 128 })
        {
            foreach (int size in new[] { 32, 96 })
                data.Add(EncoderArchitecture.Reference, width, size);
            foreach (int size in new[] { 16, 32 })
                data.Add(EncoderArchitecture.SmallResNet18, width, size);
        }
        return data;
    }

    static IReadOnlyList<ConvolutionShape> ShapesOf(EncoderArchitecture architecture, int width, int size)
    {
        using var encoder = Encoder.Create(new EncoderSpec(architecture, width, size));
        return encoder.ConvolutionShapes().Distinct().ToList();
    }

    static void AssertAllPass(IReadOnlyList<ConvolutionCheckResult> results)
    {
        var failed = results.Where(r => !r.Passed).Select(r =>
            $"{r.Shape}: forward {r.ForwardError:E1}, input gradient {r.InputGradientError:E1}, weight gradient {r.WeightGradientError:E1}").ToList();
        Assert.True(failed.Count == 0, $"CPU: {CpuFeatures.Summary}. Beyond {results[0].Tolerance:E0} of float64:\n" + string.Join("\n", failed));
    }

    [Theory]
    [MemberData(nameof(Encoders))]
    public void Float32MatchesFloat64(EncoderArchitecture architecture, int width, int size)
    {
        AssertAllPass(ConvolutionGradientCheck.Run(ShapesOf(architecture, width, size)));
    }

    [NativeBFloat16Theory]
    [MemberData(nameof(Encoders))]
    public void BFloat16MatchesFloat64(EncoderArchitecture architecture, int width, int size)
    {
        AssertAllPass(ConvolutionGradientCheck.Run(ShapesOf(architecture, width, size), ComputePrecision.BFloat16));
    }

    [Fact]
    public void EncoderShapesFollowTheArchitecture()
    {
        var resnet = ShapesOf(EncoderArchitecture.SmallResNet18, 8, 32);
        Assert.Equal(new ConvolutionShape(3, 8, 3, 1, 1, 32), resnet[0]);
        Assert.Contains(new ConvolutionShape(8, 16, 3, 2, 1, 32), resnet);
        Assert.Contains(new ConvolutionShape(8, 16, 1, 2, 0, 32), resnet);
        Assert.Contains(new ConvolutionShape(64, 64, 3, 1, 1, 4), resnet);
        using (var full = Encoder.Create(new EncoderSpec(EncoderArchitecture.SmallResNet18, 8, 32)))
            Assert.Equal(20, full.ConvolutionShapes().Count);   // stem, 8 blocks x 2, 3 shortcuts

        var reference = ShapesOf(EncoderArchitecture.Reference, 128, 96);
        Assert.Equal(new[] { 96, 47, 23, 11 }, reference.Select(s => s.InputSize));
        Assert.Equal(5, reference[^1].OutputSize);
    }

    [Fact]
    public void AWrongGradientFailsTheCheck()
    {
        var right = new ConvolutionCheckResult(new ConvolutionShape(4, 4, 3, 1, 1, 8), ComputePrecision.Float32, 1e-7, 2e-7, 3e-7, 1e-4);
        Assert.True(right.Passed);
        Assert.False((right with { InputGradientError = 0.9 }).Passed);
        Assert.False((right with { InputGradientError = double.NaN }).Passed);
        Assert.True(double.IsNaN((right with { WeightGradientError = double.NaN }).WorstError));
    }

    /// <summary>
    /// The whole encoder, trained as the trainers do (float32, batch statistics), against a float64 copy: every
    /// parameter's gradient and the input's. Float64 takes libtorch's own convolution code, not the routed one.
    /// </summary>
    [Theory]
    [InlineData(EncoderArchitecture.SmallResNet18, 4, 16)]
    [InlineData(EncoderArchitecture.SmallResNet18, 8, 32)]
    [InlineData(EncoderArchitecture.Reference, 8, 32)]
    public void EncoderGradientsMatchFloat64(EncoderArchitecture architecture, int width, int size)
    {
        using var scope = NewDisposeScope();
        using var random = new Generator(5);
        using var encoder = Encoder.Create(new EncoderSpec(architecture, width, size));
        using var encoder64 = Encoder.Create(new EncoderSpec(architecture, width, size));
        encoder64.load_state_dict(encoder.state_dict());
        encoder64.to(float64);
        var images = rand(new long[] { 12, 3, size, size }, float64, generator: random);
        var projection = randn(new long[] { 12, encoder.FeatureDim }, float64, generator: random);

        var input = images.to(float32).requires_grad_();
        (encoder.call(input).to(float64) * projection).sum().backward();
        var input64 = images.detach().clone().requires_grad_();
        (encoder64.call(input64).to(float64) * projection).sum().backward();

        var gradients = encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        var mismatched = encoder64.named_parameters()
            .Select(p => (p.name, error: ConvolutionGradientCheck.RelativeError(gradients[p.name], p.parameter.grad!)))
            .Append((name: "input", error: ConvolutionGradientCheck.RelativeError(input.grad!, input64.grad!)))
            .Where(e => !(e.error <= 1e-3))
            .Select(e => $"{e.name}: {e.error:E1}").ToList();
        Assert.True(mismatched.Count == 0, $"CPU: {CpuFeatures.Summary}. Gradients beyond 1e-3 of float64:\n" + string.Join("\n", mismatched));
    }
}

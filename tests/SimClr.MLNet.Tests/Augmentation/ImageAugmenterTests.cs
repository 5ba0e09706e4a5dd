using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Runtime;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Augmentation;

public class ImageAugmenterTests
{
    static Tensor RandomImages(int n, int size, int seed)
    {
        TorchRuntime.EnsureInitialized();
        using var generator = new Generator((ulong)seed);
        return randint(0, 256, new long[] { n, 3, size, size }, ScalarType.Byte, generator: generator);
    }

    [Fact]
    public void EveryImageInABatchGetsADifferentTransform()
    {
        using var scope = NewDisposeScope();
        // Eight copies of one image: any two outputs that are equal would mean a shared random draw.
        var one = RandomImages(1, 16, 1);
        var batch = one.expand(8, 3, 16, 16).contiguous();
        foreach (var options in new[] { AugmentationOptions.Contrastive, AugmentationOptions.Classification })
        {
            using var generator = new Generator(7);
            var views = new ImageAugmenter(options).Apply(batch, generator);
            for (int i = 0; i < 8; i++)
                for (int j = i + 1; j < 8; j++)
                    Assert.True((views[i] - views[j]).abs().max().item<float>() > 1e-3, $"views {i} and {j} are identical");
        }
    }

    [Fact]
    public void ZeroStrengthIsTheIdentity()
    {
        using var scope = NewDisposeScope();
        var images = RandomImages(4, 12, 2);
        using var generator = new Generator(3);
        var output = new ImageAugmenter(AugmentationOptions.None).Apply(images, generator);
        Assert.Equal(0f, (output - images.to(ScalarType.Float32) / 255f).abs().max().item<float>());
    }

    [Fact]
    public void AnIdentityWarpReproducesTheImage()
    {
        using var scope = NewDisposeScope();
        // Flip probability 1 applied twice is the identity; this checks the warp's geometry, not only the shortcut.
        var images = RandomImages(3, 10, 4).to(ScalarType.Float32) / 255f;
        using var generator = new Generator(5);
        var once = RandomFlipTranslateZoom.Apply(images, 0, 1.0, generator);
        var twice = RandomFlipTranslateZoom.Apply(once, 0, 1.0, generator);
        Assert.True((once - images.flip(3)).abs().max().item<float>() < 1e-5);
        Assert.True((twice - images).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void OutputStaysInUnitRangeAtFullStrength()
    {
        using var scope = NewDisposeScope();
        var images = RandomImages(16, 12, 6);
        var strong = AugmentationOptions.Contrastive with { Brightness = 0.99, Jitter = 1.0, GrayscaleProbability = 0.5, BlurProbability = 0.5, BlurMaxSigmaFraction = 0.2 };
        using var generator = new Generator(8);
        var output = new ImageAugmenter(strong).Apply(images, generator);
        Assert.Equal(new long[] { 16, 3, 12, 12 }, output.shape);
        Assert.True(output.min().item<float>() >= 0f);
        Assert.True(output.max().item<float>() <= 1f);
    }

    [Fact]
    public void TheSameSeedGivesTheSameViews()
    {
        using var scope = NewDisposeScope();
        var images = RandomImages(4, 12, 9);
        var augmenter = new ImageAugmenter(AugmentationOptions.Contrastive with { GrayscaleProbability = 0.5, BlurProbability = 0.5 });
        using var first = new Generator(11);
        using var second = new Generator(11);
        Assert.True(TensorAssert.Same(augmenter.Apply(images, first), augmenter.Apply(images, second)));
    }

    [Fact]
    public void ColourAffineMatchesAPerPixelMatrixProduct()
    {
        using var scope = NewDisposeScope();
        var images = RandomImages(2, 4, 12).to(ScalarType.Float32) / 255f;
        using var g1 = new Generator(13);
        var output = ColorAffine.Apply(images, 0.5, 0.2, g1);
        // Redraw the same matrices and apply them pixel by pixel.
        using var g2 = new Generator(13);
        var scale = 1.0f + (rand(new long[] { 2, 1, 1 }, generator: g2) * 2 - 1) * 0.5f;
        var mix = (rand(new long[] { 2, 3, 3 }, generator: g2) * 2 - 1) * 0.2f;
        var m = eye(3).unsqueeze(0) * scale + mix;
        for (int n = 0; n < 2; n++)
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 4; x++)
                    for (int d = 0; d < 3; d++)
                    {
                        double expected = 0;
                        for (int c = 0; c < 3; c++)
                            expected += images[n, c, y, x].item<float>() * m[n, c, d].item<float>();
                        Assert.Equal(Math.Clamp(expected, 0, 1), output[n, d, y, x].item<float>(), 5);
                    }
    }

    [Fact]
    public void PresetsAreTheReferenceValues()
    {
        Assert.Equal(0.5, AugmentationOptions.Contrastive.ZoomFactor, 10);
        Assert.Equal((0.6, 0.2), (AugmentationOptions.Contrastive.Brightness, AugmentationOptions.Contrastive.Jitter));
        Assert.Equal(1 - Math.Sqrt(0.75), AugmentationOptions.Classification.ZoomFactor, 10);
        Assert.Equal((0.3, 0.1), (AugmentationOptions.Classification.Brightness, AugmentationOptions.Classification.Jitter));
        Assert.Equal(0.0, AugmentationOptions.Contrastive.GrayscaleProbability);
    }

    [Fact]
    public void OutOfRangeStrengthIsRejectedByName()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ImageAugmenter(AugmentationOptions.Contrastive with { MinArea = 0 }));
        Assert.Contains("MinArea", error.Message);
    }
}

using SimClr.MLNet.Losses;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

[Collection(LibtorchGlobalState.Name)]
public class EmbeddingSpreadTests
{
    [Fact]
    public void CollapsedEmbeddingsHaveNoSpread()
    {
        TorchRuntime.Seed(17);
        using var scope = NewDisposeScope();
        var direction = randn(1, 8);
        Assert.Equal(0, EmbeddingSpread.Std(direction.expand(32, 8)), 12);
        var lengths = arange(1, 33, dtype: ScalarType.Float32).unsqueeze(1);                // [32, 1]
        Assert.Equal(0, EmbeddingSpread.Std(direction.mul(lengths)), 6);                    // one direction, any length
    }

    [Fact]
    public void RandomEmbeddingsSpreadAboutOneOverRootD()
    {
        TorchRuntime.Seed(18);
        using var scope = NewDisposeScope();
        double spread = EmbeddingSpread.Std(randn(2000, 64));
        Assert.InRange(spread, 0.9 / 8, 1.1 / 8);
    }

    [Fact]
    public void OneRowIsRejectedByName()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("embeddings", Assert.Throws<ArgumentException>(() => EmbeddingSpread.Std(randn(1, 8))).ParamName);
    }
}

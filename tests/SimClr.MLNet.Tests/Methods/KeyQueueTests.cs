using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;
using SimClr.MLNet.Training.Methods;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

[Collection(LibtorchGlobalState.Name)]
public class KeyQueueTests
{
    static KeyQueue NewQueue(long seed, int size = 8, int dim = 2)
    {
        TorchRuntime.Seed(seed);
        return new KeyQueue(size, dim);
    }

    /// <summary>B rows [first, first + 0.5], [first + 1, ...], ...: every enqueued row is recognisable.</summary>
    static Tensor Rows(int count, float first)
        => arange(count, dtype: ScalarType.Float32).add(first).unsqueeze(1).add(tensor(new[] { 0f, 0.5f }));   // [B, 2]

    [Fact]
    public void StartsWithUnitRowsAtPositionZero()
    {
        using var scope = NewDisposeScope();
        using var queue = NewQueue(31);
        Assert.Equal(new long[] { 8, 2 }, queue.Keys.shape);
        Assert.Equal(0, queue.Pointer);
        Assert.Equal(8, queue.Size);
        Assert.True(queue.Keys.norm(1).sub(1).abs().max().item<float>() < 1e-6);
        Assert.Equal(new[] { "keys", "pointer" }, queue.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public void EnqueueWrapsAroundAndReplacesTheOldestRows()
    {
        using var scope = NewDisposeScope();
        using var queue = NewQueue(32);
        var a = Rows(3, 10);
        var b = Rows(3, 20);
        var c = Rows(3, 30).requires_grad_(true);

        queue.Enqueue(a);
        Assert.Equal(3, queue.Pointer);
        queue.Enqueue(b);
        Assert.Equal(6, queue.Pointer);
        queue.Enqueue(c);
        Assert.Equal(1, queue.Pointer);

        // c wrote rows 6, 7 and then 0 (a's oldest row); a's other two rows are now the oldest.
        var expected = cat(new[] { c.narrow(0, 2, 1), a.narrow(0, 1, 2), b, c.narrow(0, 0, 2) }, 0).detach();
        Assert.True(TensorAssert.Same(expected, queue.Keys));
        Assert.False(queue.Keys.requires_grad);
    }

    [Fact]
    public void CheckpointRoundTripIsBitExact()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var saved = NewQueue(33);
        saved.Enqueue(Rows(5, 1));
        var info = new CheckpointInfo { Kind = "pretrain", RunName = "queue", Encoder = EncoderSpec.ReferenceDefault, ClassNames = [] };
        var path = Checkpoint.PathFor(folder.Path, "queue");
        Checkpoint.Save(path, info, new Dictionary<string, nn.Module> { ["queue"] = saved },
            new Dictionary<string, OptimizerHelper>(), new Dictionary<string, Generator>());

        using var restored = NewQueue(34);
        Assert.False(TensorAssert.Same(saved.Keys, restored.Keys));
        Checkpoint.Restore(path, new Dictionary<string, nn.Module> { ["queue"] = restored });

        Assert.True(TensorAssert.Same(saved.Keys, restored.Keys));
        Assert.Equal(5, restored.Pointer);
    }

    [Fact]
    public void StateDictRoundTripIsBitExact()
    {
        using var scope = NewDisposeScope();
        using var saved = NewQueue(35);
        saved.Enqueue(Rows(7, 2));
        using var restored = NewQueue(36);

        restored.load_state_dict(saved.state_dict());

        Assert.True(TensorAssert.Same(saved.Keys, restored.Keys));
        Assert.Equal(7, restored.Pointer);
    }

    [Fact]
    public void BadArgumentsAreRejectedByName()
    {
        using var scope = NewDisposeScope();
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => new KeyQueue(0, 2)).ParamName);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => new KeyQueue(4, 0)).ParamName);
        using var queue = NewQueue(37);
        Assert.Equal("newKeys", Assert.Throws<ArgumentException>(() => queue.Enqueue(zeros(9, 2))).ParamName);
        Assert.Equal("newKeys", Assert.Throws<ArgumentException>(() => queue.Enqueue(zeros(3, 3))).ParamName);
    }
}

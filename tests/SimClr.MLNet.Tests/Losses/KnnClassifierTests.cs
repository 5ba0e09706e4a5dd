using SimClr.MLNet.Losses;
using SimClr.MLNet.Runtime;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Losses;

public class KnnClassifierTests
{
    [Fact]
    public void ClassifiesByTheNearestWeightedNeighbours()
    {
        TorchRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var bank = tensor(new float[] { 1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f, -1, 0 }).reshape(5, 2);
        var bankLabels = tensor(new long[] { 0, 0, 1, 1, 2 });
        var queries = tensor(new float[] { 0.95f, 0.05f, 0.05f, 0.95f, -0.9f, 0.1f }).reshape(3, 2);

        var predicted = KnnClassifier.Predict(queries, bank, bankLabels, classCount: 3, k: 2);

        Assert.Equal(new long[] { 0, 1, 2 }, predicted.data<long>().ToArray());
        Assert.Equal(1.0, KnnClassifier.Accuracy(queries, tensor(new long[] { 0, 1, 2 }), bank, bankLabels, 3, k: 2));
    }
}

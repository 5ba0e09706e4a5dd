using SimClr.MLNet.Models;
using SimClr.MLNet.Runtime;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;
using SimClr.MLNet.Training.Methods;
using static SimClr.MLNet.Tests.Methods.Reference;
using static TorchSharp.torch;

namespace SimClr.MLNet.Tests.Methods;

/// <summary>What SwAV's objective adds to its loss: normalised prototypes, frozen for the first epochs.</summary>
[Collection(LibtorchGlobalState.Name)]
public class SwavObjectiveTests
{
    const int Size = MethodTrainingTests.Size;

    [Theory]
    [InlineData(0, false)]
    [InlineData(5, false)]
    [InlineData(6, true)]
    public void ThePrototypesAreUnitVectorsAndTrainOnlyAfterTheFrozenEpochs(long step, bool trains)
    {
        var options = new PretrainOptions
        {
            Method = PretrainingMethod.Swav, EncoderSpec = MethodTrainingTests.Tiny, ProjectionHiddenDim = 16, ProjectionDim = 8,
            Swav = { Prototypes = 5, FrozenPrototypeEpochs = 2 },
        };
        TorchRuntime.Seed(35);
        using var scope = NewDisposeScope();
        using var encoder = Encoder.Create(MethodTrainingTests.Tiny);
        using var objective = PretrainingObjectives.Create(options, encoder);
        var prototypes = objective.Modules["prototypes"].parameters().Single();   // [5, 8]

        var loss = objective.Forward(encoder, rand(8, 3, Size, Size), 4, zeros(0, dtype: ScalarType.Int64),
            new TrainingProgress(step, StepsPerEpoch: 3, Epochs: 10)).Loss;
        loss.backward();

        Assert.All(Rows(prototypes), row => Assert.Equal(1, Math.Sqrt(Dot(row, row)), 5));
        Assert.Equal(!trains, HasNoGradient(prototypes));
        Assert.False(HasNoGradient(objective.Projector.parameters().First()));
    }
}

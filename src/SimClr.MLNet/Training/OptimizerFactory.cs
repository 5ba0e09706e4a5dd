using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>Builds the optimizer an options object asks for, over groups of parameters with their own rates.</summary>
internal static class OptimizerFactory
{
    /// <summary>One optimizer over <paramref name="groups"/>, each (parameters, learning rate).</summary>
    public static OptimizerHelper Create(TrainingOptions options, params (IEnumerable<Parameter> Parameters, double LearningRate)[] groups)
    {
        var live = groups.Select(g => (Parameters: g.Parameters.ToList(), g.LearningRate)).Where(g => g.Parameters.Count > 0).ToArray();
        double decay = options.WeightDecay;
        return options.Optimizer switch
        {
            OptimizerKind.Adam => (OptimizerHelper)optim.Adam(live.Select(g => new Adam.ParamGroup(g.Parameters, g.LearningRate, weight_decay: decay)), options.LearningRate),
            OptimizerKind.AdamW => optim.AdamW(live.Select(g => new AdamW.ParamGroup(g.Parameters, g.LearningRate, weight_decay: decay)), options.LearningRate),
            OptimizerKind.Sgd => optim.SGD(live.Select(g => new SGD.ParamGroup(g.Parameters, g.LearningRate, momentum: options.Momentum, weight_decay: decay)), options.LearningRate),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
        };
    }

    /// <summary>Sets every group's rate to its initial rate times <paramref name="multiplier"/> (the schedule's shape).</summary>
    public static void ScaleLearningRates(optim.Optimizer optimizer, double multiplier)
    {
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = group.InitialLearningRate * multiplier;
    }
}

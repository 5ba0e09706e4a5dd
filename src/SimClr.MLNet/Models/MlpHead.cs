using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Models;

/// <summary>
/// A multi-layer perceptron head: each hidden layer is Linear, optional BatchNorm, ReLU; the last is Linear,
/// optionally followed by an affine-free BatchNorm. The projectors and predictors of MoCo v2, BYOL, SimSiam,
/// Barlow Twins and SwAV are all of this shape (lightly's heads.py builds them the same way).
/// </summary>
public sealed class MlpHead : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    /// <param name="inputDim">Width of the input.</param>
    /// <param name="hiddenDims">Width of each hidden layer, in order (may be empty).</param>
    /// <param name="outputDim">Width of the output.</param>
    /// <param name="hiddenBatchNorm">BatchNorm after each hidden Linear (BYOL, SimSiam, Barlow Twins, SwAV; not MoCo v2).</param>
    /// <param name="outputBatchNorm">Affine-free BatchNorm on the output (SimSiam's projector).</param>
    public MlpHead(int inputDim, IReadOnlyList<int> hiddenDims, int outputDim, bool hiddenBatchNorm, bool outputBatchNorm = false)
        : base(nameof(MlpHead))
    {
        if (inputDim < 1 || outputDim < 1 || hiddenDims.Any(d => d < 1))
            throw new ArgumentOutOfRangeException(nameof(hiddenDims), "Head widths must be at least 1.");
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        int width = inputDim;
        for (int i = 0; i < hiddenDims.Count; i++)
        {
            modules.Add(($"linear{i}", nn.Linear(width, hiddenDims[i], hasBias: !hiddenBatchNorm)));
            if (hiddenBatchNorm)
                modules.Add(($"norm{i}", nn.BatchNorm1d(hiddenDims[i])));
            modules.Add(($"relu{i}", nn.ReLU()));
            width = hiddenDims[i];
        }
        modules.Add(("output", nn.Linear(width, outputDim, hasBias: !outputBatchNorm)));
        if (outputBatchNorm)
            modules.Add(("output_norm", nn.BatchNorm1d(outputDim, affine: false)));
        layers = nn.Sequential(modules);
        OutputDim = outputDim;
        RegisterComponents();
    }

    /// <summary>Width of the output.</summary>
    public int OutputDim { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => layers.call(input);   // [N, in] -> [N, out]
}

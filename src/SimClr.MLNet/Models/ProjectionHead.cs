using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Models;

/// <summary>
/// SimCLR's projection head g(h): Linear, optional BatchNorm, ReLU, Linear. The contrastive loss is computed on
/// its output; the encoder's features before it are what downstream tasks use (Chen et al., 2020, section 4.2).
/// </summary>
public sealed class ProjectionHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear hidden, output;
    private readonly BatchNorm1d? norm;

    /// <summary>A head from <paramref name="inputDim"/> features to <paramref name="outputDim"/> projections.</summary>
    /// <param name="inputDim">Encoder feature width.</param>
    /// <param name="hiddenDim">Hidden layer width (the reference: the encoder width).</param>
    /// <param name="outputDim">Projection width (the reference: the encoder width).</param>
    /// <param name="batchNorm">BatchNorm after the hidden layer, as in SimCLR v2. The reference has none.</param>
    public ProjectionHead(int inputDim, int hiddenDim, int outputDim, bool batchNorm = false) : base(nameof(ProjectionHead))
    {
        if (inputDim < 1 || hiddenDim < 1 || outputDim < 1)
            throw new ArgumentOutOfRangeException(nameof(hiddenDim), "Projection head widths must be at least 1.");
        hidden = nn.Linear(inputDim, hiddenDim, hasBias: !batchNorm);
        norm = batchNorm ? nn.BatchNorm1d(hiddenDim) : null;
        output = nn.Linear(hiddenDim, outputDim);
        RegisterComponents();
        HasBatchNorm = batchNorm;
    }

    /// <summary>Whether the hidden layer is followed by BatchNorm.</summary>
    public bool HasBatchNorm { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor features)
    {
        var x = hidden.call(features);            // [N, hidden]
        if (norm is not null)
            x = norm.call(x);
        return output.call(nn.functional.relu(x)); // [N, out]
    }
}

using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>Argument checks shared by the losses that compare two [N, D] batches row by row.</summary>
static class PairChecks
{
    /// <summary>Throws unless <paramref name="first"/> is [N, D] with N &gt;= <paramref name="minimumRows"/> and <paramref name="second"/> has its shape.</summary>
    public static void SameRows(Tensor first, Tensor second, string firstName, string secondName, int minimumRows = 1)
    {
        if (first.dim() != 2 || first.shape[0] < minimumRows)
            throw new ArgumentException(
                $"{firstName} must be [N, D] with N >= {minimumRows}; got [{Shape(first)}].", firstName);
        if (!second.shape.SequenceEqual(first.shape))
            throw new ArgumentException($"{secondName} [{Shape(second)}] must have the shape of {firstName} [{Shape(first)}].", secondName);
    }

    public static string Shape(Tensor t) => string.Join(", ", t.shape);
}

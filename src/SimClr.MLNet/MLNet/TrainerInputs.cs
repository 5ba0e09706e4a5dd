using Microsoft.ML;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// What the SimCLR estimators read besides their training data: fitted models to start from or learn from, and the
/// validation images. Errors name the option that gave the value.
/// </summary>
internal static class TrainerInputs
{
    /// <summary>
    /// The TorchSharp encoder inside a fitted SimCLR transformer, or inside a pipeline model holding one; null for
    /// null. <paramref name="option"/> and <paramref name="checkpointOption"/> name the options in errors.
    /// </summary>
    public static Encoder? FindEncoder(ITransformer? transformer, string option, string checkpointOption)
    {
        if (transformer == null)
            return null;
        var found = Find<StockModelTransformer>(transformer)
            ?? throw new ArgumentException(
                $"{option} must be the transformer returned by SimClrPretrain(...).Fit (or a pipeline model containing it). " +
                $"A model loaded from a .zip holds only its ONNX graph; to start from a saved run, set {checkpointOption} to its checkpoint file.",
                option);
        CheckNotDisposed(found.Encoder, option, checkpointOption);
        return found.Encoder;
    }

    /// <summary>The classifier inside a fitted SimClrFineTune (or SimClrDistill) transformer, or inside a pipeline model holding one.</summary>
    public static SimClrClassifierTransformer FindClassifier(ITransformer transformer, string option, string checkpointOption)
    {
        var found = Find<SimClrClassifierTransformer>(transformer)
            ?? throw new ArgumentException(
                $"{option} must be the transformer returned by SimClrFineTune(...).Fit (or a pipeline model containing it). " +
                $"A model loaded from a .zip holds only its ONNX graph; to use a saved run, set {checkpointOption} to its checkpoint file.",
                option);
        CheckNotDisposed(found.Encoder, option, checkpointOption);
        CheckNotDisposed(found.Head, option, checkpointOption);
        return found;
    }

    /// <summary>A classifier given by a fitted transformer or by a checkpoint file, and the option that gave it.</summary>
    /// <param name="Encoder">The classifier's encoder.</param>
    /// <param name="Head">Its linear head.</param>
    /// <param name="ClassNames">The classes, in score order.</param>
    /// <param name="Option">The option that gave it, for messages.</param>
    /// <param name="FromFile">Read from the checkpoint: its modules belong to the caller, which disposes them; a transformer's stay the transformer's.</param>
    public sealed record ClassifierInput(Encoder Encoder, LinearClassifier Head, IReadOnlyList<string> ClassNames, string Option, bool FromFile)
    {
        /// <summary>Frees the modules if this call read them from the file.</summary>
        public void DisposeIfLoaded()
        {
            if (!FromFile)
                return;
            Encoder.Dispose();
            Head.Dispose();
        }
    }

    /// <summary>
    /// The classifier of <paramref name="checkpoint"/> when given, else the one inside <paramref name="transformer"/>
    /// (see <see cref="FindClassifier"/>); the options validated that exactly one is set.
    /// </summary>
    public static ClassifierInput ReadClassifier(ITransformer? transformer, string? checkpoint, string option, string checkpointOption)
    {
        if (checkpoint != null)
        {
            // The info first: a checkpoint that fails there leaves no loaded modules behind to dispose.
            var classNames = Checkpoint.ReadInfo(checkpoint).ClassNames;
            var (encoder, head) = Checkpoint.LoadClassifier(checkpoint);
            return new ClassifierInput(encoder, head, classNames, checkpointOption, FromFile: true);
        }
        var found = FindClassifier(transformer!, option, checkpointOption);
        return new ClassifierInput(found.Encoder, found.Head, found.ClassNames, option, FromFile: false);
    }

    /// <summary>
    /// A disposed TorchSharp module has no parameters left, and copying it fails with libtorch's "state_dict is not
    /// identical". The usual cause is easy to miss: ML.NET's PredictionEngine disposes the transformer it was made from.
    /// </summary>
    static void CheckNotDisposed(TorchSharp.torch.nn.Module module, string option, string checkpointOption)
    {
        if (!module.parameters().Any())
            throw new ArgumentException(
                $"The TorchSharp weights of {option} have been disposed: disposing the transformer frees them, and so does disposing a " +
                "PredictionEngine created from it (unless PredictionEngineOptions.OwnsTransformer is false). The ML.NET model still scores, " +
                $"but cannot be trained from; set {checkpointOption} to its run's checkpoint file instead.", option);
    }

    /// <summary>Labelled images of <paramref name="data"/> at <paramref name="size"/> px, checked to have the columns (ValidationData).</summary>
    public static ImageTensorSet ReadValidation(IDataView data, string imageColumn, string labelColumn, int size)
    {
        ImageSchema.CheckImageColumn(data.Schema, imageColumn, "ValidationData");
        if (data.Schema.GetColumnOrNull(labelColumn) is null)
            throw new ArgumentException($"ValidationData has no label column '{labelColumn}'.", "ValidationData");
        return ImageTensorSet.FromDataView(data, size, imageColumn, labelColumn);
    }

    /// <summary>The first <typeparamref name="T"/> in a transformer or, depth first, in the chains it holds.</summary>
    static T? Find<T>(ITransformer transformer) where T : class, ITransformer => transformer switch
    {
        T found => found,
        IEnumerable<ITransformer> chain => chain.Select(Find<T>).FirstOrDefault(t => t != null),
        _ => null,
    };
}

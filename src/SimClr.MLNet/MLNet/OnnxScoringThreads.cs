using Microsoft.ML.Transforms.Onnx;

namespace Microsoft.ML;

/// <summary>
/// How many threads ONNX Runtime uses inside one scoring call of a saved model. ML.NET scores the rows of a
/// <c>Transform</c> on parallel cursors, about one per core, and ONNX Runtime by default runs each call on a pool of
/// one thread per core as well, so the two together oversubscribe the cores. On a 2-core AVX-512 EPYC,
/// <c>simclr bench scoring --count 2000</c> (an untrained reference classifier, width 128, 96 px) measured 462-641
/// images/s with ONNX Runtime's default threads and 732-778 with one thread per call. The thread count is not part
/// of a saved .zip: ML.NET takes it from the <see cref="MLContext"/> that loads the model (or, for a model a SimClr
/// estimator has just fitted, from the one that fitted it).
/// </summary>
public static class OnnxScoringThreads
{
    /// <summary>
    /// Makes ONNX Runtime use one thread per scoring call in the models this context loads or fits: the setting for
    /// <c>Transform</c> and <c>Evaluate</c> over an <see cref="IDataView"/>, where ML.NET already spreads the rows
    /// over the cores. A lone <c>PredictionEngine</c> scoring one image at a time is faster with ONNX Runtime's
    /// default (one thread per physical core). Keeps the context's other ONNX session options.
    /// </summary>
    public static MLContext UseOneOnnxThreadPerRow(this MLContext ml)
    {
        ArgumentNullException.ThrowIfNull(ml);
        var options = ml.GetOnnxSessionOption() ?? new OnnxSessionOptions();
        options.IntraOpNumThreads = 1;
        ml.SetOnnxSessionOption(options);
        return ml;
    }
}

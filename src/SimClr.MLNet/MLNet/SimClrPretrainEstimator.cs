using Microsoft.ML;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// Self-supervised pretraining (SimCLR, or the method of <see cref="Training.PretrainOptions.Method"/>) as an ML.NET estimator: <c>Fit</c> trains an encoder on the images of the training data (plus
/// <see cref="SimClrPretrainOptions.UnlabeledData"/>), with an online linear probe on the labelled rows, and returns
/// a transformer that adds the encoder's features. Create it with <c>mlContext.Transforms.SimClrPretrain(options)</c>.
/// </summary>
public sealed class SimClrPretrainEstimator : IEstimator<SimClrPretrainTransformer>
{
    readonly MLContextAccess _context;
    readonly SimClrPretrainOptions _options;

    internal SimClrPretrainEstimator(MLContextAccess context, SimClrPretrainOptions options)
    {
        _context = context;
        _options = options;
    }

    /// <summary>Pretrains on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type, or an option is out of range; the message names it.</exception>
    public SimClrPretrainTransformer Fit(IDataView input)
    {
        var options = _options.Copy<SimClrPretrainOptions>();
        options.Validate();
        _context.Apply(options, nameof(SimClrPretrainEstimator));
        ImageSchema.CheckImageColumn(input.Schema, options.ImageColumnName, nameof(options.ImageColumnName));
        if (options.UnlabeledData != null)
            ImageSchema.CheckImageColumn(options.UnlabeledData.Schema, options.ImageColumnName, nameof(options.UnlabeledData));
        var log = _context.Logger("SimClrPretrain");
        int size = options.EncoderSpec.ImageSize;

        string? labelColumn = input.Schema.GetColumnOrNull(options.LabelColumnName) is null ? null : options.LabelColumnName;
        log($"Reading images at {size}x{size} px.");
        using var train = ImageTensorSet.FromDataView(input, size, options.ImageColumnName, labelColumn);
        using var labeled = train.Subset(train.LabeledIndices());
        var withoutLabel = Enumerable.Range(0, train.Count).Where(i => train.Labels[i] < 0).Select(i => (long)i).ToArray();
        using var extra = options.UnlabeledData == null ? null
            : ImageTensorSet.FromDataView(options.UnlabeledData, size, options.ImageColumnName, labelColumn: null, classNames: train.ClassNames);
        using var trainUnlabeled = train.Subset(withoutLabel);
        using var unlabeled = extra == null ? null : withoutLabel.Length == 0 ? null : ImageTensorSet.Concat(new[] { extra, trainUnlabeled });
        using var validation = options.ValidationData == null ? null : TrainerInputs.ReadValidation(options.ValidationData, options.ImageColumnName, options.LabelColumnName, size);
        log($"Pretraining on {(unlabeled ?? extra ?? trainUnlabeled).Count + labeled.Count:N0} images ({labeled.Count:N0} labelled).");

        var result = new SelfSupervisedPretrainer(options, log).Fit(unlabeled ?? extra ?? trainUnlabeled, labeled, validation);
        result.DisposeMethodModules();
        result.Probe?.Dispose();
        var model = StockScoringModels.FeatureExtractor(result.Encoder, options.ImageColumnName, options.FeatureColumnName, options.GpuDeviceId, options.FallbackToCpu,
            _context.OnnxSessionOptions);
        return new SimClrPretrainTransformer(model, options.ImageColumnName, options.FeatureColumnName, result.Encoder, result.History, train.ClassNames);
    }

    /// <summary>The input schema plus the features column (a known-size float vector).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ImageSchema.CheckImageColumn(inputSchema, _options.ImageColumnName, nameof(SimClrPretrainOptions.ImageColumnName));
        return SchemaShapes.WithFloatVector(inputSchema, _options.FeatureColumnName, _options.ImageColumnName);
    }
}

using SimClr.MLNet.MLNet;

// In Microsoft.ML, as ML.NET's ImageEstimatorsCatalog is, so that `using Microsoft.ML;` finds the extensions.
namespace Microsoft.ML;

/// <summary>SimCLR estimators, as extensions of ML.NET's catalogs.</summary>
public static class SimClrCatalog
{
    /// <summary>
    /// Self-supervised pretraining with an online linear probe: SimCLR (Chen et al., 2020) by default, or MoCo v2,
    /// BYOL, SimSiam, Barlow Twins or SwAV (<see cref="SimClr.MLNet.Training.PretrainOptions.Method"/>). <c>Fit</c> learns an image
    /// encoder from the input's images (plus <see cref="SimClrPretrainOptions.UnlabeledData"/>); the fitted
    /// transformer adds <see cref="SimClrPretrainOptions.FeatureColumnName"/> ("Features"), a float vector of the
    /// encoder's width, computed from <see cref="SimClrPretrainOptions.ImageColumnName"/> ("Image", MLImage).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Hyperparameters and columns; null uses the reference's defaults.</param>
    public static SimClrPretrainEstimator SimClrPretrain(this TransformsCatalog catalog, SimClrPretrainOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SimClrPretrainEstimator(MLContextAccess.From(catalog), options ?? new SimClrPretrainOptions());
    }

    /// <summary>
    /// A multiclass classifier over images: fine-tunes <see cref="SimClrFineTuneOptions.Encoder"/> (a fitted
    /// SimClrPretrain transformer) with a new linear head, or trains from scratch without one (the supervised
    /// baseline). Outputs <c>Score</c> (float per class) and <c>PredictedLabel</c> (key with the class names).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">Hyperparameters, encoder and columns; null trains the baseline with the reference's defaults.</param>
    public static SimClrFineTuneTrainer SimClrFineTune(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, SimClrFineTuneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SimClrFineTuneTrainer(MLContextAccess.From(catalog), options ?? new SimClrFineTuneOptions());
    }

    /// <summary>
    /// A multiclass classifier over images by knowledge distillation, SimCLRv2's third step (Chen et al., 2020):
    /// <see cref="SimClrDistillOptions.Teacher"/> (a fitted SimClrFineTune transformer) labels
    /// <see cref="SimClrDistillOptions.UnlabeledData"/> and the training images with its softened predictions, and a
    /// student of the teacher's architecture (from <see cref="SimClrDistillOptions.StudentEncoder"/>, a fitted
    /// SimClrPretrain transformer, or from scratch) learns from them plus the training labels. Outputs <c>Score</c>
    /// (float per class) and <c>PredictedLabel</c> (key with the class names), like SimClrFineTune.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">Teacher, unlabelled data, hyperparameters, student start and columns; Teacher (or TeacherCheckpoint) and UnlabeledData are required.</param>
    public static SimClrDistillTrainer SimClrDistill(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, SimClrDistillOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new SimClrDistillTrainer(MLContextAccess.From(catalog), options);
    }
}

using SimClr.MLNet.Training;

namespace SimClr.Cli.Pipelines;

/// <summary>One finished experiment: its history, its saved model and that model's score on the validation data.</summary>
/// <param name="Name">baseline, pretrain or finetune.</param>
/// <param name="Title">What the experiment is, for tables and plot legends.</param>
/// <param name="AccuracyMetric">The history's validation accuracy metric (val_acc, or val_p_acc for the probe).</param>
/// <param name="LossMetric">The history's validation loss metric.</param>
/// <param name="History">Per-epoch metrics.</param>
/// <param name="Seconds">Training wall time.</param>
/// <param name="ModelFile">The saved ML.NET model.</param>
/// <param name="Evaluation">MulticlassClassification.Evaluate of the saved model on the validation data.</param>
public sealed record ExperimentResult(string Name, string Title, string AccuracyMetric, string LossMetric, TrainingHistory History,
    double Seconds, string ModelFile, ModelEvaluation Evaluation)
{
    public double MaxAccuracy => History.Series(AccuracyMetric).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
    public double FinalAccuracy => History.Epochs.Count == 0 ? double.NaN : History.Epochs[^1][AccuracyMetric];
}

/// <summary>Accuracy and confusion matrix of a saved model, from ML.NET's evaluator.</summary>
public sealed record ModelEvaluation(double MicroAccuracy, double MacroAccuracy, double LogLoss, IReadOnlyList<IReadOnlyList<double>> ConfusionCounts, IReadOnlyList<string> ClassNames);

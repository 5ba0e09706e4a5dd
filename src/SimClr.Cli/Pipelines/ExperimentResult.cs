using SimClr.MLNet.Training;

namespace SimClr.Cli.Pipelines;

/// <summary>One finished run of an experiment: its history, its saved model and that model's score on the validation data.</summary>
/// <param name="Run">Which experiment, which repeat.</param>
/// <param name="History">Per-epoch metrics.</param>
/// <param name="Seconds">Training wall time.</param>
/// <param name="ModelFile">The saved ML.NET model.</param>
/// <param name="Evaluation">MulticlassClassification.Evaluate of the saved model on the validation data.</param>
/// <param name="Precision">The number format it trained in, and why.</param>
/// <param name="Method">The self-supervised method behind pretrain, finetune and distill, as written in reports ("SimCLR", "BYOL").</param>
public sealed record ExperimentResult(ExperimentRun Run, TrainingHistory History, double Seconds, string ModelFile, ModelEvaluation Evaluation,
    PrecisionChoice Precision, string Method = "SimCLR")
{
    /// <summary>The run's name: baseline, baseline-2, pretrain, finetune, distill, ...</summary>
    public string Name => Run.Name;

    /// <summary>baseline, pretrain, finetune or distill.</summary>
    public string Experiment => Run.Experiment;

    /// <summary>What the experiment is, for tables and plot legends.</summary>
    public string Title => Titles(Run.Experiment, Method);

    /// <summary>The title, with the seed after the first: "Supervised baseline, seed 2".</summary>
    public string Label => Run.Repeat == 1 ? Title : $"{Title}, seed {Run.Repeat}";

    /// <summary>The history's validation accuracy metric: val_acc, or val_p_acc for pretraining's probe.</summary>
    public string AccuracyMetric => Run.Experiment == "pretrain" ? "val_p_acc" : "val_acc";

    /// <summary>The history's validation loss metric.</summary>
    public string LossMetric => Run.Experiment == "pretrain" ? "val_p_loss" : "val_loss";

    public double MaxAccuracy => History.Series(AccuracyMetric).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
    public double FinalAccuracy => History.Epochs.Count == 0 ? double.NaN : History.Epochs[^1][AccuracyMetric];

    /// <summary>The title of an experiment whose pretraining used <paramref name="method"/>.</summary>
    public static string Titles(string experiment, string method = "SimCLR") => experiment switch
    {
        "baseline" => "Supervised baseline",
        "pretrain" => $"{method} + linear probe",
        "finetune" => $"{method} fine-tuned",
        "distill" => $"{method} distilled",
        _ => experiment,
    };
}

/// <summary>Accuracy and confusion matrix of a saved model, from ML.NET's evaluator.</summary>
public sealed record ModelEvaluation(double MicroAccuracy, double MacroAccuracy, double LogLoss, IReadOnlyList<IReadOnlyList<double>> ConfusionCounts, IReadOnlyList<string> ClassNames);

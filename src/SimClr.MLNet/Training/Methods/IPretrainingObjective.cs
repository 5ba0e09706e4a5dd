using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training.Methods;

/// <summary>
/// What is specific to one self-supervised method: its heads, its loss, and an optional momentum target or queue.
/// <see cref="SelfSupervisedRun"/> supplies everything else (batches, views, optimizer, probe, monitors, checkpoints).
/// </summary>
internal interface IPretrainingObjective : IDisposable
{
    /// <summary>The method's modules, saved in checkpoints by these names (targets and queues included).</summary>
    IReadOnlyDictionary<string, nn.Module> Modules { get; }

    /// <summary>Parameters trained with the encoder, by the same optimizer.</summary>
    IEnumerable<Parameter> TrainableParameters { get; }

    /// <summary>The projector on top of the encoder (handed out as <see cref="PretrainResult.ProjectionHead"/>).</summary>
    nn.Module<Tensor, Tensor> Projector { get; }

    /// <summary>Width of the embeddings the loss compares, for the collapse monitor's 1/sqrt(d).</summary>
    int EmbeddingDim { get; }

    /// <summary>Settings a resumed run must share with its checkpoint.</summary>
    IReadOnlyDictionary<string, string> Fingerprint { get; }

    /// <summary>
    /// The loss of one step: <paramref name="views"/> is [2n, 3, S, S], the first view of n images then the second;
    /// the last l of the n images are labelled, with 0-based classes <paramref name="labels"/> [l] (l may be 0).
    /// Runs before the optimizer step.
    /// </summary>
    ObjectiveStep Forward(Encoder encoder, Tensor views, long n, Tensor labels, TrainingProgress progress);

    /// <summary>Throws, naming the option, if the method cannot train on this many images per step.</summary>
    void CheckImagesPerStep(long imagesPerStep) { }
}

/// <summary>Where a step stands in the whole run (0-based), for schedules such as BYOL's momentum and SwAV's frozen prototypes.</summary>
internal readonly record struct TrainingProgress(long Step, long StepsPerEpoch, int Epochs)
{
    /// <summary>Steps in the whole run.</summary>
    public long TotalSteps => StepsPerEpoch * Epochs;

    /// <summary>The 0-based epoch of <see cref="Step"/>.</summary>
    public long Epoch => Step / StepsPerEpoch;
}

/// <summary>One step of an objective.</summary>
/// <param name="Loss">The scalar to minimise.</param>
/// <param name="Embeddings">The first view's embeddings the loss compares ([n, d]), for the collapse monitor.</param>
/// <param name="AfterOptimizerStep">Runs after the optimizer step (a momentum update, an enqueue), or null.</param>
/// <param name="Metrics">The method's own metrics, computed after the optimizer step, or null.</param>
internal sealed record ObjectiveStep(Tensor Loss, Tensor Embeddings, Action? AfterOptimizerStep = null, Func<IEnumerable<StepMetric>>? Metrics = null);

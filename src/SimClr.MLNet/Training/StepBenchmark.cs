using System.Diagnostics;
using SimClr.MLNet.Models;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>The result of timing training steps: the median step, the throughput and where the time went.</summary>
/// <param name="MedianSeconds">The median timed step.</param>
/// <param name="ImagesPerStep">Images each step trains on (pretraining sees each in two views).</param>
/// <param name="PhaseFractions">Share of all timed steps' wall time per phase (data, augmentation, forward, ...), in order.</param>
public sealed record StepBenchmarkResult(double MedianSeconds, int ImagesPerStep, IReadOnlyList<(string Phase, double Fraction)> PhaseFractions)
{
    /// <summary>Images per second at the median step.</summary>
    public double ImagesPerSecond => ImagesPerStep / MedianSeconds;
}

/// <summary>
/// Times real training steps (the ones <see cref="SelfSupervisedPretrainer"/>, <see cref="SupervisedTrainer"/> and
/// <see cref="SimClrDistiller"/> run) on random images, after one warm-up step for first-call allocations and
/// oneDNN's kernel choice. Behind <c>simclr bench pretrain|supervised|distill</c>; speed goals live here, not in tests.
/// </summary>
public static class StepBenchmark
{
    /// <summary>Pretraining steps of <paramref name="unlabeled"/> + <paramref name="labeled"/> images with <paramref name="options"/>' method, encoder and precision.</summary>
    public static StepBenchmarkResult Pretrain(PretrainOptions options, int unlabeled, int labeled, int steps, CancellationToken cancellation = default)
    {
        var run = (PretrainOptions)Prepare(options, unlabeled + labeled);
        var pool = RandomImages.Create(unlabeled + labeled, run.EncoderSpec.ImageSize);
        using var pretraining = new SelfSupervisedRun(run, pool.Set, pool.Set, null, CPU);
        return Measure(steps, unlabeled + labeled, pool, timer =>
        {
            var (u, _) = pool.Set.Gather(pool.Rows(unlabeled));
            var (l, y) = pool.Set.Gather(pool.Rows(labeled));
            // A step of the second epoch: SwAV's prototypes are frozen in the first, and train in the rest of a run.
            pretraining.TrainStep(u, l, y, new Methods.TrainingProgress(Step: 1, StepsPerEpoch: 1, Epochs: 2), timer);
        }, cancellation);
    }

    /// <summary>Supervised steps of <paramref name="images"/> labelled images on a new encoder of <paramref name="encoder"/>.</summary>
    public static StepBenchmarkResult Supervised(SupervisedOptions options, EncoderSpec encoder, int images, int steps, CancellationToken cancellation = default)
    {
        var run = (SupervisedOptions)Prepare(options, images);
        run.EncoderSpec = encoder;
        var pool = RandomImages.Create(images, encoder.ImageSize);
        using var supervised = new SupervisedRun(run, pool.Set, null, CPU, pretrained: null);
        return Measure(steps, images, pool, timer =>
        {
            var (x, y) = pool.Set.Gather(pool.Rows(images));
            supervised.TrainStep(x, y, timer);
        }, cancellation);
    }

    /// <summary>
    /// Distillation steps of <paramref name="images"/> images into a new student of <paramref name="encoder"/> from an
    /// untrained teacher of <paramref name="teacher"/> (default: the student's encoder). With
    /// <see cref="DistillTargets.Once"/> the cached probabilities are gathered per batch (random ones here, which cost
    /// the same); with PerStep the teacher scores every augmented batch.
    /// </summary>
    public static StepBenchmarkResult Distill(DistillOptions options, EncoderSpec encoder, int images, int steps, CancellationToken cancellation = default,
        EncoderSpec? teacher = null)
    {
        var run = (DistillOptions)Prepare(options, images);
        var pool = RandomImages.Create(images, encoder.ImageSize);
        using var teacherEncoder = Encoder.Create(teacher ?? encoder);
        using var teacherHead = new LinearClassifier(teacherEncoder.FeatureDim, pool.Set.ClassNames.Count);
        using var distillation = new DistillRun(run, pool.Set, pool.Set, null, CPU, teacherEncoder, teacherHead, studentStart: null, studentSpec: encoder);
        using var cached = softmax(randn(pool.Set.Count, pool.Set.ClassNames.Count), 1);
        return Measure(steps, images, pool, timer =>
        {
            var rows = pool.Rows(images);
            var (x, y) = pool.Set.Gather(rows);
            distillation.TrainStep(x, y, run.Targets == DistillTargets.Once ? cached.index_select(0, tensor(rows)) : null, timer);
        }, cancellation);
    }

    static TrainingOptions Prepare(TrainingOptions options, int imagesPerStep)
    {
        if (options.Precision == ComputePrecision.Auto)
            throw new ArgumentException("A benchmark measures one precision; use Float32 or BFloat16.", nameof(options));
        Runtime.TorchRuntime.Seed(1);
        var run = options.Copy<TrainingOptions>();
        run.Epochs = 1;
        switch (run)
        {
            case PretrainOptions p: p.BatchSize = imagesPerStep; break;
            case SupervisedOptions s: s.BatchSize = imagesPerStep; break;
        }
        return run;
    }

    static StepBenchmarkResult Measure(int steps, int imagesPerStep, RandomImages pool, Action<PhaseTimer> step, CancellationToken cancellation)
    {
        using (pool)
        {
            var timer = new PhaseTimer();
            void Step()
            {
                using var pause = Runtime.FinalizerPause.Begin();
                using var scope = NewDisposeScope();
                timer.Start("data");
                step(timer);
            }
            Step();
            timer.Reset();
            var times = new List<double>();
            for (int i = 0; i < steps; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                var watch = Stopwatch.StartNew();
                Step();
                times.Add(watch.Elapsed.TotalSeconds);
            }
            times.Sort();
            double total = times.Sum();
            return new StepBenchmarkResult(times[times.Count / 2], imagesPerStep,
                timer.Totals.Select(kv => (kv.Key, kv.Value.TotalSeconds / total)).ToList());
        }
    }

    /// <summary>Twice the images one step needs, so every step gathers a different random batch, as real training does.</summary>
    sealed class RandomImages : IDisposable
    {
        readonly Random _random = new(1);

        RandomImages(ImageTensorSet set) => Set = set;

        public ImageTensorSet Set { get; }

        public static RandomImages Create(int imagesPerStep, int size)
        {
            int count = Math.Max(2, 2 * imagesPerStep);
            return new RandomImages(new ImageTensorSet(randint(0, 256, new long[] { count, 3, size, size }, ScalarType.Byte),
                Enumerable.Range(0, count).Select(i => (long)(i % 10)).ToArray(), Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray()));
        }

        public long[] Rows(int count) => Enumerable.Range(0, count).Select(_ => (long)_random.Next(Set.Count)).ToArray();

        public void Dispose() => Set.Dispose();
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;
using SimClr.MLNet.Augmentation;
using SimClr.MLNet.Data;
using SimClr.MLNet.MLNet;
using SimClr.MLNet.Models;
using SimClr.MLNet.Tests.Support;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.Tests.MLNet;

/// <summary>The estimators as a .NET developer uses them, on a tiny STL-10-format toy task.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class EstimatorTests : IClassFixture<EstimatorTests.Fixture>
{
    /// <summary>Small, fast settings: width 8 at 32x32 (the 96x96 STL-10 images are resized).</summary>
    static readonly EncoderSpec Small = new(EncoderArchitecture.Reference, 8, 32);

    public sealed class Fixture : IDisposable
    {
        public Fixture()
        {
            ToyStl10.Write(Directory.Path, train: 60, test: 30, unlabeled: 60);
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadStl10(Directory.Path, Stl10Split.Train);
            var unlabeled = ml.Data.LoadStl10(Directory.Path, Stl10Split.Unlabeled);
            Encoder = ml.Transforms.SimClrPretrain(Pretrain(unlabeled)).Fit(train);
            FineTuned = ml.MulticlassClassification.Trainers.SimClrFineTune(FineTune(Encoder)).Fit(train);
        }

        public TempDirectory Directory { get; } = new();
        public SimClrPretrainTransformer Encoder { get; }
        public SimClrClassifierTransformer FineTuned { get; }

        public void Dispose()
        {
            Encoder.Dispose();
            FineTuned.Dispose();
            Directory.Dispose();
        }
    }

    readonly Fixture _fixture;
    readonly MLContext _ml = new(seed: 1);

    public EstimatorTests(Fixture fixture) => _fixture = fixture;

    static SimClrPretrainOptions Pretrain(IDataView? unlabeled) => new()
    {
        UnlabeledData = unlabeled, EncoderSpec = Small, Epochs = 2, BatchSize = 40, KnnNeighbors = 3,
    };

    static SimClrFineTuneOptions FineTune(ITransformer? encoder) => new()
    {
        Encoder = encoder, EncoderSpec = encoder == null ? Small : null, Epochs = 6, BatchSize = 10,
    };

    IDataView Load(Stl10Split split) => _ml.Data.LoadStl10(_fixture.Directory.Path, split);

    [Fact]
    public void SimClrFeaturesFeedAStockTrainerAsALinearProbe()
    {
        var pipeline = _ml.Transforms.SimClrPretrain(Pretrain(Load(Stl10Split.Unlabeled)))
            .Append(_ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(featureColumnName: "Features"))
            .Append(_ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        var probeModel = pipeline.Fit(Load(Stl10Split.Train));
        var scored = probeModel.Transform(Load(Stl10Split.Test));

        Assert.Equal(8, ((VectorDataViewType)scored.Schema["Features"].Type).Size);
        var predicted = DataViewReading.Column<ReadOnlyMemory<char>>(scored, "PredictedLabel").Select(p => p.ToString()).ToList();
        Assert.All(predicted, p => Assert.Contains(p, ToyStl10.ClassNames));
    }

    [Fact]
    public void FineTunedModelBeatsChanceAndEvaluatesLikeAnyMLNetClassifier()
    {
        var scored = _fixture.FineTuned.Transform(Load(Stl10Split.Test));
        var metrics = _ml.MulticlassClassification.Evaluate(scored);

        Assert.True(metrics.MicroAccuracy > 0.6, $"accuracy {metrics.MicroAccuracy}");
        Assert.Equal(3, metrics.ConfusionMatrix.NumberOfClasses);
        Assert.Equal(3, ((VectorDataViewType)scored.Schema["Score"].Type).Size);
        var predictedType = (KeyDataViewType)scored.Schema["PredictedLabel"].Type;
        Assert.Equal(3ul, predictedType.Count);
        Assert.Equal(ToyStl10.ClassNames, ImageColumns.GetClassNames(scored.Schema["PredictedLabel"]));
        var names = _ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(scored).Transform(scored);
        Assert.All(DataViewReading.Column<ReadOnlyMemory<char>>(names, "PredictedLabel"), n => Assert.Contains(n.ToString(), ToyStl10.ClassNames));
        Assert.Equal(6, _fixture.FineTuned.History.Epochs.Count);
    }

    [Fact]
    public void ScoreIsTheHeadsSoftmaxAndPredictedLabelItsArgmax()
    {
        var scored = _fixture.FineTuned.Transform(Load(Stl10Split.Test));
        var scores = DataViewReading.Column<VBuffer<float>>(scored, "Score");
        var predicted = DataViewReading.Column<uint>(scored, "PredictedLabel");
        for (int i = 0; i < scores.Count; i++)
        {
            var values = scores[i].DenseValues().ToArray();
            Assert.Equal(1.0, values.Sum(), 4);
            Assert.Equal((uint)Array.IndexOf(values, values.Max()) + 1, predicted[i]);
        }
    }

    [Fact]
    public void TheSupervisedBaselineTrainsFromScratch()
    {
        using var baseline = _ml.MulticlassClassification.Trainers.SimClrFineTune(FineTune(null)).Fit(Load(Stl10Split.Train));
        var metrics = _ml.MulticlassClassification.Evaluate(baseline.Transform(Load(Stl10Split.Test)));
        Assert.True(metrics.MicroAccuracy > 0.5, $"accuracy {metrics.MicroAccuracy}");
    }

    [Fact]
    public void SavedModelsLoadInANewContextAndScoreTheSame()
    {
        var test = Load(Stl10Split.Test);
        foreach (var (model, column) in new (ITransformer, string)[] { (_fixture.FineTuned, "Score"), (_fixture.Encoder, "Features") })
        {
            var path = _fixture.Directory.Combine($"{column}.zip");
            _ml.Model.Save(model, test.Schema, path);
            var other = new MLContext(seed: 7);
            using var loaded = Assert.IsType<TransformerChain<ITransformer>>(other.Model.Load(path, out _));

            var before = DataViewReading.Column<VBuffer<float>>(model.Transform(test), column);
            var after = DataViewReading.Column<VBuffer<float>>(loaded.Transform(other.Data.LoadStl10(_fixture.Directory.Path, Stl10Split.Test)), column);
            double maxDiff = before.Zip(after).SelectMany(p => p.First.DenseValues().Zip(p.Second.DenseValues(), (a, b) => Math.Abs(a - b))).Max();
            Assert.True(maxDiff <= 1e-4, $"{column}: max |diff| {maxDiff}");
        }
    }

    [Fact]
    public void AFittedModelScoresWithItsContextsOnnxSessionOptionsAndALoadedOneWithTheLoaders()
    {
        int sessions = 0;
        var fitting = new MLContext(seed: 1);
        fitting.SetOnnxSessionOption(new OnnxSessionOptions { CreateSessionOptions = () => { sessions++; return new SessionOptions(); } });
        using var fitted = fitting.MulticlassClassification.Trainers.SimClrFineTune(FineTune(null)).Fit(Load(Stl10Split.Train));
        Assert.True(sessions > 0, "the fitted model's ONNX session ignored the fitting context's session options");

        var test = Load(Stl10Split.Test);
        var path = _fixture.Directory.Combine("threads.zip");
        fitting.Model.Save(fitted, test.Schema, path);
        var loading = new MLContext(seed: 2);
        loading.SetOnnxSessionOption(new OnnxSessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC });
        loading.UseOneOnnxThreadPerRow();
        Assert.Equal(1, loading.GetOnnxSessionOption().IntraOpNumThreads);
        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_BASIC, loading.GetOnnxSessionOption().GraphOptimizationLevel);   // the others are kept
        using var loaded = (TransformerChain<ITransformer>)loading.Model.Load(path, out _);

        var before = DataViewReading.Column<VBuffer<float>>(fitted.Transform(test), "Score");
        var after = DataViewReading.Column<VBuffer<float>>(loaded.Transform(test), "Score");
        double maxDiff = before.Zip(after).SelectMany(p => p.First.DenseValues().Zip(p.Second.DenseValues(), (a, b) => Math.Abs(a - b))).Max();
        Assert.True(maxDiff <= 1e-5, $"one thread per row changed the scores: max |diff| {maxDiff}");
    }

    [Fact]
    public void PredictionEngineServesTheModel()
    {
        // A PredictionEngine disposes the transformer it owns, TorchSharp modules included; the fixture's is shared.
        using var engine = _ml.Model.CreatePredictionEngine<ImageInput, Prediction>(_fixture.FineTuned, new PredictionEngineOptions { OwnsTransformer = false });
        var planes = ToyStl10.Image(0, 2, 9);
        var bgra = new byte[96 * 96 * 4];
        for (int p = 0; p < 96 * 96; p++)
        {
            bgra[4 * p] = planes[2 * 96 * 96 + p];
            bgra[4 * p + 1] = planes[96 * 96 + p];
            bgra[4 * p + 2] = planes[p];
            bgra[4 * p + 3] = 255;
        }
        var prediction = engine.Predict(new ImageInput { Image = MLImage.CreateFromPixels(96, 96, MLPixelFormat.Bgra32, bgra) });
        Assert.Equal(3, prediction.Score.Length);
        Assert.InRange(prediction.PredictedLabel, 1u, 3u);
    }

    SimClrDistillOptions Distill(ITransformer? teacher, ITransformer? student) => new()
    {
        Teacher = teacher, StudentEncoder = student, UnlabeledData = Load(Stl10Split.Unlabeled), Epochs = 8, BatchSize = 20, LearningRate = 3e-3,
    };

    [Fact]
    public void DistillationFromTheFineTunedModelScoresEvaluatesAndSavesLikeAnyMLNetClassifier()
    {
        var test = Load(Stl10Split.Test);
        var teacherBefore = _fixture.FineTuned.Encoder.parameters().Concat(_fixture.FineTuned.Head.parameters()).Select(p => p.detach().clone()).ToList();
        var trainer = _ml.MulticlassClassification.Trainers.SimClrDistill(Distill(_fixture.FineTuned, _fixture.Encoder));
        var shape = trainer.GetOutputSchema(SchemaShapeOf(Load(Stl10Split.Train)));
        Assert.Contains(shape, c => c.Name == "Score" && c.Kind == SchemaShape.Column.VectorKind.Vector);
        Assert.Contains(shape, c => c.Name == "PredictedLabel" && c.IsKey);

        using var distilled = trainer.Fit(Load(Stl10Split.Train));

        var scored = distilled.Transform(test);
        Assert.Equal(3, ((VectorDataViewType)scored.Schema["Score"].Type).Size);
        Assert.Equal(ToyStl10.ClassNames, ImageColumns.GetClassNames(scored.Schema["PredictedLabel"]));
        var metrics = _ml.MulticlassClassification.Evaluate(scored);
        Assert.True(metrics.MicroAccuracy > 0.8, $"accuracy {metrics.MicroAccuracy}");
        var teacher = DataViewReading.Column<uint>(_fixture.FineTuned.Transform(test), "PredictedLabel");
        var student = DataViewReading.Column<uint>(scored, "PredictedLabel");
        double agreement = teacher.Zip(student, (t, s) => t == s ? 1.0 : 0).Average();
        Assert.True(agreement >= 0.8, $"the student agrees with the teacher on {agreement:P0} of the test images");
        Assert.Equal(8, distilled.History.Epochs.Count);
        Assert.Contains("agree", distilled.History.MetricNames);
        Assert.All(teacherBefore.Zip(_fixture.FineTuned.Encoder.parameters().Concat(_fixture.FineTuned.Head.parameters())),
            pair => Assert.True(TensorAssert.Same(pair.First, pair.Second)));

        var path = _fixture.Directory.Combine("distilled.zip");
        _ml.Model.Save(distilled, test.Schema, path);
        var other = new MLContext(seed: 7);
        using var loaded = Assert.IsType<TransformerChain<ITransformer>>(other.Model.Load(path, out _));
        var before = DataViewReading.Column<VBuffer<float>>(scored, "Score");
        var after = DataViewReading.Column<VBuffer<float>>(loaded.Transform(other.Data.LoadStl10(_fixture.Directory.Path, Stl10Split.Test)), "Score");
        Assert.Equal(before.Count, after.Count);
        double maxDiff = before.Zip(after).SelectMany(p => p.First.DenseValues().Zip(p.Second.DenseValues(), (a, b) => Math.Abs(a - b))).Max();
        Assert.True(maxDiff <= 1e-4, $"Score: max |diff| {maxDiff}");
        // Not the teacher's scores: the saved model is the student.
        var teacherScores = DataViewReading.Column<VBuffer<float>>(_fixture.FineTuned.Transform(test), "Score");
        Assert.True(teacherScores.Zip(after).SelectMany(p => p.First.DenseValues().Zip(p.Second.DenseValues(), (a, b) => Math.Abs(a - b))).Max() > 1e-3);
    }

    /// <summary>The student from scratch is half the teacher's width: SimCLRv2 distils a big network into a small one.</summary>
    [Fact]
    public void DistillationTakesTheTeacherFromACheckpointAndTrainsASmallerStudentFromScratch()
    {
        var options = FineTune(null);
        options.Epochs = 1;
        options.CheckpointDirectory = _fixture.Directory.Combine("teacher-checkpoint");
        var baseline = _ml.MulticlassClassification.Trainers.SimClrFineTune(options).Fit(Load(Stl10Split.Train));
        // A PredictionEngine that owns its transformer disposes it, TorchSharp weights included: only the checkpoint is left to distil from.
        _ml.Model.CreatePredictionEngine<ImageInput, Prediction>(baseline).Dispose();
        var disposed = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.SimClrDistill(Distill(baseline, null)).Fit(Load(Stl10Split.Train)));
        Assert.Equal("Teacher", disposed.ParamName);
        Assert.Contains("disposed", disposed.Message);
        Assert.Contains("TeacherCheckpoint", disposed.Message);
        var distill = Distill(null, null);
        distill.TeacherCheckpoint = SimClr.MLNet.Training.Checkpoint.PathFor(options.CheckpointDirectory, "baseline");
        distill.Epochs = 1;
        distill.EncoderSpec = Small with { Width = Small.Width / 2 };
        var messages = new List<string>();
        var ml = new MLContext(seed: 2);
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };

        using var distilled = ml.MulticlassClassification.Trainers.SimClrDistill(distill).Fit(Load(Stl10Split.Train));

        Assert.Equal(Small with { Width = Small.Width / 2 }, distilled.Encoder.Spec);
        Assert.Single(distilled.History.Epochs);
        var scores = DataViewReading.Column<VBuffer<float>>(distilled.Transform(Load(Stl10Split.Test)), "Score");
        Assert.All(scores, score => Assert.Equal(3, score.Length));
        lock (messages)
        {
            Assert.Contains(messages, m => m.Contains("60 unlabelled + 60 labelled") && m.Contains("width 4 at 32 px (teacher: Reference width 8)") && m.Contains("student from scratch"));
            Assert.Contains(messages, m => m.Contains("distill: teacher targets for 120 images"));
        }
    }

    [Fact]
    public void DistillationCanStartTheStudentFromTheTeachersWeights()
    {
        var distill = Distill(_fixture.FineTuned, null);
        distill.StudentFromTeacher = true;
        distill.Epochs = 1;
        var messages = new List<string>();
        var ml = new MLContext(seed: 2);
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };

        using var distilled = ml.MulticlassClassification.Trainers.SimClrDistill(distill).Fit(Load(Stl10Split.Train));
        var scratch = Distill(_fixture.FineTuned, null);
        scratch.Epochs = 1;
        using var fromScratch = _ml.MulticlassClassification.Trainers.SimClrDistill(scratch).Fit(Load(Stl10Split.Train));

        lock (messages)
            Assert.Contains(messages, m => m.Contains("student from a given classifier (encoder and head)"));
        double teacherStart = distilled.History.Series("agree")[0], scratchStart = fromScratch.History.Series("agree")[0];
        Assert.True(teacherStart > scratchStart + 0.2, $"first-epoch agreement with the teacher: from its weights {teacherStart:F2}, from scratch {scratchStart:F2}");
    }

    /// <summary>
    /// A student can start from another classifier, the baseline of its size, given as a fitted transformer or as its
    /// checkpoint. At a learning rate this small training leaves the head as it started (BatchNorm's statistics still
    /// move, so encoders are not compared), so the student's head is the baseline's, and not the teacher's.
    /// </summary>
    [Fact]
    public void DistillationCanStartTheStudentFromAnotherClassifier()
    {
        var baselineOptions = FineTune(null);
        baselineOptions.Epochs = 1;
        baselineOptions.CheckpointDirectory = _fixture.Directory.Combine("student-checkpoint");
        using var baseline = _ml.MulticlassClassification.Trainers.SimClrFineTune(baselineOptions).Fit(Load(Stl10Split.Train));
        static float[] Weights(SimClr.MLNet.Models.LinearClassifier head) => head.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
        var baselineHead = Weights(baseline.Head);
        Assert.NotEqual(Weights(_fixture.FineTuned.Head), baselineHead);

        var fromTransformer = Distill(_fixture.FineTuned, null);
        fromTransformer.StudentClassifier = baseline;
        var fromCheckpoint = Distill(_fixture.FineTuned, null);
        fromCheckpoint.StudentClassifierCheckpoint = SimClr.MLNet.Training.Checkpoint.PathFor(baselineOptions.CheckpointDirectory, "baseline");
        foreach (var options in new[] { fromTransformer, fromCheckpoint })
        {
            (options.Epochs, options.LearningRate) = (1, 1e-12);
            using var student = _ml.MulticlassClassification.Trainers.SimClrDistill(options).Fit(Load(Stl10Split.Train));
            Assert.Equal(baselineHead, Weights(student.Head), (a, b) => Math.Abs(a - b) < 1e-6);
        }

        var twoStarts = Distill(_fixture.FineTuned, _fixture.Encoder);
        twoStarts.StudentClassifier = baseline;
        Assert.Equal("StudentClassifier", Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.SimClrDistill(twoStarts).Fit(Load(Stl10Split.Train))).ParamName);
    }

    /// <summary>
    /// FixMatch's options reach the run through ML.NET: the log names them, and with threshold 0 every row is
    /// pseudo-labelled.
    /// </summary>
    [Fact]
    public void DistillationRunsFixMatchThroughMLNet()
    {
        var fixMatch = Distill(_fixture.FineTuned, null);
        fixMatch.StudentFromTeacher = true;
        fixMatch.Targets = DistillTargets.Self;
        fixMatch.PseudoLabelThreshold = 0;
        fixMatch.StudentAugmentation = AugmentationOptions.Contrastive;
        fixMatch.Epochs = 1;
        var messages = new List<string>();
        var ml = new MLContext(seed: 2);
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };

        using var student = ml.MulticlassClassification.Trainers.SimClrDistill(fixMatch).Fit(Load(Stl10Split.Train));

        lock (messages)
            Assert.Contains(messages, m => m.Contains("targets Self as pseudo-labels from 0, a strong view for the student"));
        Assert.Equal(1.0, student.History.Series("pseudo_labeled")[0], 6);
    }

    [Fact]
    public void DistillationOptionsAreCheckedByName()
    {
        var train = Load(Stl10Split.Train);
        var noTeacher = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.SimClrDistill(Distill(null, null)).Fit(train));
        Assert.Contains("TeacherCheckpoint", noTeacher.Message);
        var noUnlabeled = Distill(_fixture.FineTuned, null);
        noUnlabeled.UnlabeledData = null;
        Assert.Equal("UnlabeledData", Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.SimClrDistill(noUnlabeled).Fit(train)).ParamName);
        var encoderAsTeacher = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.SimClrDistill(Distill(_fixture.Encoder, null)).Fit(train));
        Assert.Equal("Teacher", encoderAsTeacher.ParamName);
        Assert.Contains("SimClrFineTune", encoderAsTeacher.Message);
        var hot = Distill(_fixture.FineTuned, null);
        hot.Temperature = -1;
        Assert.Equal("Temperature", Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.SimClrDistill(hot).Fit(train)).ParamName);
        var twoStarts = Distill(_fixture.FineTuned, _fixture.Encoder);
        twoStarts.StudentFromTeacher = true;
        Assert.Equal("StudentFromTeacher", Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.SimClrDistill(twoStarts).Fit(train)).ParamName);
    }

    [Fact]
    public void OutputSchemaIsKnownBeforeFitting()
    {
        var shape = SchemaShapeOf(Load(Stl10Split.Train));
        var pretrain = _ml.Transforms.SimClrPretrain(Pretrain(null)).GetOutputSchema(shape);
        var fineTune = _ml.MulticlassClassification.Trainers.SimClrFineTune(FineTune(null)).GetOutputSchema(shape);
        Assert.Contains(pretrain, c => c.Name == "Features" && c.Kind == SchemaShape.Column.VectorKind.Vector);
        Assert.Contains(fineTune, c => c.Name == "Score");
        Assert.Contains(fineTune, c => c.Name == "PredictedLabel" && c.IsKey);
    }

    [Fact]
    public void MissingOrWrongColumnsAreNamed()
    {
        var train = Load(Stl10Split.Train);
        var renamed = _ml.Transforms.CopyColumns("Picture", "Image").Append(_ml.Transforms.DropColumns("Image")).Fit(train).Transform(train);
        var missing = Assert.ThrowsAny<ArgumentException>(() => _ml.Transforms.SimClrPretrain(Pretrain(null)).Fit(renamed));
        Assert.Contains("'Image'", missing.Message);
        Assert.Contains("ImageColumnName", missing.Message);

        var options = Pretrain(null);
        options.ImageColumnName = "Index";
        var wrongType = Assert.ThrowsAny<ArgumentException>(() => _ml.Transforms.SimClrPretrain(options).Fit(train));
        Assert.Contains("'Index'", wrongType.Message);

        var scoring = Assert.ThrowsAny<ArgumentException>(() => _fixture.FineTuned.Transform(renamed));
        Assert.Contains("'Image'", scoring.Message);
    }

    [Fact]
    public void ColumnsCanBeRenamedThroughOptions()
    {
        var train = Load(Stl10Split.Train);
        var renamed = _ml.Transforms.CopyColumns("Picture", "Image").Append(_ml.Transforms.CopyColumns("Class", "Label"))
            .Append(_ml.Transforms.DropColumns("Image", "Label")).Fit(train).Transform(train);
        var options = Pretrain(null);
        options.Epochs = 1;
        options.ImageColumnName = "Picture";
        options.LabelColumnName = "Class";
        options.FeatureColumnName = "Embedding";

        using var model = _ml.Transforms.SimClrPretrain(options).Fit(renamed);

        var scored = model.Transform(renamed);
        Assert.Equal(8, ((VectorDataViewType)scored.Schema["Embedding"].Type).Size);
        Assert.Equal(ToyStl10.ClassNames, model.ClassNames);
    }

    [Fact]
    public void FineTuningNeedsLabels()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            _ml.MulticlassClassification.Trainers.SimClrFineTune(FineTune(null)).Fit(Load(Stl10Split.Unlabeled)));
        Assert.Contains("'Label'", error.Message);
    }

    [Fact]
    public void AnEncoderOfAnotherImageSizeIsRefused()
    {
        var options = FineTune(_fixture.Encoder);
        options.EncoderSpec = new EncoderSpec(EncoderArchitecture.Reference, 8, 48);
        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.SimClrFineTune(options).Fit(Load(Stl10Split.Train)));
        Assert.Contains("EncoderSpec", error.Message);
        Assert.Contains("48", error.Message);
    }

    [Fact]
    public void ALoadedModelIsNotAnEncoderToFineTune()
    {
        var path = _fixture.Directory.Combine("encoder-only.zip");
        _ml.Model.Save(_fixture.Encoder, Load(Stl10Split.Train).Schema, path);
        using var loaded = (TransformerChain<ITransformer>)_ml.Model.Load(path, out _);
        var error = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.SimClrFineTune(FineTune(loaded)).Fit(Load(Stl10Split.Train)));
        Assert.Contains("EncoderCheckpoint", error.Message);
    }

    [Fact]
    public void ProgressGoesToMLContextLogAndTheCallback()
    {
        var ml = new MLContext(seed: 3);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var epochs = new List<int>();
        var options = FineTune(null);
        options.Epochs = 2;
        options.EpochCompleted = metrics => epochs.Add(metrics.Epoch);

        using var model = ml.MulticlassClassification.Trainers.SimClrFineTune(options).Fit(ml.Data.LoadStl10(_fixture.Directory.Path, Stl10Split.Train));

        Assert.Equal(new[] { 1, 2 }, epochs);
        lock (messages)
            Assert.Contains(messages, m => m.Contains("baseline epoch 2:") && m.Contains("acc"));
    }

    [Fact]
    public void TheContextsGpuSettingsAreHonoured()
    {
        if (TorchSharp.torch.cuda.is_available())
            return;
        var ml = new MLContext(seed: 1) { GpuDeviceId = 1, FallbackToCpu = false };
        var error = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.SimClrFineTune(FineTune(null)).Fit(Load(Stl10Split.Train)));
        Assert.Contains("FallbackToCpu", error.Message);
    }

    static SchemaShape SchemaShapeOf(IDataView data)
    {
        // SchemaShape.Create is internal to ML.NET; tests call it to get the shape a pipeline would see.
        var schema = data.Schema;
        var method = typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public, new[] { typeof(DataViewSchema) })!;
        return (SchemaShape)method.Invoke(null, new object[] { schema })!;
    }

    public sealed class ImageInput
    {
        [Microsoft.ML.Transforms.Image.ImageType(96, 96)]
        public MLImage Image { get; set; } = null!;
    }

    public sealed class Prediction
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }
}

using Microsoft.ML;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// A multiclass trainer over images by knowledge distillation (SimCLRv2's third step): a student (of the teacher's
/// architecture, or of <see cref="Training.SupervisedOptions.EncoderSpec"/>, smaller or larger) learns from the
/// teacher's predictions on <see cref="SimClrDistillOptions.UnlabeledData"/> and on the training images, plus the
/// cross-entropy on the training labels. The result scores like a fine-tuned model. Create
/// it with <c>mlContext.MulticlassClassification.Trainers.SimClrDistill(options)</c>.
/// </summary>
public sealed class SimClrDistillTrainer : IEstimator<SimClrClassifierTransformer>
{
    readonly MLContextAccess _context;
    readonly SimClrDistillOptions _options;

    internal SimClrDistillTrainer(MLContextAccess context, SimClrDistillOptions options)
    {
        _context = context;
        _options = options;
    }

    /// <summary>Distils the teacher into a new student on <paramref name="input"/> (the labelled training images) and the unlabelled data.</summary>
    /// <exception cref="ArgumentException">
    /// A column is missing or has the wrong type, the teacher or student encoder is missing or does not fit, or the
    /// teacher's classes differ from the labels'; the message names the option.
    /// </exception>
    public SimClrClassifierTransformer Fit(IDataView input)
    {
        var options = _options.Copy<SimClrDistillOptions>();
        options.Validate();
        _context.Apply(options, nameof(SimClrDistillTrainer));
        ImageSchema.CheckImageColumn(input.Schema, options.ImageColumnName, nameof(options.ImageColumnName));
        ImageSchema.CheckLabelColumn(input.Schema, options.LabelColumnName, nameof(options.LabelColumnName));
        ImageSchema.CheckImageColumn(options.UnlabeledData!.Schema, options.ImageColumnName, nameof(options.UnlabeledData));
        var log = _context.Logger("SimClrDistill");

        // Modules loaded from files belong to this call; a transformer's stay the caller's (the distiller copies them).
        TrainerInputs.ClassifierInput? teacher = null, studentClassifier = null;
        Encoder? loadedStudent = null;
        try
        {
            teacher = TrainerInputs.ReadClassifier(options.Teacher, options.TeacherCheckpoint, nameof(options.Teacher), nameof(options.TeacherCheckpoint));
            var (teacherEncoder, teacherHead, teacherClasses, teacherOption) = (teacher.Encoder, teacher.Head, teacher.ClassNames, teacher.Option);

            Encoder? student;
            LinearClassifier? studentHead = null;
            string studentOption;
            if (options.StudentFromTeacher)
                (student, studentHead, studentOption) = (teacherEncoder, teacherHead, nameof(options.StudentFromTeacher));
            else if (options.StudentClassifier != null || options.StudentClassifierCheckpoint != null)
            {
                studentClassifier = TrainerInputs.ReadClassifier(options.StudentClassifier, options.StudentClassifierCheckpoint,
                    nameof(options.StudentClassifier), nameof(options.StudentClassifierCheckpoint));
                (student, studentHead, studentOption) = (studentClassifier.Encoder, studentClassifier.Head, studentClassifier.Option);
                if (!studentClassifier.ClassNames.SequenceEqual(teacherClasses))
                    throw new ArgumentException(
                        $"{studentOption} has classes {string.Join(", ", studentClassifier.ClassNames)}, but the teacher ({teacherOption}) has {string.Join(", ", teacherClasses)}; the student's head must score the teacher's classes, in the same order.",
                        studentOption);
            }
            else
            {
                loadedStudent = options.StudentEncoderCheckpoint == null ? null : Checkpoint.LoadEncoder(options.StudentEncoderCheckpoint);
                student = loadedStudent ?? TrainerInputs.FindEncoder(options.StudentEncoder, nameof(options.StudentEncoder), nameof(options.StudentEncoderCheckpoint));
                studentOption = loadedStudent != null ? nameof(options.StudentEncoderCheckpoint) : nameof(options.StudentEncoder);
            }
            if (student != null && student.Spec.ImageSize != teacherEncoder.Spec.ImageSize)
                throw new ArgumentException(
                    $"{studentOption} is {student.Spec}, but the teacher's encoder is {teacherEncoder.Spec}; the student learns the teacher's answers on the same images, so its image size must be the teacher's.",
                    studentOption);
            if (student != null && options.EncoderSpec != null && student.Spec != options.EncoderSpec)
                throw new ArgumentException(
                    $"{studentOption} is {student.Spec}, but {nameof(options.EncoderSpec)} is {options.EncoderSpec}; leave {nameof(options.EncoderSpec)} unset to train the encoder the student starts from.",
                    studentOption);
            int size = teacherEncoder.Spec.ImageSize;

            log($"Reading images at {size}x{size} px.");
            using var labeled = ImageTensorSet.FromDataView(input, size, options.ImageColumnName, options.LabelColumnName);
            if (!teacherClasses.SequenceEqual(labeled.ClassNames))
                throw new ArgumentException(
                    $"The teacher ({teacherOption}) has classes {string.Join(", ", teacherClasses)}, but the labels in column '{options.LabelColumnName}' " +
                    $"are {string.Join(", ", labeled.ClassNames)}; the student must learn the teacher's classes, in the same order.", teacherOption);
            using var unlabeled = ImageTensorSet.FromDataView(options.UnlabeledData, size, options.ImageColumnName, labelColumn: null, classNames: labeled.ClassNames);
            using var validation = options.ValidationData == null ? null
                : TrainerInputs.ReadValidation(options.ValidationData, options.ImageColumnName, options.LabelColumnName, size);

            var result = new SimClrDistiller(options, log).Fit(unlabeled, labeled, validation, teacherEncoder, teacherHead,
                student, studentHead);
            var model = StockScoringModels.Classifier(result.Encoder, result.Head, result.ClassNames, options.ImageColumnName, options.LabelColumnName,
                options.GpuDeviceId, options.FallbackToCpu, sessionOptions: _context.OnnxSessionOptions);
            return new SimClrClassifierTransformer(model, options.ImageColumnName, result.Encoder, result.Head, result.History, result.ClassNames);
        }
        finally
        {
            teacher?.DisposeIfLoaded();
            studentClassifier?.DisposeIfLoaded();
            loadedStudent?.Dispose();
        }
    }

    /// <summary>The input schema plus Score and PredictedLabel, as ML.NET's own multiclass trainers add them.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ImageSchema.CheckImageColumn(inputSchema, _options.ImageColumnName, nameof(SimClrDistillOptions.ImageColumnName));
        ImageSchema.CheckLabelColumn(inputSchema, _options.LabelColumnName, nameof(SimClrDistillOptions.LabelColumnName));
        return SchemaShapes.WithMulticlassOutputs(inputSchema, _options.LabelColumnName, _options.ImageColumnName);
    }
}

using Microsoft.ML;
using SimClr.MLNet.Data;
using SimClr.MLNet.Training;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// Options of <see cref="SimClrCatalog.SimClrDistill"/>: the distillation hyperparameters (see
/// <see cref="DistillOptions"/>), the teacher, the encoder the student starts from, the unlabelled images and the
/// columns.
/// </summary>
public sealed class SimClrDistillOptions : DistillOptions
{
    /// <summary>
    /// The teacher: the transformer returned by <c>SimClrFineTune(...).Fit</c> (or <c>SimClrDistill(...).Fit</c>),
    /// or a pipeline model that contains it. Give this or <see cref="TeacherCheckpoint"/>. Default: null.
    /// </summary>
    public ITransformer? Teacher { get; set; }

    /// <summary>The checkpoint file of a fine-tuning, baseline or distillation run, as the teacher instead of <see cref="Teacher"/>. Default: null.</summary>
    public string? TeacherCheckpoint { get; set; }

    /// <summary>
    /// The encoder the student starts from: the transformer returned by <c>SimClrPretrain(...).Fit</c>, or a pipeline
    /// model that contains it; it must have the teacher's image size, and its architecture is the student's. Null with no
    /// <see cref="StudentEncoderCheckpoint"/> starts the student from random weights. Default: null.
    /// </summary>
    public ITransformer? StudentEncoder { get; set; }

    /// <summary>A checkpoint file of any run whose encoder the student starts from, instead of <see cref="StudentEncoder"/>. Default: null.</summary>
    public string? StudentEncoderCheckpoint { get; set; }

    /// <summary>
    /// True starts the student from the teacher's own weights, encoder and head: training continues where fine-tuning
    /// ended, on the teacher's predictions for the unlabelled images (self-training). Leave <see cref="StudentEncoder"/>
    /// and <see cref="StudentEncoderCheckpoint"/> null with it. Default: false.
    /// </summary>
    public bool StudentFromTeacher { get; set; }

    /// <summary>
    /// A classifier whose encoder and head the student starts from: the transformer returned by <c>SimClrFineTune(...).Fit</c>
    /// (or <c>SimClrDistill(...).Fit</c>), or a pipeline model that contains it, with the teacher's classes and image size.
    /// The supervised baseline of the student's size is the usual one: the student has already learnt the labels, and
    /// distillation adds what the teacher knows about the unlabelled images. Default: null.
    /// </summary>
    public ITransformer? StudentClassifier { get; set; }

    /// <summary>The checkpoint file of a fine-tuning, baseline or distillation run, as <see cref="StudentClassifier"/>. Default: null.</summary>
    public string? StudentClassifierCheckpoint { get; set; }

    /// <summary>The images the teacher labels, the point of distillation (for example STL-10's 100,000); their labels are ignored. Required.</summary>
    public IDataView? UnlabeledData { get; set; }

    /// <summary>Labelled images scored after every ValidationFrequency-th epoch and the last (val_loss, val_acc). Default: null.</summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>Image column of the input, <see cref="UnlabeledData"/> and <see cref="ValidationData"/> (MLImage). Default: "Image".</summary>
    public string ImageColumnName { get; set; } = ImageColumns.Image;

    /// <summary>Key-typed label column; training rows with a missing label take part in distillation only. Default: "Label".</summary>
    public string LabelColumnName { get; set; } = ImageColumns.Label;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if ((Teacher == null) == (TeacherCheckpoint == null))
            throw new ArgumentException($"Give exactly one of {nameof(Teacher)} and {nameof(TeacherCheckpoint)}: the fine-tuned classifier to distil.", nameof(Teacher));
        if (StudentEncoder != null && StudentEncoderCheckpoint != null)
            throw new ArgumentException($"Give either {nameof(StudentEncoder)} or {nameof(StudentEncoderCheckpoint)}, not both.", nameof(StudentEncoderCheckpoint));
        if (StudentClassifier != null && StudentClassifierCheckpoint != null)
            throw new ArgumentException($"Give either {nameof(StudentClassifier)} or {nameof(StudentClassifierCheckpoint)}, not both.", nameof(StudentClassifierCheckpoint));
        if ((StudentClassifier != null || StudentClassifierCheckpoint != null) && (StudentFromTeacher || StudentEncoder != null || StudentEncoderCheckpoint != null))
        {
            var option = StudentClassifier != null ? nameof(StudentClassifier) : nameof(StudentClassifierCheckpoint);
            throw new ArgumentException(
                $"{option} starts the student from that classifier's encoder and head; leave {nameof(StudentEncoder)}, {nameof(StudentEncoderCheckpoint)} and {nameof(StudentFromTeacher)} unset with it.",
                option);
        }
        if (StudentFromTeacher && (StudentEncoder != null || StudentEncoderCheckpoint != null))
            throw new ArgumentException(
                $"{nameof(StudentFromTeacher)} starts the student from the teacher's weights; leave {nameof(StudentEncoder)} and {nameof(StudentEncoderCheckpoint)} null with it.",
                nameof(StudentFromTeacher));
        if (UnlabeledData == null)
            throw new ArgumentException($"{nameof(UnlabeledData)} is required: distillation learns from the teacher's predictions on unlabelled images.", nameof(UnlabeledData));
    }
}

using Microsoft.ML;
using SimClr.MLNet.Data;
using SimClr.MLNet.Training;

namespace SimClr.Cli.Pipelines;

/// <summary>
/// The images of a run: labelled training rows, unlabelled rows and validation rows, both as IDataViews (for
/// ML.NET evaluation) and in memory at the training size (for the trainers).
/// </summary>
public sealed class PipelineData : IDisposable
{
    PipelineData(IDataView labeledView, IDataView? unlabeledView, IDataView validationView, int imageSize, string description)
    {
        LabeledView = labeledView;
        UnlabeledView = unlabeledView;
        ValidationView = validationView;
        Description = description;
        Labeled = ImageTensorSet.FromDataView(labeledView, imageSize);
        Unlabeled = unlabeledView == null
            ? Labeled.Subset(Array.Empty<long>())
            : ImageTensorSet.FromDataView(unlabeledView, imageSize, labelColumn: null, classNames: Labeled.ClassNames);
        Validation = ImageTensorSet.FromDataView(validationView, imageSize);
    }

    public IDataView LabeledView { get; }
    public IDataView? UnlabeledView { get; }
    public IDataView ValidationView { get; }
    public ImageTensorSet Labeled { get; }
    public ImageTensorSet Unlabeled { get; }
    public ImageTensorSet Validation { get; }
    public string Description { get; }

    /// <summary>Fails fast, before anything is read, when the pipeline's data folder is missing.</summary>
    public static void CheckPath(PipelineDefinition pipeline, string? pathOverride)
    {
        if (pipeline.Data.Source.Equals("synthetic", StringComparison.OrdinalIgnoreCase))
            return;
        var path = pathOverride ?? pipeline.Data.Path;
        RequirePath(path, pipeline.Data.Source == "stl10" ? "an STL-10 folder" : "an image folder");
        if (!Directory.Exists(path))
            throw new PipelineException($"Data folder '{path}' does not exist{(pathOverride == null ? " (data.path; give another with --data)" : "")}.");
    }

    /// <summary>Opens the data a pipeline names; <paramref name="pathOverride"/> is <c>--data</c>.</summary>
    /// <exception cref="PipelineException">The path is missing or the data is malformed; the message names the file.</exception>
    public static PipelineData Load(MLContext ml, PipelineDefinition pipeline, string? pathOverride)
    {
        var data = pipeline.Data;
        var path = pathOverride ?? data.Path;
        try
        {
            switch (data.Source.ToLowerInvariant())
            {
                case "stl10":
                    RequirePath(path, "an STL-10 folder");
                    return new PipelineData(ml.Data.LoadStl10(path!, Stl10Split.Train), ml.Data.LoadStl10(path!, Stl10Split.Unlabeled),
                        ml.Data.LoadStl10(path!, Stl10Split.Test), data.ImageSize,
                        $"STL-10 at {path}: train (labelled), unlabeled, test (validation)");
                case "imagefolder":
                    RequirePath(path, "an image folder");
                    var labeled = ml.Data.LoadImageFolder(path!, new ImageFolderOptions { FilesPerClass = ParseRange(data.LabeledFilesPerClass, "labeledFilesPerClass") });
                    var validation = ml.Data.LoadImageFolder(path!, new ImageFolderOptions { FilesPerClass = ParseRange(data.ValidationFilesPerClass, "validationFilesPerClass") });
                    IDataView? unlabeled = data.UnlabeledFilesPerClass == null && data.UnlabeledFolder == null ? null
                        : data.UnlabeledFilesPerClass != null
                            ? ml.Data.LoadImageFolder(path!, new ImageFolderOptions { FilesPerClass = ParseRange(data.UnlabeledFilesPerClass, "unlabeledFilesPerClass"), IgnoreLabels = true, UnlabeledFolder = data.UnlabeledFolder })
                            : ml.Data.LoadImageFolder(path!, new ImageFolderOptions { FilesPerClass = ..0, UnlabeledFolder = data.UnlabeledFolder });
                    return new PipelineData(labeled, unlabeled, validation, data.ImageSize,
                        $"image folder {path}: labelled files {data.LabeledFilesPerClass ?? ".."}, validation {data.ValidationFilesPerClass ?? ".."}, " +
                        $"unlabelled {data.UnlabeledFilesPerClass ?? data.UnlabeledFolder ?? "none"} per class");
                default:
                    int seed = pipeline.Seed;
                    return new PipelineData(
                        SyntheticShapes.CreateDataView(SeedMixer.Mix(seed, 1), 0, data.LabeledCount, data.ImageSize),
                        data.UnlabeledCount > 0 ? SyntheticShapes.CreateDataView(SeedMixer.Mix(seed, 2), 0, data.UnlabeledCount, data.ImageSize, unlabeled: true) : null,
                        SyntheticShapes.CreateDataView(SeedMixer.Mix(seed, 3), 0, data.ValidationCount, data.ImageSize), data.ImageSize,
                        $"synthetic shapes: {data.LabeledCount} labelled, {data.UnlabeledCount} unlabelled, {data.ValidationCount} validation");
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
        {
            throw new PipelineException(e.Message, e);
        }
    }

    static void RequirePath(string? path, string what)
    {
        if (path == null)
            throw new PipelineException($"The pipeline reads {what}; give its path with --data or data.path.");
    }

    static Range ParseRange(string? text, string option)
    {
        if (text == null)
            return Range.All;
        var parts = text.Trim().Split("..");
        if (parts.Length != 2)
            throw new PipelineException($"data.{option} '{text}' is not a range; write it as in C#: \"..500\", \"^500..\", \"500..^500\".");
        return new Range(ParseIndex(parts[0], true, text, option), ParseIndex(parts[1], false, text, option));
    }

    static Index ParseIndex(string text, bool start, string range, string option)
    {
        if (text.Length == 0)
            return start ? Index.Start : Index.End;
        bool fromEnd = text.StartsWith('^');
        if (!int.TryParse(fromEnd ? text[1..] : text, out int value) || value < 0)
            throw new PipelineException($"data.{option} '{range}' is not a range; write it as in C#: \"..500\", \"^500..\", \"500..^500\".");
        return new Index(value, fromEnd);
    }

    public void Dispose()
    {
        Labeled.Dispose();
        Unlabeled.Dispose();
        Validation.Dispose();
    }
}

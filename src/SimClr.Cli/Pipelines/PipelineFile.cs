using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace SimClr.Cli.Pipelines;

/// <summary>Reads pipeline JSON, turning every mistake into one line that names the file, the line and the option.</summary>
public static partial class PipelineFile
{
    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // Numbers for enums would accept values that name nothing.
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
    };

    /// <summary>Reads and checks a pipeline file.</summary>
    /// <exception cref="PipelineException">The file is missing, is not valid JSON, or names an unknown option or experiment.</exception>
    public static PipelineDefinition Load(string path)
    {
        if (!File.Exists(path))
            throw new PipelineException($"Pipeline file '{path}' does not exist.");
        var pipeline = Parse(File.ReadAllText(path), path);
        return pipeline.Name == null ? pipeline with { Name = Path.GetFileNameWithoutExtension(path) } : pipeline;
    }

    /// <summary>Parses pipeline JSON; <paramref name="source"/> names it in errors.</summary>
    public static PipelineDefinition Parse(string json, string source)
    {
        PipelineDefinition? pipeline;
        try
        {
            pipeline = JsonSerializer.Deserialize<PipelineDefinition>(json, Json);
        }
        catch (JsonException e)
        {
            throw new PipelineException($"{source} line {(e.LineNumber ?? 0) + 1}: {Explain(e)}");
        }
        if (pipeline == null)
            throw new PipelineException($"{source}: the file holds no pipeline (it is 'null').");
        try
        {
            Check(pipeline, source);
        }
        catch (PipelineException e) when (e.OptionPath != null && JsonLines.Find(json, e.OptionPath) is { } line)
        {
            var message = e.Message.StartsWith(source + ": ", StringComparison.Ordinal) ? e.Message[(source.Length + 2)..] : e.Message;
            throw new PipelineException($"{source} line {line}: {message}", e);
        }
        return pipeline;
    }

    static string Explain(JsonException e)
    {
        var path = (e.Path ?? "$").TrimStart('$', '.');
        var unmapped = UnmappedProperty().Match(e.Message);
        if (unmapped.Success)
        {
            var name = unmapped.Groups[1].Value;
            var parent = path.Contains('.') ? path[..path.LastIndexOf('.')] : "";
            return parent.Equals("experiments", StringComparison.OrdinalIgnoreCase)
                ? $"unknown experiment '{name}'; the experiments are baseline, pretrain, finetune and distill."
                : $"unknown option '{name}'{(parent.Length > 0 ? $" in '{parent}'" : "")}.";
        }
        if (e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) && ExpectedValue(path) is { } expected)
            return $"'{path}' must be {expected}.";
        var message = e.Message.Split(" Path:")[0];
        return path.Length > 0 ? $"'{path}': {message}" : message;
    }

    /// <summary>What the option at a JSON path takes, in the words of the pipeline file; null if the path names no option.</summary>
    static string? ExpectedValue(string path)
    {
        var type = typeof(PipelineDefinition);
        foreach (var name in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
                type = type.GetGenericArguments()[1];
            else if (type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } property)
                type = property.PropertyType;
            else
                return null;
        }
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
            return $"one of {string.Join(", ", Enum.GetNames(type))}";
        if (type == typeof(int))
            return "a whole number";
        if (type == typeof(double))
            return "a number";
        if (type == typeof(bool))
            return "true or false";
        if (type == typeof(string))
            return "a string in quotes";
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            return "an object of names and numbers, such as { \"baseline\": 0.613 }";
        var options = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));
        return $"an object {{ }} with the options {string.Join(", ", options)}";
    }

    static void Check(PipelineDefinition pipeline, string source)
    {
        var sources = new[] { "stl10", "imageFolder", "synthetic" };
        if (!sources.Contains(pipeline.Data.Source, StringComparer.OrdinalIgnoreCase))
            throw new PipelineException($"{source}: data.source '{pipeline.Data.Source}' is unknown; use {string.Join(", ", sources)}.");
        if (pipeline.Experiments.Finetune != null && pipeline.Experiments.Pretrain == null)
            throw new PipelineException($"{source}: experiments.finetune needs experiments.pretrain (it fine-tunes the pretrained encoder).");
        if (pipeline.Experiments.Distill != null && pipeline.Experiments.Finetune == null)
            throw new PipelineException($"{source}: experiments.distill needs experiments.finetune (the fine-tuned classifier is the teacher).");
        if (pipeline.Experiments is { Baseline: null, Pretrain: null, Finetune: null })
            throw new PipelineException($"{source}: no experiments; give at least one of baseline, pretrain, finetune, distill.");
        if (pipeline.Repeats is < 1 or > PipelineDefinition.MaxRepeats)
            throw new PipelineException($"{source}: repeats {pipeline.Repeats} is out of range; use 1 to {PipelineDefinition.MaxRepeats}.", optionPath: "repeats");
        ExperimentSettings.CheckKinds(pipeline.Experiments, source);
        if (pipeline.Data.ImageSize is < DataDefinition.MinImageSize or > DataDefinition.MaxImageSize)
            throw new PipelineException($"{source}: data.imageSize {pipeline.Data.ImageSize} is out of range; use {DataDefinition.MinImageSize} to {DataDefinition.MaxImageSize} px.", optionPath: "data.imageSize");
        // Build every experiment's options now, so a bad value fails before any data is read.
        try
        {
            ExperimentSettings.EncoderOf(pipeline, "pretrain");
            if (pipeline.Experiments.Baseline is { } baseline)
                ExperimentSettings.Supervised(baseline, ExperimentSettings.EncoderOf(pipeline, "baseline"), pipeline.Seed, "baseline");
            if (pipeline.Experiments.Pretrain is { } pretrain)
                ExperimentSettings.Pretrain(pretrain, ExperimentSettings.EncoderOf(pipeline, "pretrain"), pipeline.Seed);
            if (pipeline.Experiments.Finetune is { } finetune)
                ExperimentSettings.Supervised(finetune, null, pipeline.Seed, "finetune");
            if (pipeline.Experiments.Distill is { } distill)
                CheckStudent(pipeline, distill, ExperimentSettings.Distill(distill, ExperimentSettings.EncoderOf(pipeline, "distill"), pipeline.Seed).EncoderSpec!);
        }
        catch (PipelineException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new PipelineException($"{source}: {e.Message}", e.InnerException, e.OptionPath);
        }
    }

    /// <summary>
    /// A student of another encoder than the pretrained one cannot start from it, nor from its fine-tuned teacher; one
    /// that starts from the baseline needs a baseline of its own encoder.
    /// </summary>
    static void CheckStudent(PipelineDefinition pipeline, ExperimentOptions distill, SimClr.MLNet.Models.EncoderSpec student)
    {
        var pretrained = ExperimentSettings.EncoderOf(pipeline, "pretrain");
        var start = distill.StudentStart ?? StudentStart.Pretrained;
        if (start == StudentStart.Baseline)
        {
            if (pipeline.Experiments.Baseline == null)
                throw new PipelineException("experiments.distill.studentStart is Baseline, but the pipeline has no experiments.baseline to start from.",
                    optionPath: "experiments.distill.studentStart");
            var baseline = ExperimentSettings.EncoderOf(pipeline, "baseline");
            if (baseline != student)
                throw new PipelineException(
                    $"experiments.distill.studentStart is Baseline, but the baseline's encoder ({baseline.Architecture} width {baseline.Width}) is not the student's ({student.Architecture} width {student.Width}); give both the same \"encoder\".",
                    optionPath: "experiments.distill.studentStart");
            return;
        }
        if (student != pretrained && start != StudentStart.Scratch)
            throw new PipelineException(
                $"experiments.distill.encoder ({student.Architecture} width {student.Width}) is not the pretrained encoder ({pretrained.Architecture} width {pretrained.Width}), " +
                $"so the student cannot start from {(start == StudentStart.Teacher ? "the teacher" : "the pretrained encoder")}; set \"studentStart\": \"Scratch\".",
                optionPath: distill.StudentStart != null ? "experiments.distill.studentStart" : "experiments.distill.encoder");
    }

    [GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedProperty();
}

/// <summary>A problem with a pipeline or its run that the user can fix; the message is one line.</summary>
/// <param name="optionPath">The option at fault, as the file names it ("experiments.pretrain.moCo.queueSize"), so its line can be given.</param>
public sealed class PipelineException(string message, Exception? inner = null, string? optionPath = null) : Exception(message, inner)
{
    /// <summary>The option at fault, or null.</summary>
    public string? OptionPath { get; } = optionPath;
}

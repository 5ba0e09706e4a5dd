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
        Converters = { new JsonStringEnumConverter() },
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
        Check(pipeline, source);
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
                ? $"unknown experiment '{name}'; the experiments are baseline, pretrain and finetune."
                : $"unknown option '{name}'{(parent.Length > 0 ? $" in '{parent}'" : "")}.";
        }
        var message = e.Message.Split(" Path:")[0];
        return path.Length > 0 ? $"'{path}': {message}" : message;
    }

    static void Check(PipelineDefinition pipeline, string source)
    {
        var sources = new[] { "stl10", "imageFolder", "synthetic" };
        if (!sources.Contains(pipeline.Data.Source, StringComparer.OrdinalIgnoreCase))
            throw new PipelineException($"{source}: data.source '{pipeline.Data.Source}' is unknown; use {string.Join(", ", sources)}.");
        if (pipeline.Experiments.Finetune != null && pipeline.Experiments.Pretrain == null)
            throw new PipelineException($"{source}: experiments.finetune needs experiments.pretrain (it fine-tunes the pretrained encoder).");
        if (pipeline.Experiments is { Baseline: null, Pretrain: null, Finetune: null })
            throw new PipelineException($"{source}: no experiments; give at least one of baseline, pretrain, finetune.");
        ExperimentSettings.CheckKinds(pipeline.Experiments, source);
        if (pipeline.Data.ImageSize < 8)
            throw new PipelineException($"{source}: data.imageSize must be at least 8.");
        // Build every experiment's options now, so a bad value fails before any data is read.
        var encoder = new SimClr.MLNet.Models.EncoderSpec(pipeline.Encoder.Architecture, pipeline.Encoder.Width, pipeline.Data.ImageSize);
        try
        {
            encoder.Validate();
        }
        catch (ArgumentException e)
        {
            throw new PipelineException($"{source}: encoder: {e.Message.Split(" (Parameter")[0]}");
        }
        if (pipeline.Experiments.Baseline is { } baseline)
            ExperimentSettings.Supervised(baseline, encoder, pipeline.Seed, "baseline");
        if (pipeline.Experiments.Pretrain is { } pretrain)
            ExperimentSettings.Pretrain(pretrain, encoder, pipeline.Seed);
        if (pipeline.Experiments.Finetune is { } finetune)
            ExperimentSettings.Supervised(finetune, null, pipeline.Seed, "finetune");
    }

    [GeneratedRegex("The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedProperty();
}

/// <summary>A problem with a pipeline or its run that the user can fix; the message is one line.</summary>
public sealed class PipelineException(string message, Exception? inner = null) : Exception(message, inner);

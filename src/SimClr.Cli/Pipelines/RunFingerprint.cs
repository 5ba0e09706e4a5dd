using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SimClr.MLNet.Data;

namespace SimClr.Cli.Pipelines;

/// <summary>
/// What a run's results depend on, as flat pairs named the way the pipeline file names them
/// (<c>experiments.pretrain.epochs = 4</c>). run-state.json keeps them, so that <c>--resume</c> can refuse a changed
/// pipeline or other data, and say what changed, instead of reusing models trained with something else.
/// </summary>
public static class RunFingerprint
{
    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Computed properties (an augmentation's zoom factor) repeat what their inputs already say.
        IgnoreReadOnlyProperties = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// Each experiment's settings: the seed, the encoder it trains, the data as the pipeline describes it (with
    /// <paramref name="dataPath"/>, <c>--data</c>, applied), its own options and, for finetune, pretraining's too.
    /// The encoder is named as resolved, not as written, so that a baseline keeps its settings whether its encoder
    /// is the pipeline's or its own: moving an encoder between the two does not retrain it.
    /// </summary>
    public static Dictionary<string, Dictionary<string, string>> Settings(PipelineDefinition pipeline, string? dataPath)
    {
        var common = new Dictionary<string, string> { ["seed"] = pipeline.Seed.ToString(CultureInfo.InvariantCulture) };
        var path = pipeline.Data.Source.Equals("synthetic", StringComparison.OrdinalIgnoreCase) ? null : dataPath ?? pipeline.Data.Path;
        Flatten("data", pipeline.Data with { Path = path == null ? null : Path.GetFullPath(path) }, common);

        // A run depends on its own options and on those of the runs it starts from: finetune on pretrain's,
        // distill on both (its teacher is finetune's), and on baseline's when its student starts from the baseline.
        var studentStartsFromBaseline = pipeline.Experiments.Distill?.StudentStart == StudentStart.Baseline;
        var dependencies = new Dictionary<string, string[]>
        {
            ["baseline"] = new[] { "baseline" },
            ["pretrain"] = new[] { "pretrain" },
            ["finetune"] = new[] { "pretrain", "finetune" },
            ["distill"] = studentStartsFromBaseline ? new[] { "baseline", "pretrain", "finetune", "distill" } : new[] { "pretrain", "finetune", "distill" },
        };
        var settings = new Dictionary<string, Dictionary<string, string>>();
        foreach (var run in ExperimentRun.All(pipeline))
        {
            var experiments = dependencies[run.Experiment].Where(name => pipeline.Experiments.For(name) != null)
                .Select(name => (name, pipeline.Experiments.For(name)!)).ToArray();
            settings[run.Name] = With(common, experiments);
            var encoder = ExperimentSettings.EncoderOf(pipeline, run.Experiment);
            Flatten("encoder", Definition(encoder), settings[run.Name]);
            // A run that starts from another encoder (a student distilling a bigger teacher) depends on that one too.
            foreach (var (name, _) in experiments)
            {
                var other = ExperimentSettings.EncoderOf(pipeline, name);
                if (other != encoder)
                    Flatten($"experiments.{name}.encoder", Definition(other), settings[run.Name]);
            }
            if (run.Repeat > 1)
                settings[run.Name]["repeat"] = run.Repeat.ToString(CultureInfo.InvariantCulture);
        }
        return settings;
    }

    /// <summary>What was read: image counts, class names and, for image folders, the files' names and sizes.</summary>
    public static Dictionary<string, string> Data(PipelineData data)
    {
        var fingerprint = new Dictionary<string, string>
        {
            ["data.labeledImages"] = data.Labeled.Count.ToString(CultureInfo.InvariantCulture),
            ["data.unlabeledImages"] = data.Unlabeled.Count.ToString(CultureInfo.InvariantCulture),
            ["data.validationImages"] = data.Validation.Count.ToString(CultureInfo.InvariantCulture),
            ["data.classes"] = string.Join(", ", data.Labeled.ClassNames),
        };
        var folders = new[] { data.LabeledView, data.UnlabeledView, data.ValidationView }.OfType<ImageFolderDataView>().ToList();
        if (folders.Count > 0)
            fingerprint["data.files"] = FilesDigest(folders);
        return fingerprint;
    }

    /// <summary>One "name was A, now B" per setting that differs, in name order; an absent setting reads "not set".</summary>
    public static IEnumerable<string> Differences(IReadOnlyDictionary<string, string> recorded, IReadOnlyDictionary<string, string> current)
        => recorded.Keys.Union(current.Keys).Order(StringComparer.Ordinal)
            .Where(name => recorded.GetValueOrDefault(name) != current.GetValueOrDefault(name))
            .Select(name => $"{name} was {recorded.GetValueOrDefault(name) ?? "not set"}, now {current.GetValueOrDefault(name) ?? "not set"}");

    static Dictionary<string, string> With(Dictionary<string, string> common, params (string Name, ExperimentOptions Options)[] experiments)
    {
        var settings = new Dictionary<string, string>(common);
        // How often a run validates changes which epochs of its history carry val_* metrics, never its model, so a
        // run finished or checkpointed with another validationFrequency is reused.
        foreach (var (name, options) in experiments)
            Flatten($"experiments.{name}", options with { Encoder = null, ValidationFrequency = null }, settings);
        return settings;
    }

    static EncoderDefinition Definition(SimClr.MLNet.Models.EncoderSpec spec) => new() { Architecture = spec.Architecture, Width = spec.Width };

    static void Flatten(string prefix, object value, Dictionary<string, string> into)
        => Flatten(prefix, JsonSerializer.SerializeToNode(value, value.GetType(), Json), into);

    static void Flatten(string prefix, JsonNode? node, Dictionary<string, string> into)
    {
        switch (node)
        {
            case JsonObject children:
                foreach (var (name, child) in children)
                    Flatten($"{prefix}.{name}", child, into);
                break;
            case JsonValue value:
                into[prefix] = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
                break;
        }
    }

    /// <summary>A digest of every listed file's path (relative to its root) and size: cheap, and it changes when files are added, removed, renamed or rewritten to another size.</summary>
    static string FilesDigest(IReadOnlyList<ImageFolderDataView> folders)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long files = 0;
        foreach (var folder in folders)
            for (long row = 0; row < folder.RowCount; row++, files++)
            {
                var path = folder.GetPath(row);
                var size = File.Exists(path) ? new FileInfo(path).Length : -1;
                hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetRelativePath(folder.Root, path)}\0{size}\n"));
            }
        return $"{Convert.ToHexStringLower(hash.GetHashAndReset())[..12]} over {files:N0} image files (names and sizes)";
    }
}

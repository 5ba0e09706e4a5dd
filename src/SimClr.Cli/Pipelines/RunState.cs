using System.Text.Json;
using SimClr.MLNet.IO;

namespace SimClr.Cli.Pipelines;

/// <summary>
/// What an output folder knows of the run in it: which experiments finished, so <c>--resume</c> skips them, and the
/// fingerprint of every experiment's settings and of the data, so <c>--resume</c> continues only the same run.
/// Saved atomically as run-state.json.
/// </summary>
public sealed class RunState
{
    /// <summary>The file in the output folder.</summary>
    public const string FileName = "run-state.json";

    const string CheckpointPattern = "*.checkpoint.zip";
    const string Remedy = "resume with the settings and data it was started with, or start over with --force";

    /// <summary>The pipeline's name.</summary>
    public string Pipeline { get; set; } = "";

    /// <summary>Experiments whose model and history are written.</summary>
    public List<string> Completed { get; set; } = new();

    /// <summary>Per experiment, its settings (see <see cref="RunFingerprint.Settings"/>).</summary>
    public Dictionary<string, Dictionary<string, string>> Settings { get; set; } = new();

    /// <summary>The data the run read (see <see cref="RunFingerprint.Data"/>).</summary>
    public Dictionary<string, string> Data { get; set; } = new();

    /// <summary>
    /// The state a run starts from. A resumed run needs the state of an earlier run of the same pipeline. A fresh
    /// run refuses a folder that holds an earlier run, unless <paramref name="force"/>: then that run's state and
    /// checkpoints are deleted first, so nothing of it can be resumed or reused later.
    /// </summary>
    /// <exception cref="PipelineException">Nothing to resume, another pipeline's run, or an earlier run without --force.</exception>
    public static RunState Open(string directory, string checkpointDirectory, string pipeline, bool resume, bool force)
    {
        var path = Path.Combine(directory, FileName);
        if (resume)
        {
            if (!File.Exists(path))
                throw new PipelineException($"Nothing to resume in '{directory}': it holds no {FileName}; leave out --resume to start a new run there.");
            var state = JsonSerializer.Deserialize<RunState>(File.ReadAllText(path)) ?? new RunState();
            if (state.Pipeline != pipeline)
                throw new PipelineException($"'{directory}' holds a run of pipeline '{state.Pipeline}', not '{pipeline}'; use another --out, or start over there with --force.");
            if (state.Settings.Count == 0)
                throw new PipelineException($"Cannot resume '{directory}': its {FileName} is from an older simclr that did not record the run's settings; start over with --force.");
            return state;
        }

        var checkpoints = Directory.Exists(checkpointDirectory) ? Directory.GetFiles(checkpointDirectory, CheckpointPattern) : Array.Empty<string>();
        if (File.Exists(path) || checkpoints.Length > 0)
        {
            if (!force)
                throw new PipelineException($"'{directory}' holds an earlier run; continue it with --resume, start over with --force (deletes its {FileName} and checkpoints), or choose another --out.");
            File.Delete(path);
            foreach (var checkpoint in checkpoints)
                File.Delete(checkpoint);
        }
        return new RunState { Pipeline = pipeline };
    }

    /// <summary>
    /// Resuming: refuses settings that differ from those the run was started with. Experiments the pipeline adds
    /// are taken on; one it leaves out is a difference (its model would stay in the folder, unexplained).
    /// </summary>
    /// <exception cref="PipelineException">A setting differs; the message names it, with the old and the new value.</exception>
    public void CheckSettings(string directory, Dictionary<string, Dictionary<string, string>> settings)
    {
        var differences = Settings.Keys.Where(name => !settings.ContainsKey(name))
            .Select(name => $"experiments.{name} was run, now left out")
            .Concat(Settings.Where(kv => settings.ContainsKey(kv.Key)).SelectMany(kv => RunFingerprint.Differences(kv.Value, settings[kv.Key])))
            .Distinct().ToList();
        Refuse(directory, "other settings", differences);
        foreach (var (name, experiment) in settings)
            Settings[name] = experiment;
    }

    /// <summary>Resuming: refuses data other than the run's (counts, classes, image files).</summary>
    /// <exception cref="PipelineException">The data differs; the message says how.</exception>
    public void CheckData(string directory, Dictionary<string, string> data)
    {
        if (Data.Count > 0)
            Refuse(directory, "other data", RunFingerprint.Differences(Data, data).ToList());
        Data = data;
    }

    /// <summary>Writes the state, with the fingerprints checked or taken on, before an experiment trains.</summary>
    public void Save(string directory)
        => AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>Records a finished experiment.</summary>
    public void MarkCompleted(string directory, string experiment)
    {
        if (!Completed.Contains(experiment))
            Completed.Add(experiment);
        Save(directory);
    }

    static void Refuse(string directory, string what, IReadOnlyList<string> differences)
    {
        if (differences.Count == 0)
            return;
        var shown = string.Join("; ", differences.Take(3)) + (differences.Count > 3 ? $"; and {differences.Count - 3} more" : "");
        throw new PipelineException($"Cannot resume '{directory}': it was started with {what}: {shown}. To continue, {Remedy}.");
    }
}

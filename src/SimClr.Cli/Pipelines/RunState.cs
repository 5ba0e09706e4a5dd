using System.Text.Json;
using SimClr.MLNet.IO;

namespace SimClr.Cli.Pipelines;

/// <summary>Which experiments of a run are finished, so <c>--resume</c> skips them. Saved atomically as run-state.json.</summary>
public sealed class RunState
{
    const string FileName = "run-state.json";

    public string Pipeline { get; set; } = "";
    public List<string> Completed { get; set; } = new();

    public static RunState LoadOrNew(string directory, string pipeline, bool resume)
    {
        var path = Path.Combine(directory, FileName);
        if (resume && File.Exists(path))
        {
            var state = JsonSerializer.Deserialize<RunState>(File.ReadAllText(path)) ?? new RunState();
            if (state.Pipeline != pipeline)
                throw new PipelineException($"'{directory}' holds a run of pipeline '{state.Pipeline}', not '{pipeline}'; use another --out, or leave out --resume to start over.");
            return state;
        }
        return new RunState { Pipeline = pipeline };
    }

    public void MarkCompleted(string directory, string experiment)
    {
        if (!Completed.Contains(experiment))
            Completed.Add(experiment);
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));
    }
}

using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using SimClr.MLNet.IO;
using SimClr.MLNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Training;

/// <summary>What a checkpoint says about its run, besides the tensors.</summary>
public sealed record CheckpointInfo
{
    /// <summary>"pretrain", "supervised" or "distill".</summary>
    public required string Kind { get; init; }
    /// <summary>The run's name (its checkpoint file is {RunName}.checkpoint.zip).</summary>
    public required string RunName { get; init; }
    /// <summary>The encoder's architecture, width and image size.</summary>
    public required EncoderSpec Encoder { get; init; }
    /// <summary>Class names, by 0-based label.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }
    /// <summary>Epochs completed.</summary>
    public int CompletedEpochs { get; init; }
    /// <summary>Steps done in the epoch after <see cref="CompletedEpochs"/> (non-zero only when training was cancelled mid-epoch).</summary>
    public int StepInEpoch { get; init; }
    /// <summary>Steps done in the whole run.</summary>
    public long GlobalStep { get; init; }
    /// <summary>Running metric sums of the unfinished epoch (name to [sum, weight]).</summary>
    public Dictionary<string, double[]> PartialEpoch { get; init; } = new();
    /// <summary>Seconds spent in the unfinished epoch.</summary>
    public double PartialEpochSeconds { get; init; }
    /// <summary>Settings that must not change on resume (name to value).</summary>
    public Dictionary<string, string> Fingerprint { get; init; } = new();
    /// <summary>The per-epoch history so far, as JSON (see <see cref="TrainingHistory.ToJson"/>).</summary>
    public string HistoryJson { get; init; } = "[]";
}

/// <summary>
/// A training checkpoint: one zip file holding <c>checkpoint.json</c> (<see cref="CheckpointInfo"/>), the
/// modules' weights and buffers, the optimizers' state and the random generators' state. Written atomically, so
/// a crash while saving leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    const string InfoEntry = "checkpoint.json";
    // Partial-epoch sums can hold a non-finite metric of the step that stopped training; the file must stay writable.
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The checkpoint path of run <paramref name="runName"/> in <paramref name="directory"/>.</summary>
    public static string PathFor(string directory, string runName) => Path.Combine(directory, runName + ".checkpoint.zip");

    /// <summary>Writes a checkpoint atomically.</summary>
    public static void Save(string path, CheckpointInfo info, IReadOnlyDictionary<string, nn.Module> modules,
        IReadOnlyDictionary<string, OptimizerHelper> optimizers, IReadOnlyDictionary<string, Generator> generators)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteEntry(zip, InfoEntry, s => JsonSerializer.Serialize(s, info, Json));
            foreach (var (name, module) in modules)
                WriteEntry(zip, $"modules/{name}.bin", s => module.save(s));
            foreach (var (name, optimizer) in optimizers)
                WriteEntry(zip, $"optimizers/{name}.bin", s =>
                {
                    using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
                    optimizer.save_state_dict(writer);
                });
            foreach (var (name, generator) in generators)
                WriteEntry(zip, $"generators/{name}.bin", s =>
                {
                    using var state = generator.get_state();
                    s.Write(state.bytes);
                });
        });
    }

    /// <summary>Reads a checkpoint's description.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this library; the message names it.</exception>
    public static CheckpointInfo ReadInfo(string path)
    {
        using var zip = Open(path);
        var entry = zip.GetEntry(InfoEntry) ?? throw new InvalidDataException($"'{path}' is not a SimClr.MLNet checkpoint (no {InfoEntry}).");
        using var stream = entry.Open();
        return JsonSerializer.Deserialize<CheckpointInfo>(stream, Json)
            ?? throw new InvalidDataException($"'{path}': {InfoEntry} is empty.");
    }

    /// <summary>Loads tensors from a checkpoint into existing modules, optimizers and generators (each optional).</summary>
    public static void Restore(string path, IReadOnlyDictionary<string, nn.Module> modules,
        IReadOnlyDictionary<string, OptimizerHelper>? optimizers = null, IReadOnlyDictionary<string, Generator>? generators = null)
    {
        using var zip = Open(path);
        foreach (var (name, module) in modules)
            module.load(ReadEntry(zip, path, $"modules/{name}.bin"));
        foreach (var (name, optimizer) in optimizers ?? new Dictionary<string, OptimizerHelper>())
        {
            using var reader = new BinaryReader(ReadEntry(zip, path, $"optimizers/{name}.bin"));
            optimizer.load_state_dict(reader);
        }
        foreach (var (name, generator) in generators ?? new Dictionary<string, Generator>())
        {
            var bytes = ReadEntry(zip, path, $"generators/{name}.bin").ToArray();
            using var state = tensor(bytes, ScalarType.Byte);
            generator.set_state(state);
        }
    }

    /// <summary>Builds the encoder saved in a checkpoint (pretraining, supervised or distillation), with its trained weights, in eval mode.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this library.</exception>
    public static Encoder LoadEncoder(string path) => Load(path, withHead: false).Encoder;

    /// <summary>
    /// Builds the classifier (encoder and linear head) saved in the checkpoint of a supervised or distillation run,
    /// with its trained weights, in eval mode.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this library, or holds no classification head (a pretraining checkpoint); the message names the file.</exception>
    public static (Encoder Encoder, LinearClassifier Head) LoadClassifier(string path)
    {
        var (encoder, head) = Load(path, withHead: true);
        return (encoder, head!);
    }

    static readonly string[] ClassifierKinds = ["supervised", "distill"];

    static (Encoder Encoder, LinearClassifier? Head) Load(string path, bool withHead)
    {
        var info = ReadInfo(path);
        // A pretraining checkpoint also has a module "head": the projection head, not a classifier.
        if (withHead && !ClassifierKinds.Contains(info.Kind))
            throw new InvalidDataException(
                $"Checkpoint '{path}' is from a {info.Kind} run: it holds an encoder but no classification head. " +
                "Give the checkpoint of a fine-tuning, baseline or distillation run, or load only its encoder with LoadEncoder.");
        var encoder = Encoder.Create(info.Encoder);
        var head = withHead ? Runtime.TorchRuntime.WithGlobalGenerator(() => new LinearClassifier(encoder.FeatureDim, info.ClassNames.Count)) : null;
        var modules = new Dictionary<string, nn.Module> { ["encoder"] = encoder };
        if (head != null)
            modules["head"] = head;
        try
        {
            Restore(path, modules);
        }
        catch
        {
            encoder.Dispose();
            head?.Dispose();
            throw;
        }
        encoder.eval();
        head?.eval();
        return (encoder, head);
    }

    static ZipArchive Open(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a SimClr.MLNet checkpoint (not a zip file: {e.Message}).", e);
        }
    }

    static void WriteEntry(ZipArchive zip, string name, Action<Stream> write)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        write(stream);
    }

    static MemoryStream ReadEntry(ZipArchive zip, string path, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"Checkpoint '{path}' has no '{name}'.");
        var memory = new MemoryStream();
        using (var stream = entry.Open())
            stream.CopyTo(memory);
        memory.Position = 0;
        return memory;
    }
}

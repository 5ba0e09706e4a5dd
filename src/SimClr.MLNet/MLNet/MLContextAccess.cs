using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// What a catalog extension needs from the user's MLContext: its seed (through a registered host's random
/// generator), its log, and its GpuDeviceId / FallbackToCpu. ML.NET gives its own extensions this through internal
/// interfaces; we read the same values by name, and fall back to CPU, seed 1 and no log if a future ML.NET renames them.
/// </summary>
internal sealed class MLContextAccess
{
    readonly IHostEnvironment? _environment;

    MLContextAccess(IHostEnvironment? environment, int? gpuDeviceId, bool fallbackToCpu)
    {
        _environment = environment;
        GpuDeviceId = gpuDeviceId;
        FallbackToCpu = fallbackToCpu;
    }

    /// <summary>MLContext.GpuDeviceId.</summary>
    public int? GpuDeviceId { get; }

    /// <summary>MLContext.FallbackToCpu.</summary>
    public bool FallbackToCpu { get; }

    /// <summary>Reads the context behind a catalog (ml.Transforms, ml.MulticlassClassification.Trainers, ...).</summary>
    public static MLContextAccess From(object catalog)
    {
        var environment = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "IInternalCatalog")
            ?.GetProperty("Environment")?.GetValue(catalog) as IHostEnvironment;
        int? gpu = null;
        bool fallback = true;
        if (environment != null)
        {
            gpu = ReadProperty<int?>(environment, nameof(MLContext.GpuDeviceId));
            fallback = ReadProperty<bool?>(environment, nameof(MLContext.FallbackToCpu)) ?? true;
        }
        return new MLContextAccess(environment, gpu, fallback);
    }

    /// <summary>
    /// Fills in what the options leave to the context: the seed (drawn from the context's generator), the GPU and
    /// the fallback rule. The caller passes a copy; the user's options object is not changed.
    /// </summary>
    public void Apply(Training.TrainingOptions options, string component)
    {
        options.Seed ??= NextSeed(component);
        options.GpuDeviceId ??= GpuDeviceId;
        options.FallbackToCpu = options.FallbackToCpu && FallbackToCpu;
    }

    /// <summary>A seed drawn from the context's generator, so <c>new MLContext(seed: s)</c> makes runs repeatable.</summary>
    public int NextSeed(string component)
        => _environment == null ? Training.TrainingOptions.Defaults.Seed : _environment.Register(component).Rand.Next();

    /// <summary>A logger that writes to MLContext.Log under <paramref name="component"/>.</summary>
    public Action<string> Logger(string component)
    {
        if (_environment == null)
            return _ => { };
        var channel = _environment.Register(component).Start(component);
        return message => channel.Info(MessageSensitivity.None, message);
    }

    static T? ReadProperty<T>(object target, string name)
    {
        for (var type = target.GetType(); type != null; type = type.BaseType)
        {
            var property = type.GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            if (property?.GetValue(target) is T value)
                return value;
            var iface = type.GetInterfaces().Select(i => i.GetProperty(name)).FirstOrDefault(p => p != null);
            if (iface?.GetValue(target) is T fromInterface)
                return fromInterface;
        }
        return default;
    }
}

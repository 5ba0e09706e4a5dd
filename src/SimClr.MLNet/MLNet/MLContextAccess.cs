using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Onnx;

namespace SimClr.MLNet.MLNet;

/// <summary>
/// What a catalog extension needs from the user's MLContext: its seed (through a registered host's random
/// generator), its log, and its GpuDeviceId / FallbackToCpu. ML.NET gives its own extensions this through internal
/// interfaces; we read the same members by name, here and nowhere else. If an ML.NET release renames them, every
/// SimClr catalog method fails with an error that names the missing member, rather than quietly training on the
/// CPU with seed 1 and no log.
/// </summary>
internal sealed class MLContextAccess
{
    /// <summary>The internal interface through which ML.NET's catalogs expose their environment.</summary>
    const string CatalogInterface = "IInternalCatalog";

    /// <summary>The catalog interface's property that holds the environment.</summary>
    const string EnvironmentProperty = "Environment";

    readonly IHostEnvironment _environment;

    MLContextAccess(IHostEnvironment environment, int? gpuDeviceId, bool fallbackToCpu)
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
    /// <exception cref="InvalidOperationException">
    /// <paramref name="catalog"/> is not an ML.NET catalog, or this ML.NET no longer has the members read here.
    /// </exception>
    public static MLContextAccess From(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var catalogType = catalog.GetType();
        var catalogInterface = catalogType.GetInterfaces().FirstOrDefault(i => i.Name == CatalogInterface)
            ?? throw Unsupported($"interface {CatalogInterface}", catalogType);
        var property = catalogInterface.GetProperty(EnvironmentProperty)
            ?? throw Unsupported($"property {CatalogInterface}.{EnvironmentProperty}", catalogInterface);
        if (property.GetValue(catalog) is not IHostEnvironment environment)
            throw Unsupported($"{nameof(IHostEnvironment)} in {CatalogInterface}.{EnvironmentProperty}", catalogType);
        return FromEnvironment(environment);
    }

    /// <summary>The second half of <see cref="From"/>: reads GpuDeviceId and FallbackToCpu from the catalog's environment.</summary>
    internal static MLContextAccess FromEnvironment(IHostEnvironment environment)
        => new(environment,
            ReadProperty<int?>(environment, nameof(MLContext.GpuDeviceId)),
            ReadProperty<bool>(environment, nameof(MLContext.FallbackToCpu)));

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

    /// <summary>The context's ONNX Runtime session options (MLContext.SetOnnxSessionOption), for the models fitted under it; null when never set.</summary>
    public OnnxSessionOptions? OnnxSessionOptions => _environment.GetOnnxSessionOption();

    /// <summary>A seed drawn from the context's generator, so <c>new MLContext(seed: s)</c> makes runs repeatable.</summary>
    public int NextSeed(string component) => _environment.Register(component).Rand.Next();

    /// <summary>A logger that writes to MLContext.Log under <paramref name="component"/>.</summary>
    public Action<string> Logger(string component)
    {
        var channel = _environment.Register(component).Start(component);
        return message => channel.Info(MessageSensitivity.None, message);
    }

    /// <summary>
    /// A property of the environment, public or not, declared on its type, a base type or an interface (MLContext
    /// has it publicly; ML.NET's own environments through IHostEnvironmentInternal).
    /// </summary>
    static T ReadProperty<T>(IHostEnvironment environment, string name)
    {
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var type = environment.GetType();
        var property = Ancestry(type).Select(t => t.GetProperty(name, Instance)).FirstOrDefault(p => p != null)
            ?? type.GetInterfaces().Select(i => i.GetProperty(name)).FirstOrDefault(p => p != null);
        if (property == null || property.PropertyType != typeof(T))
            throw Unsupported($"property {name} ({TypeName(typeof(T))})", type);
        return (T)property.GetValue(environment)!;
    }

    static string TypeName(Type type) => Nullable.GetUnderlyingType(type) is { } value ? value.Name + "?" : type.Name;

    static IEnumerable<Type> Ancestry(Type? type)
    {
        for (; type != null; type = type.BaseType)
            yield return type;
    }

    static InvalidOperationException Unsupported(string what, Type onType)
    {
        var assembly = typeof(MLContext).Assembly;
        var release = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        return new InvalidOperationException(
            "SimClr.MLNet reads the MLContext's seed, log, GpuDeviceId and FallbackToCpu by reflection and found no " +
            $"{what} on {onType.FullName} (ML.NET {release ?? "unknown"}, {assembly.GetName().Name} {assembly.GetName().Version}): " +
            "this ML.NET is not one SimClr.MLNet supports; use the ML.NET version its package depends on.");
    }
}

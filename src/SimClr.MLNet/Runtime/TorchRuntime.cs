using TorchSharp;

namespace SimClr.MLNet.Runtime;

/// <summary>
/// The one place that prepares libtorch for this process. Every library entry point that creates tensors calls
/// <see cref="EnsureInitialized"/> first; calling it more than once is cheap and harmless.
/// </summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static TorchRuntimeOptions? _requested;
    static TorchRuntimeOptions? _applied;

    /// <summary>What initialisation did, for logs and benchmark reports. Null before initialisation.</summary>
    public static string? Description { get; private set; }

    /// <summary>True once libtorch has been prepared in this process.</summary>
    public static bool IsInitialized => _applied != null;

    /// <summary>
    /// Chooses the settings used at initialisation. Call before anything creates a tensor.
    /// </summary>
    /// <exception cref="InvalidOperationException">The runtime was already initialised with other settings.</exception>
    public static void Configure(TorchRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (Gate)
        {
            if (_applied != null && (_applied.TuneAllocator != options.TuneAllocator || _applied.Threads != options.Threads))
                throw new InvalidOperationException(
                    "TorchRuntime was already initialised; call TorchRuntime.Configure before the first tensor is created.");
            _requested = options;
        }
    }

    /// <summary>
    /// Prepares libtorch once: a loadable libLibTorchSharp.so on hosts with an older libstdc++ (see
    /// <see cref="LibTorchSharpLoader"/>), allocator tuning, then thread count. Code that creates tensors itself
    /// before calling into this library should call this first.
    /// </summary>
    /// <exception cref="InvalidOperationException">libLibTorchSharp.so needed a patched copy that could not be made or loaded.</exception>
    public static void EnsureInitialized()
    {
        if (_applied != null)
            return;
        lock (Gate)
        {
            if (_applied != null)
                return;
            var options = _requested ?? new TorchRuntimeOptions();
            // Before the first call into TorchSharp: its static constructor loads libLibTorchSharp.so.
            var loader = LibTorchSharpLoader.EnsureLoadable();
            var allocator = options.TuneAllocator ? NativeAllocatorTuning.Apply() : "allocator tuning off";
            int threads = options.Threads ?? Environment.ProcessorCount;
            if (threads < 1)
                throw new ArgumentOutOfRangeException(nameof(TorchRuntimeOptions.Threads), threads, "Threads must be at least 1.");
            torch.set_num_threads(threads);
            Description = $"libtorch {torch.__version__}, CPU {CpuFeatures.Summary}, {threads} threads, {allocator}" + (loader == null ? "" : $", {loader}");
            _applied = options;
        }
    }

    /// <summary>Seeds libtorch's global generator (after initialising the runtime).</summary>
    public static void Seed(long seed)
    {
        EnsureInitialized();
        lock (GlobalGeneratorGate)
            torch.manual_seed(seed);
    }

    /// <summary>
    /// Seeds libtorch's global generator and runs <paramref name="create"/> while no other caller of this method
    /// or of <see cref="Seed"/> can draw from it. libtorch initialises new layers from that one process-wide
    /// generator, so two models built at once on two threads would otherwise get each other's numbers.
    /// </summary>
    internal static T WithSeed<T>(long seed, Func<T> create)
        => WithGlobalGenerator(() =>
        {
            torch.manual_seed(seed);
            return create();
        });

    /// <summary>Runs <paramref name="draw"/>, which draws from libtorch's global generator, while no seeded creation is under way.</summary>
    internal static T WithGlobalGenerator<T>(Func<T> draw)
    {
        EnsureInitialized();
        lock (GlobalGeneratorGate)
            return draw();
    }

    static readonly object GlobalGeneratorGate = new();
}

using System.Runtime.CompilerServices;

namespace SimClr.MLNet.Runtime;

/// <summary>
/// Holds .NET's finalizer thread while libtorch works, so that no TorchSharp <c>Scalar</c> is freed under a native
/// call that is still reading it.
/// </summary>
/// <remarks>
/// <para>
/// TorchSharp 0.107 turns every number it passes to libtorch (<c>x.mul(0.5)</c>, the <c>alpha</c> of <c>a.add(b)</c>,
/// its own optimizers' coefficients) into a <c>Scalar</c> that nothing disposes: its finalizer frees the native value.
/// The optimised JIT treats that object as dead once its handle has been read, before the native call that uses it
/// returns, and the call keeps no reference (no <c>GC.KeepAlive</c>). If another thread's allocation starts a garbage
/// collection meanwhile, the finalizer thread can free the value while libtorch reads it: the call fails with
/// "Expected false to be true" (<c>Scalar::toDouble</c>, <c>toLong</c>) or "Unknown scalar type", or reads a
/// value that is no longer the one passed. With a second thread allocating, 6 of 10 small fine-tunings failed so, and
/// the two-threaded t-SNE of a <c>simclr run</c> report died so; with this pause none did (README, "TorchSharp's
/// numbers and other threads").
/// </para>
/// <para>
/// CoreCLR runs finalizers on one thread, so an object whose finalizer waits holds them all: the collections
/// themselves go on, and the Scalars they find dead wait, unfreed, in the finalization queue until the pause ends.
/// A pause costs one generation-0 collection to start its waiting object. It is held per training step or
/// t-SNE iteration, not for a whole run, so the finalizers that wait are those of one step. Pauses from several
/// threads share one hold, released when the last ends.
/// </para>
/// </remarks>
internal static class FinalizerPause
{
    static readonly object Gate = new();
    static int _holders;
    static ManualResetEventSlim? _release;

    /// <summary>How long a pause waits for the finalizer thread to reach it before going on without it.</summary>
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    /// <summary>True while some thread holds a pause that reached the finalizer thread.</summary>
    internal static bool IsHeld
    {
        get { lock (Gate) return _release != null; }
    }

    /// <summary>Holds the finalizer thread until the returned value is disposed.</summary>
    public static IDisposable Begin()
    {
        lock (Gate)
        {
            if (_holders++ == 0)
                _release = HoldFinalizerThread();
        }
        return new Scope();
    }

    static void End()
    {
        lock (Gate)
        {
            if (--_holders > 0)
                return;
            _release?.Set();
            _release = null;
        }
    }

    /// <summary>
    /// Starts an object whose finalizer blocks the finalizer thread and returns what releases it; null if the
    /// finalizer thread did not reach it in time (busy with another finalizer), and then nothing is held.
    /// </summary>
    static ManualResetEventSlim? HoldFinalizerThread()
    {
        var started = new ManualResetEventSlim();
        var release = new ManualResetEventSlim();
        AbandonWaiter(started, release);
        // A generation-0 collection finds the waiter unless something promoted it first; a full one always does.
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        if (started.Wait(TimeSpan.FromMilliseconds(100)))
            return release;
        GC.Collect();
        if (started.Wait(StartTimeout))
            return release;
        release.Set();
        return null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void AbandonWaiter(ManualResetEventSlim started, ManualResetEventSlim release) => _ = new Waiter(started, release);

    sealed class Waiter(ManualResetEventSlim started, ManualResetEventSlim release)
    {
        ~Waiter()
        {
            started.Set();
            release.Wait();
        }
    }

    /// <summary>Ends the pause when first disposed.</summary>
    sealed class Scope : IDisposable
    {
        int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
                End();
        }
    }
}

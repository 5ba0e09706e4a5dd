using System.Runtime.InteropServices;

namespace SimClr.Cli.Infrastructure;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into one request to stop: a run finishes its current step, saves a checkpoint
/// and exits, so that <c>--resume</c> loses nothing. SIGTERM is what <c>docker stop</c>, systemd and CI runners
/// send before they kill; treated like Ctrl-C it keeps the epoch in progress. A second signal ends the process at once.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    /// <summary>Exit code of a run stopped by Ctrl-C: 128 + SIGINT (2), as a shell reports it.</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>Exit code of a run stopped by SIGTERM: 128 + SIGTERM (15), what supervisors expect of a clean stop.</summary>
    public const int TerminatedExitCode = 143;

    readonly CancellationTokenSource _stop = new();
    readonly TextWriter _messages;
    readonly PosixSignalRegistration _interrupt;
    readonly PosixSignalRegistration _terminate;
    volatile bool _terminated;

    /// <summary>Starts listening; <paramref name="messages"/> (stderr) says what a signal does.</summary>
    public StopSignals(TextWriter messages)
    {
        _messages = messages;
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, "Ctrl-C"));
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, "SIGTERM"));
    }

    /// <summary>Cancelled by the first Ctrl-C or SIGTERM.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The process exit code for a command's result: a cancelled run reports which signal stopped it.</summary>
    public int ExitCode(int commandResult)
        => commandResult == InterruptedExitCode && _terminated ? TerminatedExitCode : commandResult;

    void Stop(PosixSignalContext context, string signal)
    {
        // Left uncancelled, the second signal takes the default action and the process ends at once.
        if (_stop.IsCancellationRequested)
            return;
        context.Cancel = true;
        _terminated = context.Signal == PosixSignal.SIGTERM;
        // Every command gets this line (simclr serve too), so it must not promise a checkpoint to commands that train nothing.
        _messages.WriteLine($"{signal}: stopping (a training run first finishes its step and saves a checkpoint); another {signal} kills the process.");
        _stop.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _stop.Dispose();
    }
}

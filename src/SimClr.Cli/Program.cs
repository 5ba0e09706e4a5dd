using SimClr.Cli;

// Ctrl-C asks the run to stop at the end of the current step, after saving a checkpoint; a second Ctrl-C kills.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested)
        return;
    e.Cancel = true;
    Console.Error.WriteLine("Stopping after the current step (saving a checkpoint); press Ctrl-C again to kill.");
    cancellation.Cancel();
};
return SimClrApp.Run(args, cancellation: cancellation.Token);

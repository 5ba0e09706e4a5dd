using SimClr.Cli;
using SimClr.Cli.Infrastructure;

using var signals = new StopSignals(Console.Error);
return signals.ExitCode(SimClrApp.Run(args, cancellation: signals.Token));

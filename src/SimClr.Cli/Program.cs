using SimClr.Cli;

return SimClrApp.Run(args);

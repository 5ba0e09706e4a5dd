using System.ComponentModel;
using SimClr.MLNet.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary><c>simclr download stl10 --to DIR</c>.</summary>
internal sealed class DownloadStl10Command : AsyncCommand<DownloadStl10Command.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--to <DIR>")]
        [Description("Folder to download into; the data ends up in DIR/stl10_binary.")]
        public string To { get; init; } = "data/stl10";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var archive = Stl10Archive.Official;
        AnsiConsole.MarkupLineInterpolated($"Fetching {archive.Url} ({archive.Size:N0} bytes) into {settings.To}");
        string extracted = "";
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("download", maxValue: archive.Size);
                extracted = await new Stl10Download().RunAsync(settings.To, new Progress<DownloadProgress>(p =>
                {
                    task.Description = p.Stage;
                    if (p.TotalBytes > 0)
                        task.Value = p.Bytes;
                }), cancellation);
                task.Value = task.MaxValue;
            });
        AnsiConsole.MarkupLineInterpolated($"STL-10 is ready in {extracted}");
        return 0;
    }
}

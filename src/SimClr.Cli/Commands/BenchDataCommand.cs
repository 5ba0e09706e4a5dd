using System.ComponentModel;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using SimClr.Cli.Infrastructure;
using SimClr.MLNet.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary>
/// <c>simclr bench data</c>: one full cursor pass over an image source, decoding every image, with rows/s and
/// peak resident memory.
/// </summary>
internal sealed class BenchDataCommand : Command<BenchDataCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--folder <PATH>")]
        [Description("An image folder (root/<class>/*.png|jpg|jpeg|bmp|gif|webp) to read with LoadImageFolder.")]
        public string? Folder { get; init; }

        [CommandOption("--stl10-records <N>")]
        [Description("Write a synthetic unlabeled_X.bin of N records to a temporary folder, then read it with LoadStl10.")]
        public int? Stl10Records { get; init; }

        [CommandOption("--shuffle")]
        [Description("Visit the rows in a shuffled order.")]
        public bool Shuffle { get; init; }

        public override ValidationResult Validate()
            => (Folder == null) == (Stl10Records == null)
                ? ValidationResult.Error("Give exactly one of --folder and --stl10-records.")
                : Stl10Records <= 0 ? ValidationResult.Error("--stl10-records must be positive.") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var ml = new MLContext(seed: 1);
        string? temp = null;
        try
        {
            IDataView view;
            string source;
            if (settings.Folder != null)
            {
                view = ml.Data.LoadImageFolder(settings.Folder);
                source = $"LoadImageFolder({settings.Folder})";
            }
            else
            {
                temp = Directory.CreateTempSubdirectory("simclr-bench-").FullName;
                WriteSyntheticUnlabeled(temp, settings.Stl10Records!.Value);
                view = ml.Data.LoadStl10(temp, Stl10Split.Unlabeled);
                source = $"LoadStl10(synthetic unlabeled_X.bin, {settings.Stl10Records:N0} records)";
            }

            ProcessStats.ResetPeakResident();
            var watch = Stopwatch.StartNew();
            long rows = 0, checksum = 0;
            var image = view.Schema[ImageColumns.Image];
            using (var cursor = view.GetRowCursor(new[] { image }, settings.Shuffle ? new Random(1) : null))
            {
                var getter = cursor.GetGetter<MLImage>(image);
                MLImage value = null!;
                while (cursor.MoveNext())
                {
                    cancellation.ThrowIfCancellationRequested();
                    getter(ref value);
                    checksum += value.Pixels[0];
                    rows++;
                }
                value?.Dispose();
            }
            watch.Stop();
            long peak = ProcessStats.PeakResidentBytes();
            AnsiConsole.WriteLine(
                $"{source}: {rows:N0} rows in {watch.Elapsed.TotalSeconds:F1} s = {rows / watch.Elapsed.TotalSeconds:N0} rows/s, " +
                $"peak RSS during the pass {ProcessStats.Megabytes(peak)} (checksum {checksum})");
            return 0;
        }
        finally
        {
            if (temp != null)
                Directory.Delete(temp, recursive: true);
        }
    }

    static void WriteSyntheticUnlabeled(string directory, int records)
    {
        Stl10Writer.WriteClassNames(directory, Enumerable.Range(1, 10).Select(i => $"class{i}"));
        var random = new Random(7);
        var image = new byte[Stl10Format.RecordBytes];
        // One buffer, refilled per record: the writer consumes each before the next is made.
        IEnumerable<byte[]> Images()
        {
            for (int i = 0; i < records; i++)
            {
                random.NextBytes(image);
                yield return image;
            }
        }
        Stl10Writer.WriteImages(Path.Combine(directory, Stl10Format.ImageFile(Stl10Split.Unlabeled)), Images());
    }
}

using System.ComponentModel;
using SimClr.Cli.Reporting;
using SimClr.MLNet.Embeddings;
using SimClr.MLNet.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SimClr.Cli.Commands;

/// <summary>
/// <c>simclr neighbors --model MODEL --data PATH --queries N --k K --out grid.png</c>: what the encoder groups
/// together, as one row per query image followed by its K nearest images by cosine similarity.
/// </summary>
internal sealed class NeighborsCommand(IAnsiConsole console) : Command<NeighborsCommand.Settings>
{
    public sealed class Settings : ModelAndImagesSettings
    {
        [CommandOption("--index <PATH>")] [Description("Image folder to search; default: --data itself (a query is never its own neighbour).")]
        public string? Index { get; init; }

        [CommandOption("--queries <N>")] [Description("Query images, drawn at random under --seed.")] [DefaultValue(8)]
        public int Queries { get; init; } = 8;

        [CommandOption("-k|--neighbors <K>")] [Description("Neighbours per query.")] [DefaultValue(8)]
        public int K { get; init; } = 8;

        [CommandOption("--seed <N>")] [Description("Which queries are drawn.")] [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("--out <PNG>")] [Description("The picture to write.")] [DefaultValue("neighbors.png")]
        public string Out { get; init; } = "neighbors.png";

        public override ValidationResult Validate()
            => Queries < 1 || K < 1 ? ValidationResult.Error("--queries and -k must be at least 1.") : base.Validate();
    }

    const int ThumbnailSize = 64;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var data = ImageFolderInput.Open(settings.Data, settings.Unlabeled);
        var queries = ModelEmbeddings.Compute(settings.Model, data);
        bool sameFolder = settings.Index == null || Path.GetFullPath(settings.Index) == Path.GetFullPath(settings.Data);
        var index = sameFolder ? data : ImageFolderInput.Open(settings.Index!, settings.Unlabeled);
        var bank = sameFolder ? queries : ModelEmbeddings.Compute(settings.Model, index);
        int available = bank.Count - (sameFolder ? 1 : 0);
        if (available < 1)
            throw new InvalidDataException($"'{settings.Index ?? settings.Data}' has no images to search besides the queries.");

        var rows = Enumerable.Range(0, queries.Count).ToArray();
        new Random(settings.Seed).Shuffle(rows);
        rows = rows.Take(Math.Min(settings.Queries, rows.Length)).ToArray();
        var neighbors = CosineNeighbors.Find(rows.Select(r => queries.Vectors[r]).ToArray(), bank.Vectors, Math.Min(settings.K, available),
            sameFolder ? (q, b) => b == rows[q] : null);

        using var dataThumbnails = ImageTensorSet.FromDataView(data, ThumbnailSize);
        using var queryImages = dataThumbnails.Subset(rows.Select(r => (long)r).ToArray());
        using var indexThumbnails = sameFolder ? null : ImageTensorSet.FromDataView(index, ThumbnailSize);
        var queryLabels = rows.Select(queries.LabelName).ToArray();
        var bankLabels = Enumerable.Range(0, bank.Count).Select(bank.LabelName).ToArray();
        NeighborGrid.Write(settings.Out, queryImages, queryLabels, indexThumbnails ?? dataThumbnails, bankLabels, neighbors);
        int labelled = neighbors.Where((_, q) => queryLabels[q].Length > 0).Sum(n => n.Length);
        int sameClass = neighbors.SelectMany((n, q) => n.Where(x => queryLabels[q].Length > 0 && bankLabels[x.Row] == queryLabels[q])).Count();
        console.WriteLine($"{rows.Length} queries x {neighbors.FirstOrDefault()?.Length ?? 0} neighbours written to {settings.Out}" +
                          (labelled > 0 ? $"; {sameClass} of {labelled} neighbours share the query's class." : "."));
        return 0;
    }
}

using SimClr.Cli.Pipelines;
using SimClr.MLNet.Embeddings;
using SimClr.MLNet.Models;
using SimClr.MLNet.Training;

namespace SimClr.Cli.Reporting;

/// <summary>
/// What a pretrained encoder groups together, for report.md: <c>neighbors.png</c> (validation images and their nearest
/// labelled images) and <c>map.png</c> (a t-SNE map of validation features, coloured by class).
/// </summary>
public static class EncoderPictures
{
    const int Queries = 8, Neighbours = 8;

    /// <summary>Writes the pictures that the data allows; returns the file names written.</summary>
    public static IReadOnlyList<string> Write(string directory, Encoder encoder, PipelineData data, int seed)
    {
        var written = new List<string>();
        var validationRows = data.Validation.LabeledIndices();
        var bankRows = data.Labeled.LabeledIndices();
        if (validationRows.Length == 0)
            return written;
        var random = new Random(seed);
        var sample = validationRows.ToArray();
        random.Shuffle(sample);
        sample = sample.Take(EmbeddingMap.MaxPoints).Order().ToArray();
        using var validation = data.Validation.Subset(sample);
        var features = ModelEmbeddings.Compute(encoder, validation);
        var labels = validation.Labels.Select(l => (int)l).ToArray();

        if (bankRows.Length > 0)
        {
            using var bank = data.Labeled.Subset(bankRows);
            var bankFeatures = ModelEmbeddings.Compute(encoder, bank);
            var queries = Enumerable.Range(0, Math.Min(Queries, validation.Count)).ToArray();
            var neighbors = CosineNeighbors.Find(queries.Select(q => features[q]).ToArray(), bankFeatures, Math.Min(Neighbours, bank.Count));
            using var queryImages = validation.Subset(queries.Select(q => (long)q).ToArray());
            NeighborGrid.Write(Path.Combine(directory, "neighbors.png"), queryImages, queries.Select(q => Name(data, labels[q])).ToArray(),
                bank, bank.Labels.Select(l => Name(data, (int)l)).ToArray(), neighbors);
            written.Add("neighbors.png");
        }
        var embeddings = new EmbeddingSet(labels.Select(_ => "").ToArray(), labels, data.Labeled.ClassNames, features);
        if (EmbeddingMap.WriteTSne(Path.Combine(directory, "map.png"), embeddings, seed, $"t-SNE of {features.Length:N0} validation images' features after pretraining") != null)
            written.Add("map.png");
        return written;
    }

    static string Name(PipelineData data, int label) => label < 0 ? "" : data.Labeled.ClassNames[label];
}

using System.Globalization;
using SimClr.MLNet.Embeddings;

namespace SimClr.Cli.Serving;

/// <summary>The images a server searches for neighbours: a folder written by <c>simclr embed</c> (its embeddings.csv).</summary>
public sealed class ImageIndex
{
    readonly CosineIndex _features;

    ImageIndex(string[] paths, string[] labels, CosineIndex features) => (Paths, Labels, _features) = (paths, labels, features);

    /// <summary>Each image's file, as embed wrote it.</summary>
    public IReadOnlyList<string> Paths { get; }
    /// <summary>Each image's class name, or "".</summary>
    public IReadOnlyList<string> Labels { get; }
    /// <summary>How many features each image has.</summary>
    public int Width => _features.Width;

    /// <exception cref="InvalidDataException">The folder has no embeddings.csv, or it is not one embed wrote; the message names the file and line.</exception>
    public static ImageIndex Load(string directory)
    {
        var path = Path.Combine(directory, "embeddings.csv");
        if (!File.Exists(path))
            throw new InvalidDataException($"'{directory}' holds no embeddings.csv; make it with simclr embed --out {directory}.");
        var lines = File.ReadAllLines(path);
        if (lines.Length < 2 || !lines[0].StartsWith("path,label,f0", StringComparison.Ordinal))
            throw new InvalidDataException($"'{path}' is not an embeddings.csv written by simclr embed (its header should start path,label,f0).");
        var paths = new string[lines.Length - 1];
        var labels = new string[lines.Length - 1];
        var vectors = new float[lines.Length - 1][];
        for (int i = 1; i < lines.Length; i++)
        {
            var fields = SplitCsv(lines[i]);
            try
            {
                paths[i - 1] = fields[0];
                labels[i - 1] = fields[1];
                vectors[i - 1] = fields.Skip(2).Select(f => float.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException)
            {
                throw new InvalidDataException($"'{path}' line {i + 1}: not a row of path, label and numbers.", e);
            }
            if (vectors[i - 1].Length != vectors[0].Length)
                throw new InvalidDataException($"'{path}' line {i + 1}: {vectors[i - 1].Length} features where line 2 has {vectors[0].Length}.");
        }
        return new ImageIndex(paths, labels, new CosineIndex(vectors));
    }

    /// <summary>The <paramref name="k"/> images nearest to <paramref name="features"/> by cosine similarity.</summary>
    public Neighbor[] Nearest(float[] features, int k) => _features.Nearest(features, Math.Min(k, _features.Count));

    /// <summary>RFC 4180 fields: quoted fields may hold commas and doubled quotes.</summary>
    static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields.ToArray();
    }
}

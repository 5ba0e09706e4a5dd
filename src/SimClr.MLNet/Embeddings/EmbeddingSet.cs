namespace SimClr.MLNet.Embeddings;

/// <summary>The encoder's features of a set of image files: one row per image, with its path and label.</summary>
public sealed class EmbeddingSet
{
    /// <param name="paths">Each image's file.</param>
    /// <param name="labels">Each image's 0-based class, or -1 when it has none.</param>
    /// <param name="classNames">Names of the classes, by 0-based label.</param>
    /// <param name="vectors">Each image's features, all of one width.</param>
    /// <exception cref="ArgumentException">The lists differ in length, or the vectors in width.</exception>
    public EmbeddingSet(IReadOnlyList<string> paths, IReadOnlyList<int> labels, IReadOnlyList<string> classNames, float[][] vectors)
    {
        if (paths.Count != vectors.Length || labels.Count != vectors.Length)
            throw new ArgumentException($"{paths.Count} paths, {labels.Count} labels and {vectors.Length} vectors: one of each per image is needed.", nameof(vectors));
        if (vectors.Length > 0 && vectors.Any(v => v.Length != vectors[0].Length))
            throw new ArgumentException("Every vector must have the same width.", nameof(vectors));
        if (labels.Any(l => l < -1 || l >= classNames.Count))
            throw new ArgumentException($"Labels must be -1 (none) or below the {classNames.Count} classes.", nameof(labels));
        (Paths, Labels, ClassNames, Vectors) = (paths, labels, classNames, vectors);
    }

    /// <summary>Each image's file.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <summary>Each image's 0-based class, or -1 when it has none.</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>Names of the classes, by 0-based label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Each image's features.</summary>
    public float[][] Vectors { get; }

    /// <summary>Number of images.</summary>
    public int Count => Vectors.Length;

    /// <summary>Width of the vectors (0 for an empty set).</summary>
    public int Dimension => Vectors.Length == 0 ? 0 : Vectors[0].Length;

    /// <summary>The class name of row <paramref name="row"/>, or "" when it has none.</summary>
    public string LabelName(int row) => Labels[row] < 0 ? "" : ClassNames[Labels[row]];
}

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace SimClr.MLNet.Data;

/// <summary>
/// The schema shared by every image source of this library: <c>Image</c> (<see cref="MLImage"/>), <c>Label</c>
/// (a key over the class names, with the KeyValues annotation; missing, i.e. 0, for unlabeled rows) and
/// <c>Index</c> (the row's position in its source, stable across shuffles).
/// </summary>
public static class ImageColumns
{
    /// <summary>Name of the image column.</summary>
    public const string Image = "Image";

    /// <summary>Name of the key-typed label column.</summary>
    public const string Label = "Label";

    /// <summary>Name of the source-index column (Int64).</summary>
    public const string Index = "Index";

    /// <summary>Builds the schema for the given classes; width and height 0 mean "images vary in size".</summary>
    public static DataViewSchema CreateSchema(IReadOnlyList<string> classNames, int width = 0, int height = 0)
    {
        var names = classNames.Select(n => n.AsMemory()).ToArray();
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, names.Length),
            (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(names.Length, names));

        var schema = new DataViewSchema.Builder();
        schema.AddColumn(Image, width > 0 && height > 0 ? new ImageDataViewType(height, width) : new ImageDataViewType());
        schema.AddColumn(Label, new KeyDataViewType(typeof(uint), names.Length), annotations.ToAnnotations());
        schema.AddColumn(Index, NumberDataViewType.Int64);
        return schema.ToSchema();
    }

    /// <summary>Reads the class names from a key-typed column's KeyValues annotation.</summary>
    /// <exception cref="ArgumentException">The column is not a key with text KeyValues.</exception>
    public static string[] GetClassNames(DataViewSchema.Column column)
    {
        if (column.Type is not KeyDataViewType key)
            throw new ArgumentException($"Column '{column.Name}' must be a key type (use MapValueToKey), but is {column.Type}.", nameof(column));
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is null)
            return Enumerable.Range(1, (int)key.Count).Select(i => i.ToString()).ToArray();
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.GetKeyValues(ref values);
        return values.DenseValues().Select(v => v.ToString()).ToArray();
    }
}

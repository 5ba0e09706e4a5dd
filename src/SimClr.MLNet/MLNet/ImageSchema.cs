using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace SimClr.MLNet.MLNet;

/// <summary>Checks of input columns, with errors that name the column and the option that names it.</summary>
internal static class ImageSchema
{
    public static void CheckImageColumn(DataViewSchema schema, string column, string option)
    {
        var found = schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(option, column,
                $"The input has no image column '{column}' ({option}). Columns: {string.Join(", ", schema.Select(c => c.Name))}.");
        if (found.Type is not ImageDataViewType)
            throw new ArgumentOutOfRangeException(option, column,
                $"Column '{column}' ({option}) must hold images (MLImage, e.g. from LoadImages, LoadStl10 or LoadImageFolder), but its type is {found.Type}.");
    }

    public static void CheckImageColumn(SchemaShape shape, string column, string option)
    {
        var found = shape.FirstOrDefault(c => c.Name == column);
        if (found.Name == null)
            throw new ArgumentOutOfRangeException(option, column,
                $"The input has no image column '{column}' ({option}). Columns: {string.Join(", ", shape.Select(c => c.Name))}.");
        if (found.ItemType is not ImageDataViewType || found.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(option, column,
                $"Column '{column}' ({option}) must hold images (MLImage), but its type is {found.ItemType}.");
    }

    public static void CheckLabelColumn(DataViewSchema schema, string column, string option)
    {
        var found = schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(option, column, $"The input has no label column '{column}' ({option}).");
        if (found.Type is not KeyDataViewType)
            throw new ArgumentOutOfRangeException(option, column,
                $"Label column '{column}' ({option}) must be a key (use ml.Transforms.Conversion.MapValueToKey), but its type is {found.Type}.");
    }

    public static void CheckLabelColumn(SchemaShape shape, string column, string option)
    {
        var found = shape.FirstOrDefault(c => c.Name == column);
        if (found.Name == null)
            throw new ArgumentOutOfRangeException(option, column, $"The input has no label column '{column}' ({option}).");
        if (!found.IsKey || found.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(option, column,
                $"Label column '{column}' ({option}) must be a key (use ml.Transforms.Conversion.MapValueToKey), but its type is {found.ItemType}.");
    }
}

using Microsoft.ML;
using Microsoft.ML.Data;

namespace SimClr.MLNet.Tests.Support;

/// <summary>Reads whole columns of a view, for assertions.</summary>
public static class DataViewReading
{
    public static List<T> Column<T>(IDataView view, string name, Random? rand = null)
    {
        var column = view.Schema[name];
        using var cursor = view.GetRowCursor(new[] { column }, rand);
        var getter = cursor.GetGetter<T>(column);
        var values = new List<T>();
        while (cursor.MoveNext())
        {
            T value = default!;
            getter(ref value);
            values.Add(value);
        }
        return values;
    }

    /// <summary>An MLImage's pixel at (x, y) as (R, G, B), whatever its pixel format.</summary>
    public static (byte R, byte G, byte B) Pixel(MLImage image, int x, int y)
    {
        var pixels = image.Pixels;
        int o = (y * image.Width + x) * 4;
        return image.PixelFormat == MLPixelFormat.Bgra32
            ? (pixels[o + 2], pixels[o + 1], pixels[o])
            : (pixels[o], pixels[o + 1], pixels[o + 2]);
    }
}

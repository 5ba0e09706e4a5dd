using Microsoft.ML.Data;

namespace SimClr.MLNet.Data;

/// <summary>Reads the rows of one <see cref="ImageDataView"/>. Not thread-safe: each cursor opens its own.</summary>
internal abstract class ImageRowReader : IDisposable
{
    /// <summary>Called when a cursor moves onto <paramref name="row"/>; false skips the row.</summary>
    public virtual bool Prepare(long row) => true;

    /// <summary>A new image for the row; the caller owns it.</summary>
    public abstract MLImage ReadImage(long row);

    /// <summary>The row's label key: 1..class count, or 0 when the row is unlabeled.</summary>
    public abstract uint ReadLabel(long row);

    public virtual void Dispose() { }
}

using Microsoft.ML.Data;

namespace SimClr.MLNet.Data;

/// <summary><see cref="SyntheticShapes"/> as an IDataView: images are drawn when a cursor reaches them.</summary>
public sealed class SyntheticShapesDataView : ImageDataView
{
    readonly int _seed;
    readonly long _first;
    readonly int _size;
    readonly bool _unlabeled;

    internal SyntheticShapesDataView(int seed, long first, int count, int size, bool unlabeled)
        : base(SyntheticShapes.ClassNames, size, size)
    {
        if (count < 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, "Count must not be negative.");
        if (size < 8)
            throw new ArgumentOutOfRangeException(nameof(size), size, "Images must be at least 8 pixels wide.");
        (_seed, _first, RowCount, _size, _unlabeled) = (seed, first, count, size, unlabeled);
    }

    /// <inheritdoc />
    public override long RowCount { get; }

    private protected override ImageRowReader OpenReader() => new Reader(this);

    sealed class Reader(SyntheticShapesDataView view) : ImageRowReader
    {
        readonly byte[] _planes = new byte[3 * view._size * view._size];
        readonly byte[] _bgra = new byte[4 * view._size * view._size];

        public override MLImage ReadImage(long row)
        {
            SyntheticShapes.Draw(view._seed, view._first + row, view._size, _planes);
            int plane = view._size * view._size;
            for (int p = 0; p < plane; p++)
            {
                _bgra[4 * p] = _planes[2 * plane + p];
                _bgra[4 * p + 1] = _planes[plane + p];
                _bgra[4 * p + 2] = _planes[p];
                _bgra[4 * p + 3] = 255;
            }
            return MLImage.CreateFromPixels(view._size, view._size, MLPixelFormat.Bgra32, _bgra);
        }

        public override uint ReadLabel(long row) => view._unlabeled ? 0u : (uint)SyntheticShapes.LabelOf(view._first + row) + 1;
    }
}

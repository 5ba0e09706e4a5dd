using Microsoft.ML;
using Microsoft.ML.Data;

namespace SimClr.MLNet.Data;

/// <summary>
/// Base for this library's image sources: a fixed list of rows, each an image and an optional label, that
/// cursors read on demand (nothing is held in memory) in order or in a shuffled order.
/// </summary>
public abstract class ImageDataView : IDataView
{
    readonly string[] _classNames;

    private protected ImageDataView(IReadOnlyList<string> classNames, int width, int height)
    {
        _classNames = classNames.ToArray();
        Schema = ImageColumns.CreateSchema(_classNames, width, height);
    }

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <summary>The class names, in key order (key value k names class k-1).</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Number of rows in the source.</summary>
    public abstract long RowCount { get; }

    /// <inheritdoc />
    public bool CanShuffle => true;

    /// <inheritdoc />
    public virtual long? GetRowCount() => RowCount;

    /// <summary>Opens a reader over the rows; each cursor owns one.</summary>
    private protected abstract ImageRowReader OpenReader();

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
            active[column.Index] = true;
        return new Cursor(this, OpenReader(), active, rand == null ? null : Permutation(RowCount, rand));
    }

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };

    static int[] Permutation(long count, Random rand)
    {
        var order = new int[checked((int)count)];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        rand.Shuffle(order);
        return order;
    }

    sealed class Cursor : DataViewRowCursor
    {
        readonly ImageDataView _view;
        readonly ImageRowReader _reader;
        readonly bool[] _active;
        readonly int[]? _order;
        long _position = -1;
        long _row = -1;
        long _next;

        public Cursor(ImageDataView view, ImageRowReader reader, bool[] active, int[]? order)
        {
            _view = view; _reader = reader; _active = active; _order = order;
        }

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            while (_next < _view.RowCount)
            {
                long row = _order == null ? _next : _order[_next];
                _next++;
                if (!_reader.Prepare(row))
                    continue;
                _row = row;
                _position++;
                return true;
            }
            _row = -1;
            return false;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId id) => id = new DataViewRowId((ulong)CurrentRow(), 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            Delegate getter = column.Name switch
            {
                ImageColumns.Image => (ValueGetter<MLImage>)((ref MLImage image) =>
                {
                    // Same contract as ML.NET's LoadImages: the getter owns the previous image it handed out.
                    image?.Dispose();
                    image = _reader.ReadImage(CurrentRow());
                }),
                ImageColumns.Label => (ValueGetter<uint>)((ref uint label) => label = _reader.ReadLabel(CurrentRow())),
                ImageColumns.Index => (ValueGetter<long>)((ref long index) => index = CurrentRow()),
                _ => throw new ArgumentOutOfRangeException(nameof(column), column.Name, "Unknown column."),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}, not {typeof(TValue).Name}.");
        }

        long CurrentRow() => _row >= 0 ? _row : throw new InvalidOperationException("The cursor is not on a row; call MoveNext first.");

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _reader.Dispose();
            base.Dispose(disposing);
        }
    }
}

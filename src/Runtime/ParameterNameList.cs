using System.Collections;
using System.Globalization;

namespace SymbolicGrad;

/// <summary>
/// The names of a packed parameter vector, made when read: w, b[0], b[1], W[0,1], J[1][2]. An objective of a model with
/// 10⁷ parameters held 10⁷ strings from the moment it was made (1.2 GB, and 1.1 GB for 200 per-example objectives of a
/// 10⁵-parameter model; red-team O); this list holds one entry per named parameter and formats a name when it is asked for.
/// </summary>
public sealed class ParameterNameList : IReadOnlyList<string>
{
    private readonly string[] _names;
    private readonly int[][]? _shapes;   // per name: null (a scalar), [n] (a vector), [rows, columns] (a matrix), or row lengths (jagged)
    private readonly bool[] _jagged;
    private readonly long[] _starts;     // where each name's coordinates start in the vector
    private readonly long[]?[] _rowStarts; // for a jagged name: where each row starts, relative to its name's start

    private ParameterNameList(string[] names, int[]?[] shapes, bool[] jagged)
    {
        _names = names;
        _shapes = shapes!;
        _jagged = jagged;
        _starts = new long[names.Length + 1];
        _rowStarts = new long[]?[names.Length];
        for (int k = 0; k < names.Length; k++)
        {
            long count;
            var shape = shapes[k];
            if (shape is null)
            {
                count = 1;
            }
            else if (jagged[k])
            {
                var rows = new long[shape.Length + 1];
                for (int i = 0; i < shape.Length; i++)
                {
                    rows[i + 1] = rows[i] + Math.Max(0, shape[i]);
                }

                _rowStarts[k] = rows;
                count = rows[shape.Length];
            }
            else
            {
                count = shape.Length == 2 ? (long)Math.Max(0, shape[0]) * Math.Max(0, shape[1]) : Math.Max(0, shape[0]);
            }

            _starts[k + 1] = _starts[k] + count;
        }

        if (_starts[names.Length] > int.MaxValue)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The parameters would number {_starts[names.Length]}, more than a vector can hold ({int.MaxValue})."), nameof(shapes));
        }

        Count = (int)_starts[names.Length];
    }

    /// <summary>x[0] … x[n − 1].</summary>
    /// <param name="dimension">The number of parameters.</param>
    public static ParameterNameList Default(int dimension) =>
        new(new[] { "x" }, new[] { new[] { Math.Max(0, dimension) } }, new[] { false });

    /// <summary>A scalar keeps its name (a length of −1); an array of length n becomes name[0] … name[n − 1].</summary>
    /// <param name="names">The parameter names, in order.</param>
    /// <param name="lengths">For each name: its length, or −1 for a scalar.</param>
    public static ParameterNameList Packed(string[] names, int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(lengths);
        if (lengths.Length != names.Length)
        {
            throw new ArgumentException($"lengths has {lengths.Length} entries but names has {names.Length}: give one length (−1 for a scalar) per name.", nameof(lengths));
        }

        return new(names, lengths.Select(n => n < 0 ? null : new[] { n }).ToArray(), new bool[names.Length]);
    }

    /// <summary>
    /// With matrices: for each name null (a scalar), [n] (an array), [rows, columns] (a double[,], named W[i,j]) or, when
    /// <paramref name="jagged"/> says so, its row lengths (a jagged array, named J[i][j]).
    /// </summary>
    public static ParameterNameList Packed(string[] names, int[]?[] shapes, bool[] jagged)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(shapes);
        ArgumentNullException.ThrowIfNull(jagged);
        if (shapes.Length != names.Length || jagged.Length != names.Length)
        {
            throw new ArgumentException($"shapes has {shapes.Length} entries and jagged {jagged.Length}, but names has {names.Length}: give one of each per name.", nameof(shapes));
        }

        return new((string[])names.Clone(), shapes.Select(s => (int[]?)s?.Clone()).ToArray(), (bool[])jagged.Clone());
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public string this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"There are {Count} parameters.");
            }

            // the last name whose coordinates start at or before index
            int k = Array.BinarySearch(_starts, 0, _names.Length, (long)index);
            if (k < 0)
            {
                k = ~k - 1;
            }

            while (k + 1 < _names.Length && _starts[k + 1] <= index)
            {
                k++; // names with no coordinates (an empty array) share a start
            }

            long at = index - _starts[k];
            var shape = _shapes![k];
            string I(long i) => i.ToString(CultureInfo.InvariantCulture);
            if (shape is null)
            {
                return _names[k];
            }

            if (_jagged[k])
            {
                var rows = _rowStarts[k]!;
                int row = Array.BinarySearch(rows, at);
                row = row < 0 ? ~row - 1 : row;
                while (row + 1 < rows.Length - 1 && rows[row + 1] <= at)
                {
                    row++; // empty rows share a start
                }

                return _names[k] + "[" + I(row) + "][" + I(at - rows[row]) + "]";
            }

            return shape.Length == 2
                ? _names[k] + "[" + I(at / shape[1]) + "," + I(at % shape[1]) + "]"
                : _names[k] + "[" + I(at) + "]";
        }
    }

    /// <inheritdoc />
    public IEnumerator<string> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

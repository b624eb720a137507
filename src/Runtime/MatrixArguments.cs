using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SymbolicGrad.Internal;

/// <summary>
/// The entry checks and packing of generated gradients for matrix parameters (<c>double[,] w</c> and jagged
/// <c>double[][] w</c>), whose gradients are outputs of the same shape the caller allocates (<c>double[,] dW</c>,
/// <c>double[][] dW</c>). A null matrix counts as one with no rows. Used by generated code; not meant to be called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MatrixArguments
{
    /// <summary>Row counts up to this compare rows pair by pair; more use a set of the rows.</summary>
    private const int PairwiseLimit = 256;

    [ThreadStatic]
    private static HashSet<object>? t_rows;

    /// <summary>The elements of a rectangular matrix as one span, row-major (empty for null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<T> AsSpan<T>(T[,]? matrix) =>
        matrix is null || matrix.Length == 0 ? default : MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(matrix)), matrix.Length);

    /// <summary>
    /// Row <paramref name="row"/> of a rectangular matrix as a span (for the SIMD kernels of generated gradients), or an
    /// empty span when there is no such row (a kernel of no elements, whose loop would not have run, must not throw).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<T> Row<T>(T[,]? matrix, int row)
    {
        if (matrix is null || (uint)row >= (uint)matrix.GetLength(0))
        {
            return default;
        }

        int columns = matrix.GetLength(1);
        return AsSpan(matrix).Slice(row * columns, columns);
    }

    /// <summary>Throws when a rectangular output does not have its input's shape.</summary>
    public static void CheckShape<T>(T[,]? output, string outputName, T[,]? input, string inputName)
    {
        int rows = input?.GetLength(0) ?? 0, columns = input?.GetLength(1) ?? 0;
        int outRows = output?.GetLength(0) ?? 0, outColumns = output?.GetLength(1) ?? 0;
        if (output is null)
        {
            // Accepted for an input with no elements: nothing is ever written into it.
            if ((long)rows * columns != 0)
            {
                throw new ArgumentNullException(outputName, $"{outputName} is null but {inputName} is {Shape(rows, columns)}: {AdjointBuffers.Role(outputName)} must be a matrix of its parameter's shape.");
            }

            return;
        }

        if (outRows != rows || outColumns != columns)
        {
            throw new ArgumentException($"{outputName} is {Shape(outRows, outColumns)} but {inputName} is {Shape(rows, columns)}: {AdjointBuffers.Role(outputName)} must have its parameter's shape.", outputName);
        }
    }

    /// <summary>Throws when a jagged output does not have its input's shape: the same number of rows, each of its row's length.</summary>
    public static void CheckShape<T>(T[]?[]? output, string outputName, T[]?[]? input, string inputName)
    {
        int rows = input?.Length ?? 0;
        if (output is null)
        {
            if (rows != 0)
            {
                throw new ArgumentNullException(outputName, $"{outputName} is null but {inputName} has {rows} rows: {AdjointBuffers.Role(outputName)} must be a jagged array of its parameter's shape.");
            }

            return;
        }

        if (output.Length != rows)
        {
            throw new ArgumentException($"{outputName} has {output.Length} rows but {inputName} has {rows}: {AdjointBuffers.Role(outputName)} must have its parameter's shape.", outputName);
        }

        for (int i = 0; i < rows; i++)
        {
            int length = input![i]?.Length ?? 0;
            int outLength = output[i]?.Length ?? 0;
            if (output[i] is null && length != 0)
            {
                throw new ArgumentException($"{outputName}[{i.ToString(CultureInfo.InvariantCulture)}] is null but {inputName}[{i.ToString(CultureInfo.InvariantCulture)}] has length {length.ToString(CultureInfo.InvariantCulture)}: each row of {AdjointBuffers.Role(outputName)} must have its row's length.", outputName);
            }

            if (outLength != length)
            {
                throw new ArgumentException($"{outputName}[{i.ToString(CultureInfo.InvariantCulture)}] has length {outLength.ToString(CultureInfo.InvariantCulture)} but {inputName}[{i.ToString(CultureInfo.InvariantCulture)}] has length {length.ToString(CultureInfo.InvariantCulture)}: each row of {AdjointBuffers.Role(outputName)} must have its row's length.", outputName);
            }
        }
    }

    /// <summary>Zeroes a rectangular output (the reverse sweep adds into it).</summary>
    public static void Clear<T>(T[,]? matrix)
    {
        if (matrix is not null)
        {
            Array.Clear(matrix);
        }
    }

    /// <summary>Zeroes every row of a jagged output (the reverse sweep adds into it).</summary>
    public static void Clear<T>(T[]?[]? matrix)
    {
        if (matrix is null)
        {
            return;
        }

        foreach (var row in matrix)
        {
            if (row is not null)
            {
                Array.Clear(row);
            }
        }
    }

    /// <summary>Throws when two rows of a jagged output are the same array (the sweep would add two gradients into one row).</summary>
    public static void ThrowIfRowsShared<T>(T[]?[]? output, string outputName)
    {
        if (output is null || output.Length < 2)
        {
            return;
        }

        if (output.Length <= PairwiseLimit)
        {
            for (int i = 1; i < output.Length; i++)
            {
                if (output[i] is not { Length: > 0 } row)
                {
                    continue;
                }

                for (int j = 0; j < i; j++)
                {
                    if (ReferenceEquals(row, output[j]))
                    {
                        ThrowShared(outputName, j, i);
                    }
                }
            }

            return;
        }

        var seen = Rows();
        try
        {
            for (int i = 0; i < output.Length; i++)
            {
                if (output[i] is { Length: > 0 } row && !seen.Add(row))
                {
                    ThrowShared(outputName, Array.IndexOf(output, row), i);
                }
            }
        }
        finally
        {
            seen.Clear();
        }
    }

    /// <summary>Throws when a row of a jagged output overlaps <paramref name="other"/> (an input or another output).</summary>
    public static void ThrowIfOverlaps<T>(T[]?[]? output, string outputName, ReadOnlySpan<T> other, string otherName)
    {
        if (output is null || other.IsEmpty)
        {
            return;
        }

        foreach (var row in output)
        {
            if (row is not null && other.Overlaps(row))
            {
                AdjointBuffers.ThrowOverlap(outputName, otherName);
            }
        }
    }

    /// <summary>Throws when an output span overlaps a row of a jagged input (or of another output).</summary>
    public static void ThrowIfOverlaps<T>(ReadOnlySpan<T> output, string outputName, T[]?[]? other, string otherName)
    {
        if (other is null || output.IsEmpty)
        {
            return;
        }

        foreach (var row in other)
        {
            if (row is not null && output.Overlaps(row))
            {
                AdjointBuffers.ThrowOverlap(outputName, otherName);
            }
        }
    }

    /// <summary>Throws when a row of a jagged output is a row of <paramref name="other"/> (an input or another output).</summary>
    public static void ThrowIfOverlaps<T>(T[]?[]? output, string outputName, T[]?[]? other, string otherName)
    {
        if (output is null || other is null || output.Length == 0 || other.Length == 0)
        {
            return;
        }

        if ((long)output.Length * other.Length <= PairwiseLimit * PairwiseLimit / 16)
        {
            foreach (var row in output)
            {
                if (row is not { Length: > 0 })
                {
                    continue;
                }

                foreach (var o in other)
                {
                    if (ReferenceEquals(row, o))
                    {
                        AdjointBuffers.ThrowOverlap(outputName, otherName);
                    }
                }
            }

            return;
        }

        var seen = Rows();
        try
        {
            foreach (var o in other)
            {
                if (o is { Length: > 0 })
                {
                    seen.Add(o);
                }
            }

            foreach (var row in output)
            {
                if (row is { Length: > 0 } && seen.Contains(row))
                {
                    AdjointBuffers.ThrowOverlap(outputName, otherName);
                }
            }
        }
        finally
        {
            seen.Clear();
        }
    }

    /// <summary>The number of elements of a matrix (0 for null).</summary>
    public static int Count<T>(T[,]? matrix) => matrix?.Length ?? 0;

    /// <summary>The number of elements of a jagged matrix: the sum of its rows' lengths (0 for null).</summary>
    public static int Count<T>(T[]?[]? matrix)
    {
        int count = 0;
        if (matrix is not null)
        {
            foreach (var row in matrix)
            {
                count = checked(count + (row?.Length ?? 0));
            }
        }

        return count;
    }

    /// <summary>A new matrix of zeros of the shape of <paramref name="matrix"/> (for a Jacobian's directions).</summary>
    public static T[,] ZerosLike<T>(T[,]? matrix) => new T[matrix?.GetLength(0) ?? 0, matrix?.GetLength(1) ?? 0];

    /// <summary>A new jagged matrix of zeros of the shape of <paramref name="matrix"/> (null rows stay empty).</summary>
    public static T[][] ZerosLike<T>(T[]?[]? matrix)
    {
        var zeros = new T[matrix?.Length ?? 0][];
        for (int i = 0; i < zeros.Length; i++)
        {
            zeros[i] = new T[matrix![i]?.Length ?? 0];
        }

        return zeros;
    }

    /// <summary>The number of elements of a rows × columns matrix, for a generated objective's vector.</summary>
    public static int Size(int rows, int columns, string rowsName, string columnsName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows, rowsName);
        ArgumentOutOfRangeException.ThrowIfNegative(columns, columnsName);
        long size = (long)rows * columns;
        if (size > Array.MaxLength)
        {
            // It threw "Arithmetic operation resulted in an overflow" without naming the arguments (red-team O).
            throw new ArgumentOutOfRangeException(rowsName, rows, string.Create(CultureInfo.InvariantCulture,
                $"{rowsName} × {columnsName} = {rows} × {columns} = {size} elements, more than a .NET array (and the objective's vector) can hold ({Array.MaxLength})."));
        }

        return (int)size;
    }

    /// <summary>A copy of a jagged matrix's row lengths (checked non-negative) and their sum, for a generated objective's vector.</summary>
    public static int[] Shape(int[] rowLengths, string name, out int size)
    {
        ArgumentNullException.ThrowIfNull(rowLengths, name);
        var copy = (int[])rowLengths.Clone();
        size = 0;
        for (int i = 0; i < copy.Length; i++)
        {
            if (copy[i] < 0)
            {
                throw new ArgumentOutOfRangeException(name, $"{name}[{i.ToString(CultureInfo.InvariantCulture)}] is {copy[i].ToString(CultureInfo.InvariantCulture)}: a row length must not be negative.");
            }

            size = checked(size + copy[i]);
        }

        return copy;
    }

    /// <summary>The row lengths of a jagged matrix (a model's [Trainable] member, read when its objective is made).</summary>
    public static int[] RowLengthsOf<T>(T[]?[]? matrix)
    {
        var lengths = new int[matrix?.Length ?? 0];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = matrix![i]?.Length ?? 0;
        }

        return lengths;
    }

    /// <summary>The row lengths of a rows × columns jagged matrix (for the objective overload that takes rows and columns).</summary>
    public static int[] RowLengths(int rows, int columns, string rowsName, string columnsName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows, rowsName);
        ArgumentOutOfRangeException.ThrowIfNegative(columns, columnsName);
        var lengths = new int[rows];
        Array.Fill(lengths, columns);
        return lengths;
    }

    /// <summary>A rows × columns matrix for argument slot <paramref name="slot"/> of a generated objective (reused per thread; its contents are overwritten by the caller).</summary>
    public static T[,] Matrix<T>(int slot, int rows, int columns)
    {
        var slots = Slots<T>.Get(slot);
        if (slots[slot] is T[,] m && m.GetLength(0) == rows && m.GetLength(1) == columns)
        {
            return m;
        }

        var created = new T[rows, columns];
        slots[slot] = created;
        return created;
    }

    /// <summary>A jagged matrix of the given row lengths for argument slot <paramref name="slot"/> of a generated objective (reused per thread).</summary>
    public static T[][] Jagged<T>(int slot, int[] rowLengths)
    {
        var slots = Slots<T>.Get(slot);
        if (slots[slot] is T[][] m && m.Length == rowLengths.Length)
        {
            bool same = true;
            for (int i = 0; i < m.Length && same; i++)
            {
                same = m[i].Length == rowLengths[i];
            }

            if (same)
            {
                return m;
            }
        }

        var created = new T[rowLengths.Length][];
        for (int i = 0; i < created.Length; i++)
        {
            created[i] = new T[rowLengths[i]];
        }

        slots[slot] = created;
        return created;
    }

    /// <summary>Fills a matrix from a slice of a parameter vector, row-major.</summary>
    public static void CopyFrom(ReadOnlySpan<double> source, double[,] target) => source.CopyTo(AsSpan(target));

    /// <summary>Fills a matrix from a slice of a parameter vector, row-major.</summary>
    public static void CopyFrom(ReadOnlySpan<double> source, float[,] target)
    {
        var t = AsSpan(target);
        for (int i = 0; i < t.Length; i++)
        {
            t[i] = (float)source[i];
        }
    }

    /// <summary>
    /// Throws when a [Trainable] jagged member no longer has the shape its objective was made for (a row replaced by one
    /// of another length, or set to null): named as the member, not as the gradient's internal buffer (red-team L).
    /// </summary>
    public static void ThrowIfReshaped<T>(T[]?[]? member, int[] shape, string name)
    {
        if (member is null || member.Length != shape.Length)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The model's {name} {(member is null ? "is null" : "has " + member.Length + " rows")}, but the objective was made when it had {shape.Length}: make the objective again after replacing it."));
        }

        for (int i = 0; i < shape.Length; i++)
        {
            int length = member[i]?.Length ?? 0;
            if (length != shape[i])
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"The model's {name}[{i}] {(member[i] is null ? "is null" : "has length " + length)}, but the objective was made when it had length {shape[i]}: make the objective again after replacing the row."));
            }
        }
    }

    /// <summary>As the jagged overload, for a rectangular [Trainable] member replaced by one of another shape.</summary>
    public static void ThrowIfReshaped<T>(T[,]? member, int rows, int columns, string name)
    {
        if (member is null || member.GetLength(0) != rows || member.GetLength(1) != columns)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The model's {name} {(member is null ? "is null" : "is " + member.GetLength(0) + " × " + member.GetLength(1))}, but the objective was made when it was {rows} × {columns}: make the objective again after replacing it."));
        }
    }

    /// <summary>Fills a jagged matrix from a slice of a parameter vector, row after row (a null row has no elements).</summary>
    public static void CopyFrom(ReadOnlySpan<double> source, double[]?[] target)
    {
        int offset = 0;
        foreach (var row in target)
        {
            if (row is null)
            {
                continue;
            }

            source.Slice(offset, row.Length).CopyTo(row);
            offset += row.Length;
        }
    }

    /// <summary>Fills a jagged matrix from a slice of a parameter vector, row after row (a null row has no elements).</summary>
    public static void CopyFrom(ReadOnlySpan<double> source, float[]?[] target)
    {
        int offset = 0;
        foreach (var row in target)
        {
            if (row is null)
            {
                continue;
            }

            for (int j = 0; j < row.Length; j++)
            {
                row[j] = (float)source[offset + j];
            }

            offset += row.Length;
        }
    }

    /// <summary>Writes a matrix into a slice of a vector, row-major.</summary>
    public static void CopyTo(double[,] source, Span<double> target) => ((ReadOnlySpan<double>)AsSpan(source)).CopyTo(target);

    /// <summary>Writes a matrix into a slice of a vector, row-major.</summary>
    public static void CopyTo(float[,] source, Span<double> target)
    {
        var s = AsSpan(source);
        for (int i = 0; i < s.Length; i++)
        {
            target[i] = s[i];
        }
    }

    /// <summary>Writes a jagged matrix into a slice of a vector, row after row (a null row has no elements).</summary>
    public static void CopyTo(double[]?[] source, Span<double> target)
    {
        int offset = 0;
        foreach (var row in source)
        {
            if (row is null)
            {
                continue;
            }

            row.CopyTo(target.Slice(offset, row.Length));
            offset += row.Length;
        }
    }

    /// <summary>Writes a jagged matrix into a slice of a vector, row after row (a null row has no elements).</summary>
    public static void CopyTo(float[]?[] source, Span<double> target)
    {
        int offset = 0;
        foreach (var row in source)
        {
            if (row is null)
            {
                continue;
            }

            for (int j = 0; j < row.Length; j++)
            {
                target[offset + j] = row[j];
            }

            offset += row.Length;
        }
    }

    /// <summary>
    /// Names for a packed vector with matrices: a scalar keeps its name (shape null), a vector of length n
    /// (shape {n}) becomes name[0] … name[n−1], a rows × columns matrix (shape {rows, columns}) name[0,0] …, and a
    /// jagged matrix (<paramref name="jagged"/>, shape its row lengths) name[0][0] ….
    /// </summary>
    public static IReadOnlyList<string> PackedNames(string[] names, int[]?[] shapes, bool[] jagged) => ParameterNameList.Packed(names, shapes, jagged);

    private static string Shape(int rows, int columns) => rows.ToString(CultureInfo.InvariantCulture) + "×" + columns.ToString(CultureInfo.InvariantCulture);

    private static void ThrowShared(string outputName, int first, int second) =>
        throw new ArgumentException($"{outputName}[{first.ToString(CultureInfo.InvariantCulture)}] and {outputName}[{second.ToString(CultureInfo.InvariantCulture)}] are the same array: each row of {AdjointBuffers.Role(outputName)} must be its own array.", outputName);

    private static HashSet<object> Rows() => t_rows ??= new HashSet<object>(ReferenceEqualityComparer.Instance);

    /// <summary>The matrices of one thread, one set per level of nesting (as <see cref="ObjectiveBuffers"/>).</summary>
    private static class Slots<T>
    {
        [ThreadStatic]
        private static object?[]?[]? t_levels;

        public static object?[] Get(int slot)
        {
            int depth = ObjectiveBuffers.Depth;
            t_levels ??= new object?[]?[Math.Max(4, depth + 1)];
            if (depth >= t_levels.Length)
            {
                Array.Resize(ref t_levels, Math.Max(depth + 1, t_levels.Length * 2));
            }

            ref var slots = ref t_levels[depth];
            slots ??= new object?[4];
            if (slot >= slots.Length)
            {
                Array.Resize(ref slots, Math.Max(slot + 1, slots.Length * 2));
            }

            return slots;
        }
    }
}

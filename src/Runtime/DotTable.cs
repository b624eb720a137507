using System.Buffers;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SymbolicGrad.Internal;

/// <summary>
/// The dot products of a dense layer over a batch, computed before the loops that use them (issue #11): a loop over
/// examples u around a loop over units v around <c>for k: s = s + p[row(u) + k] * q[row(v) + k]</c> becomes one table
/// of every (u, v), filled like a matrix product: the rows of q for sixteen units (two vectors; eight units with 256-bit vectors) are packed side by side,
/// then four examples at a time run down k with eight vector sums in registers, so each element of q read from memory
/// serves four examples and each of p sixteen units. Used by generated code; not meant to be called by hand.
/// </summary>
/// <remarks>
/// Each entry is the loop's sum to the last bit: it starts from the same initial value and adds the same products
/// (each rounded, then added and rounded: never an FMA) in the same order k = 0, 1, …; the lanes of a vector are
/// different sums, never parts of one. Row starts are computed as the loop computes its indexes, in wrapping int
/// arithmetic (<c>unchecked(index · stride + start)</c>); a row outside its array throws
/// <see cref="IndexOutOfRangeException"/>, as the loop's first read outside it would.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class DotTable
{
    /// <summary>
    /// <c>table[(u − uFrom)·(vTo − vFrom) + (v − vFrom)] = init[u·initU + v·initV + initStart] + Σₖ p[u·pStride + pStart + k]·q[v·qStride + qStart + k]</c>
    /// for u in [uFrom, uTo), v in [vFrom, vTo), k in [0, count), added in the order of k.
    /// </summary>
    public static void Fill<T>(Span<T> table, int uFrom, int uTo, int vFrom, int vTo, int count,
        ReadOnlySpan<T> p, int pStride, int pStart, ReadOnlySpan<T> q, int qStride, int qStart,
        ReadOnlySpan<T> init, int initU, int initV, int initStart)
        where T : unmanaged, INumber<T>
    {
        int us = Math.Max(0, uTo - uFrom), vs = Math.Max(0, vTo - vFrom);
        for (int u = 0; u < us; u++)
        {
            for (int v = 0; v < vs; v++)
            {
                int at = unchecked(((uFrom + u) * initU) + ((vFrom + v) * initV) + initStart);
                if ((uint)at >= (uint)init.Length)
                {
                    throw new IndexOutOfRangeException($"The initial value of dot product ({uFrom + u}, {vFrom + v}) is element {at} of an array of length {init.Length}.");
                }
            }
        }

        Run(table, uFrom, uTo, vFrom, vTo, count, p, pStride, pStart, q, qStride, qStart, init, initU, initV, initStart, T.Zero);
    }

    /// <summary>
    /// <c>table[(u − uFrom)·(vTo − vFrom) + (v − vFrom)] = init + Σₖ p[u·pStride + pStart + k]·q[v·qStride + qStart + k]</c>
    /// for u in [uFrom, uTo), v in [vFrom, vTo), k in [0, count), added in the order of k.
    /// </summary>
    public static void Fill<T>(Span<T> table, int uFrom, int uTo, int vFrom, int vTo, int count,
        ReadOnlySpan<T> p, int pStride, int pStart, ReadOnlySpan<T> q, int qStride, int qStart, T init)
        where T : unmanaged, INumber<T> =>
        Run(table, uFrom, uTo, vFrom, vTo, count, p, pStride, pStart, q, qStride, qStart, default, 0, 0, 0, init);

    /// <summary>
    /// How many iterations of the outer loop one table holds for <paramref name="columns"/> sums each: up to 64, at
    /// most 65,536 entries (512 KB of doubles), a multiple of four when it can be.
    /// </summary>
    public static int BlockRows(int columns)
    {
        int rows = Math.Clamp(65_536 / Math.Max(columns, 1), 1, 64);
        return rows >= 4 ? rows & ~3 : rows;
    }

    /// <summary>The end of the block that starts at <paramref name="index"/>: index + rows, or the bound if nearer.</summary>
    public static int BlockEnd(int index, int bound, int rows) => index + Math.Min(bound - index, rows);

    /// <summary>
    /// For sums that read <c>m[row, column + k]</c> of a <c>double[,]</c> through its flat view: throws
    /// <see cref="IndexOutOfRangeException"/> where the loops would, when some row <c>index · coefficient + rowStart</c>
    /// (index in [from, to)) or the columns [first, first + count) are outside the matrix; nothing when no sum is read
    /// (an empty range of u or v, or no terms).
    /// </summary>
    public static void CheckMatrix(int rows, int columns, int coefficient, int rowStart, int from, int to, int first, int count, int uFrom, int uTo, int vFrom, int vTo)
    {
        if (uTo <= uFrom || vTo <= vFrom || count <= 0)
        {
            return;
        }

        if (first < 0 || first > columns - count)
        {
            throw new IndexOutOfRangeException($"The sums read columns [{first}, {(long)first + count}) of a matrix with {columns} columns.");
        }

        for (int index = from; index < to; index++)
        {
            int row = unchecked((index * coefficient) + rowStart);
            if ((uint)row >= (uint)rows)
            {
                throw new IndexOutOfRangeException($"The sums read row {row} of a matrix with {rows} rows.");
            }
        }
    }

    /// <summary>
    /// For sums that read <c>rows[row][column + k]</c> of a jagged <c>T[][]</c>: copies, for each index in [from, to),
    /// the count elements of row <c>index · coefficient + rowStart</c> from <paramref name="first"/> on into
    /// <paramref name="destination"/>, one after another, so that the sums read them as one flat operand. Throws where
    /// the loops would: <see cref="IndexOutOfRangeException"/> for a row or columns outside, <see cref="NullReferenceException"/>
    /// for a null row; nothing when no sum is read (an empty range of u or v, or no terms).
    /// </summary>
    public static void Gather<T>(Span<T> destination, T[]?[]? rows, int coefficient, int rowStart, int from, int to, int first, int count, int uFrom, int uTo, int vFrom, int vTo)
    {
        if (uTo <= uFrom || vTo <= vFrom || count <= 0)
        {
            return;
        }

        if (rows is null)
        {
            throw new NullReferenceException("The sums read the rows of a jagged array that is null.");
        }

        for (int index = from; index < to; index++)
        {
            int at = unchecked((index * coefficient) + rowStart);
            if ((uint)at >= (uint)rows.Length)
            {
                throw new IndexOutOfRangeException($"The sums read row {at} of a jagged array of {rows.Length} rows.");
            }

            var row = rows[at] ?? throw new NullReferenceException($"The sums read row {at} of a jagged array, and it is null.");
            if (first < 0 || first > row.Length - count)
            {
                throw new IndexOutOfRangeException($"The sums read elements [{first}, {(long)first + count}) of row {at}, of length {row.Length}.");
            }

            row.AsSpan(first, count).CopyTo(destination.Slice((index - from) * count, count));
        }
    }

    /// <summary>The number of entries of the table for these ranges (0 for an empty range).</summary>
    public static int Length(int uFrom, int uTo, int vFrom, int vTo)
    {
        long us = Math.Max(0L, (long)uTo - uFrom), vs = Math.Max(0L, (long)vTo - vFrom);
        return checked((int)(us * vs));
    }

    private static void Run<T>(Span<T> table, int uFrom, int uTo, int vFrom, int vTo, int count,
        ReadOnlySpan<T> p, int pStride, int pStart, ReadOnlySpan<T> q, int qStride, int qStart,
        ReadOnlySpan<T> init, int initU, int initV, int initStart, T initValue)
        where T : unmanaged, INumber<T>
    {
        int us = Math.Max(0, uTo - uFrom), vs = Math.Max(0, vTo - vFrom);
        if (us == 0 || vs == 0)
        {
            return;
        }

        if (table.Length < Length(uFrom, uTo, vFrom, vTo))
        {
            throw new ArgumentException($"The table has {table.Length} entries; the ranges need {Length(uFrom, uTo, vFrom, vTo)}.", nameof(table));
        }

        // Every row inside its array (the loop would throw at its first read outside).
        var pRows = ArrayPool<int>.Shared.Rent(us);
        var qRows = ArrayPool<int>.Shared.Rent(vs);
        try
        {
            // The starting values first, in the table itself; the sums then start from the table.
            for (int u = 0; u < us; u++)
            {
                for (int v = 0; v < vs; v++)
                {
                    table[(u * vs) + v] = init.IsEmpty ? initValue : init[unchecked(((uFrom + u) * initU) + ((vFrom + v) * initV) + initStart)];
                }
            }

            if (count <= 0)
            {
                return;
            }

            for (int u = 0; u < us; u++)
            {
                pRows[u] = Row(uFrom + u, pStride, pStart, count, p.Length);
            }

            for (int v = 0; v < vs; v++)
            {
                qRows[v] = Row(vFrom + v, qStride, qStart, count, q.Length);
            }

            int width = Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported ? 2 * Vector512<T>.Count
                : Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported ? 2 * Vector256<T>.Count
                : 0;
            if (width == 0)
            {
                Scalar(table, us, vs, count, p, pRows, q, qRows);
                return;
            }

            var packed = ArrayPool<T>.Shared.Rent(count * width);
            var starts = ArrayPool<T>.Shared.Rent(4 * width);
            try
            {
                for (int v0 = 0; v0 < vs; v0 += width)
                {
                    int lanes = Math.Min(width, vs - v0);

                    // q's rows for units v0..v0+lanes, side by side: packed[k·width + lane]; missing lanes are zero (computed, never stored).
                    for (int lane = 0; lane < width; lane++)
                    {
                        if (lane < lanes)
                        {
                            var row = q.Slice(qRows[v0 + lane], count);
                            for (int k = 0; k < count; k++)
                            {
                                packed[(k * width) + lane] = row[k];
                            }
                        }
                        else
                        {
                            for (int k = 0; k < count; k++)
                            {
                                packed[(k * width) + lane] = T.Zero;
                            }
                        }
                    }

                    int u0 = 0;
                    for (; u0 + 4 <= us; u0 += 4)
                    {
                        // The four rows' starting values, side by side (zero in the missing lanes).
                        for (int r = 0; r < 4; r++)
                        {
                            for (int lane = 0; lane < width; lane++)
                            {
                                starts[(r * width) + lane] = lane < lanes ? table[((u0 + r) * vs) + v0 + lane] : T.Zero;
                            }
                        }

                        if (width == 2 * Vector512<T>.Count && Vector512.IsHardwareAccelerated)
                        {
                            Four512(table, vs, v0, lanes, u0, count, p, pRows, packed, starts);
                        }
                        else
                        {
                            Four256(table, vs, v0, lanes, u0, count, p, pRows, packed, starts);
                        }
                    }

                    for (; u0 < us; u0++)
                    {
                        var row = p.Slice(pRows[u0], count);
                        for (int lane = 0; lane < lanes; lane++)
                        {
                            T s = table[(u0 * vs) + v0 + lane];
                            for (int k = 0; k < count; k++)
                            {
                                s += row[k] * packed[(k * width) + lane];
                            }

                            table[(u0 * vs) + v0 + lane] = s;
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(packed);
                ArrayPool<T>.Shared.Return(starts);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(pRows);
            ArrayPool<int>.Shared.Return(qRows);
        }
    }

    private static int Row(int index, int stride, int start, int count, int length)
    {
        int row = unchecked((index * stride) + start);
        if ((uint)row > (uint)length || (uint)count > (uint)(length - row))
        {
            throw new IndexOutOfRangeException($"Dot product {index} reads elements [{row}, {(long)row + count}) of an array of length {length}.");
        }

        return row;
    }

    private static void Scalar<T>(Span<T> table, int us, int vs, int count, ReadOnlySpan<T> p, int[] pRows, ReadOnlySpan<T> q, int[] qRows)
        where T : unmanaged, INumber<T>
    {
        for (int u = 0; u < us; u++)
        {
            var a = p.Slice(pRows[u], count);
            for (int v = 0; v < vs; v++)
            {
                var b = q.Slice(qRows[v], count);
                T s = table[(u * vs) + v];
                for (int k = 0; k < count; k++)
                {
                    s += a[k] * b[k];
                }

                table[(u * vs) + v] = s;
            }
        }
    }

    /// <summary>Examples u0..u0+3 against the packed units: eight vector sums in registers down k, from the starting values in <paramref name="starts"/>.</summary>
    private static void Four512<T>(Span<T> table, int vs, int v0, int lanes, int u0, int count, ReadOnlySpan<T> p, int[] pRows, T[] packed, T[] starts)
        where T : unmanaged, INumber<T>
    {
        int w = Vector512<T>.Count;
        ref T pp = ref MemoryMarshal.GetReference(p);
        ref T r0 = ref Unsafe.Add(ref pp, pRows[u0]);
        ref T r1 = ref Unsafe.Add(ref pp, pRows[u0 + 1]);
        ref T r2 = ref Unsafe.Add(ref pp, pRows[u0 + 2]);
        ref T r3 = ref Unsafe.Add(ref pp, pRows[u0 + 3]);
        ref T b = ref MemoryMarshal.GetArrayDataReference(packed);
        ref T i = ref MemoryMarshal.GetArrayDataReference(starts);
        var a00 = Vector512.LoadUnsafe(ref i);
        var a01 = Vector512.LoadUnsafe(ref i, (nuint)w);
        var a10 = Vector512.LoadUnsafe(ref i, (nuint)(2 * w));
        var a11 = Vector512.LoadUnsafe(ref i, (nuint)(3 * w));
        var a20 = Vector512.LoadUnsafe(ref i, (nuint)(4 * w));
        var a21 = Vector512.LoadUnsafe(ref i, (nuint)(5 * w));
        var a30 = Vector512.LoadUnsafe(ref i, (nuint)(6 * w));
        var a31 = Vector512.LoadUnsafe(ref i, (nuint)(7 * w));
        for (nint k = 0; k < count; k++)
        {
            var x0 = Vector512.LoadUnsafe(ref b);
            var x1 = Vector512.LoadUnsafe(ref b, (nuint)w);
            b = ref Unsafe.Add(ref b, 2 * w);
            var s0 = Vector512.Create(Unsafe.Add(ref r0, k));
            var s1 = Vector512.Create(Unsafe.Add(ref r1, k));
            var s2 = Vector512.Create(Unsafe.Add(ref r2, k));
            var s3 = Vector512.Create(Unsafe.Add(ref r3, k));
            a00 += s0 * x0;
            a01 += s0 * x1;
            a10 += s1 * x0;
            a11 += s1 * x1;
            a20 += s2 * x0;
            a21 += s2 * x1;
            a30 += s3 * x0;
            a31 += s3 * x1;
        }

        Store(table, ((u0 + 0) * vs) + v0, lanes, a00, a01);
        Store(table, ((u0 + 1) * vs) + v0, lanes, a10, a11);
        Store(table, ((u0 + 2) * vs) + v0, lanes, a20, a21);
        Store(table, ((u0 + 3) * vs) + v0, lanes, a30, a31);
    }

    /// <summary>As <see cref="Four512"/>, with 256-bit vectors.</summary>
    private static void Four256<T>(Span<T> table, int vs, int v0, int lanes, int u0, int count, ReadOnlySpan<T> p, int[] pRows, T[] packed, T[] starts)
        where T : unmanaged, INumber<T>
    {
        int w = Vector256<T>.Count;
        ref T pp = ref MemoryMarshal.GetReference(p);
        ref T r0 = ref Unsafe.Add(ref pp, pRows[u0]);
        ref T r1 = ref Unsafe.Add(ref pp, pRows[u0 + 1]);
        ref T r2 = ref Unsafe.Add(ref pp, pRows[u0 + 2]);
        ref T r3 = ref Unsafe.Add(ref pp, pRows[u0 + 3]);
        ref T b = ref MemoryMarshal.GetArrayDataReference(packed);
        ref T i = ref MemoryMarshal.GetArrayDataReference(starts);
        var a00 = Vector256.LoadUnsafe(ref i);
        var a01 = Vector256.LoadUnsafe(ref i, (nuint)w);
        var a10 = Vector256.LoadUnsafe(ref i, (nuint)(2 * w));
        var a11 = Vector256.LoadUnsafe(ref i, (nuint)(3 * w));
        var a20 = Vector256.LoadUnsafe(ref i, (nuint)(4 * w));
        var a21 = Vector256.LoadUnsafe(ref i, (nuint)(5 * w));
        var a30 = Vector256.LoadUnsafe(ref i, (nuint)(6 * w));
        var a31 = Vector256.LoadUnsafe(ref i, (nuint)(7 * w));
        for (nint k = 0; k < count; k++)
        {
            var x0 = Vector256.LoadUnsafe(ref b);
            var x1 = Vector256.LoadUnsafe(ref b, (nuint)w);
            b = ref Unsafe.Add(ref b, 2 * w);
            var s0 = Vector256.Create(Unsafe.Add(ref r0, k));
            var s1 = Vector256.Create(Unsafe.Add(ref r1, k));
            var s2 = Vector256.Create(Unsafe.Add(ref r2, k));
            var s3 = Vector256.Create(Unsafe.Add(ref r3, k));
            a00 += s0 * x0;
            a01 += s0 * x1;
            a10 += s1 * x0;
            a11 += s1 * x1;
            a20 += s2 * x0;
            a21 += s2 * x1;
            a30 += s3 * x0;
            a31 += s3 * x1;
        }

        Store(table, ((u0 + 0) * vs) + v0, lanes, a00, a01);
        Store(table, ((u0 + 1) * vs) + v0, lanes, a10, a11);
        Store(table, ((u0 + 2) * vs) + v0, lanes, a20, a21);
        Store(table, ((u0 + 3) * vs) + v0, lanes, a30, a31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(Span<T> table, int at, int lanes, Vector512<T> low, Vector512<T> high)
        where T : unmanaged, INumber<T>
    {
        int w = Vector512<T>.Count;
        if (lanes == 2 * w)
        {
            low.CopyTo(table.Slice(at, w));
            high.CopyTo(table.Slice(at + w, w));
            return;
        }

        for (int lane = 0; lane < lanes; lane++)
        {
            table[at + lane] = lane < w ? low.GetElement(lane) : high.GetElement(lane - w);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(Span<T> table, int at, int lanes, Vector256<T> low, Vector256<T> high)
        where T : unmanaged, INumber<T>
    {
        int w = Vector256<T>.Count;
        if (lanes == 2 * w)
        {
            low.CopyTo(table.Slice(at, w));
            high.CopyTo(table.Slice(at + w, w));
            return;
        }

        for (int lane = 0; lane < lanes; lane++)
        {
            table[at + lane] = lane < w ? low.GetElement(lane) : high.GetElement(lane - w);
        }
    }
}

using System.Buffers;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SymbolicGrad.Internal;

/// <summary>
/// <see cref="Kernels.AddScaled(Span{double}, int, ReadOnlySpan{double}, int, int, double)"/> calls recorded in a
/// loop nest and run together afterwards (issue #11): the adjoint of a dense layer over data,
/// <c>dW[j·n + k] += x[i·n + k]·g</c> for every example i and row j, read and wrote all of dW once per example; run
/// together, four rows of dW stay in registers while the examples stream past, as in a matrix product.
/// Used by generated code; not meant to be called by hand.
/// </summary>
/// <remarks>
/// <para>
/// The result is the same to the last bit as running the calls in the order they were recorded: every element of the
/// destination receives the same additions (<c>d + s·c</c>, rounded twice, never an FMA) in the same order. Only the
/// order between different elements changes, and that changes no value. The grouping needs the records to repeat one
/// pattern of destination rows (R rounds of the same P rows, as a loop over rows inside a loop over examples makes),
/// the rows to be disjoint, of one length, at least two vectors long; otherwise <see cref="Flush"/> runs the calls as
/// recorded.
/// </para>
/// <para>
/// The generator defers only calls whose destination is a gradient output that nothing else reads or writes before
/// the flush, and whose source is a parameter that nothing in the method can write, so that the values at the flush
/// are those the calls would have seen.
/// </para>
/// </remarks>
/// <typeparam name="T">double or float.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct DeferredAddScaled<T> : IDisposable
    where T : unmanaged, INumber<T>
{
    private int[]? _offsets; // three per record: destination start, source start, count
    private T[]? _scales;
    private int _count;

    /// <summary>The number of calls recorded and not yet run.</summary>
    public readonly int Count => _count;

    /// <summary>Records <c>destination[destinationStart + k] += source[sourceStart + k] * scale</c> for k in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int destinationStart, int sourceStart, int count, T scale)
    {
        if (count <= 0)
        {
            return; // the loop it stands for runs no iteration
        }

        if (_scales is null || _count == _scales.Length)
        {
            Grow();
        }

        int at = 3 * _count;
        _offsets![at] = destinationStart;
        _offsets[at + 1] = sourceStart;
        _offsets[at + 2] = count;
        _scales![_count] = scale;
        _count++;
    }

    /// <summary>Runs every recorded call on <paramref name="destination"/> and <paramref name="source"/>, then forgets them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A call reads or writes outside the spans, as it would have run.</exception>
    public void Flush(Span<T> destination, ReadOnlySpan<T> source)
    {
        int n = _count;
        _count = 0;
        if (n == 0)
        {
            return;
        }

        var offsets = _offsets.AsSpan(0, 3 * n);
        var scales = _scales.AsSpan(0, n);
        for (int r = 0; r < n; r++)
        {
            int d = offsets[3 * r], s = offsets[(3 * r) + 1], c = offsets[(3 * r) + 2];
            if ((uint)d > (uint)destination.Length || (uint)c > (uint)(destination.Length - d) || (uint)s > (uint)source.Length || (uint)c > (uint)(source.Length - s))
            {
                throw new ArgumentOutOfRangeException(nameof(destination), $"A deferred AddScaled reads [{s}, {s + (long)c}) of a source of length {source.Length} into [{d}, {d + (long)c}) of a destination of length {destination.Length}.");
            }
        }

        int period = Period(offsets, n);
        int chunk = Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported ? 2 * Vector512<T>.Count : 2 * Vector256<T>.Count;
        if (period == 0 || offsets[2] < chunk)
        {
            for (int r = 0; r < n; r++)
            {
                Run(destination, source, offsets[3 * r], offsets[(3 * r) + 1], offsets[(3 * r) + 2], scales[r]);
            }

            return;
        }

        // R rounds of the same `period` disjoint rows of one length: each row's records, round by round, are the
        // additions its elements receive, in their order; rows share no element, so they may run one after another.
        int rounds = n / period, length = offsets[2];
        int groups = period / 4;
        bool vectors = (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported) || (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported);
        var grouped = ArrayPool<int>.Shared.Rent(Math.Max(groups, 1));
        var starts = ArrayPool<int>.Shared.Rent(Math.Max(groups * rounds, 1));
        var packed = ArrayPool<T>.Shared.Rent(Math.Max(4 * groups * rounds, 1));
        try
        {
            // Groups of four rows that read the same source start in each round run together: their source starts and
            // scales packed round by round. The others, and the last rows, run one row at a time.
            int together = 0;
            for (int g = 0; g < groups; g++)
            {
                int p = 4 * g;
                if (!vectors || !SameSources(offsets, period, rounds, p))
                {
                    for (int q = p; q < p + 4; q++)
                    {
                        RunRow(destination, source, offsets, scales, period, rounds, q);
                    }

                    continue;
                }

                int at = together * rounds;
                for (int r = 0; r < rounds; r++)
                {
                    int record = (r * period) + p;
                    starts[at + r] = offsets[(3 * record) + 1];
                    scales.Slice(record, 4).CopyTo(packed.AsSpan(4 * (at + r), 4));
                }

                grouped[together++] = p;
            }

            for (int q = 4 * groups; q < period; q++)
            {
                RunRow(destination, source, offsets, scales, period, rounds, q);
            }

            if (together > 0)
            {
                FourRows(destination, source, offsets, grouped, together, starts, packed, rounds, length);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(grouped);
            ArrayPool<int>.Shared.Return(starts);
            ArrayPool<T>.Shared.Return(packed);
        }
    }

    /// <summary>Returns the pooled storage.</summary>
    public void Dispose()
    {
        if (_offsets is not null)
        {
            ArrayPool<int>.Shared.Return(_offsets);
            ArrayPool<T>.Shared.Return(_scales!);
            _offsets = null;
            _scales = null;
        }

        _count = 0;
    }

    private void Grow()
    {
        int capacity = _scales is null ? 256 : checked(2 * _scales.Length);
        var offsets = ArrayPool<int>.Shared.Rent(checked(3 * capacity));
        var scales = ArrayPool<T>.Shared.Rent(capacity);
        if (_scales is not null)
        {
            Array.Copy(_offsets!, offsets, 3 * _count);
            Array.Copy(_scales, scales, _count);
            ArrayPool<int>.Shared.Return(_offsets!);
            ArrayPool<T>.Shared.Return(_scales);
        }

        _offsets = offsets;
        _scales = scales;
    }

    /// <summary>
    /// P when the records are R ≥ 2 rounds of the same P destination starts, all with one count, the P rows disjoint;
    /// else 0.
    /// </summary>
    private static int Period(ReadOnlySpan<int> offsets, int n)
    {
        int first = offsets[0], length = offsets[2];
        int period = 0;
        for (int r = 1; r < n; r++)
        {
            if (offsets[3 * r] == first)
            {
                period = r;
                break;
            }
        }

        if (period == 0 || n % period != 0)
        {
            return 0;
        }

        for (int r = 0; r < n; r++)
        {
            if (offsets[(3 * r) + 2] != length || offsets[3 * r] != offsets[3 * (r % period)])
            {
                return 0;
            }
        }

        // Disjoint rows: sorted starts at least one length apart.
        var starts = ArrayPool<int>.Shared.Rent(period);
        try
        {
            for (int q = 0; q < period; q++)
            {
                starts[q] = offsets[3 * q];
            }

            Array.Sort(starts, 0, period);
            for (int q = 1; q < period; q++)
            {
                if ((long)starts[q] - starts[q - 1] < length)
                {
                    return 0;
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(starts);
        }

        return period;
    }

    /// <summary>Whether rows p..p+3 read the same source start in every round.</summary>
    private static bool SameSources(ReadOnlySpan<int> offsets, int period, int rounds, int p)
    {
        for (int r = 0; r < rounds; r++)
        {
            int at = 3 * ((r * period) + p);
            int s = offsets[at + 1];
            if (offsets[at + 4] != s || offsets[at + 7] != s || offsets[at + 10] != s)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Row q's records, round by round.</summary>
    private static void RunRow(Span<T> destination, ReadOnlySpan<T> source, ReadOnlySpan<int> offsets, ReadOnlySpan<T> scales, int period, int rounds, int q)
    {
        for (int r = 0; r < rounds; r++)
        {
            int at = (r * period) + q;
            Run(destination, source, offsets[3 * at], offsets[(3 * at) + 1], offsets[(3 * at) + 2], scales[at]);
        }
    }

    private static void Run(Span<T> destination, ReadOnlySpan<T> source, int d, int s, int count, T scale)
    {
        if (typeof(T) == typeof(double))
        {
            Kernels.AddScaled(MemoryMarshal.Cast<T, double>(destination), d, MemoryMarshal.Cast<T, double>(source), s, count, (double)(object)scale);
        }
        else if (typeof(T) == typeof(float))
        {
            Kernels.AddScaled(MemoryMarshal.Cast<T, float>(destination), d, MemoryMarshal.Cast<T, float>(source), s, count, (float)(object)scale);
        }
        else
        {
            for (int k = 0; k < count; k++)
            {
                destination[d + k] += source[s + k] * scale;
            }
        }
    }

    /// <summary>
    /// The groups of four rows (each group's rows read the same source start in each round; bounds checked by
    /// <see cref="Flush"/>), a chunk of two vectors of columns at a time across every group, so that the sources' chunk
    /// stays in the cache while the groups pass over it: the group's four row chunks stay in eight registers while every
    /// round adds its source chunk times the row's scale. The columns past the last whole chunk run element by
    /// element, rounds in the same order.
    /// </summary>
    private static void FourRows(Span<T> destination, ReadOnlySpan<T> source, ReadOnlySpan<int> offsets, int[] grouped, int together, int[] starts, T[] packed, int rounds, int length)
    {
        ref T dst = ref MemoryMarshal.GetReference(destination);
        ref T src = ref MemoryMarshal.GetReference(source);
        bool wide = Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported;
        int chunk = wide ? 2 * Vector512<T>.Count : 2 * Vector256<T>.Count;
        int k = 0;
        for (; k + chunk <= length; k += chunk)
        {
            for (int g = 0; g < together; g++)
            {
                int p = grouped[g];
                ref int start = ref starts[g * rounds];
                ref T scale = ref packed[4 * g * rounds];
                nint d0 = offsets[3 * p] + k, d1 = offsets[3 * (p + 1)] + k, d2 = offsets[3 * (p + 2)] + k, d3 = offsets[3 * (p + 3)] + k;
                if (wide)
                {
                    Chunk512(ref dst, ref src, ref start, ref scale, rounds, d0, d1, d2, d3, k);
                }
                else
                {
                    Chunk256(ref dst, ref src, ref start, ref scale, rounds, d0, d1, d2, d3, k);
                }
            }
        }

        // The columns past the last whole chunk: element by element, each with its rounds in order.
        for (int g = 0; g < together; g++)
        {
            int p = grouped[g];
            for (int column = k; column < length; column++)
            {
                for (int q = 0; q < 4; q++)
                {
                    ref T target = ref Unsafe.Add(ref dst, (nint)offsets[3 * (p + q)] + column);
                    T a = target;
                    for (int r = 0; r < rounds; r++)
                    {
                        a += Unsafe.Add(ref src, (nint)starts[(g * rounds) + r] + column) * packed[(4 * ((g * rounds) + r)) + q];
                    }

                    target = a;
                }
            }
        }
    }

    /// <summary>One chunk of 2 × Vector512 columns (from column <paramref name="k"/> of each source row) of one group's four rows (d0..d3: the chunk's start in each).</summary>
    private static void Chunk512(ref T dst, ref T src, ref int start, ref T scale, int rounds, nint d0, nint d1, nint d2, nint d3, int k)
    {
        int w = Vector512<T>.Count;
        ref T r0 = ref Unsafe.Add(ref dst, d0);
        ref T r1 = ref Unsafe.Add(ref dst, d1);
        ref T r2 = ref Unsafe.Add(ref dst, d2);
        ref T r3 = ref Unsafe.Add(ref dst, d3);
        var a00 = Vector512.LoadUnsafe(ref r0);
        var a01 = Vector512.LoadUnsafe(ref r0, (nuint)w);
        var a10 = Vector512.LoadUnsafe(ref r1);
        var a11 = Vector512.LoadUnsafe(ref r1, (nuint)w);
        var a20 = Vector512.LoadUnsafe(ref r2);
        var a21 = Vector512.LoadUnsafe(ref r2, (nuint)w);
        var a30 = Vector512.LoadUnsafe(ref r3);
        var a31 = Vector512.LoadUnsafe(ref r3, (nuint)w);
        ref T s = ref scale;
        for (int r = 0; r < rounds; r++)
        {
            ref T x = ref Unsafe.Add(ref src, (nint)Unsafe.Add(ref start, r) + k);
            var x0 = Vector512.LoadUnsafe(ref x);
            var x1 = Vector512.LoadUnsafe(ref x, (nuint)w);
            var s0 = Vector512.Create(s);
            var s1 = Vector512.Create(Unsafe.Add(ref s, 1));
            var s2 = Vector512.Create(Unsafe.Add(ref s, 2));
            var s3 = Vector512.Create(Unsafe.Add(ref s, 3));
            s = ref Unsafe.Add(ref s, 4);
            a00 += x0 * s0;
            a01 += x1 * s0;
            a10 += x0 * s1;
            a11 += x1 * s1;
            a20 += x0 * s2;
            a21 += x1 * s2;
            a30 += x0 * s3;
            a31 += x1 * s3;
        }

        a00.StoreUnsafe(ref r0);
        a01.StoreUnsafe(ref r0, (nuint)w);
        a10.StoreUnsafe(ref r1);
        a11.StoreUnsafe(ref r1, (nuint)w);
        a20.StoreUnsafe(ref r2);
        a21.StoreUnsafe(ref r2, (nuint)w);
        a30.StoreUnsafe(ref r3);
        a31.StoreUnsafe(ref r3, (nuint)w);
    }

    /// <summary>One chunk of 2 × Vector256 columns (from column <paramref name="k"/> of each source row) of one group's four rows (d0..d3: the chunk's start in each).</summary>
    private static void Chunk256(ref T dst, ref T src, ref int start, ref T scale, int rounds, nint d0, nint d1, nint d2, nint d3, int k)
    {
        int w = Vector256<T>.Count;
        ref T r0 = ref Unsafe.Add(ref dst, d0);
        ref T r1 = ref Unsafe.Add(ref dst, d1);
        ref T r2 = ref Unsafe.Add(ref dst, d2);
        ref T r3 = ref Unsafe.Add(ref dst, d3);
        var a00 = Vector256.LoadUnsafe(ref r0);
        var a01 = Vector256.LoadUnsafe(ref r0, (nuint)w);
        var a10 = Vector256.LoadUnsafe(ref r1);
        var a11 = Vector256.LoadUnsafe(ref r1, (nuint)w);
        var a20 = Vector256.LoadUnsafe(ref r2);
        var a21 = Vector256.LoadUnsafe(ref r2, (nuint)w);
        var a30 = Vector256.LoadUnsafe(ref r3);
        var a31 = Vector256.LoadUnsafe(ref r3, (nuint)w);
        ref T s = ref scale;
        for (int r = 0; r < rounds; r++)
        {
            ref T x = ref Unsafe.Add(ref src, (nint)Unsafe.Add(ref start, r) + k);
            var x0 = Vector256.LoadUnsafe(ref x);
            var x1 = Vector256.LoadUnsafe(ref x, (nuint)w);
            var s0 = Vector256.Create(s);
            var s1 = Vector256.Create(Unsafe.Add(ref s, 1));
            var s2 = Vector256.Create(Unsafe.Add(ref s, 2));
            var s3 = Vector256.Create(Unsafe.Add(ref s, 3));
            s = ref Unsafe.Add(ref s, 4);
            a00 += x0 * s0;
            a01 += x1 * s0;
            a10 += x0 * s1;
            a11 += x1 * s1;
            a20 += x0 * s2;
            a21 += x1 * s2;
            a30 += x0 * s3;
            a31 += x1 * s3;
        }

        a00.StoreUnsafe(ref r0);
        a01.StoreUnsafe(ref r0, (nuint)w);
        a10.StoreUnsafe(ref r1);
        a11.StoreUnsafe(ref r1, (nuint)w);
        a20.StoreUnsafe(ref r2);
        a21.StoreUnsafe(ref r2, (nuint)w);
        a30.StoreUnsafe(ref r3);
        a31.StoreUnsafe(ref r3, (nuint)w);
    }
}

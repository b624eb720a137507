using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SymbolicGrad.Internal;

/// <summary>
/// The vector kernels generated gradients call in place of simple loops (issue #11), on
/// <see cref="TensorPrimitives"/> (Microsoft's SIMD kernels: AVX-512, AVX2, Arm64 AdvSimd or scalar, whichever the
/// machine has). Each takes (span, start) pairs and a count, so a generated call reads like the loop it replaces
/// (<c>for k in [0, count): destination[destinationStart + k] += ...</c>); a count of zero or less does nothing, as the
/// loop would. Used by generated code; not meant to be called by hand.
/// </summary>
/// <remarks>
/// The element-wise kernels compute exactly what the loop computes, element by element (<c>d + s·c</c> rounded twice,
/// never fused into one FMA), so a gradient is the same to the last bit with or without them. <c>Dot</c> sums in a
/// different order than a loop does: generated code calls it only where the user wrote
/// <c>TensorPrimitives.Dot</c> or allowed reassociation.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Kernels
{
    /// <summary>
    /// Below this count the element-wise kernels run the loop themselves (inlined into the caller): TensorPrimitives'
    /// argument checks and dispatch cost more than a few scalar iterations (the GMM at D = 2 calls them with counts of 0
    /// and 1). The same arithmetic either way.
    /// </summary>
    private const int Short = 16;

    /// <summary><c>destination[d + k] += source[s + k] * scale</c> for k in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Span<double> destination, int destinationStart, ReadOnlySpan<double> source, int sourceStart, int count, double scale)
    {
        if (count < Short)
        {
            if (count <= 0)
            {
                return;
            }

            ref double d = ref At(destination, destinationStart, count);
            ref double s = ref At(source, sourceStart, count);
            int k = 0;
            if (count >= Lanes && Vector256.IsHardwareAccelerated)
            {
                var c = Vector256.Create(scale);
                for (; k + 4 <= count; k += 4)
                {
                    (Vector256.LoadUnsafe(ref d, (nuint)k) + (Vector256.LoadUnsafe(ref s, (nuint)k) * c)).StoreUnsafe(ref d, (nuint)k);
                }
            }

            for (; k < count; k++)
            {
                Unsafe.Add(ref d, k) += Unsafe.Add(ref s, k) * scale;
            }
        }
        else if (count < Medium && Vector256.IsHardwareAccelerated)
        {
            AddScaledMedium(destination.Slice(destinationStart, count), source.Slice(sourceStart, count), scale);
        }
        else
        {
            var d = destination.Slice(destinationStart, count);
            TensorPrimitives.MultiplyAdd(source.Slice(sourceStart, count), scale, d, d);
        }
    }

    /// <summary>
    /// Below this count (and from <see cref="Short"/>) AddScaled runs its own 256-bit loop: TensorPrimitives' dispatch
    /// cost more than the work on the rows of a small layer (16 hidden units). The same arithmetic.
    /// </summary>
    private const int Medium = 64;

    /// <summary>
    /// From this count a short range (under <see cref="Short"/>) runs in 256-bit vectors too, inlined into the caller:
    /// the columns of a small triangle (the GMM at D = 10 and 20 calls AddScaled with counts 1 to 19).
    /// </summary>
    private const int Lanes = 4;

    /// <summary>
    /// A reference to <paramref name="span"/>[<paramref name="start"/>] after one check that [start, start + count) lies
    /// inside it (count &gt; 0), so that the short kernels' loops run without a bounds check per element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref double At(ReadOnlySpan<double> span, int start, int count)
    {
        if ((uint)start > (uint)span.Length || (uint)count > (uint)(span.Length - start))
        {
            ThrowRange();
        }

        return ref Unsafe.Add(ref MemoryMarshal.GetReference(span), start);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref double At(Span<double> span, int start, int count) => ref At((ReadOnlySpan<double>)span, start, count);

    /// <remarks>
    /// Not marked NoInlining: the JIT then sees that it only throws and treats the call as a cold exit. Marked NoInlining,
    /// it was an ordinary call inside the caller's loop, and the loop ran 10 % slower (the GMM's triangle at D = 20).
    /// </remarks>
    [DoesNotReturn]
    private static void ThrowRange() =>
        throw new ArgumentOutOfRangeException("count", "A kernel's range runs past the end of its span (the loop it replaces would have read outside the array).");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddScaledMedium(Span<double> destination, ReadOnlySpan<double> source, double scale)
    {
        ref double d = ref MemoryMarshal.GetReference(destination);
        ref double s = ref MemoryMarshal.GetReference(source);
        int count = destination.Length, k = 0;
        var c = Vector256.Create(scale);
        for (; k + 4 <= count; k += 4)
        {
            (Vector256.LoadUnsafe(ref d, (nuint)k) + (Vector256.LoadUnsafe(ref s, (nuint)k) * c)).StoreUnsafe(ref d, (nuint)k);
        }

        for (; k < count; k++)
        {
            Unsafe.Add(ref d, k) += Unsafe.Add(ref s, k) * scale;
        }
    }

    /// <summary><c>destination[d + k] += source[s + k] * scale</c> for k in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Span<float> destination, int destinationStart, ReadOnlySpan<float> source, int sourceStart, int count, float scale)
    {
        if (count < Short)
        {
            for (int k = 0; k < count; k++)
            {
                destination[destinationStart + k] += source[sourceStart + k] * scale;
            }
        }
        else
        {
            var d = destination.Slice(destinationStart, count);
            TensorPrimitives.MultiplyAdd(source.Slice(sourceStart, count), scale, d, d);
        }
    }

    /// <summary><c>destination[d + k] += x[a + k] * y[b + k]</c> for k in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddProduct(Span<double> destination, int destinationStart, ReadOnlySpan<double> x, int xStart, ReadOnlySpan<double> y, int yStart, int count)
    {
        if (count < Short)
        {
            for (int k = 0; k < count; k++)
            {
                destination[destinationStart + k] += x[xStart + k] * y[yStart + k];
            }
        }
        else
        {
            var d = destination.Slice(destinationStart, count);
            TensorPrimitives.MultiplyAdd(x.Slice(xStart, count), y.Slice(yStart, count), d, d);
        }
    }

    /// <summary><c>destination[d + k] += x[a + k] * y[b + k]</c> for k in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddProduct(Span<float> destination, int destinationStart, ReadOnlySpan<float> x, int xStart, ReadOnlySpan<float> y, int yStart, int count)
    {
        if (count < Short)
        {
            for (int k = 0; k < count; k++)
            {
                destination[destinationStart + k] += x[xStart + k] * y[yStart + k];
            }
        }
        else
        {
            var d = destination.Slice(destinationStart, count);
            TensorPrimitives.MultiplyAdd(x.Slice(xStart, count), y.Slice(yStart, count), d, d);
        }
    }

    /// <summary><c>destination[d + k] += source[s + k]</c> for k in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(Span<double> destination, int destinationStart, ReadOnlySpan<double> source, int sourceStart, int count)
    {
        if (count < Short)
        {
            for (int k = 0; k < count; k++)
            {
                destination[destinationStart + k] += source[sourceStart + k];
            }
        }
        else
        {
            var d = destination.Slice(destinationStart, count);
            TensorPrimitives.Add(d, source.Slice(sourceStart, count), d);
        }
    }

    /// <summary><c>destination[d + k] += source[s + k]</c> for k in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(Span<float> destination, int destinationStart, ReadOnlySpan<float> source, int sourceStart, int count)
    {
        if (count < Short)
        {
            for (int k = 0; k < count; k++)
            {
                destination[destinationStart + k] += source[sourceStart + k];
            }
        }
        else
        {
            var d = destination.Slice(destinationStart, count);
            TensorPrimitives.Add(d, source.Slice(sourceStart, count), d);
        }
    }

    /// <summary><c>destination[d + k] += value</c> for k in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddConstant(Span<double> destination, int destinationStart, int count, double value)
    {
        if (count < Short)
        {
            for (int k = 0; k < count; k++)
            {
                destination[destinationStart + k] += value;
            }
        }
        else
        {
            var d = destination.Slice(destinationStart, count);
            TensorPrimitives.Add(d, value, d);
        }
    }

    /// <summary><c>destination[d + k] += value</c> for k in [0, count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddConstant(Span<float> destination, int destinationStart, int count, float value)
    {
        if (count < Short)
        {
            for (int k = 0; k < count; k++)
            {
                destination[destinationStart + k] += value;
            }
        }
        else
        {
            var d = destination.Slice(destinationStart, count);
            TensorPrimitives.Add(d, value, d);
        }
    }

    /// <summary>
    /// <c>destination[d + k] += x[a + k] * scale</c> for k in [0, count), and returns Σ w[b + k]·x[a + k], in one pass over
    /// x: the reverse of a dot product's loop (the adjoint of the weights beside the adjoint of the input, as in the
    /// reverse of the GMM's triangular product). The element-wise part is the loop's arithmetic (<c>d + x·s</c> rounded
    /// twice); the sum is added in lanes (not in loop order), which generated code does only under Reassociate = true.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double AddScaledDot(Span<double> destination, int destinationStart, ReadOnlySpan<double> x, int xStart, int count, double scale, ReadOnlySpan<double> w, int wStart)
    {
        if (count <= 0)
        {
            return 0.0;
        }

        // Inlined whole, with no call on any path: a call inside the caller's loop made the JIT keep that loop's values
        // in memory (every vector register is caller-saved), which cost more than the kernel saved (measured on the
        // GMM's triangle at D = 20). One check of each range, then 256-bit vectors (one sum of four lanes) and the
        // scalar rest.
        ref double d = ref At(destination, destinationStart, count);
        ref double xs = ref At(x, xStart, count);
        ref double ws = ref At(w, wStart, count);
        int k = 0;
        double sum = 0.0;
        if (count >= Lanes && Vector256.IsHardwareAccelerated)
        {
            var c = Vector256.Create(scale);
            var lanes = Vector256<double>.Zero;
            for (; k + 4 <= count; k += 4)
            {
                var xk = Vector256.LoadUnsafe(ref xs, (nuint)k);
                (Vector256.LoadUnsafe(ref d, (nuint)k) + (xk * c)).StoreUnsafe(ref d, (nuint)k);
                lanes += Vector256.LoadUnsafe(ref ws, (nuint)k) * xk;
            }

            sum = Vector256.Sum(lanes);
        }

        for (; k < count; k++)
        {
            double xk = Unsafe.Add(ref xs, k);
            Unsafe.Add(ref d, k) += xk * scale;
            sum += Unsafe.Add(ref ws, k) * xk;
        }

        return sum;
    }

    /// <summary>Σ x[a + k] for k in [0, count), summed in vector lanes (not in loop order); 0 when count ≤ 0.</summary>
    public static double Sum(ReadOnlySpan<double> x, int xStart, int count) =>
        count > 0 ? TensorPrimitives.Sum(x.Slice(xStart, count)) : 0.0;

    /// <summary>Σ x[a + k] for k in [0, count), summed in vector lanes (not in loop order); 0 when count ≤ 0.</summary>
    public static float Sum(ReadOnlySpan<float> x, int xStart, int count) =>
        count > 0 ? TensorPrimitives.Sum(x.Slice(xStart, count)) : 0f;

    /// <summary>Σ x[a + k]² for k in [0, count), summed in vector lanes (not in loop order); 0 when count ≤ 0.</summary>
    public static double SumOfSquares(ReadOnlySpan<double> x, int xStart, int count) =>
        count > 0 ? TensorPrimitives.SumOfSquares(x.Slice(xStart, count)) : 0.0;

    /// <summary>Σ x[a + k]² for k in [0, count), summed in vector lanes (not in loop order); 0 when count ≤ 0.</summary>
    public static float SumOfSquares(ReadOnlySpan<float> x, int xStart, int count) =>
        count > 0 ? TensorPrimitives.SumOfSquares(x.Slice(xStart, count)) : 0f;

    /// <summary>
    /// TensorPrimitives.Dot of the two ranges, whatever their length: the user's own TensorPrimitives.Dot, which the
    /// generated gradient must match bit for bit (<see cref="Dot(ReadOnlySpan{double}, int, ReadOnlySpan{double}, int, int)"/>
    /// adds short ranges in another order).
    /// </summary>
    public static double TensorDot(ReadOnlySpan<double> x, int xStart, ReadOnlySpan<double> y, int yStart, int count) =>
        count > 0 ? TensorPrimitives.Dot(x.Slice(xStart, count), y.Slice(yStart, count)) : 0.0;

    /// <summary>TensorPrimitives.Dot of the two ranges (float: the same as <see cref="Dot(ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, int)"/>).</summary>
    public static float TensorDot(ReadOnlySpan<float> x, int xStart, ReadOnlySpan<float> y, int yStart, int count) =>
        count > 0 ? TensorPrimitives.Dot(x.Slice(xStart, count), y.Slice(yStart, count)) : 0f;

    /// <summary>
    /// Σ x[a + k]·y[b + k] for k in [0, count), summed in vector lanes (not in loop order); 0 when count ≤ 0. Below
    /// <see cref="Short"/> elements (the rows of a small triangle: the GMM at D = 20) it adds inlined into the caller, as
    /// TensorPrimitives' dispatch costs more than the work: in four 256-bit lanes from 4 elements, then the rest in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot(ReadOnlySpan<double> x, int xStart, ReadOnlySpan<double> y, int yStart, int count)
    {
        if (count >= Short)
        {
            return TensorPrimitives.Dot(x.Slice(xStart, count), y.Slice(yStart, count));
        }

        if (count <= 0)
        {
            return 0.0;
        }

        ref double xs = ref At(x, xStart, count);
        ref double ys = ref At(y, yStart, count);
        int k = 0;
        double sum = 0.0;
        if (count >= Lanes && Vector256.IsHardwareAccelerated)
        {
            var lanes = Vector256<double>.Zero;
            for (; k + 4 <= count; k += 4)
            {
                lanes += Vector256.LoadUnsafe(ref xs, (nuint)k) * Vector256.LoadUnsafe(ref ys, (nuint)k);
            }

            sum = Vector256.Sum(lanes);
        }

        for (; k < count; k++)
        {
            sum += Unsafe.Add(ref xs, k) * Unsafe.Add(ref ys, k);
        }

        return sum;
    }

    /// <summary>Σ x[a + k]·y[b + k] for k in [0, count), summed in vector lanes (not in loop order); 0 when count ≤ 0.</summary>
    public static float Dot(ReadOnlySpan<float> x, int xStart, ReadOnlySpan<float> y, int yStart, int count) =>
        count > 0 ? TensorPrimitives.Dot(x.Slice(xStart, count), y.Slice(yStart, count)) : 0f;
}

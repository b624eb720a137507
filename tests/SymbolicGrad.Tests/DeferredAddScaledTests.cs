using SymbolicGrad.Internal;

namespace SymbolicGrad.Tests;

/// <summary>
/// <see cref="DeferredAddScaled{T}"/>: AddScaled calls recorded and run together must leave every element with the
/// bits of running them one by one, in order, as a plain loop (<c>d += s·c</c>, two roundings): for the dense-layer
/// pattern it groups (rounds of the same rows, four rows at a time, tails past the vector chunks) and for every pattern
/// it must not group (overlapping rows, rows that change, lengths that differ).
/// </summary>
public class DeferredAddScaledTests
{
    private readonly record struct Call(int Destination, int Source, int Count, double Scale);

    private static double[] Data(Random r, int n)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++)
        {
            // Mixed magnitudes, so a change in the order of additions would show in the last bits.
            a[i] = (r.NextDouble() - 0.5) * Math.Pow(10, r.Next(-4, 5));
        }

        return a;
    }

    /// <summary>The calls one by one, element by element: the reference.</summary>
    private static double[] InOrder(IEnumerable<Call> calls, double[] initial, double[] source)
    {
        var d = (double[])initial.Clone();
        foreach (var c in calls)
        {
            for (int k = 0; k < c.Count; k++)
            {
                d[c.Destination + k] += source[c.Source + k] * c.Scale;
            }
        }

        return d;
    }

    private static double[] Deferred(IEnumerable<Call> calls, double[] initial, double[] source)
    {
        var d = (double[])initial.Clone();
        var deferred = new DeferredAddScaled<double>();
        foreach (var c in calls)
        {
            deferred.Add(c.Destination, c.Source, c.Count, c.Scale);
        }

        deferred.Flush(d, source);
        Assert.Equal(0, deferred.Count);
        deferred.Dispose();
        return d;
    }

    private static void SameBits(double[] expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]), $"element {i}: in order {expected[i]:R}, deferred {actual[i]:R}");
        }
    }

    /// <summary>
    /// A dense layer's adjoint: for each of <paramref name="rounds"/> examples, rows j of dW (in a loop that counts
    /// down, as a reverse sweep does) get x[i] · g[i, j]. Row counts around 4, lengths around the two-vector chunks.
    /// </summary>
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 4, 16)]
    [InlineData(3, 5, 17)]
    [InlineData(7, 6, 33)]
    [InlineData(16, 8, 32)]
    [InlineData(9, 13, 15)]
    [InlineData(5, 3, 40)]
    [InlineData(33, 12, 100)]
    public void ADenseLayerIsTheLoopBitForBit(int rounds, int rows, int length)
    {
        var r = new Random((rounds * 1000) + (rows * 37) + length);
        int gap = r.Next(0, 3);
        var source = Data(r, (rounds * length) + 5);
        var initial = Data(r, (rows * (length + gap)) + 3);
        var calls = new List<Call>();
        for (int i = 0; i < rounds; i++)
        {
            for (int j = rows - 1; j >= 0; j--)
            {
                calls.Add(new Call((j * (length + gap)) + 1, (i * length) + 2, length, r.NextDouble() - 0.5));
            }
        }

        SameBits(InOrder(calls, initial, source), Deferred(calls, initial, source));
    }

    /// <summary>Float: the same arithmetic in single precision (its kernels have twice the lanes).</summary>
    [Theory]
    [InlineData(4, 4, 32)]
    [InlineData(6, 7, 45)]
    public void FloatIsTheLoopBitForBit(int rounds, int rows, int length)
    {
        var r = new Random(rounds + rows + length);
        var source = Data(r, rounds * length).Select(v => (float)v).ToArray();
        var expected = Data(r, rows * length).Select(v => (float)v).ToArray();
        var actual = (float[])expected.Clone();
        var deferred = new DeferredAddScaled<float>();
        for (int i = 0; i < rounds; i++)
        {
            for (int j = 0; j < rows; j++)
            {
                float scale = (float)(r.NextDouble() - 0.5);
                for (int k = 0; k < length; k++)
                {
                    expected[(j * length) + k] += source[(i * length) + k] * scale;
                }

                deferred.Add(j * length, i * length, length, scale);
            }
        }

        deferred.Flush(actual, source);
        deferred.Dispose();
        for (int e = 0; e < expected.Length; e++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[e]) == BitConverter.SingleToInt32Bits(actual[e]), $"element {e}: in order {expected[e]:R}, deferred {actual[e]:R}");
        }
    }

    /// <summary>
    /// Patterns that must not be regrouped, or only partly: rows that overlap (an element gets additions from two rows,
    /// interleaved by round), rows whose sources differ within a group of four, lengths that differ, rows that change
    /// from round to round, one row only, and counts of zero and below (no addition at all).
    /// </summary>
    [Theory]
    [InlineData("overlapping")]
    [InlineData("sources differ")]
    [InlineData("lengths differ")]
    [InlineData("rows change")]
    [InlineData("one row")]
    [InlineData("empty counts")]
    [InlineData("random")]
    public void OtherPatternsAreTheLoopBitForBit(string pattern)
    {
        var r = new Random(pattern.Length * 7919);
        const int rounds = 9, rows = 8, length = 37;
        var source = Data(r, (rounds * length) + (2 * length));
        var initial = Data(r, (rows * length) + (2 * length));
        var calls = new List<Call>();
        for (int i = 0; i < rounds; i++)
        {
            for (int j = 0; j < rows; j++)
            {
                double g = r.NextDouble() - 0.5;
                calls.Add(pattern switch
                {
                    "overlapping" => new Call(j * (length / 2), i * length, length, g),
                    "sources differ" => new Call(j * length, (i * length) + (j % 2), length, g),
                    "lengths differ" => new Call(j * length, i * length, length - (j % 3), g),
                    "rows change" => new Call(((j + (i % 2)) % rows) * length, i * length, length, g),
                    "one row" => new Call(length, i * length, length, g),
                    "empty counts" => new Call(j * length, i * length, j % 2 == 0 ? 0 : -j, g),
                    _ => new Call(r.Next(0, rows * length), r.Next(0, rounds * length), r.Next(-2, length), g),
                });
            }
        }

        SameBits(InOrder(calls, initial, source), Deferred(calls, initial, source));
    }

    /// <summary>A call outside the spans throws at the flush, naming the ranges; the recorder is empty afterwards.</summary>
    [Fact]
    public void ACallOutsideTheSpansThrowsAndNamesTheRanges()
    {
        var deferred = new DeferredAddScaled<double>();
        deferred.Add(0, 0, 4, 1.0);
        deferred.Add(2, 10, 4, 1.0);
        Assert.Equal(2, deferred.Count);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var d = new double[8];
            deferred.Flush(d, new double[12]);
        });
        Assert.Contains("[10, 14)", ex.Message);
        Assert.Contains("length 12", ex.Message);
        Assert.Equal(0, deferred.Count);

        // Recorded again after the failure: a flush runs only what was recorded since.
        var dst = new double[4];
        deferred.Add(0, 0, 4, 2.0);
        deferred.Flush(dst, new[] { 1.0, 2.0, 3.0, 4.0 });
        Assert.Equal(new[] { 2.0, 4.0, 6.0, 8.0 }, dst);
        deferred.Dispose();
    }
}

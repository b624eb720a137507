using SymbolicGrad.Internal;

namespace SymbolicGrad.Tests;

/// <summary>
/// The SIMD kernels generated gradients call in place of loops: element by element the same bits as the loop they
/// replace (lengths across the vector widths and their tails, offsets, counts of zero and below), and Dot close to a
/// sequential sum.
/// </summary>
public class KernelTests
{
    private static double[] Data(Random r, int n)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++)
        {
            // Mixed magnitudes, so rounding differences would show.
            a[i] = (r.NextDouble() - 0.5) * Math.Pow(10, r.Next(-3, 4));
        }

        return a;
    }

    private static void SameBits(double[] expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]), $"element {i}: loop {expected[i]:R}, kernel {actual[i]:R}");
        }
    }

    public static TheoryData<int> Counts => new() { -3, 0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 64, 67, 200 };

    [Theory]
    [MemberData(nameof(Counts))]
    public void AddScaledIsTheLoopBitForBit(int count)
    {
        var r = new Random(count + 100);
        int d0 = r.Next(0, 5), s0 = r.Next(0, 5);
        var src = Data(r, Math.Max(count, 0) + s0 + 3);
        var dst = Data(r, Math.Max(count, 0) + d0 + 3);
        double scale = r.NextDouble() * 3 - 1.5;
        var expected = (double[])dst.Clone();
        for (int k = 0; k < count; k++)
        {
            expected[d0 + k] += src[s0 + k] * scale;
        }

        Kernels.AddScaled(dst, d0, src, s0, count, scale);
        SameBits(expected, dst);
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void AddProductAddAndAddConstantAreTheLoopBitForBit(int count)
    {
        var r = new Random(count + 200);
        int n = Math.Max(count, 0) + 6;
        var x = Data(r, n);
        var y = Data(r, n);
        var d1 = Data(r, n);
        var d2 = (double[])d1.Clone();
        var d3 = (double[])d1.Clone();
        var e1 = (double[])d1.Clone();
        var e2 = (double[])d1.Clone();
        var e3 = (double[])d1.Clone();
        double c = r.NextDouble() - 0.5;
        for (int k = 0; k < count; k++)
        {
            e1[2 + k] += x[1 + k] * y[3 + k];
            e2[1 + k] += x[2 + k];
            e3[3 + k] += c;
        }

        Kernels.AddProduct(d1, 2, x, 1, y, 3, count);
        Kernels.Add(d2, 1, x, 2, count);
        Kernels.AddConstant(d3, 3, count, c);
        SameBits(e1, d1);
        SameBits(e2, d2);
        SameBits(e3, d3);
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void FloatKernelsAreTheLoopBitForBit(int count)
    {
        var r = new Random(count + 300);
        int n = Math.Max(count, 0) + 4;
        var x = new float[n];
        var d = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)(r.NextDouble() - 0.5);
            d[i] = (float)(r.NextDouble() * 100);
        }

        var e = (float[])d.Clone();
        float s = 0.37f;
        for (int k = 0; k < count; k++)
        {
            e[1 + k] += x[k] * s;
        }

        Kernels.AddScaled(d, 1, x, 0, count, s);
        for (int i = 0; i < n; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(e[i]) == BitConverter.SingleToInt32Bits(d[i]), $"element {i}: loop {e[i]:R}, kernel {d[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Counts))]
    public void DotIsTheSumOfProductsToRounding(int count)
    {
        var r = new Random(count + 400);
        int n = Math.Max(count, 0) + 4;
        var x = Data(r, n);
        var y = Data(r, n);
        double sum = 0, magnitude = 0;
        for (int k = 0; k < count; k++)
        {
            sum += x[2 + k] * y[1 + k];
            magnitude += Math.Abs(x[2 + k] * y[1 + k]);
        }

        double dot = Kernels.Dot(x, 2, y, 1, count);
        Assert.True(Math.Abs(dot - sum) <= 4 * Math.Max(count, 1) * double.Epsilon + 1e-15 * Math.Max(count, 1) * magnitude, $"dot {dot:R}, loop {sum:R}");
    }

    /// <summary>TensorDot is the user's TensorPrimitives.Dot bit for bit at every length (Dot adds short ranges otherwise).</summary>
    [Theory]
    [MemberData(nameof(Counts))]
    public void TensorDotIsTensorPrimitivesDotBitForBit(int count)
    {
        var r = new Random(count + 500);
        int n = Math.Max(count, 0) + 4;
        var x = Data(r, n);
        var y = Data(r, n);
        double expected = count > 0 ? System.Numerics.Tensors.TensorPrimitives.Dot<double>(x.AsSpan(2, count), y.AsSpan(1, count)) : 0.0;
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(Kernels.TensorDot(x, 2, y, 1, count)));
        var xf = x.Select(v => (float)v).ToArray();
        var yf = y.Select(v => (float)v).ToArray();
        float expectedF = count > 0 ? System.Numerics.Tensors.TensorPrimitives.Dot<float>(xf.AsSpan(2, count), yf.AsSpan(1, count)) : 0f;
        Assert.Equal(BitConverter.SingleToInt32Bits(expectedF), BitConverter.SingleToInt32Bits(Kernels.TensorDot(xf, 2, yf, 1, count)));
    }

    /// <summary>AddScaledDot: its element-wise part is AddScaled's loop bit for bit, its sum the dot product to rounding.</summary>
    [Theory]
    [MemberData(nameof(Counts))]
    public void AddScaledDotIsTheLoopAndTheDot(int count)
    {
        var r = new Random(count + 700);
        int n = Math.Max(count, 0) + 6;
        var x = Data(r, n);
        var w = Data(r, n);
        var d = Data(r, n);
        var expected = (double[])d.Clone();
        double scale = r.NextDouble() * 3 - 1.5;
        double sum = 0, magnitude = 0;
        for (int k = 0; k < count; k++)
        {
            expected[3 + k] += x[1 + k] * scale;
            sum += w[2 + k] * x[1 + k];
            magnitude += Math.Abs(w[2 + k] * x[1 + k]);
        }

        double dot = Kernels.AddScaledDot(d, 3, x, 1, count, scale, w, 2);
        for (int i = 0; i < n; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(d[i]), $"element {i}: loop {expected[i]:R}, kernel {d[i]:R}");
        }

        Assert.True(Math.Abs(dot - sum) <= 4 * Math.Max(count, 1) * double.Epsilon + 1e-15 * Math.Max(count, 1) * magnitude, $"dot {dot:R}, loop {sum:R}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(40)]
    public void OutOfRangeElementsThrow(int count)
    {
        // A range past the end throws; AddScaled and AddScaledDot check before they write (the short ones once, then run
        // without a check per element) (ArgumentOutOfRangeException, or IndexOutOfRangeException from a plain loop).
        var a = new double[count + 1];
        var shortSource = new double[count - 1];
        var before = (double[])a.Clone();
        var ones = Enumerable.Repeat(1.0, count + 5).ToArray();
        var e1 = Record.Exception(() => Kernels.AddScaled(a, 2, ones, 0, count, 1.0));
        var e2 = Record.Exception(() => Kernels.Add(a, 0, shortSource, 0, count));
        var e3 = Record.Exception(() => Kernels.AddScaledDot(a, 0, ones.AsSpan(0, count - 1), 0, count, 1.0, ones, 0));
        var e4 = Record.Exception(() => Kernels.AddScaledDot(new double[count], 0, new double[count], 0, count, 1.0, shortSource, 0));
        var e5 = Record.Exception(() => Kernels.Dot(new double[count], 1, new double[count], 0, count));
        foreach (var e in new[] { e1, e2, e3, e4, e5 })
        {
            Assert.True(e is IndexOutOfRangeException or ArgumentOutOfRangeException, e?.ToString() ?? "no exception");
        }

        // AddScaled and AddScaledDot (adding ones) checked before their first write.
        Assert.Equal(before, a);
    }
}

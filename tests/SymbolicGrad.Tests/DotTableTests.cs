using SymbolicGrad.Internal;

namespace SymbolicGrad.Tests;

/// <summary>
/// <see cref="DotTable"/>: every entry must be the loop's sum to the last bit (its start, then each product added in
/// the order of k, two roundings each), across the shapes the kernels split (four examples at a time and the rest, two
/// vectors of units and the rest), strides of zero, starts read per unit, per example or fixed, empty sums and ranges;
/// and rows outside their arrays throw IndexOutOfRangeException with the rows named.
/// </summary>
public class DotTableTests
{
    private static double[] Data(Random r, int n)
    {
        var a = new double[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (r.NextDouble() - 0.5) * Math.Pow(10, r.Next(-3, 4));
        }

        return a;
    }

    [Theory]
    [InlineData(0, 9, 0, 17, 13, 0)]
    [InlineData(2, 11, 1, 40, 33, 1)]
    [InlineData(0, 4, 0, 16, 8, 2)]
    [InlineData(3, 4, 5, 6, 1, 0)]
    [InlineData(0, 7, 0, 3, 0, 1)]
    [InlineData(0, 70, 0, 5, 7, 2)]
    [InlineData(5, 5, 0, 8, 4, 0)]
    public void EveryEntryIsTheLoopsSum(int uFrom, int uTo, int vFrom, int vTo, int count, int start)
    {
        var r = new Random((uTo * 1000) + (vTo * 10) + count);
        int ps = count + 2, qs = start == 1 ? 0 : count + 1;
        var p = Data(r, (uTo * ps) + count + 5);
        var q = Data(r, (vTo * Math.Max(qs, 1)) + count + 5);
        var init = Data(r, (uTo * 3) + vTo + 4);
        int initU = start == 2 ? 3 : 0, initV = start == 0 ? 0 : 1, initStart = 2;
        int us = Math.Max(0, uTo - uFrom), vs = Math.Max(0, vTo - vFrom);
        var table = new double[Math.Max(1, us * vs)];
        DotTable.Fill<double>(table, uFrom, uTo, vFrom, vTo, count, p, ps, 1, q, qs, 3, init, initU, initV, initStart);
        for (int u = 0; u < us; u++)
        {
            for (int v = 0; v < vs; v++)
            {
                double s = init[((uFrom + u) * initU) + ((vFrom + v) * initV) + initStart];
                for (int k = 0; k < count; k++)
                {
                    s += p[((uFrom + u) * ps) + 1 + k] * q[((vFrom + v) * qs) + 3 + k];
                }

                Assert.True(BitConverter.DoubleToInt64Bits(s) == BitConverter.DoubleToInt64Bits(table[(u * vs) + v]), $"({u}, {v}): loop {s:R}, table {table[(u * vs) + v]:R}");
            }
        }

        // The same with a fixed start, in single precision.
        var pf = p.Select(x => (float)x).ToArray();
        var qf = q.Select(x => (float)x).ToArray();
        var tf = new float[table.Length];
        DotTable.Fill(tf, uFrom, uTo, vFrom, vTo, count, pf, ps, 1, qf, qs, 3, 0.25f);
        for (int u = 0; u < us; u++)
        {
            for (int v = 0; v < vs; v++)
            {
                float s = 0.25f;
                for (int k = 0; k < count; k++)
                {
                    s += pf[((uFrom + u) * ps) + 1 + k] * qf[((vFrom + v) * qs) + 3 + k];
                }

                Assert.Equal(BitConverter.SingleToInt32Bits(s), BitConverter.SingleToInt32Bits(tf[(u * vs) + v]));
            }
        }
    }

    [Fact]
    public void RowsOutsideTheirArraysThrowAndBlocksFitTheTable()
    {
        var table = new double[12];
        var ex = Assert.Throws<IndexOutOfRangeException>(() => DotTable.Fill<double>(table, 0, 3, 0, 4, 5, new double[14], 5, 0, new double[20], 5, 0, 0.0));
        Assert.Contains("[10, 15) of an array of length 14", ex.Message);
        Assert.Throws<IndexOutOfRangeException>(() => DotTable.Fill<double>(table, 0, 3, 0, 4, 5, new double[15], 5, 0, new double[20], 5, 0, new double[4], 0, 1, 1));
        Assert.Throws<ArgumentException>(() => DotTable.Fill<double>(new double[11], 0, 3, 0, 4, 5, new double[15], 5, 0, new double[20], 5, 0, 0.0));

        Assert.Equal(64, DotTable.BlockRows(128));
        Assert.Equal(20, DotTable.BlockRows(3000));
        Assert.Equal(1, DotTable.BlockRows(100_000));
        Assert.True(DotTable.BlockRows(1000) * 1000 <= 65_536);
        Assert.Equal(10, DotTable.BlockEnd(6, 10, 64));
        Assert.Equal(70, DotTable.BlockEnd(6, 100, 64));
        Assert.Equal(0, DotTable.Length(5, 3, 0, 4));
    }

    [Fact]
    public void MatrixChecksThrowWhereTheLoopsWouldAndOnlyThen()
    {
        // 4 rows of 6 columns; rows 2·index + 1 for index in [0, 2): rows 1 and 3.
        DotTable.CheckMatrix(4, 6, 2, 1, 0, 2, 1, 5, 0, 3, 0, 2);
        Assert.Contains("columns [2, 7) of a matrix with 6 columns", Assert.Throws<IndexOutOfRangeException>(() => DotTable.CheckMatrix(4, 6, 2, 1, 0, 2, 2, 5, 0, 3, 0, 2)).Message);
        Assert.Contains("row 5 of a matrix with 4 rows", Assert.Throws<IndexOutOfRangeException>(() => DotTable.CheckMatrix(4, 6, 2, 1, 0, 3, 0, 6, 0, 3, 0, 2)).Message);
        Assert.Throws<IndexOutOfRangeException>(() => DotTable.CheckMatrix(4, 6, 1, -1, 0, 2, 0, 6, 0, 3, 0, 2));

        // No sum read (an empty range, no terms): nothing to check, as the loops would read nothing.
        DotTable.CheckMatrix(4, 6, 2, 1, 0, 3, 2, 5, 0, 0, 0, 2);
        DotTable.CheckMatrix(4, 6, 2, 1, 0, 3, 2, 5, 0, 3, 2, 2);
        DotTable.CheckMatrix(4, 6, 2, 1, 0, 3, 2, 0, 0, 3, 0, 2);
    }

    [Fact]
    public void GatherCopiesTheRowsSideBySideAndThrowsAsRowsWould()
    {
        var rows = new[] { new[] { 1.0, 2, 3 }, new[] { 4.0, 5, 6 }, new[] { 7.0, 8, 9 }, null! };
        var copy = new double[4];
        DotTable.Gather<double>(copy, rows, 2, 0, 0, 2, 1, 2, 0, 1, 0, 1);   // rows 0 and 2, columns 1..2
        Assert.Equal(new[] { 2.0, 3, 8, 9 }, copy);
        Assert.Throws<IndexOutOfRangeException>(() => DotTable.Gather<double>(new double[4], rows, 1, 1, 0, 2, 2, 2, 0, 1, 0, 1));
        Assert.Contains("row 4 of a jagged array of 4 rows", Assert.Throws<IndexOutOfRangeException>(() => DotTable.Gather<double>(new double[4], rows, 2, 0, 1, 3, 0, 1, 0, 1, 0, 1)).Message);
        Assert.Throws<NullReferenceException>(() => DotTable.Gather<double>(new double[4], rows, 1, 3, 0, 1, 0, 1, 0, 1, 0, 1));
        Assert.Throws<NullReferenceException>(() => DotTable.Gather<double>(new double[4], null, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1));

        // Nothing read, nothing checked: an empty range of examples or units, or no terms.
        DotTable.Gather<double>(new double[4], null, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1);
        DotTable.Gather<double>(new double[4], rows, 1, 3, 0, 1, 0, 0, 0, 1, 0, 1);
    }
}

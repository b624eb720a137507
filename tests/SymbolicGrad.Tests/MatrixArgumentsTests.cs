using SymbolicGrad.Internal;

namespace SymbolicGrad.Tests;

/// <summary>The runtime side of matrix parameters (#9): entry checks, row views, packing and names.</summary>
public class MatrixArgumentsTests
{
    [Fact]
    public void AsSpanIsRowMajorAndRowIsOneRow()
    {
        var m = new double[,] { { 1, 2, 3 }, { 4, 5, 6 } };
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6 }, MatrixArguments.AsSpan(m).ToArray());
        Assert.Equal(new double[] { 4, 5, 6 }, MatrixArguments.Row(m, 1).ToArray());
        MatrixArguments.Row(m, 0)[2] = 9;
        Assert.Equal(9, m[0, 2]);
        Assert.True(MatrixArguments.AsSpan<double>(null).IsEmpty);
        Assert.True(MatrixArguments.AsSpan(new double[0, 4]).IsEmpty);
    }

    [Fact]
    public void RowOutsideTheMatrixIsEmpty()
    {
        // A kernel of no elements takes its row view before it runs: a row the loop would never read must not throw.
        var m = new double[2, 3];
        Assert.True(MatrixArguments.Row(m, 2).IsEmpty);
        Assert.True(MatrixArguments.Row(m, -1).IsEmpty);
        Assert.True(MatrixArguments.Row<double>(null, 0).IsEmpty);
    }

    [Fact]
    public void RectangularShapes()
    {
        MatrixArguments.CheckShape(new double[2, 3], "dW", new double[2, 3], "W");
        MatrixArguments.CheckShape((double[,]?)null, "dW", null, "W");
        MatrixArguments.CheckShape(null, "dW", new double[0, 3], "W");
        var e = Assert.Throws<ArgumentException>(() => MatrixArguments.CheckShape(new double[3, 2], "dW", new double[2, 3], "W"));
        Assert.Equal("dW", e.ParamName);
        Assert.StartsWith("dW is 3×2 but W is 2×3", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => MatrixArguments.CheckShape(null, "dW", new double[1, 1], "W"));
    }

    [Fact]
    public void JaggedShapes()
    {
        var w = new[] { new double[2], null, new double[0] };
        MatrixArguments.CheckShape(new[] { new double[2], null, new double[0] }, "dW", w, "W");
        MatrixArguments.CheckShape(new[] { new double[2], new double[0], null }, "dW", w, "W");
        MatrixArguments.CheckShape((double[][]?)null, "dW", null, "W");
        var e = Assert.Throws<ArgumentException>(() => MatrixArguments.CheckShape(new[] { new double[2], new double[1], null }, "dW", w, "W"));
        Assert.StartsWith("dW[1] has length 1 but W[1] has length 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedAndOverlappingRows()
    {
        var row = new double[2];
        Assert.Throws<ArgumentException>(() => MatrixArguments.ThrowIfRowsShared(new[] { row, new double[2], row }, "dW"));

        // Empty rows share no memory (Array.Empty is one object).
        MatrixArguments.ThrowIfRowsShared(new[] { Array.Empty<double>(), Array.Empty<double>() }, "dW");
        var data = new double[6];
        var rows = new[] { new double[2] };
        MatrixArguments.ThrowIfOverlaps(rows, "dW", data, "x");
        Assert.Throws<ArgumentException>(() => MatrixArguments.ThrowIfOverlaps(new[] { data }, "dW", data.AsSpan(2, 2), "x"));
        var e = Assert.Throws<ArgumentException>(() => MatrixArguments.ThrowIfOverlaps(data.AsSpan(1), "dX", new[] { new double[1], data }, "W"));
        Assert.Equal("dX", e.ParamName);
        Assert.Throws<ArgumentException>(() => MatrixArguments.ThrowIfOverlaps(new[] { new double[1], data }, "dW", new[] { data }, "V"));
    }

    [Fact]
    public void PackingRoundTrips()
    {
        double[] vector = { 1, 2, 3, 4, 5, 6 };
        var m = new double[2, 3];
        MatrixArguments.CopyFrom(vector, m);
        Assert.Equal(6, m[1, 2]);
        var j = new[] { new double[1], new double[3], new double[2] };
        MatrixArguments.CopyFrom(vector, j);
        Assert.Equal(new double[] { 2, 3, 4 }, j[1]);
        var f = new float[2, 3];
        MatrixArguments.CopyFrom(vector, f);
        var back = new double[6];
        MatrixArguments.CopyTo(f, back);
        Assert.Equal(vector, back);
        MatrixArguments.CopyTo(j, back);
        Assert.Equal(vector, back);
        Assert.Equal(6, MatrixArguments.Count(j));
        Assert.Equal(new[] { 1, 3, 2 }, MatrixArguments.RowLengthsOf(j));
    }

    [Fact]
    public void ObjectiveShapes()
    {
        int[] lengths = { 2, 0, 3 };
        var shape = MatrixArguments.Shape(lengths, "wRowLengths", out int size);
        Assert.Equal(5, size);
        Assert.NotSame(lengths, shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => MatrixArguments.Shape(new[] { 1, -1 }, "wRowLengths", out _));
        var tooLarge = Assert.Throws<ArgumentOutOfRangeException>(() => MatrixArguments.Size(1 << 16, 1 << 16, "wRows", "wColumns"));
        Assert.Contains("wRows × wColumns = 65536 × 65536", tooLarge.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { 4, 4, 4 }, MatrixArguments.RowLengths(3, 4, "wRows", "wColumns"));

        // Buffers are reused for one shape and replaced for another.
        Assert.Same(MatrixArguments.Matrix<double>(0, 2, 3), MatrixArguments.Matrix<double>(0, 2, 3));
        Assert.NotSame(MatrixArguments.Matrix<double>(0, 2, 3), MatrixArguments.Matrix<double>(0, 3, 2));
        Assert.Same(MatrixArguments.Jagged<double>(1, shape), MatrixArguments.Jagged<double>(1, new[] { 2, 0, 3 }));
    }

    [Fact]
    public void PackedNamesNameEveryElement()
    {
        var names = MatrixArguments.PackedNames(new[] { "b", "x", "W", "V" }, new int[]?[] { null, new[] { 2 }, new[] { 2, 2 }, new[] { 1, 0, 2 } }, new[] { false, false, false, true });
        Assert.Equal(new[] { "b", "x[0]", "x[1]", "W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]", "V[0][0]", "V[2][0]", "V[2][1]" }, names);
    }
}

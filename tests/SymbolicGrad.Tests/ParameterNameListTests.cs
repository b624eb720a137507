using SymbolicGrad.Internal;

namespace SymbolicGrad.Tests;

/// <summary>
/// An objective's parameter names are made when read (red-team O, stop 36: an objective of 10⁷ parameters held 10⁷ strings
/// from the moment it was made, 1.2 GB). The names are those the eager lists had, element for element, including empty
/// arrays and empty rows, and a ten-million-parameter function is made without them.
/// </summary>
public class ParameterNameListTests
{
    [Fact]
    public void PackedNamesAreTheEagerOnes()
    {
        string[] names = { "w", "b", "empty", "v" };
        int[] lengths = { -1, 3, 0, 2 };
        Assert.Equal(DifferentiableFunction.PackedNames(names, lengths), ParameterNameList.Packed(names, lengths));
        Assert.Equal(new[] { "w", "b[0]", "b[1]", "b[2]", "v[0]", "v[1]" }, ParameterNameList.Packed(names, lengths));
    }

    [Fact]
    public void MatrixAndJaggedNames()
    {
        var list = MatrixArguments.PackedNames(
            new[] { "s", "W", "J", "E", "v" },
            new int[]?[] { null, new[] { 2, 2 }, new[] { 1, 0, 2 }, Array.Empty<int>(), new[] { 1 } },
            new[] { false, false, true, true, false });
        Assert.Equal(new[] { "s", "W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]", "J[0][0]", "J[2][0]", "J[2][1]", "v[0]" }, list);
        Assert.Equal("J[2][1]", list[7]);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[9]);
    }

    [Fact]
    public void DefaultNamesOfALargeFunctionAreMadeWhenRead()
    {
        var f = new DifferentiableFunction(10_000_000, p => p[0], (p, g) => { g.Clear(); g[0] = 1; return p[0]; });
        Assert.IsType<ParameterNameList>(f.ParameterNames);
        Assert.Equal(10_000_000, f.ParameterNames.Count);
        Assert.Equal("x[0]", f.ParameterNames[0]);
        Assert.Equal("x[9999999]", f.ParameterNames[9_999_999]);
    }
}

using System.Reflection;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Math.Clamp and double.Clamp are not the same function at a signed zero: Math.Clamp(−0.0, 0.0, 1.0) is −0.0 (the value,
/// which is not below the bound), double.Clamp(−0.0, 0.0, 1.0) is +0.0. The gradient's value must have the method's bits
/// whichever was written (found by the random programs: <c>Math.Clamp(k * e, 0.0, 1.0)</c> with k = 0 and e &lt; 0).
/// </summary>
public class ClampTests
{
    [Theory]
    [InlineData("Math.Clamp", "Math.Clamp")]
    [InlineData("double.Clamp", "double.Clamp")]
    [InlineData("Math.Clamp", "double.Clamp")]
    public void TheGradientsValueHasTheMethodsBitsAtASignedZero(string first, string second)
    {
        string members =
            "    [Differentiable] public static double F(double x, double y, int k) => " + first + "(k * (x - 2), 0.0, 1.0) + " + second + "(y, -0.0, 0.0) * x;\n";
        var run = Harness.Run(Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        var type = run.Load().GetType("Demo.C")!;
        var f = type.GetMethod("F", BindingFlags.Public | BindingFlags.Static)!;
        var g = type.GetMethod("FGradient", BindingFlags.Public | BindingFlags.Static)!;
        foreach (var (x, y, k) in new[] { (1.0, -0.0, 0), (1.0, 0.0, 0), (-3.0, -0.0, 0), (2.5, 0.5, 1), (1.5, -0.25, 1), (3.0, 0.0, 3) })
        {
            double expected = (double)f.Invoke(null, new object[] { x, y, k })!;
            var args = new object?[] { x, y, k, null, null };
            double actual = (double)g.Invoke(null, args)!;
            Assert.True(
                BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
                $"{first}/{second} at ({x}, {y}, {k}): the method returned {expected:R} ({BitConverter.DoubleToInt64Bits(expected):X}), its gradient method {actual:R}");
        }

        // Away from the kinks the derivative is the clamp's: k inside (0, 1), 0 outside.
        var inside = new object?[] { 2.5, 0.5, 1, null, null };
        g.Invoke(null, inside);
        Assert.Equal(1.0, (double)inside[3]!);
        var outside = new object?[] { 5.0, 0.5, 1, null, null };
        g.Invoke(null, outside);
        Assert.Equal(0.0, (double)outside[3]!);
    }
}

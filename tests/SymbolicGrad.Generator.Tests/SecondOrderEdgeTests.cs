using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Second derivatives where a first-derivative rule has a guard (found by a red-team pass written against
/// docs/second-order.md with the Moré–Garbow–Hillstrom problems). Each Hessian is checked against its closed form and
/// against differences of the generated gradient.
/// </summary>
public class SecondOrderEdgeTests
{
    private const string Members = """
        [Differentiable(Hessian = true)] public static double PowXY(double x, double y) => Math.Pow(x, y);
        [Differentiable(Hessian = true)] public static double ScaledPow(double a, double p, [NoDerivative] double t) => a * Math.Pow(t, p);
        """;

    private static readonly Lazy<Type> Compiled = new(() => Expect.Compiles(Harness.InClass(Members)).GetType("Demo.C")!);

    private static DifferentiableFunction Objective(string name, params object?[] data) =>
        (DifferentiableFunction)Compiled.Value.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, data)!;

    /// <summary>
    /// ∂²(x^y)/∂x∂y = x^(y−1)(1 + y ln x), which is 1/x at y = 0. The partial ∂/∂x was written y == 0 ? 0 : y·x^(y−1),
    /// whose derivative along y is 0 at y = 0: one triangle of the Hessian had 0, the other 1/x, and the averaged Hessian
    /// 1/(2x), silently (0.25 for 0.5 at (2, 0)). The guard now covers only x = y = 0.
    /// </summary>
    [Theory]
    [InlineData(2.0, 0.0)]
    [InlineData(0.5, 0.0)]
    [InlineData(2.0, 1.0)]
    [InlineData(3.0, 2.5)]
    public void MixedSecondDerivativeOfAPowerAtExponentZero(double x, double y)
    {
        var f = Objective("PowXY");
        var h = new double[4];
        f.Hessian(new[] { x, y }, h);
        double lx = Math.Log(x);
        double hxx = y * (y - 1) * Math.Pow(x, y - 2), hxy = Math.Pow(x, y - 1) * (1 + (y * lx)), hyy = Math.Pow(x, y) * lx * lx;
        double[] expected = { hxx, hxy, hxy, hyy };
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(h[i] - expected[i]) <= 1e-12 * (1 + Math.Abs(expected[i])), $"H[{i}] at ({x}, {y}) = {h[i]:R}, expected {expected[i]:R}");
        }

        GradientCheck.CheckHessian(f, new[] { x, y }, Expect.Tight).ThrowIfFailed();

        // The gradient is unchanged: y·x^(y−1) and x^y·ln x, 0 for ∂/∂x at y = 0.
        var g = new double[2];
        f.ValueAndGradient(new[] { x, y }, g);
        Assert.Equal(y * Math.Pow(x, y - 1), g[0], 1e-12);
    }

    /// <summary>At the origin x = y = 0 the partials stay finite (0), as in the gradient.</summary>
    [Fact]
    public void PowerAtTheOriginStaysFinite()
    {
        var f = Objective("PowXY");
        var g = new double[2];
        f.ValueAndGradient(new[] { 0.0, 0.0 }, g);
        Assert.Equal(new[] { 0.0, 0.0 }, g);
        var h = new double[4];
        f.Hessian(new[] { 0.0, 0.0 }, h);
        Assert.All(h, v => Assert.True(double.IsFinite(v), string.Join(", ", h)));
    }

    /// <summary>A data base with a differentiated exponent (a decay rate): the exponent's Hessian is a·tᵖ ln²t, and 0 at p = 0 for a.</summary>
    [Fact]
    public void DataBaseWithAnExponentAtZero()
    {
        var f = Objective("ScaledPow", 3.0);
        var h = new double[4];
        f.Hessian(new[] { 1.5, 0.0 }, h);
        double l = Math.Log(3);
        double[] expected = { 0, l, l, 1.5 * l * l };
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(h[i] - expected[i]) <= 1e-12, $"H[{i}] = {h[i]:R}, expected {expected[i]:R}");
        }
    }
}

using System.Reflection;

namespace SymbolicGrad.Generator.Tests;

/// <summary>The factories NameObjective and NameLeastSquares refuse a negative array length by its own name.</summary>
public class ObjectiveFactoryTests
{
    private const string Members = """
        [Differentiable] public static double Poly(double[] c, double x) { double s = 0; foreach (var v in c) s = s * x + v; return s; }
        [Differentiable] public static double Two(double[] a, double[] b) => a[0] * b[0];
        [Differentiable] public static void Residuals(double[] p, [NoDerivative] double[] t, Span<double> r) { for (int i = 0; i < r.Length; i++) r[i] = p[0] * t[i] - p[1]; }
        [Differentiable] public static double Fit(double[] w, [NoDerivative] double[] xs, [NoDerivative] double[]? weights)
        {
            double s = 0;
            for (int i = 0; i < xs.Length; i++) s += (weights is null ? 1 : weights[i]) * (w[0] * xs[i] - 1) * (w[0] * xs[i] - 1);
            return s;
        }
        """;

    private static readonly Lazy<Type> Compiled = new(() => Harness.Run(Harness.InClass(Members)).Load().GetType("Demo.C")!);

    private static object Make(string name, params object?[] args)
    {
        try
        {
            return Compiled.Value.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, args)!;
        }
        catch (TargetInvocationException e)
        {
            throw e.InnerException!;
        }
    }

    [Theory]
    [InlineData("PolyObjective", "cLength", new[] { -1 })]
    [InlineData("TwoObjective", "bLength", new[] { 1, -2 })]
    [InlineData("TwoObjective", "aLength", new[] { -3, 2 })]
    public void ANegativeLengthIsNamed(string factory, string parameter, int[] lengths)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Make(factory, lengths.Cast<object>().ToArray()));
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void ANegativeLengthOfALeastSquaresFactoryIsNamed()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Make("ResidualsLeastSquares", -2, new[] { 1.0, 2.0 }, 2));
        Assert.Equal("pLength", e.ParamName);
    }

    [Fact]
    public void LengthsOfZeroAndMoreStillMakeTheFunction()
    {
        var poly = (DifferentiableFunction)Make("PolyObjective", 0);
        Assert.Equal(1, poly.Dimension);
        var two = (DifferentiableFunction)Make("TwoObjective", 1, 2);
        Assert.Equal(3, two.Dimension);
        var g = new double[3];
        Assert.Equal(6.0, two.ValueAndGradient([2.0, 3.0, 5.0], g));
        Assert.Equal([3.0, 2.0, 0.0], g);
    }

    /// <summary>
    /// Data declared not nullable (double[] xs in a nullable context) given null: the objective threw a
    /// NullReferenceException at its first evaluation. The factory now throws ArgumentNullException naming the
    /// parameter; data declared nullable (double[]? weights) may still be null, as the method allows.
    /// </summary>
    [Fact]
    public void NullDataDeclaredNotNullableIsNamedWhenTheObjectiveIsMade()
    {
        Assert.Equal("xs", Assert.Throws<ArgumentNullException>(() => Make("FitObjective", 1, null, null)).ParamName);
        Assert.Equal("t", Assert.Throws<ArgumentNullException>(() => Make("ResidualsLeastSquares", 2, null, 2)).ParamName);
        var fit = (DifferentiableFunction)Make("FitObjective", 1, new[] { 1.0, 2.0 }, null);
        var g = new double[1];
        Assert.Equal(1.0, fit.ValueAndGradient([1.0], g));     // (1 − 1)² + (2 − 1)²
        Assert.Equal(4.0, g[0]);                                 // 2·(2 − 1)·2
    }
}

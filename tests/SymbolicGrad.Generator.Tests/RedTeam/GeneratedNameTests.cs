using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Data parameters named like the identifiers the generated NameObjective and NameLeastSquares lambdas declare: their
/// buffers b0, b1…, their output temporaries g0, g1…, the counter i of their copy loops and the value they return. The
/// lambdas capture the data parameters, and C# lets a lambda's local shadow them, so a buffer named b0 made the
/// objective call the method with its own buffer as the data: a wrong value and gradient, or generated code that did
/// not compile (stop-31 red-team pass). The stems now step aside (b_0, g_0, i1, value1).
/// </summary>
public class GeneratedNameTests
{
    /// <summary>
    /// F = Σₖ wₖ·b0ₖ + v₀·g0₀·v₁ + m₀₀·b1₀·m₁₀·g1₀ + value·i·w₀ over a double array, a float array (copied through a
    /// temporary and a loop) and a jagged matrix (a buffer): ∂w = b0 + (value·i, 0), ∂v = g0₀·(v₁, v₀),
    /// ∂m₀₀ = b1₀·m₁₀·g1₀, ∂m₁₀ = m₀₀·b1₀·g1₀. The objective's value is the method's, its gradient the closed form, and
    /// its H·v passes a numeric check.
    /// </summary>
    [Fact]
    public void DataNamedLikeTheObjectivesLocalsIsTheDataPassed()
    {
        var assembly = Expect.Compiles(Expect.InClass("""
                [Differentiable(Hessian = true)]
                public static double F(double[] w, float[] v, double[][] m, [NoDerivative] double[] b0, [NoDerivative] double[] g0,
                    [NoDerivative] double[] b1, [NoDerivative] double[] g1, [NoDerivative] int i, [NoDerivative] double value)
                {
                    double s = 0;
                    for (int k = 0; k < w.Length; k++) s += w[k] * b0[k];
                    return s + v[0] * g0[0] * v[1] + m[0][0] * b1[0] * m[1][0] * g1[0] + value * i * w[0];
                }

                public static double Call(double[] w, float[] v, double[][] m, double[] b0, double[] g0, double[] b1, double[] g1, int i, double value) =>
                    F(w, v, m, b0, g0, b1, g1, i, value);
            """));
        var c = assembly.GetType("Demo.C")!;
        double[] b0 = { 2, -3 }, g0 = { 5 }, b1 = { 7 }, g1 = { 11 };
        int i = 3;
        double value = 0.5;
        int[] rows = { 1, 1 };
        var f = (DifferentiableFunction)c.GetMethod("FObjective", new[] { typeof(int), typeof(int), typeof(int[]), typeof(double[]), typeof(double[]), typeof(double[]), typeof(double[]), typeof(int), typeof(double) })!.Invoke(null, new object[] { 2, 2, rows, b0, g0, b1, g1, i, value })!;
        double[] x = { 0.3, 0.7, 0.25f, -0.5f, 0.4, 0.9 };
        double direct = (double)c.GetMethod("Call")!.Invoke(null, new object[] { new[] { 0.3, 0.7 }, new[] { 0.25f, -0.5f }, new[] { new[] { 0.4 }, new[] { 0.9 } }, b0, g0, b1, g1, i, value })!;
        var g = new double[6];
        Assert.Equal(direct, f.ValueAndGradient(x, g), 12);
        double[] expected = { b0[0] + (value * i), b0[1], g0[0] * x[3], g0[0] * x[2], b1[0] * x[5] * g1[0], x[4] * b1[0] * g1[0] };
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(g[k] - expected[k]) <= 1e-6 * (1 + Math.Abs(expected[k])), $"component {k}: {g[k]} against {expected[k]}");
        }

        var hessian = GradientCheck.CheckHessian(f, x, GradientCheckOptions.Single);
        Assert.True(hessian.Passed, hessian.ToString());
    }

    /// <summary>Residuals with data named b0 and g0: r = (x₀·b0₀·x₁, x₁·g0₀), checked against the method and its Jacobian in closed form.</summary>
    [Fact]
    public void ResidualDataNamedLikeTheLeastSquaresLocalsIsTheDataPassed()
    {
        var assembly = Expect.Compiles(Expect.InClass("""
                [Differentiable]
                public static void R(double[] x, [NoDerivative] double[] b0, [NoDerivative] double[] g0, Span<double> r)
                {
                    r[0] = x[0] * b0[0] * x[1];
                    r[1] = x[1] * g0[0];
                }
            """));
        var c = assembly.GetType("Demo.C")!;
        double[] b0 = { 5 }, g0 = { -2 };
        var ls = (LeastSquaresFunction)c.GetMethod("RLeastSquares", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { 2, b0, g0, 2 })!;
        double[] x = { 0.3, 0.7 };
        var r = new double[2];
        var jacobian = new double[4];
        ls.Residuals(x, r);
        Assert.Equal(new[] { 0.3 * 5 * 0.7, 0.7 * -2 }, r);
        ls.Jacobian(x, r, jacobian);
        Assert.Equal(new[] { 5 * 0.7, 0.3 * 5, 0, -2 }, jacobian);
    }
}

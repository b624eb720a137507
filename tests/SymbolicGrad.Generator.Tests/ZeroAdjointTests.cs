using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// A value the result does not depend on at this point contributes nothing to the gradient, even where its own derivative
/// is infinite or NaN. <c>double r = Math.Sqrt(1 - x * x); return Math.Abs(x) &lt; 1 ? r : 0;</c> at x = 2 is flat (0),
/// but the reverse sweep multiplied r's zero adjoint by ∂√u/∂u = 0.5 / NaN and the gradient was NaN (found by a red-team
/// pass). An adjoint that control flow can leave at zero (an if arm, a loop that may not run, ?:, a kink of max, min,
/// clamp or abs) now propagates as exactly zero. Each case: the closed form on both sides, the gradient method's value
/// bit for bit, and a tight numeric check.
/// </summary>
public class ZeroAdjointTests
{
    private const string Members = """
        [Differentiable(Hessian = true)] public static double Circle(double x) { double r = Math.Sqrt(1 - x * x); return Math.Abs(x) < 1 ? r : 0; }
        [Differentiable(Hessian = true)] public static double CircleIf(double x) { double r = Math.Sqrt(1 - x * x); if (Math.Abs(x) < 1) return r; return x * 0.5; }
        [Differentiable] public static double LogWhenPositive(double[] x) { double s = 0; for (int i = 0; i < x.Length; i++) { double l = Math.Log(x[i]); s += x[i] > 0 ? l : x[i] * x[i]; } return s; }
        [Differentiable(Hessian = true)] public static double Softplus(double x) { double e = Math.Exp(x); return x > 30 ? x : Math.Log(1 + e); }
        [Differentiable(Hessian = true)] public static double ClampedLog(double x) => Math.Max(Math.Log(x), -10);
        [Differentiable] public static void ClampedLogs(double[] x, Span<double> r) { for (int i = 0; i < x.Length; i++) r[i] = Math.Max(Math.Log(x[i]), -10) * (i + 1); }
        [Differentiable] public static double UnusedInLoop(double x, int n) { double l = Math.Log(x); double s = x; for (int i = 0; i < n; i++) s += l; return s; }
        [Differentiable] public static double Overflow(double x, double w) { double e = Math.Exp(x); double y = e * w; if (x > 700) return w; return y; }
        [Differentiable(Hessian = true)] public static double AtanResidual(double x) { double t = Math.Atan(x); if (t < -10) t += 1; double f = t - 0.5; return f * f; }
        [Differentiable(Hessian = true)] public static double CircleResidual(double x) { double r = Math.Sqrt(1 - x * x); double v = Math.Abs(x) < 1 ? r : 0; double f = v - 0.6; return f * f; }
        [Differentiable(Hessian = true)] public static double Helical(double x1, double x2, double x3)
        {
            double theta = Math.Atan2(x2, x1) / (2 * Math.PI);
            if (theta < -0.25) theta += 1;
            double f1 = 10 * (x3 - 10 * theta), f2 = 10 * (Math.Sqrt(x1 * x1 + x2 * x2) - 1);
            return f1 * f1 + f2 * f2 + x3 * x3;
        }
        """;

    private static readonly Lazy<Type> Compiled = new(() => Expect.Compiles(Harness.InClass(Members)).GetType("Demo.C")!);

    public static TheoryData<string, double[], double[], object?[], bool> Cases => new()
    {
        { "Circle", new[] { 2.0 }, new[] { 0.0 }, Array.Empty<object?>(), true },
        { "Circle", new[] { 0.5 }, new[] { -0.5 / Math.Sqrt(0.75) }, Array.Empty<object?>(), true },
        { "CircleIf", new[] { -3.0 }, new[] { 0.5 }, Array.Empty<object?>(), true },
        { "CircleIf", new[] { 0.5 }, new[] { -0.5 / Math.Sqrt(0.75) }, Array.Empty<object?>(), true },
        { "LogWhenPositive", new[] { 0.0, 2.0, -1.0 }, new[] { 0.0, 0.5, -2.0 }, new object?[] { 3 }, false },
        { "LogWhenPositive", new[] { -0.5, 0.25, 3.0 }, new[] { -1.0, 4.0, 1 / 3.0 }, new object?[] { 3 }, true },
        { "Softplus", new[] { 800.0 }, new[] { 1.0 }, Array.Empty<object?>(), true },
        { "Softplus", new[] { 1.0 }, new[] { Math.E / (1 + Math.E) }, Array.Empty<object?>(), true },
        { "ClampedLog", new[] { 0.0 }, new[] { 0.0 }, Array.Empty<object?>(), false },
        { "ClampedLog", new[] { 1e-6 }, new[] { 0.0 }, Array.Empty<object?>(), false },
        { "ClampedLog", new[] { 2.0 }, new[] { 0.5 }, Array.Empty<object?>(), true },
        { "UnusedInLoop", new[] { 0.0 }, new[] { 1.0 }, new object?[] { 0 }, true },
        { "UnusedInLoop", new[] { 0.5 }, new[] { 1 + 3 / 0.5 }, new object?[] { 3 }, true },
        { "Overflow", new[] { 800.0, 1.5 }, new[] { 0.0, 1.0 }, Array.Empty<object?>(), true },
        { "Overflow", new[] { 0.5, 1.5 }, new[] { Math.Exp(0.5) * 1.5, Math.Exp(0.5) }, Array.Empty<object?>(), true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValuesTheResultDoesNotDependOnContributeZero(string name, double[] x, double[] expected, object?[] data, bool smooth)
    {
        var f = (DifferentiableFunction)Compiled.Value.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, data)!;
        var g = new double[x.Length];
        double value = f.ValueAndGradient(x, g);
        Assert.Equal(BitConverter.DoubleToInt64Bits(f.Value(x)), BitConverter.DoubleToInt64Bits(value));
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(g[i] - expected[i]) <= 1e-12 * (1 + Math.Abs(expected[i])), $"{name} component {i}: {g[i]:R}, expected {expected[i]:R}");
        }

        // Where the differences' steps cross a kink or leave the domain (log near 0) only the closed form is checked.
        if (smooth)
        {
            var check = GradientCheck.Check(f, x, Expect.Tight);
            Assert.True(check.Passed, check.ToString());
        }
    }

    /// <summary>The Hessian-vector product runs the guarded reverse sweep in forward mode: finite, and the closed form.</summary>
    [Theory]
    [InlineData("Circle", 2.0, 0.0)]
    [InlineData("Circle", 0.5, -1 / (0.75 * 0.8660254037844386))]
    [InlineData("CircleIf", -3.0, 0.0)]
    [InlineData("Softplus", 800.0, 0.0)]
    [InlineData("Softplus", 1.0, 0.19661193324148185)]
    [InlineData("ClampedLog", 0.0, 0.0)]
    [InlineData("ClampedLog", 2.0, -0.25)]
    public void SecondOrderIsFiniteToo(string name, double x, double expected)
    {
        var f = (DifferentiableFunction)Compiled.Value.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, null)!;
        var h = new double[1];
        f.Hessian(new[] { x }, h);
        Assert.True(Math.Abs(h[0] - expected) <= 1e-12 * (1 + Math.Abs(expected)), $"{name}''({x}) = {h[0]:R}, expected {expected:R}");
        if (!(name == "ClampedLog" && x == 0))
        {
            GradientCheck.CheckHessian(f, new[] { x }).ThrowIfFailed();
        }
    }

    /// <summary>
    /// An adjoint that is zero because the residual is zero, not because the value is unused: the Hessian of r(x)² at a
    /// root of r is 2·r'(x)², all of it from the tangent of the adjoint. The Hessian-vector product took the guard
    /// v̄ == 0 ? 0 : ∂v/∂a·v̄ for a branch and dropped ∂v/∂a·v̄̇, so the Hessian was 0 there (found by a red-team pass on
    /// the helical valley function, whose Hessian at its minimum (1, 0, 0) had ∂²f/∂x₂² = 0 instead of 10⁴/π²·2).
    /// Newton's method near such a minimum saw no curvature.
    /// </summary>
    [Theory]
    [InlineData("AtanResidual", 0.5463024898437905)] // tan(0.5): atan x − 0.5 = 0
    [InlineData("AtanResidual", 1.5)]
    [InlineData("CircleResidual", 0.8)] // √(1 − 0.64) − 0.6 = 0
    [InlineData("CircleResidual", 0.3)]
    public void SecondDerivativesAtAZeroResidualKeepTheTangentOfTheAdjoint(string name, double x)
    {
        var f = (DifferentiableFunction)Compiled.Value.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, null)!;
        double expected;
        if (name == "AtanResidual")
        {
            double d = 1 / (1 + (x * x));
            expected = 2 * ((d * d) + ((Math.Atan(x) - 0.5) * -2 * x * d * d));
        }
        else
        {
            double r = Math.Sqrt(1 - (x * x));
            double dr = -x / r, d2r = -1 / (r * r * r);
            expected = 2 * ((dr * dr) + ((r - 0.6) * d2r));
        }

        var h = new double[1];
        f.Hessian(new[] { x }, h);
        Assert.True(Math.Abs(h[0] - expected) <= 1e-12 * (1 + Math.Abs(expected)), $"{name}''({x}) = {h[0]:R}, expected {expected:R}");
        GradientCheck.CheckHessian(f, new[] { x }, Expect.Tight).ThrowIfFailed();
    }

    /// <summary>The helical valley at its minimum (1, 0, 0): H = 2JᵀJ, with J the residuals' Jacobian there.</summary>
    [Fact]
    public void HelicalValleyHessianAtItsMinimumIsTwoJTransposeJ()
    {
        var f = (DifferentiableFunction)Compiled.Value.GetMethod("HelicalObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, null)!;
        var h = new double[9];
        f.Hessian(new[] { 1.0, 0, 0 }, h);
        // r₁ = 10x₃ − 100θ, θ = atan2(x₂, x₁)/2π: ∇r₁ = (0, −50/π, 10); r₂ = 10(‖(x₁, x₂)‖ − 1): ∇r₂ = (10, 0, 0); r₃ = x₃: (0, 0, 1).
        double a = -50 / Math.PI;
        double[] expected = { 200, 0, 0, 0, 2 * a * a, 2 * a * 10, 0, 2 * a * 10, 2 * (100 + 1) };
        for (int i = 0; i < 9; i++)
        {
            Assert.True(Math.Abs(h[i] - expected[i]) <= 1e-9 * (1 + Math.Abs(expected[i])), $"H[{i}] = {h[i]:R}, expected {expected[i]:R}");
        }
    }

    /// <summary>
    /// Forward mode has the same product at a kink: the tangent of Max(Log(x), -10) at x = 0 multiplied the branch not
    /// chosen (partial 0) by Log's infinite tangent. The Jacobian's column is 0 there, and 1/x·(i + 1) where Log is chosen.
    /// </summary>
    [Fact]
    public void JacobiansAtAKinkAreFinite()
    {
        var f = (LeastSquaresFunction)Compiled.Value.GetMethod("ClampedLogsLeastSquares", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object?[] { 3, 3 })!;
        double[] x = { 0.0, 2.0, 1e-6 };
        var r = new double[3];
        var j = new double[9];
        f.Jacobian(x, r, j);
        Assert.Equal(new[] { -10.0, Math.Log(2) * 2, -30.0 }, r);
        Assert.Equal(new[] { 0.0, 0, 0, 0, 1.0, 0, 0, 0, 0 }, j);
    }
}

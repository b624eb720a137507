using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// A span a loop walks along itself (<c>while (s.Length > 1) { ...; s = s[1..]; }</c>, <c>s = s.Slice(c)</c>), in
/// while, do and for loops: the reverse of iteration k takes the tail of the first view from k·c again. These were SG0006
/// at the loop ("not a counted loop") before. Each is checked against its closed form and centered differences, with
/// second derivatives (whose forward sweep once typed the tangent of a read-only span as a Span, CS0029).
/// </summary>
public class WalkedViewTests
{
    /// <summary>Σ xᵢxᵢ₊₁ by walking: ∂/∂xⱼ = xⱼ₋₁ + xⱼ₊₁; the Hessian has 1 beside the diagonal.</summary>
    [Fact]
    public void ProductsOfNeighboursByWalkingASpan()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double F(double[] x)
                {
                    ReadOnlySpan<double> s = x;
                    double acc = 0;
                    while (s.Length > 1)
                    {
                        acc += s[0] * s[1];
                        s = s[1..];
                    }

                    return acc;
                }
            """;
        double[] x = { 0.7, -0.4, 1.2, 0.9, -1.5 };
        var expected = x.Select((_, j) => (j > 0 ? x[j - 1] : 0) + (j < x.Length - 1 ? x[j + 1] : 0)).ToArray();
        Expect.Gradient(Source, "F", x, expected, 5);
        var hessian = new double[5, 5];
        for (int j = 0; j < 4; j++)
        {
            hessian[j, j + 1] = hessian[j + 1, j] = 1;
        }

        AssertHessian(Objective(Source, "F", 5), x, hessian);
    }

    /// <summary>s.Slice(2) until empty, reading s[0] and s[^1]: f = (sin x₀ + sin x₂ + sin x₄)·x₅.</summary>
    [Fact]
    public void WalkingTwoAtATimeUntilEmpty()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double F(double[] x)
                {
                    var s = x.AsSpan();
                    double acc = 0;
                    while (!s.IsEmpty)
                    {
                        acc += Math.Sin(s[0]) * s[^1];
                        s = s.Slice(2);
                    }

                    return acc;
                }
            """;
        double[] x = { 0.7, -0.4, 1.2, 0.9, -1.5, 0.3 };
        double sines = Math.Sin(x[0]) + Math.Sin(x[2]) + Math.Sin(x[4]);
        var expected = new[] { Math.Cos(x[0]) * x[5], 0, Math.Cos(x[2]) * x[5], 0, Math.Cos(x[4]) * x[5], sines };
        Expect.Gradient(Source, "F", x, expected, 6);
        var hessian = new double[6, 6];
        foreach (int j in new[] { 0, 2, 4 })
        {
            hessian[j, j] = -Math.Sin(x[j]) * x[5];
            hessian[j, 5] = hessian[5, j] = Math.Cos(x[j]);
        }

        AssertHessian(Objective(Source, "F", 6), x, hessian);
    }

    /// <summary>
    /// A do loop walking a parameter and a data span in lockstep by a step given as data:
    /// f = (w₀b₀ + w₂b₂ + w₄b₄)·w₅ for step 2 over six elements.
    /// </summary>
    [Fact]
    public void TwoSpansWalkedInLockstepByADataStep()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] double[] data, [NoDerivative] int step)
                {
                    ReadOnlySpan<double> a = w, b = data;
                    double acc = 0;
                    do
                    {
                        acc += a[0] * b[0] * a[^1];
                        a = a[step..];
                        b = b[step..];
                    }
                    while (a.Length >= step);
                    return acc;
                }
            """;
        double[] w = { 0.7, -0.4, 1.2, 0.9, -1.5, 0.3 };
        double[] data = { 2.0, 3.0, -1.0, 4.0, 0.5, 5.0 };
        double sum = w[0] * data[0] + w[2] * data[2] + w[4] * data[4];
        var expected = new[] { data[0] * w[5], 0, data[2] * w[5], 0, data[4] * w[5], sum };
        Expect.Gradient(Source, "F", w, expected, 6, data, 2);
        var hessian = new double[6, 6];
        foreach (int j in new[] { 0, 2, 4 })
        {
            hessian[j, 5] = hessian[5, j] = data[j];
        }

        AssertHessian(Objective(Source, "F", 6, data, 2), w, hessian);
    }

    /// <summary>
    /// Writes through a walked span of the method's own array, which the next iteration reads (h₁ += h₀², h₂ += h₁²):
    /// f = w₂ + (w₁ + w₀²)²; the reverse needs the values before each write.
    /// </summary>
    [Fact]
    public void WritesThroughAWalkedSpanOfALocalArray()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double F(double[] w)
                {
                    var h = (double[])w.Clone();
                    Span<double> s = h;
                    while (s.Length > 1)
                    {
                        s[1] += s[0] * s[0];
                        s = s[1..];
                    }

                    return h[^1];
                }
            """;
        double[] w = { 0.7, -0.4, 1.2 };
        double inner = w[1] + w[0] * w[0];
        var expected = new[] { 4 * inner * w[0], 2 * inner, 1 };
        Expect.Gradient(Source, "F", w, expected, 3);
        var hessian = new double[3, 3];
        hessian[0, 0] = 4 * inner + 8 * w[0] * w[0];
        hessian[0, 1] = hessian[1, 0] = 4 * w[0];
        hessian[1, 1] = 2;
        AssertHessian(Objective(Source, "F", 3), w, hessian);
    }

    /// <summary>A for loop whose counter and span advance together (k counts, s walks): f = Σ over k of (k + 1)·s[0]², s = x[k..].</summary>
    [Fact]
    public void WalkedBesideACounter()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double F(double[] x)
                {
                    ReadOnlySpan<double> s = x;
                    double acc = 0;
                    for (int k = 0; k < 3; k++)
                    {
                        acc += (k + 1) * s[0] * s[0];
                        s = s.Slice(1);
                    }

                    return acc;
                }
            """;
        double[] x = { 0.7, -0.4, 1.2, 0.9 };
        var expected = new[] { 2 * x[0], 4 * x[1], 6 * x[2], 0 };
        Expect.Gradient(Source, "F", x, expected, 4);
        var hessian = new double[4, 4];
        hessian[0, 0] = 2;
        hessian[1, 1] = 4;
        hessian[2, 2] = 6;
        AssertHessian(Objective(Source, "F", 4), x, hessian);
    }

    private static DifferentiableFunction Objective(string members, string method, params object[] arguments)
    {
        var assembly = Expect.Compiles(Harness.InClass(members));
        var factory = assembly.GetType("Demo.C")!.GetMethod(method + "Objective", BindingFlags.Public | BindingFlags.Static)!;
        return (DifferentiableFunction)factory.Invoke(null, arguments)!;
    }

    private static void AssertHessian(DifferentiableFunction f, double[] point, double[,] expected)
    {
        int n = point.Length;
        var h = new double[n * n];
        f.Hessian(point, h);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.True(Math.Abs(h[i * n + j] - expected[i, j]) <= 1e-12 * (1 + Math.Abs(expected[i, j])), $"H[{i},{j}]: generated {h[i * n + j]:R}, expected {expected[i, j]:R}");
            }
        }

        GradientCheck.CheckHessian(f, point, Expect.Tight).ThrowIfFailed();
    }
}

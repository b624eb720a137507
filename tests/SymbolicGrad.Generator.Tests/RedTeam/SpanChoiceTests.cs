using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A span chosen per iteration between a differentiated span parameter and data (var a = t[i] &gt; 1.5 ? u : t, with
/// ReadOnlySpan&lt;double&gt; u and [NoDerivative] ReadOnlySpan&lt;double&gt; t), red-team #8. With double[] parameters it
/// was exact; with spans it was SG0006 at the loop, advising "choose it in each iteration among arrays from before the
/// loop (w = c ? a : b)", which is what the code did. The data side's adjoint (a sink nobody reads) was a span made in
/// the loop, which the reverse iteration, choosing the adjoint again from the stored choice, could not keep. The sink
/// of a span parameter is now one array made before the loop; the sink of data the loop computes (t.Slice(0, 3)) is an
/// array, stored per iteration. Each test failed before the fix (SG0006 from the generator).
/// </summary>
public class SpanChoiceTests
{
    private static readonly double[] T = { 1.0, 2.0, 0.5, 3.0 };
    private static readonly double[] U = { 0.7, -0.4, 1.2, 0.9 };

    /// <summary>The red-team example: f = Σ over tᵢ &gt; 1.5 of uᵢ³ + u₀u₁uᵢ, plus Σ over the others of tᵢ²uᵢ + t₀t₁uᵢ.</summary>
    [Fact]
    public void TheRedTeamExampleHasTheClosedFormGradient() => Expect.Gradient("""
            [Differentiable]
            public static double F(ReadOnlySpan<double> u, [NoDerivative] ReadOnlySpan<double> t)
            {
                double s = 0;
                for (int i = 0; i < u.Length; i++)
                {
                    var a = t[i] > 1.5 ? u : t;
                    s += a[i] * a[i] * u[i] + a[0] * a[1] * u[i];
                }

                return s;
            }
        """, "F", U, Model.PerIteration(4, i => T[i] > 1.5 ? 0 : null).Gradient(U, T), U.Length, T);

    /// <summary>
    /// The same function written as an if/else, with Span parameters, with the data as an array beside a span
    /// parameter, and with the data's slice against a slice of the parameter (a = t[i] &gt; 1.5 ? u.Slice(1) :
    /// t.Slice(0, 3): aⱼ = uⱼ₊₁ or tⱼ); also a three-way nested ternary, and a choice carried from one iteration to the
    /// next (a = u before the loop, a = t in it once tᵢ &gt; 1.5; with a double[] u too: the rewrite docs/diagnostics.md
    /// advises for such a choice of a [NoDerivative] double[], which stays SG0006). With Hessian = true: the value bit for bit the
    /// method's, the gradient, and H·v and the Hessian against the closed form, and centered differences of both.
    /// </summary>
    [Theory]
    [InlineData("Ternary", "ReadOnlySpan<double> u, [NoDerivative] ReadOnlySpan<double> t",
        "for (int i = 0; i < 4; i++) { var a = t[i] > 1.5 ? u : t; s += a[i] * a[i] * u[i] + a[0] * a[1] * u[i]; }")]
    [InlineData("IfElse", "ReadOnlySpan<double> u, [NoDerivative] ReadOnlySpan<double> t",
        "for (int i = 0; i < 4; i++) { ReadOnlySpan<double> a; if (t[i] > 1.5) a = u; else a = t; s += a[i] * a[i] * u[i] + a[0] * a[1] * u[i]; }")]
    [InlineData("Ternary", "Span<double> u, [NoDerivative] Span<double> t",
        "for (int i = 0; i < 4; i++) { ReadOnlySpan<double> a = t[i] > 1.5 ? u : t; s += a[i] * a[i] * u[i] + a[0] * a[1] * u[i]; }")]
    [InlineData("Ternary", "ReadOnlySpan<double> u, [NoDerivative] double[] t",
        "for (int i = 0; i < 4; i++) { ReadOnlySpan<double> a = t[i] > 1.5 ? u : t; s += a[i] * a[i] * u[i] + a[0] * a[1] * u[i]; }")]
    [InlineData("Slices", "ReadOnlySpan<double> u, [NoDerivative] ReadOnlySpan<double> t",
        "for (int i = 0; i < 3; i++) { var a = t[i] > 1.5 ? u.Slice(1) : t.Slice(0, 3); s += a[i] * a[i] * u[i] + a[0] * a[1] * u[i]; }")]
    [InlineData("Nested", "ReadOnlySpan<double> u, [NoDerivative] ReadOnlySpan<double> t",
        "for (int i = 0; i < 4; i++) { var a = t[i] > 2.5 ? t : t[i] > 1.5 ? u : u.Slice(1); s += a[i] * a[i] * u[i] + a[0] * a[1] * u[i]; }")]
    [InlineData("Carried", "ReadOnlySpan<double> u, [NoDerivative] ReadOnlySpan<double> t",
        "ReadOnlySpan<double> a = u; for (int i = 0; i < 4; i++) { if (t[i] > 1.5) a = t; s += a[i] * a[i] * u[i] + a[0] * a[1] * u[i]; }")]
    [InlineData("Carried", "double[] u, [NoDerivative] ReadOnlySpan<double> t",
        "ReadOnlySpan<double> a = u; for (int i = 0; i < 4; i++) { if (t[i] > 1.5) a = t; s += a[i] * a[i] * u[i] + a[0] * a[1] * u[i]; }")]
    public void ChoicesOfSpansHaveExactGradientsAndHessians(string shape, string parameters, string body)
    {
        var assembly = Expect.Compiles(Harness.InClass(
            "    [Differentiable(Hessian = true)] public static double F(" + parameters + ") { double s = 0; " + body + " return s; }\n" +
            "    public static double Call(double[] u, double[] t) => F(u, t);"));
        var model = shape switch
        {
            "Ternary" or "IfElse" => Model.PerIteration(4, i => T[i] > 1.5 ? 0 : null),
            "Slices" => Model.PerIteration(3, i => T[i] > 1.5 ? 1 : null),
            "Nested" => Model.PerIteration(4, i => T[i] > 2.5 ? null : T[i] > 1.5 ? 0 : 1),
            _ => Model.PerIteration(4, i => T.Take(i + 1).Any(v => v > 1.5) ? null : 0),
        };
        var c = assembly.GetType("Demo.C")!;
        var f = (DifferentiableFunction)c.GetMethod("FObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { U.Length, T })!;
        double direct = (double)c.GetMethod("Call")!.Invoke(null, new object[] { U, T })!;
        var g = new double[U.Length];
        double value = f.ValueAndGradient(U, g);
        Assert.Equal(BitConverter.DoubleToInt64Bits(direct), BitConverter.DoubleToInt64Bits(value));
        Assert.True(Math.Abs(value - model.Value(U, T)) <= 1e-12 * (1 + Math.Abs(value)), $"value {value:R}, closed form {model.Value(U, T):R}");
        AssertClose(model.Gradient(U, T), g, "gradient");

        double[] v = { 0.3, -1.1, 0.6, 2.0 };
        var hv = new double[U.Length];
        f.HessianVectorProduct(U, v, hv);
        var h = model.Hessian(U, T);
        AssertClose(Enumerable.Range(0, U.Length).Select(p => Enumerable.Range(0, U.Length).Sum(q => h[p, q] * v[q])).ToArray(), hv, "H·v");

        var check = GradientCheck.Check(f, U, Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        var hessianCheck = GradientCheck.CheckHessian(f, U, Expect.Tight);
        Assert.True(hessianCheck.Passed, hessianCheck.ToString());
    }

    /// <summary>In float: the value bit for bit the method's, the gradient the closed form to float rounding, and the float check.</summary>
    [Fact]
    public void AFloatSpanChoice()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                [Differentiable]
                public static float F(ReadOnlySpan<float> u, [NoDerivative] ReadOnlySpan<float> t)
                {
                    float s = 0;
                    for (int i = 0; i < u.Length; i++)
                    {
                        var a = t[i] > 1.5f ? u : t;
                        s += a[i] * a[i] * u[i] + a[0] * a[1] * u[i];
                    }

                    return s;
                }

                public static float Call(float[] u, float[] t) => F(u, t);
                public static float Gradient(float[] u, float[] t, float[] g) => FGradient(u, t, g);
            """));
        var c = assembly.GetType("Demo.C")!;
        float[] u = U.Select(x => (float)x).ToArray(), t = T.Select(x => (float)x).ToArray();
        var g = new float[u.Length];
        float value = (float)c.GetMethod("Gradient")!.Invoke(null, new object[] { u, t, g })!;
        float direct = (float)c.GetMethod("Call")!.Invoke(null, new object[] { u, t })!;
        Assert.Equal(BitConverter.SingleToInt32Bits(direct), BitConverter.SingleToInt32Bits(value));
        var expected = Model.PerIteration(4, i => T[i] > 1.5 ? 0 : null).Gradient(u.Select(x => (double)x).ToArray(), t.Select(x => (double)x).ToArray());
        for (int i = 0; i < g.Length; i++)
        {
            Assert.True(Math.Abs(g[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"component {i}: generated {g[i]:R}, expected {expected[i]:R}");
        }

        var f = (DifferentiableFunction)c.GetMethod("FObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { u.Length, t })!;
        var check = GradientCheck.Check(f, U);
        Assert.True(check.Passed, check.ToString());
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-10 * (1 + Math.Abs(expected[i])), $"{what}[{i}]: generated {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    /// <summary>
    /// The closed form of Σᵢ aᵢ²uᵢ + a₀a₁uᵢ, where in iteration i the span a is u from an offset (aⱼ = u[o + j]) or the
    /// data (aⱼ = tⱼ): a sum of monomials c·∏ u[k], whose value, gradient and Hessian are written out term by term.
    /// </summary>
    private sealed class Model
    {
        private readonly List<(int[] Factors, int Iteration)> _terms = new();
        private readonly Func<int, int?> _offset;

        private Model(Func<int, int?> offset) => _offset = offset;

        /// <summary><paramref name="offset"/>(i): the offset into u of the span iteration i reads, or null for the data.</summary>
        public static Model PerIteration(int iterations, Func<int, int?> offset)
        {
            var m = new Model(offset);
            for (int i = 0; i < iterations; i++)
            {
                // Factors as element numbers of a: a[i]·a[i]·u[i] and a[0]·a[1]·u[i], with −1 − k for u[k] itself.
                m._terms.Add((new[] { i, i, -1 - i }, i));
                m._terms.Add((new[] { 0, 1, -1 - i }, i));
            }

            return m;
        }

        public double Value(double[] u, double[] t) => Monomials(u, t).Sum(x => x.Coefficient * x.Indices.Aggregate(1.0, (p, k) => p * u[k]));

        public double[] Gradient(double[] u, double[] t)
        {
            var g = new double[u.Length];
            foreach (var (coefficient, indices) in Monomials(u, t))
            {
                for (int a = 0; a < indices.Count; a++)
                {
                    g[indices[a]] += coefficient * Product(u, indices, a, -1);
                }
            }

            return g;
        }

        public double[,] Hessian(double[] u, double[] t)
        {
            var h = new double[u.Length, u.Length];
            foreach (var (coefficient, indices) in Monomials(u, t))
            {
                for (int a = 0; a < indices.Count; a++)
                {
                    for (int b = 0; b < indices.Count; b++)
                    {
                        if (a != b)
                        {
                            h[indices[a], indices[b]] += coefficient * Product(u, indices, a, b);
                        }
                    }
                }
            }

            return h;
        }

        private static double Product(double[] u, List<int> indices, int skip1, int skip2)
        {
            double p = 1;
            for (int k = 0; k < indices.Count; k++)
            {
                if (k != skip1 && k != skip2)
                {
                    p *= u[indices[k]];
                }
            }

            return p;
        }

        private IEnumerable<(double Coefficient, List<int> Indices)> Monomials(double[] u, double[] t)
        {
            foreach (var (factors, i) in _terms)
            {
                double coefficient = 1;
                var indices = new List<int>();
                foreach (int factor in factors)
                {
                    if (factor < 0)
                    {
                        indices.Add(-1 - factor);
                    }
                    else if (_offset(i) is int o)
                    {
                        indices.Add(o + factor);
                    }
                    else
                    {
                        coefficient *= t[factor];
                    }
                }

                yield return (coefficient, indices);
            }
        }
    }
}

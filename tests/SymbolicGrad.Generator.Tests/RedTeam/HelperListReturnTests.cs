using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A helper that builds a <c>List&lt;double&gt;</c> and returns it (static List&lt;double&gt; Hidden(...) { var h = new
/// List&lt;double&gt;(); ... h.Add(...); return h; }), as a first draft writes a layer: SG0015 before (stop 33), with the
/// advice to return ToArray(). Now the list stays in the array form when the caller keeps it in a variable or uses it
/// at once (Sum, Max, foreach), and each use there is one the array form follows; otherwise the error names the
/// caller's use. Hidden(w, x, s)ᵢ = tanh(s wᵢ xᵢ), so ∂/∂wᵢ of tᵢ² is 2 tᵢ (1 − tᵢ²) s xᵢ.
/// </summary>
public class HelperListReturnTests
{
    private const string Hidden = """
        using System.Linq;
        using System.Collections.Generic;
        private static List<double> Hidden(double[] w, double[] x, double scale)
        {
            var h = new List<double>();
            for (int i = 0; i < w.Length; i++) h.Add(Math.Tanh(scale * w[i] * x[i]));
            return h;
        }

        """;

    private static readonly double[] W = { 0.8, -0.3, 0.45 };
    private static readonly double[] X = { 0.5, -1.5, 2.0 };

    private static double DSquare(int i, double scale)
    {
        double t = Math.Tanh(scale * W[i] * X[i]);
        return 2 * t * (1 - t * t) * scale * X[i];
    }

    /// <summary>Kept in a per-iteration variable, an element changed through the indexer, enumerated; with Hessian = true.</summary>
    [Fact]
    public void KeptInAVariableInALoop()
    {
        var expected = new double[W.Length];
        for (int e = 1; e <= 3; e++)
        {
            for (int i = 0; i < W.Length; i++)
            {
                expected[i] += (i == 1 ? 4 : 1) * DSquare(i, e);
            }
        }

        Expect.Gradient(Hidden + """
                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] double[] x)
                {
                    double s = 0;
                    for (int e = 1; e <= 3; e++)
                    {
                        var h = Hidden(w, x, e);
                        if (h.Count > 1) h[1] *= 2;
                        foreach (var v in h) s += v * v;
                    }

                    return s;
                }
            """, "F", W, expected, W.Length, X);
        HessianPasses(Hidden + """
                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] double[] x)
                {
                    List<double> h = Hidden(w, x, 1.25);
                    h.Add(h[0] * h[2]);
                    return h.Sum(v => v * v);
                }
            """);
    }

    /// <summary>Used at once: Hidden(...).Sum(selector) + Hidden(...).Max(), and Hidden(...)[k] with Count.</summary>
    [Fact]
    public void UsedAtOnce()
    {
        var max = Enumerable.Range(0, W.Length).MaxBy(i => Math.Tanh(0.5 * W[i] * X[i]));
        var expected = new double[W.Length];
        for (int i = 0; i < W.Length; i++)
        {
            double t = Math.Tanh(0.5 * W[i] * X[i]);
            expected[i] = DSquare(i, 1.5) + (i == max ? (1 - t * t) * 0.5 * X[i] : 0);
        }

        Expect.Gradient(Hidden + """
                [Differentiable]
                public static double G(double[] w, [NoDerivative] double[] x) => Hidden(w, x, 1.5).Sum(v => v * v) + Hidden(w, x, 0.5).Max();
            """, "G", W, expected, W.Length, X);

    }

    /// <summary>Read through an indexer or Count without a variable: refused, with the advice to keep it in one.</summary>
    [Fact]
    public void AnElementOfTheResultWithoutAVariableIsRefused()
    {
        Expect.Refused("""
                private static System.Collections.Generic.List<double> Hidden(double[] w)
                {
                    var h = new System.Collections.Generic.List<double>();
                    foreach (var v in w) [|h.Add(v * v)|];
                    return h;
                }

                [Differentiable]
                public static double Last(double[] w) => Hidden(w)[w.Length - 1];
            """, "SG0015", "'Hidden(w)[w.Length - 1]'", "keep it in a variable: var l = Helper(...);");
    }

    /// <summary>
    /// A helper that returns the list a query makes (return e.Select(...).ToList(); => new List&lt;double&gt;(w)), as a
    /// first draft writes softmax over lists: SG0006 "ToList is not supported yet" before (red-team G, stop 33).
    /// F = Σᵢ softmax(w)ᵢ · cᵢ: ∂F/∂wⱼ = pⱼ (cⱼ − Σᵢ pᵢ cᵢ).
    /// </summary>
    [Fact]
    public void AHelperReturningToListOrANewList()
    {
        double[] c = { 1.0, -2.0, 0.5 };
        var e = W.Select(Math.Exp).ToArray();
        var p = e.Select(v => v / e.Sum()).ToArray();
        double mean = p.Zip(c, (a, b) => a * b).Sum();
        Expect.Gradient("""
                using System.Linq;
                using System.Collections.Generic;
                private static List<double> Copy(double[] w) => new List<double>(w);
                private static List<double> Softmax(List<double> z)
                {
                    double m = z.Max();
                    var e = z.Select(v => Math.Exp(v - m)).ToList();
                    double s = e.Sum();
                    return e.Select(v => v / s).ToList();
                }

                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] double[] c)
                {
                    var p = Softmax(Copy(w));
                    double f = 0;
                    for (int i = 0; i < p.Count; i++) f += p[i] * c[i];
                    return f;
                }
            """, "F", W, p.Select((pj, j) => pj * (c[j] - mean)).ToArray(), W.Length, c);
    }

    /// <summary>
    /// The helper called twice, and the second list sorted in place: refused, naming that use (a stale answer for the
    /// first call site would have held the second list as an array, which Sort cannot change).
    /// </summary>
    [Fact]
    public void ASecondCallSiteThatSortsIsRefused()
    {
        Expect.Refused("""
                private static System.Collections.Generic.List<double> Hidden(double[] w, double scale)
                {
                    var h = new System.Collections.Generic.List<double>();
                    for (int i = 0; i < w.Length; i++) [|h.Add(Math.Tanh(scale * w[i]))|];
                    return h;
                }

                [Differentiable]
                public static double H(double[] w)
                {
                    var a = Hidden(w, 1);
                    var b = Hidden(w, 2);
                    b.Sort();
                    return System.Linq.Enumerable.Sum(a) + b[0];
                }
            """, "SG0015", "'b.Sort()' uses it in another way", "the list 'b' that Hidden returns");
    }

    /// <summary>A helper with a second return (its list on one path, another list on the other) keeps the old refusal.</summary>
    [Fact]
    public void TwoReturnsStayRefused()
    {
        var run = Harness.Run(Expect.InClass("""
                using System.Linq;
                using System.Collections.Generic;
                private static List<double> Pick(double[] w, bool squared)
                {
                    var a = new List<double>();
                    var b = new List<double>();
                    foreach (var v in w) { a.Add(v); b.Add(v * v); }
                    if (squared) return b;
                    return a;
                }

                [Differentiable]
                public static double P(double[] w) => Pick(w, true).Sum();
            """));
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "SG0015");
    }

    private static void HessianPasses(string members)
    {
        var assembly = Expect.Compiles(Expect.InClass(members));
        var objective = assembly.GetType("Demo.C")!.GetMethod("FObjective", BindingFlags.Public | BindingFlags.Static)!;
        var f = (DifferentiableFunction)objective.Invoke(null, new object[] { W.Length, X })!;
        var check = GradientCheck.Check(f, W, Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        var hessian = GradientCheck.CheckHessian(f, W);
        Assert.True(hessian.Passed, hessian.ToString());
    }
}

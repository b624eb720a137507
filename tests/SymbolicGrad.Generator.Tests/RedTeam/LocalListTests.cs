using Microsoft.CodeAnalysis;
using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A List&lt;double&gt; the method builds (var losses = new List&lt;double&gt;(); ... losses.Add(r * r); return
/// losses.Average();), the natural first draft the stop-29 red-team pass saw refused with SG0015. It is now held as an
/// array the method creates and a count: Add stores at the count and, when the array is full, copies it into one twice as
/// long first, so the elements carry derivatives as an array's do. A list used in any other way (passed on, sorted in
/// place, changed while a foreach reads it) stays data, refused where a differentiated value goes into it, with advice
/// that names the use.
/// </summary>
public class LocalListTests
{
    private static readonly double[] Xs = Enumerable.Range(0, 37).Select(i => 0.1 * i - 1.3).ToArray();
    private static readonly double[] Ys = Xs.Select(x => (2 * x) - 1 + Math.Sin(3 * x)).ToArray();

    /// <summary>
    /// The mean of squared residuals kept in a list, over 37 points (the list grows from 4 to 8, 16, 32 and 64):
    /// ∂w₀ = (2/n) Σ rᵢxᵢ, ∂w₁ = (2/n) Σ rᵢ with rᵢ = w₀xᵢ + w₁ − yᵢ.
    /// </summary>
    [Fact]
    public void LossesKeptInAListHaveTheClosedFormGradient()
    {
        double[] w = { 0.7, -0.2 };
        var r = Xs.Select((x, i) => (w[0] * x) + w[1] - Ys[i]).ToArray();
        double[] expected = { 2.0 / Xs.Length * r.Select((ri, i) => ri * Xs[i]).Sum(), 2.0 / Xs.Length * r.Sum() };
        Expect.Gradient("""
                using System.Collections.Generic;
                using System.Linq;
                [Differentiable]
                public static double F(double[] w, [NoDerivative] double[] xs, [NoDerivative] double[] ys)
                {
                    var losses = new List<double>();
                    for (int i = 0; i < xs.Length; i++)
                    {
                        double r = w[0] * xs[i] + w[1] - ys[i];
                        losses.Add(r * r);
                    }

                    return losses.Average();
                }
            """, "F", w, expected, 2, Xs, Ys);
    }

    /// <summary>
    /// Every supported use at once, with Hessian = true: a collection expression with a spread, an initializer, a copy of
    /// the parameter, a capacity, growth, Clear, the indexer read and written (=, +=, ++), foreach, LINQ (Sum, Max,
    /// Select, OrderByDescending, Skip, Take, Zip, Count()), ToArray and Count. The value is the method's bit for bit; the
    /// gradient and H·v pass tight numeric checks; the parameter the list copied is unchanged.
    /// </summary>
    [Fact]
    public void EverySupportedUseHasExactFirstAndSecondDerivatives()
    {
        var assembly = Expect.Compiles(Expect.InClass("""
                using System.Collections.Generic;
                using System.Linq;
                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] double[] xs)
                {
                    List<double> acts = [w[0], .. w, 0.5];
                    foreach (var x in xs) acts.Add(Math.Tanh(w[0] * x + w[1]));
                    for (int i = 0; i < acts.Count; i++) acts[i] *= acts[i];
                    acts[0] += w[1];
                    acts[1]++;
                    var copy = new List<double>(w);
                    copy[0] = copy[0] * copy[1];
                    var init = new List<double> { w[1], 3 * w[0] };
                    var small = new List<double>(1);
                    for (int k = 0; k < 9; k++) small.Add(w[k % 2] * k);
                    double before = small.Sum();
                    small.Clear();
                    small.Add(w[1] * w[1]);
                    double s = 0;
                    foreach (var a in acts) s += a;
                    var arr = acts.ToArray();
                    var top = acts.OrderByDescending(v => v).Skip(1).Take(3).Sum();
                    var paired = acts.Zip(acts.Skip(1), (a, b) => a * b).Sum();
                    return s + arr[arr.Length - 1] * w[0] + top + acts.Max() + acts.Select(v => v * v).Sum() + paired
                        + acts.Count() * copy[0] + init[1] * small[0] + before + copy.Count + small.Count;
                }

                public static double Call(double[] w, double[] xs) => F(w, xs);
            """));
        var c = assembly.GetType("Demo.C")!;
        double[] xs = Xs.Take(11).ToArray();
        double[] w = { 0.7, -0.2 };
        var f = (DifferentiableFunction)c.GetMethod("FObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { 2, xs })!;
        double direct = (double)c.GetMethod("Call")!.Invoke(null, new object[] { w, xs })!;
        var g = new double[2];
        double value = f.ValueAndGradient(w, g);
        Assert.Equal(BitConverter.DoubleToInt64Bits(direct), BitConverter.DoubleToInt64Bits(value));
        Assert.Equal(new[] { 0.7, -0.2 }, w);
        var check = GradientCheck.Check(f, w, Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        var hessian = GradientCheck.CheckHessian(f, w, Expect.Tight);
        Assert.True(hessian.Passed, hessian.ToString());
    }

    /// <summary>
    /// A list declared in a loop (one per iteration) and one kept across iterations, with an early return: f = Σᵢ
    /// (Σⱼ≤ᵢ wⱼ)² over the prefixes, stopping at the first prefix sum above 2. Closed form at w = (0.5, 0.4, 0.3, 1.1,
    /// 0.2): the prefix sums 0.5, 0.9, 1.2, 2.3 stop the loop at i = 3 after adding 2.3² (the return is inside the loop).
    /// </summary>
    [Fact]
    public void ListsPerIterationAndAcrossIterationsWithAnEarlyReturn()
    {
        double[] w = { 0.5, 0.4, 0.3, 1.1, 0.2 };
        double[] prefix = { 0.5, 0.9, 1.2, 2.3 };
        var expected = new double[5];
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                expected[j] += 2 * prefix[i];
            }
        }

        Expect.Gradient("""
                using System.Collections.Generic;
                using System.Linq;
                [Differentiable]
                public static double F(double[] w)
                {
                    var kept = new List<double>();
                    for (int i = 0; i < w.Length; i++)
                    {
                        var row = new List<double>();
                        for (int j = 0; j <= i; j++) row.Add(w[j]);
                        double p = row.Sum();
                        kept.Add(p * p);
                        if (p > 2) return kept.Sum();
                    }

                    return kept.Sum();
                }
            """, "F", w, expected, 5);
    }

    /// <summary>
    /// ToList, AddRange and indexes from the end, with Hessian = true: predictions kept with ToList, their squares and
    /// the weights appended with AddRange, the last two elements changed through [^1] and [^2], a ToList read at once
    /// by Sum and by a foreach, and a copy with ToList written without touching the original. The gradient against the
    /// closed form (worked out beside it) and differences, H·v against differences, the value the method's bit for bit.
    /// </summary>
    [Fact]
    public void ToListAddRangeAndIndexesFromTheEnd()
    {
        var assembly = Expect.Compiles(Expect.InClass("""
                using System.Collections.Generic;
                using System.Linq;
                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] double[] xs)
                {
                    var preds = xs.Select(x => w[0] * x + w[1]).ToList();
                    var errs = new List<double>();
                    errs.AddRange(preds.Select(p => p * p));
                    errs.AddRange(w);
                    errs[^1] += w[0];
                    errs[^2] *= 2;
                    double last = errs[^1] + preds[^1];
                    double s = xs.Select(x => x * w[0]).ToList().Sum();
                    foreach (var v in w.Select(v => v * v).ToList()) s += v;
                    var copy = errs.ToList();
                    copy[0] = 5;
                    return errs.Sum() + last + s + copy.Sum() - copy[0] + preds.Count;
                }

                public static double Call(double[] w, double[] xs) => F(w, xs);
            """));
        var c = assembly.GetType("Demo.C")!;
        double[] xs = Xs.Take(7).ToArray();
        double[] w = { 0.7, -0.2 };
        var f = (DifferentiableFunction)c.GetMethod("FObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { 2, xs })!;
        var g = new double[2];
        double value = f.ValueAndGradient(w, g);
        Assert.Equal(BitConverter.DoubleToInt64Bits((double)c.GetMethod("Call")!.Invoke(null, new object[] { w, xs })!), BitConverter.DoubleToInt64Bits(value));

        // errs = (p₀², ..., p₆², 2w₀, w₁ + w₀); the sum of errs counts twice (errs.Sum() and copy.Sum() − copy[0] with
        // copy[0] = 5, which drops p₀² from the copy); last = w₁ + w₀ + p₆; s = Σxᵢw₀ + w₀² + w₁².
        double[] p = xs.Select(x => (w[0] * x) + w[1]).ToArray();
        double dw0 = 0, dw1 = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double times = i == 0 ? 1 : 2;
            dw0 += times * 2 * p[i] * xs[i];
            dw1 += times * 2 * p[i];
        }

        dw0 += (2 * (2 + 1)) + 1 + xs[^1] + xs.Sum() + (2 * w[0]);
        dw1 += (2 * 1) + 1 + 1 + (2 * w[1]);
        Assert.True(Math.Abs(g[0] - dw0) <= 1e-10 * (1 + Math.Abs(dw0)), $"∂w₀: generated {g[0]:R}, closed form {dw0:R}");
        Assert.True(Math.Abs(g[1] - dw1) <= 1e-10 * (1 + Math.Abs(dw1)), $"∂w₁: generated {g[1]:R}, closed form {dw1:R}");
        var check = GradientCheck.Check(f, w, Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        var hessian = GradientCheck.CheckHessian(f, w, Expect.Tight);
        Assert.True(hessian.Passed, hessian.ToString());
    }

    /// <summary>
    /// A List&lt;double[]&gt; of rows (an RNN's hidden states, one per step), held as an array of arrays: the rows are the
    /// arrays added, so a row changed after it was added, or through the list, is changed everywhere it is seen. The
    /// value bit for bit the method's; gradient and H·v against differences.
    /// </summary>
    [Fact]
    public void AListOfRowsHoldsTheArraysThemselves()
    {
        var assembly = Expect.Compiles(Expect.InClass("""
                using System.Collections.Generic;
                using System.Linq;
                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] double[] xs)
                {
                    int n = 3;
                    var hs = new List<double[]>();
                    var h = new double[n];
                    foreach (var x in xs)
                    {
                        var hn = new double[n];
                        for (int i = 0; i < n; i++) hn[i] = Math.Tanh(w[i] * h[i] + w[n + i] * x);
                        hs.Add(hn);
                        h = hn;
                    }

                    var twice = new List<double[]> { h };
                    twice.Add(h);
                    h[1] = w[0] * w[5];
                    twice[0][2] = w[1] * w[4];
                    double s = 0;
                    foreach (var row in hs) s += row[0] * row[2];
                    return s + hs.Sum(r => r.Sum()) + hs[^1][1] + twice[1][1] * twice[1][2] + hs.Count;
                }

                public static double Call(double[] w, double[] xs) => F(w, xs);
            """));
        var c = assembly.GetType("Demo.C")!;
        double[] xs = Xs.Take(6).ToArray();
        double[] w = { 0.7, -0.2, 0.4, 0.3, 0.5, -0.6 };
        var f = (DifferentiableFunction)c.GetMethod("FObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { 6, xs })!;
        var g = new double[6];
        double value = f.ValueAndGradient(w, g);
        Assert.Equal(BitConverter.DoubleToInt64Bits((double)c.GetMethod("Call")!.Invoke(null, new object[] { w, xs })!), BitConverter.DoubleToInt64Bits(value));
        var check = GradientCheck.Check(f, w, Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        var hessian = GradientCheck.CheckHessian(f, w, Expect.Tight);
        Assert.True(hessian.Passed, hessian.ToString());
    }

    /// <summary>A parameter added as a row and then written through the list is a write into the caller's array: SG0018.</summary>
    [Fact]
    public void WritingAParameterThroughAListOfRowsIsRefused() => Expect.Refused("""
            [Differentiable]
            public static double F(double[] w)
            {
                var rows = new System.Collections.Generic.List<double[]>();
                rows.Add(w);
                [|rows[0][0]|] = 5;
                return rows[0][0] * w[1];
            }
        """, "SG0018", "'w'");

    /// <summary>
    /// A list passed to helpers that are inlined (a mean, a helper that adds to it, one that passes it on, a local function
    /// that builds a list of its own): the helpers' parameter is the caller's list, so an Add in a helper is seen by the
    /// caller. With xᵢ the data and uᵢ = w₀xᵢ + w₁, the list holds uᵢ², so F = mean(u²) + Σu² + u²ₙ₋₁ + 2u₀² + n, whose
    /// gradient is the closed form below; H·v against differences; the value the method's bit for bit.
    /// </summary>
    [Fact]
    public void AListPassedToHelpersIsTheSameList()
    {
        var assembly = Expect.Compiles(Expect.InClass("""
                using System.Collections.Generic;
                using System.Linq;
                private static double Mean(List<double> v) => v.Sum() / v.Count;
                private static void Push(List<double> v, double x) { v.Add(x * x); }
                private static double Last(List<double> v) => Inner(v) + v[^1];
                private static double Inner(List<double> v) { double s = 0; foreach (var e in v) s += e; return s; }

                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] double[] xs)
                {
                    var losses = new List<double>();
                    foreach (var x in xs) Push(losses, w[0] * x + w[1]);
                    double Local(List<double> l) { var m = new List<double>(); m.Add(l[0] * 2); return m[0] + l.Count; }
                    return Mean(losses) + Last(losses) + Local(losses);
                }

                public static double Call(double[] w, double[] xs) => F(w, xs);
            """));
        var c = assembly.GetType("Demo.C")!;
        double[] xs = Xs.Take(9).ToArray();
        double[] w = { 0.7, -0.2 };
        var f = (DifferentiableFunction)c.GetMethod("FObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { 2, xs })!;
        var g = new double[2];
        double value = f.ValueAndGradient(w, g);
        Assert.Equal(BitConverter.DoubleToInt64Bits((double)c.GetMethod("Call")!.Invoke(null, new object[] { w, xs })!), BitConverter.DoubleToInt64Bits(value));
        double[] u = xs.Select(x => (w[0] * x) + w[1]).ToArray();
        int n = u.Length;
        double dw0 = 0, dw1 = 0;
        for (int i = 0; i < n; i++)
        {
            double weight = (1.0 / n) + 1 + (i == n - 1 ? 1 : 0) + (i == 0 ? 2 : 0);
            dw0 += weight * 2 * u[i] * xs[i];
            dw1 += weight * 2 * u[i];
        }

        Assert.True(Math.Abs(g[0] - dw0) <= 1e-10 * (1 + Math.Abs(dw0)), $"∂w₀: generated {g[0]:R}, closed form {dw0:R}");
        Assert.True(Math.Abs(g[1] - dw1) <= 1e-10 * (1 + Math.Abs(dw1)), $"∂w₁: generated {g[1]:R}, closed form {dw1:R}");
        var hessian = GradientCheck.CheckHessian(f, w, Expect.Tight);
        Assert.True(hessian.Passed, hessian.ToString());
    }

    /// <summary>
    /// A list passed to helpers that take a read-only view of it (IEnumerable&lt;double&gt;, IReadOnlyList&lt;double&gt;,
    /// one passing it on to the other). With uᵢ = w₀xᵢ + w₁ in the list: F = 2·mean(u) + n·uₙ₋₁ + Σuᵢ², so ∂w₀ =
    /// 2·mean(x) + n·xₙ₋₁ + Σ2uᵢxᵢ and ∂w₁ = 2 + n + Σ2uᵢ; H·v against differences.
    /// </summary>
    [Fact]
    public void AListPassedAsAReadOnlyView()
    {
        double[] xs = Xs.Take(8).ToArray();
        double[] w = { 0.7, -0.2 };
        double[] u = xs.Select(x => (w[0] * x) + w[1]).ToArray();
        int n = u.Length;
        double[] expected = { (2 * xs.Average()) + (n * xs[^1]) + u.Select((ui, i) => 2 * ui * xs[i]).Sum(), 2 + n + u.Sum(ui => 2 * ui) };
        Expect.Gradient("""
                using System.Collections.Generic;
                using System.Linq;
                private static double Avg(IEnumerable<double> v) => v.Average();
                private static double Tail(IReadOnlyList<double> v) => v[v.Count - 1] * v.Count;
                private static double Both(IReadOnlyList<double> v) { double s = 0; foreach (var e in v) s += e * e; return s + Avg(v); }

                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] double[] xs)
                {
                    var l = new List<double>();
                    foreach (var x in xs) l.Add(w[0] * x + w[1]);
                    return Avg(l) + Tail(l) + Both(l);
                }
            """, "F", w, expected, 2, xs);
    }

    /// <summary>A list passed to a helper that sorts it, or to one that passes it to itself, stays data: one SG0015 at the Add, naming the call.</summary>
    [Theory]
    [InlineData("private static double H(System.Collections.Generic.List<double> v) { v.Sort(); return v[0]; }", "H(l)")]
    [InlineData("private static double H(System.Collections.Generic.List<double> v, int n = 2) => n == 0 ? v[0] : H(v, n - 1) * 0.5;", "H(l)")]
    public void AHelperThatUsesTheListOtherwiseKeepsItData(string helper, string call) => Expect.Refused(
        helper + "\n" + """
            [Differentiable]
            public static double F(double[] w)
            {
                var l = new System.Collections.Generic.List<double>();
                [|l.Add(w[0])|];
                return H(l);
            }
        """, "SG0015", "'" + call + "' uses it in another way");

    /// <summary>
    /// Elements in tuples: swapped by a deconstruction ((l[0], l[1]) = (2·l[1], l[0])), read into a deconstruction and a
    /// tuple. l becomes (2w₁, w₀, 3), so F = a·b + t₁ + t₂ + Σl = 6w₁ + w₀ + 3w₀ + 2w₁ + w₀ + 3: ∂ = (5, 8).
    /// </summary>
    [Fact]
    public void ElementsInTuplesAndDeconstructions() => Expect.Gradient("""
            using System.Collections.Generic;
            using System.Linq;
            [Differentiable]
            public static double F(double[] w)
            {
                var l = new List<double> { w[0], w[1], 3 };
                (l[0], l[1]) = (l[1] * 2, l[0]);
                var (a, b) = (l[0], l[^1]);
                var t = (l[1], l[2] * w[0]);
                return a * b + t.Item1 + t.Item2 + l.Sum();
            }
        """, "F", new[] { 0.7, -0.2 }, new[] { 5.0, 8.0 }, 2);

    /// <summary>
    /// C# evaluates the list, then the index, then the value (red-team: the index was read after the value, so l[i] =
    /// l[i++] * l[i] wrote l[2]). Here l[1] = w₁w₂ and i ends at 2: F = w₀ + 100w₁w₂ + 1000w₂ + 2, at (0.7, −1.3, 0.4,
    /// 1.1) ∂ = (1, 100w₂, 100w₁ + 1000, 0). The same for a compound assignment, and for l[^k] whose k adds to the list
    /// (k is evaluated before Count is read).
    /// </summary>
    [Theory]
    [InlineData("int i = 1; l[i] = l[i++] * l[i]; return l[0] + l[1] * 100 + l[2] * 1000 + i;", 1.0, 40.0, 870.0, 0.0)]
    [InlineData("int i = 1; l[i] *= l[++i]; return l[0] + l[1] * 100 + l[2] * 1000 + i;", 1.0, 40.0, 870.0, 0.0)]
    [InlineData("int i = 0; l[i] = w[i = 2] * w[1]; return l[0] + l[1] * 100 + l[2] * 1000 + i;", 0.0, 100.4, 998.7, 0.0)]
    [InlineData("return l[^Push(l, w[2])] + l.Count;", 1.0, 0.0, 0.0, 0.0)]
    public void TheIndexIsEvaluatedBeforeTheValue(string body, double d0, double d1, double d2, double d3) => Expect.Gradient(
        "using System.Collections.Generic;\n" +
        "    private static int Push(List<double> v, double x) { v.Add(x); return v.Count; }\n" +
        "    [Differentiable] public static double F(double[] w) { var l = new List<double> { w[0], w[1], w[2], w[3] }; " + body + " }",
        "F", new[] { 0.7, -1.3, 0.4, 1.1 }, new[] { d0, d1, d2, d3 }, 4);

    /// <summary>
    /// A change to the list while something may still enumerate it (List&lt;T&gt; throws "Collection was modified"; the
    /// array form would not notice): a query over it kept in a variable, AddRange of a query over the list itself, the
    /// list passed twice to one helper, a query kept past the block that declares the list (an internal error before).
    /// Each keeps the list data: an SG0015 that names why (other errors may follow from the list being data), never a
    /// value where the method throws.
    /// </summary>
    [Theory]
    [InlineData("var l = new List<double> { w[0], w[1] }; var q = l.Where(x => x > -1e9); foreach (var x in q) { if (l.Count < 6) l.Add(x * w[2]); } return l.Sum();", "is changed while a lazy query over it is kept")]
    [InlineData("var l = new List<double> { w[0], w[1], w[2] }; var q = l.Select(x => x * 2); int i = 0; double s = 0; foreach (var x in q) { s += x; l[i++] = x; } return s + l.Sum();", "is changed while a lazy query over it is kept")]
    [InlineData("var l = new List<double> { w[0], w[1] }; l.AddRange(l.Select(x => x * w[2])); return l.Sum() + l.Count;", "'l.AddRange(l.Select(x => x * w[2]))' uses it in another way")]
    [InlineData("var l = new List<double> { w[0], w[1] }; CopyInto(l, l); return l.Sum();", "'CopyInto(l, l)' uses it in another way")]
    [InlineData("IEnumerable<double> q = w; if (w.Length > 1) { var l = new List<double> { w[0] }; q = l.Select(x => x * 10); l.Add(w[1]); } return q.Sum();", "is changed while a lazy query over it is kept")]
    public void AChangeWhileAQueryMayReadTheListKeepsItData(string body, string says)
    {
        var run = Harness.Run(Expect.InClass(
            "using System.Collections.Generic;\nusing System.Linq;\n" +
            "    private static void CopyInto(List<double> a, IEnumerable<double> b) { foreach (var x in b) a.Add(x); }\n" +
            "    [Differentiable] public static double F(double[] w) { " + body + " }"));
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count > 0 && errors.All(d => d.Severity == DiagnosticSeverity.Error && d.Id != "SG9999"), "expected refusals, got:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(errors.Any(d => d.Id == "SG0015" && d.GetMessage().Contains(says, StringComparison.Ordinal)), "no SG0015 saying \"" + says + "\":\n" + string.Join("\n", run.GeneratorDiagnostics));
    }

    /// <summary>
    /// The list as the second source of Zip (targets.Zip(predictions, f), the first draft of an MSE whose predictions were
    /// kept in a list) and of Concat, and spread into an array, a span and another list ([.. l], [1.5, .. l, w[0]]):
    /// refused as conservative until stop 31. The MSE has the closed form ∂a = −(2/n) Σ rᵢxᵢ, ∂b = −(2/n) Σ rᵢxᵢ² with
    /// rᵢ = yᵢ − (a xᵢ + b xᵢ²); the others pass tight gradient and Hessian checks, and every value is the method's bit
    /// for bit.
    /// </summary>
    [Fact]
    public void TheListAsZipsOrConcatsSecondSourceAndSpread()
    {
        var assembly = Expect.Compiles(Expect.InClass("""
                using System.Collections.Generic;
                using System.Linq;
                [Differentiable(Hessian = true)]
                public static double Mse(double[] w, [NoDerivative] double[] xs, [NoDerivative] double[] ys)
                {
                    var preds = new List<double>();
                    foreach (var x in xs) preds.Add(w[0] * x + w[1] * x * x);
                    return ys.Zip(preds, (t, p) => (t - p) * (t - p)).Average();
                }

                [Differentiable(Hessian = true)]
                public static double Others(double[] w, [NoDerivative] double[] xs)
                {
                    var l = new List<double>();
                    for (int i = 0; i < w.Length; i++) l.Add(w[i] * w[(i + 1) % w.Length]);
                    double concat = w.Concat(l).Sum(v => v * v * v);
                    double[] a = [.. l];
                    ReadOnlySpan<double> s = [1.5, .. l, w[0]];
                    double spread = 0;
                    for (int i = 0; i < a.Length; i++) spread += a[i] * s[i + 1] * s[0] + s[^1] * Math.Sin(a[i]);
                    List<double> m = [.. l, 2.0];
                    m.Add(w[0]);
                    l.Add(3.0);
                    var three = xs.Zip(l, xs).Sum(t => t.First * t.Second + t.Third * w[1] * t.Second);
                    return concat + spread + m.Sum() * l.Count + m[^1] * l[^2] + three;
                }

                public static double CallMse(double[] w, double[] xs, double[] ys) => Mse(w, xs, ys);
                public static double CallOthers(double[] w, double[] xs) => Others(w, xs);
            """));
        var c = assembly.GetType("Demo.C")!;
        double[] xs = Xs.Take(9).ToArray();
        double[] ys = Ys.Take(9).ToArray();
        double[] w = { 0.7, -0.4 };
        var mse = (DifferentiableFunction)c.GetMethod("MseObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { 2, xs, ys })!;
        var g = new double[2];
        double value = mse.ValueAndGradient(w, g);
        Assert.Equal(BitConverter.DoubleToInt64Bits((double)c.GetMethod("CallMse")!.Invoke(null, new object[] { w, xs, ys })!), BitConverter.DoubleToInt64Bits(value));
        var r = xs.Select((x, i) => ys[i] - ((w[0] * x) + (w[1] * x * x))).ToArray();
        Assert.Equal(-2.0 / xs.Length * r.Select((ri, i) => ri * xs[i]).Sum(), g[0], 1e-12);
        Assert.Equal(-2.0 / xs.Length * r.Select((ri, i) => ri * xs[i] * xs[i]).Sum(), g[1], 1e-12);
        Assert.True(GradientCheck.CheckHessian(mse, w, Expect.Tight).Passed);

        double[] w3 = { 0.7, -0.4, 1.3 };
        var others = (DifferentiableFunction)c.GetMethod("OthersObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { 3, xs })!;
        var g3 = new double[3];
        Assert.Equal(
            BitConverter.DoubleToInt64Bits((double)c.GetMethod("CallOthers")!.Invoke(null, new object[] { w3, xs })!),
            BitConverter.DoubleToInt64Bits(others.ValueAndGradient(w3, g3)));
        var check = GradientCheck.Check(others, w3, Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        var hessian = GradientCheck.CheckHessian(others, w3, Expect.Tight);
        Assert.True(hessian.Passed, hessian.ToString());
    }

    /// <summary>
    /// A spread of a collection of data ([.. idx] of a List&lt;int&gt; of indexes, [.. data] of a sorted List&lt;double&gt;
    /// of data): its elements copied as written, at that point (SG0006 until stop 31). f = w₀ Σᵢ xᵢ·sᵢ over the
    /// indexes with xᵢ &gt; 0, where s is xs sorted, so ∂f/∂w₀ = Σᵢ xᵢ·sᵢ over them.
    /// </summary>
    [Fact]
    public void ASpreadOfACollectionOfDataCopiesItAsWritten()
    {
        var xs = Xs.Take(9).Select(x => Math.Sin(5 * x)).ToArray();
        var sorted = xs.Order().ToArray();
        double expected = Enumerable.Range(0, xs.Length).Where(i => xs[i] > 0).Sum(i => xs[i] * sorted[i]);
        Expect.Gradient("""
                using System.Collections.Generic;
                [Differentiable]
                public static double F(double[] w, [NoDerivative] double[] xs)
                {
                    var idx = new List<int>();
                    for (int i = 0; i < xs.Length; i++) if (xs[i] > 0) idx.Add(i);
                    int[] order = [.. idx];
                    idx.Clear();
                    var data = new List<double>(xs);
                    data.Sort();
                    double[] sorted = [.. data];
                    data.Clear();
                    double s = 0;
                    foreach (var i in order) s += w[0] * xs[i] * sorted[i];
                    return s;
                }
            """, "F", new[] { 0.7 }, new[] { expected }, 1, xs);
    }

    /// <summary>
    /// A spread beside elements that only read the list ([.. l, l.Sum(), l.Count, l[0], .. l]): held as an array (it was
    /// refused as conservative; second red-team pass of stop 31). F = Σᵢ aᵢ²(i + 1) over a = (w₀, w₁, w₀ + w₁, 2, w₀,
    /// w₀, w₁): ∂w₀ = 2w₀(1 + 5 + 6) + 6(w₀ + w₁), ∂w₁ = 2w₁(2 + 7) + 6(w₀ + w₁); the value is the method's bit for bit.
    /// </summary>
    [Fact]
    public void ASpreadBesideReadsOfTheList()
    {
        double[] w = { 0.3, 0.7 };
        double sum = w[0] + w[1];
        Expect.Gradient("""
                using System.Collections.Generic;
                using System.Linq;
                [Differentiable(Hessian = true)]
                public static double F(double[] w)
                {
                    var l = new List<double> { w[0], w[1] };
                    double[] a = [.. l, l.Sum(), l.Count, l[0], .. l];
                    double s = 0;
                    for (int i = 0; i < a.Length; i++) s += a[i] * a[i] * (i + 1);
                    return s;
                }
            """, "F", w, new[] { (2 * w[0] * 12) + (6 * sum), (2 * w[1] * 9) + (6 * sum) }, 2);
    }

    /// <summary>A spread beside an element that may add to the list ([.. l, Push(l, v)]) keeps the list data, with an SG0015 that names the spread.</summary>
    [Fact]
    public void ASpreadBesideAnElementThatMayChangeTheListKeepsItData()
    {
        var run = Harness.Run(Expect.InClass("""
                using System.Collections.Generic;
                using System.Linq;
                private static double Push(List<double> l, double v) { l.Add(v); return v; }
                [Differentiable]
                public static double F(double[] w)
                {
                    var l = new List<double>();
                    l.Add(w[0]);
                    double[] a = [.. l, Push(l, w[1])];
                    return a.Sum() + l.Count;
                }
            """));
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count > 0 && errors.All(d => d.Severity == DiagnosticSeverity.Error && d.Id != "SG9999"), "expected refusals, got:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.Contains(errors, d => d.Id == "SG0015" && d.GetMessage().Contains("'.. l'", StringComparison.Ordinal));
    }

    /// <summary>
    /// A query a branch assigns to a variable that holds another sequence on the other path (IEnumerable&lt;double&gt; q =
    /// w; if (...) q = a.Select(f);), read after the branch: one SG0006 at the read (red-team: an internal error,
    /// SG9999, at printing). Not read after the branch, it is fine: F = Σ2wᵢ + w₀, ∂ = (3, 2).
    /// </summary>
    [Fact]
    public void AQueryChosenByABranchIsRefusedWhereItIsRead()
    {
        Expect.Refused("""
                [Differentiable]
                public static double F(double[] w)
                {
                    System.Collections.Generic.IEnumerable<double> q = w;
                    if (w.Length > 1) { var a = new double[] { w[0], 0 }; q = System.Linq.Enumerable.Select(a, x => x * 10); a[1] = w[1]; }
                    return System.Linq.Enumerable.Sum([|q|]);
                }
            """, "SG0006", "beside another kind of sequence on the other path");
        Expect.Gradient("""
                using System.Collections.Generic;
                using System.Linq;
                [Differentiable]
                public static double F(double[] w)
                {
                    IEnumerable<double> q = w;
                    double s = 0;
                    if (w.Length > 1) { q = w.Select(x => 2 * x); s += q.Sum(); }
                    return s + w[0];
                }
            """, "F", new[] { 0.5, -1.5 }, new[] { 3.0, 2.0 }, 2);
    }

    /// <summary>A List&lt;float&gt;: the value bit for bit the method's, and the gradient the closed form 2·Σ wᵢ to float rounding.</summary>
    [Fact]
    public void AFloatList()
    {
        var assembly = Expect.Compiles(Expect.InClass("""
                using System.Collections.Generic;
                [Differentiable]
                public static float F(float[] w)
                {
                    var l = new List<float>();
                    foreach (var v in w) l.Add(v * v);
                    float s = 0;
                    for (int i = 0; i < l.Count; i++) s += l[i];
                    return s;
                }

                public static float Call(float[] w) => F(w);
                public static float Gradient(float[] w, float[] g) => FGradient(w, g);
            """));
        var c = assembly.GetType("Demo.C")!;
        float[] w = { 0.5f, -1.25f, 2f, 0.75f, 3f, -0.5f };
        var g = new float[w.Length];
        float value = (float)c.GetMethod("Gradient")!.Invoke(null, new object[] { w, g })!;
        float direct = (float)c.GetMethod("Call")!.Invoke(null, new object[] { w })!;
        Assert.Equal(BitConverter.SingleToInt32Bits(direct), BitConverter.SingleToInt32Bits(value));
        Assert.Equal(w.Select(v => 2 * v).ToArray(), g);
    }

    /// <summary>An index past the count throws ArgumentOutOfRangeException from the gradient, as the list's indexer does from the method; so does a negative capacity.</summary>
    [Theory]
    [InlineData("var l = new List<double>(); l.Add(w[0]); l.Add(w[1]); return l[2];")]
    [InlineData("var l = new List<double>(8); l.Add(w[0]); l[1] = w[1]; return l[0];")]
    [InlineData("var l = new List<double> { w[0] }; return l[-1];")]
    [InlineData("var l = new List<double>(-1 + (int)w.Length - 2); l.Add(w[0]); return l[0];")]
    [InlineData("var l = new List<double> { w[0] }; double t = l[3]; return w[0] * w[1];")]
    [InlineData("var l = new List<double> { w[0] }; _ = l[^3]; return w[0] * w[1];")]
    public void MisuseThrowsAsTheListDoes(string body)
    {
        var assembly = Expect.Compiles(Expect.InClass(
            "using System.Collections.Generic;\n    [Differentiable] public static double F(double[] w) { " + body + " }\n" +
            "    public static double Call(double[] w) => F(w);\n" +
            "    public static double Gradient(double[] w, double[] g) => FGradient(w, g);"));
        var c = assembly.GetType("Demo.C")!;
        double[] w = { 0.5, 1.5 };
        var direct = Assert.Throws<TargetInvocationException>(() => c.GetMethod("Call")!.Invoke(null, new object[] { w }));
        Assert.IsType<ArgumentOutOfRangeException>(direct.InnerException);
        var generated = Assert.Throws<TargetInvocationException>(() => c.GetMethod("Gradient")!.Invoke(null, new object[] { w, new double[2] }));
        Assert.IsType<ArgumentOutOfRangeException>(generated.InnerException);
    }

    /// <summary>A list passed to a method the generator does not inline stays data: the value that goes into it is refused, and the advice names the use.</summary>
    [Fact]
    public void AListPassedOnIsRefusedNamingTheUse() => Expect.Refused("""
            [Differentiable]
            public static double F(double[] w)
            {
                var l = new System.Collections.Generic.List<double>();
                [|l.Add(w[0])|];
                return string.Join(",", l).Length * w[1];
            }
        """, "SG0015", "'string.Join(\",\", l)' uses it in another way", "l.ToArray()");

    /// <summary>Adding to a list inside a foreach over it (List&lt;T&gt; throws there) is not held as an array either.</summary>
    [Fact]
    public void AListChangedWhileAForeachReadsItIsRefused() => Expect.Refused("""
            [Differentiable]
            public static double F(double[] w)
            {
                var l = new System.Collections.Generic.List<double>();
                l.Add(1.0);
                foreach (var v in l) { if (l.Count < 3) [|l.Add(v * w[0])|]; }
                return l.Count;
            }
        """, "SG0015", "changes it inside a foreach over it");

    /// <summary>A list of data sorted in place (a use the array form does not have) still runs as written: the gradient is exact.</summary>
    [Fact]
    public void AListOfDataUsedOtherwiseStillRunsAsWritten() => Expect.Gradient("""
            [Differentiable]
            public static double F(double[] w, [NoDerivative] double[] xs)
            {
                var l = new System.Collections.Generic.List<double>();
                foreach (var x in xs) l.Add(x * x);
                l.Sort();
                return w[0] * l[0] + w[1] * l[l.Count - 1];
            }
        """, "F", new[] { 0.3, 0.9 }, new[] { 0.04, 9.0 }, 2, new[] { 3.0, -0.2, 1.0 });
}

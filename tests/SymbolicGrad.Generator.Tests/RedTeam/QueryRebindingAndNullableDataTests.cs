using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team E (stop 33): a query variable given another query in a loop kept its value from before the loop (the value
/// and gradient of Σw for Σ tanh∘tanh∘tanh(w), a while loop on it never ended); Any, All and Contains over a lambda
/// that changes something outside it ran the lambda for every element (.NET stops at the first decisive one), and a
/// Where made into an array ran it twice; ?? and lifted operators on a double? read as data were SG9999.
/// </summary>
public class QueryRebindingInLoopTests
{
    [Fact]
    public void AQueryRebuiltInAForLoopIsRefusedAtTheAssignment()
    {
        Expect.Refused("""
                [Differentiable]
                public static double F(double[] w, [NoDerivative] int depth)
                {
                    System.Collections.Generic.IEnumerable<double> cur = w;
                    for (int d = 0; d < depth; d++) [|cur = System.Linq.Enumerable.Select(cur, v => Math.Tanh(v + 0.5))|];
                    return System.Linq.Enumerable.Sum(cur);
                }
            """, "SG0006", "A query variable given another query in a loop ('cur'", "declare it inside the loop");
    }

    [Fact]
    public void AQueryRebuiltInAWhileLoopThatReadsItIsRefused()
    {
        Expect.Refused("""
                [Differentiable]
                public static double F(double[] w)
                {
                    System.Collections.Generic.IEnumerable<double> q = w;
                    while (System.Linq.Enumerable.Sum(q, v => v * v) > 0.01) [|q = System.Linq.Enumerable.Select(q, v => v / 2)|];
                    return System.Linq.Enumerable.Sum(q);
                }
            """, "SG0006", "('q'");
    }

    [Fact]
    public void AQueryInsideATupleRebuiltInALoopIsRefused()
    {
        Expect.Refused("""
                [Differentiable]
                public static double F(double[] w)
                {
                    (System.Collections.Generic.IEnumerable<double> q, double k) st = (w, 1.0);
                    for (int i = 0; i < 2; i++) [|st = (System.Linq.Enumerable.Select(st.q, v => v * 2), st.k * 2)|];
                    return System.Linq.Enumerable.Sum(st.q) * st.k;
                }
            """, "SG0006", "('st'");
    }

    /// <summary>The advice: an array each iteration. tanh(tanh(w + ½) + ½) per element, for depth 2.</summary>
    [Fact]
    public void TheArrayFormOfTheSameLoopIsExact()
    {
        double[] w = { 0.7, -0.4, 0.2 };
        var expected = w.Select(v =>
        {
            double t = Math.Tanh(v + 0.5), a = Math.Tanh(t + 0.5);
            return (1 - a * a) * (1 - t * t);
        }).ToArray();
        Expect.Gradient("""
                using System.Linq;
                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] int depth)
                {
                    double[] a = w.ToArray();
                    for (int d = 0; d < depth; d++) a = a.Select(v => Math.Tanh(v + 0.5)).ToArray();
                    return a.Sum();
                }

                [Differentiable]
                public static double Inside(double[] w)
                {
                    double s = 0;
                    for (int i = 0; i < 3; i++) { var q = w.Select(v => v * i); s += q.Sum(); }
                    return s;
                }
            """, "F", w, expected, w.Length, 2);
    }

    /// <summary>The same loop started at the parameter itself (a = w): refused, with the copy as the advice.</summary>
    [Fact]
    public void TheArrayLoopStartedAtTheParameterIsRefusedWithTheCopyAsAdvice()
    {
        var run = Harness.Run(Expect.InClass("""
                using System.Linq;
                [Differentiable]
                public static double F(double[] w, [NoDerivative] int depth)
                {
                    double[] a = w;
                    for (int d = 0; d < depth; d++) a = a.Select(v => Math.Tanh(v + 0.5)).ToArray();
                    return a.Sum();
                }
            """));
        var error = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SG0006", error.Id);
        Assert.Contains("works when it starts from a copy (double[] a = w.ToArray();)", error.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("System.Linq.Enumerable.Any(w, v => { acc += v * v; return v > 0; })", "acc += v * v", "Any stops at the first element")]
    [InlineData("System.Linq.Enumerable.All(w, v => { acc++; return Math.Abs(v) < 0.5; })", "acc++", "All stops")]
    [InlineData("System.Linq.Enumerable.Contains(System.Linq.Enumerable.Select(w, v => { acc += 1; return v; }), w[0])", "acc += 1", "Contains stops")]
    public void AnEarlyStoppingConsumerOverALambdaWithChangesIsRefused(string query, string change, string says)
    {
        Expect.Refused("""
                [Differentiable]
                public static double F(double[] w)
                {
                    double acc = 0;
                    bool any = [|QUERY|];
                    return any ? acc * w[0] : -acc;
                }
            """.Replace("QUERY", query, StringComparison.Ordinal), "SG0006", "'" + change + "'", says);
    }

    [Fact]
    public void AWhereWithChangesMadeIntoAnArrayIsRefused()
    {
        Expect.Refused("""
                [Differentiable]
                public static double F(double[] w)
                {
                    int n = 0;
                    var a = [|System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Where(w, v => { n++; return v > 0; }))|];
                    return System.Linq.Enumerable.Sum(a) * n;
                }
            """, "SG0006", "'n++'", "would run twice");
    }

    /// <summary>Lambdas that assign only their own locals and parameters are not changes: Any over one is exact.</summary>
    [Fact]
    public void ALambdaWithItsOwnLocalsStillWorks()
    {
        double[] w = { 0.7, -0.4, 0.2 };
        Expect.Gradient("""
                using System.Linq;
                [Differentiable]
                public static double F(double[] w) =>
                    w.Any(v => { var t = v * 2; t += 1; v = t; return v > 2.2; }) ? w.Sum(v => v * v) : w.Sum();
            """, "F", w, new[] { 2 * w[0], 2 * w[1], 2 * w[2] }, w.Length);
    }
}

public class NullableDataTests
{
    private static readonly double[] W = { 0.7, -0.4, 0.2 };
    private static readonly double?[] X = { 2.5, null, 0.25 };

    private static double[] Each(Func<int, double> d) => Enumerable.Range(0, W.Length).Select(d).ToArray();

    [Fact]
    public void CoalesceOnAnElement()
    {
        Expect.Gradient("""
                [Differentiable]
                public static double F(double[] w, [NoDerivative] double?[] x)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++) s += (x[i] ?? 0.0) * w[i] * w[i];
                    return s;
                }
            """, "F", W, Each(i => 2 * (X[i] ?? 0) * W[i]), W.Length, X);
        Expect.Gradient("""
                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] double?[] x)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++) s += x[i] ?? w[i] * w[i];
                    return s;
                }
            """, "F", W, Each(i => X[i] is null ? 2 * W[i] : 0), W.Length, X);
    }

    [Fact]
    public void CoalesceOnAListElementAndALocal()
    {
        var list = X.ToList();
        Expect.Gradient("""
                using System.Collections.Generic;
                [Differentiable]
                public static double F(double[] w, [NoDerivative] List<double?> x)
                {
                    double? d = x[2];
                    return (x[0] ?? 0.0) * w[0] + (x[1] ?? 3.0) * w[1] + (d ?? 0.0) * w[2];
                }
            """, "F", W, new[] { 2.5, 3.0, 0.25 }, W.Length, list);
    }

    /// <summary>double? p = x[i] * w[i] (null when x[i] is); s += p ?? w[i]: ∂ = x[i], or 1 where x[i] is null.</summary>
    [Fact]
    public void LiftedOperatorsOnData()
    {
        Expect.Gradient("""
                [Differentiable]
                public static double F(double[] w, [NoDerivative] double?[] x)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++)
                    {
                        double? p = x[i] * w[i];
                        double? m = -x[i];
                        s += (p ?? w[i]) + (m ?? 1.0) * w[i] + (x[i] > 0.5 ? w[i] * w[i] : 0) + (x[i] == null ? 0 : w[i]);
                    }

                    return s;
                }
            """, "F", W, Each(i => (X[i] ?? 1) + (X[i] is { } x ? -x : 1) + (X[i] > 0.5 ? 2 * W[i] : 0) + (X[i] is null ? 0 : 1)), W.Length, X);
    }

    /// <summary>p == null and p != null on a nullable parameter: the null is a value-less nullable.</summary>
    [Fact]
    public void ComparedWithNull()
    {
        const string members = """
                [Differentiable]
                public static double F(double w, [NoDerivative] double? p) => (p == null ? w * w : w * p.Value) + (null != p ? w : 0);
            """;
        Expect.Gradient(members, "F", new[] { 0.75 }, new[] { 1.5 }, new object?[] { null });
        Expect.Gradient(members, "F", new[] { 0.75 }, new[] { 2.5 + 1 }, 2.5);
    }

    /// <summary>x[i] is double v, a switch on x[i] (null, double v, relational), x[i].GetValueOrDefault(w[i]): were SG0017 and SG0015.</summary>
    [Fact]
    public void PatternsAndGetValueOrDefaultOnAnElement()
    {
        Expect.Gradient("""
                [Differentiable(Hessian = true)]
                public static double F(double[] w, [NoDerivative] double?[] x)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++)
                    {
                        if (x[i] is double v) s += v * w[i];
                        s += x[i] switch { null => w[i], double u => u * w[i] * w[i] };
                        s += x[i].GetValueOrDefault(w[i]) * w[i];
                        if (x[i] is > 0.5 and < 3) s += w[i];
                    }

                    return s;
                }
            """, "F", W, Each(i => X[i] is { } v ? v + 2 * v * W[i] + v + (v is > 0.5 and < 3 ? 1 : 0) : 1 + 2 * W[i]), W.Length, X);
    }

    [Fact]
    public void CoalesceOnATupleElementDeconstructed()
    {
        (double X, double? Y)[] data = { (2.0, 3.0), (4.0, null), (-1.0, 0.5) };
        Expect.Gradient("""
                [Differentiable]
                public static double F(double w, [NoDerivative] (double X, double? Y)[] data)
                {
                    double s = 0;
                    foreach (var (x, y) in data) s += (y ?? 0) * w * x;
                    return s;
                }
            """, "F", new[] { 0.5 }, new[] { 2.0 * 3.0 + 0 * 4.0 - 1.0 * 0.5 }, new object[] { data });
    }
}

/// <summary>
/// A [NoDerivative] IEnumerable&lt;T&gt; (or HashSet&lt;T&gt;) parameter enumerated by LINQ or foreach: SG0006 before
/// (red-team E, stop 33); now enumerated once per use into an array, as the method enumerates it.
/// </summary>
public class DataEnumerableParameterTests
{
    [Fact]
    public void LinqAndForEachOverADataSequence()
    {
        var xs = new List<double> { 0.5, -2.0, 1.25 };
        double b = 0.75;
        // F = b Σx + max(x·b): with b > 0 the max is at x = 1.25.
        Expect.Gradient("""
                using System.Linq;
                using System.Collections.Generic;
                [Differentiable]
                public static double F(double b, [NoDerivative] IEnumerable<double> xs) => xs.Sum() * b + xs.Select(v => v * b).Max();
            """, "F", new[] { b }, new[] { xs.Sum() + 1.25 }, xs.Where(v => true));
        double[] w = { 0.3, -0.7, 1.1 };
        Expect.Gradient("""
                using System.Collections.Generic;
                [Differentiable]
                public static double G(double[] w, [NoDerivative] IEnumerable<int> idx)
                {
                    double s = 0;
                    foreach (var i in idx) s += w[i] * w[i];
                    return s;
                }
            """, "G", w, new[] { 2 * w[0], 0, 2 * 2 * w[2] }, w.Length, new[] { 0, 2, 2 }.AsEnumerable());
    }

    /// <summary>
    /// Elements that are data themselves (stop 34): a batch of rows as IEnumerable&lt;double[]&gt;, and nullable readings as
    /// IEnumerable&lt;double?&gt; (both SG0006 before). F = Σ (w·x)², ∂F/∂w = Σ 2(w·x)x; G = Σ w₀·(x ?? 2).
    /// </summary>
    [Fact]
    public void SequencesOfRowsAndOfNullableNumbers()
    {
        double[] w = { 0.3, -0.7 };
        var rows = new List<double[]> { new[] { 1.0, 2.0 }, new[] { -0.5, 0.25 }, new[] { 3.0, 1.0 } };
        var expected = new double[2];
        foreach (var x in rows)
        {
            double dot = w[0] * x[0] + w[1] * x[1];
            expected[0] += 2 * dot * x[0];
            expected[1] += 2 * dot * x[1];
        }

        Expect.Gradient("""
                using System.Collections.Generic;
                [Differentiable]
                public static double F(double[] w, [NoDerivative] IEnumerable<double[]> rows)
                {
                    double s = 0;
                    foreach (var x in rows)
                    {
                        double dot = w[0] * x[0] + w[1] * x[1];
                        s += dot * dot;
                    }

                    return s;
                }
            """, "F", w, expected, w.Length, rows.Select(r => r));

        var readings = new double?[] { 1.5, null, -0.5 };
        Expect.Gradient("""
                using System.Linq;
                using System.Collections.Generic;
                [Differentiable]
                public static double G(double[] w, [NoDerivative] IEnumerable<double?> readings) => readings.Sum(x => w[0] * (x ?? 2.0)) + w[1];
            """, "G", w, new[] { 1.5 + 2.0 - 0.5, 1.0 }, w.Length, readings.Where(r => true));
    }
}

/// <summary>Red-team G (stop 33), on this stop's fixes: changes through local functions, delegates and Zip; float? and int? data; compound assignment on nullable data.</summary>
public class RedTeamGTests
{
    [Theory]
    [InlineData("int count = 0; void Bump() => count++; bool any = [|System.Linq.Enumerable.Any(w, v => { Bump(); return v > 0.5; })|]; return count * w[0];", "Bump()")]
    [InlineData("int count = 0; System.Action bump = () => count++; bool any = [|System.Linq.Enumerable.All(w, v => { bump(); return v > 0.5; })|]; return count * w[0];", "bump()")]
    [InlineData("double t = 0; void Acc(double v) => t += v; var a = [|System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Where(w, v => { Acc(v); return v > 0; }))|]; return t * w[1] + System.Linq.Enumerable.Sum(a);", "Acc(v)")]
    [InlineData("double t = 0; var f = [|System.Linq.Enumerable.Zip(System.Linq.Enumerable.Select(w, v => { t += v; return v; }), new double[] { 1, 2 })|]; return t * w[1] + System.Linq.Enumerable.Sum(f, p => p.First * p.Second);", "t += v")]
    public void ChangesThroughLocalFunctionsDelegatesAndZipAreRefused(string body, string change)
    {
        Expect.Refused("[Differentiable] public static double F(double[] w) { " + body + " }", "SG0006", "'" + change + "'");
    }

    /// <summary>A local function that only computes is no change: Any over it is exact.</summary>
    [Fact]
    public void APureLocalFunctionInAnyStillWorks()
    {
        double[] w = { 0.7, -0.4, 1.1 };
        Expect.Gradient("""
                using System.Linq;
                [Differentiable]
                public static double F(double[] w)
                {
                    double Sq(double v) { double t = v * v; return t; }
                    return w.Any(v => Sq(v) > 1) ? w.Sum(v => v * v) : 0;
                }
            """, "F", w, new[] { 2 * w[0], 2 * w[1], 2 * w[2] }, w.Length);
    }

    private static readonly double[] W = { 0.7, -0.4, 1.1, 0.25, -0.9 };

    [Fact]
    public void FloatAndIntNullableDataConvertedToDoubleKeepTheirNulls()
    {
        float?[] xf = { 0.5f, null, 2f, null, -1f };
        Expect.Gradient("""
                [Differentiable]
                public static double F(double[] w, [NoDerivative] float?[] x)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++)
                    {
                        s += (double?)x[i] ?? w[i];
                        s += (x[i] * w[i]) ?? w[i] * w[i];
                        double? t = x[i];
                        if (t is double v) s += v * w[i];
                    }

                    return s;
                }
            """, "F", W, Enumerable.Range(0, W.Length).Select(i => xf[i] is { } v ? v + v : 1 + 2 * W[i]).ToArray(), W.Length, xf);
        int?[] xi = { 2, null, -3, 1, null };
        Expect.Gradient("""
                [Differentiable]
                public static double F(double[] w, [NoDerivative] int?[] x)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++) { double? t = x[i]; s += (t ?? 5) * w[i] + ((x[i] * w[i]) ?? w[i]); }
                    return s;
                }
            """, "F", W, Enumerable.Range(0, W.Length).Select(i => xi[i] is { } v ? 2.0 * v : 6.0).ToArray(), W.Length, xi);
    }

    [Fact]
    public void CompoundAssignmentOnANullableDataLocal()
    {
        double?[] x = { 2.5, null, 0.25, null, -1 };
        Expect.Gradient("""
                [Differentiable]
                public static double F(double[] w, [NoDerivative] double?[] x)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++) { double? t = x[i]; t *= w[i]; t += 1; s += t ?? w[i]; }
                    return s;
                }
            """, "F", W, Enumerable.Range(0, W.Length).Select(i => x[i] ?? 1.0).ToArray(), W.Length, x);
    }
}

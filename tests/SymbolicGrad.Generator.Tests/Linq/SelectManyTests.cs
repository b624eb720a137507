using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.Linq;

/// <summary>
/// Enumerable.SelectMany (stop 36): a natural first draft flattens a jagged weight matrix for its L2 term
/// (W.SelectMany(r =&gt; r).Sum(w =&gt; w * w)); it was SG0006. Each case against its closed form and centered
/// differences; what needs a position after the flattening (Skip, ToArray, foreach with break) goes through an array of
/// the flattened elements, and the index and result-selector overloads are refused.
/// </summary>
public class SelectManyTests
{
    private const string Linq = "using System.Linq;\n";

    /// <summary>The function Make() returns has the gradient <paramref name="expected"/> at the point (closed form) and passes a numeric check.</summary>
    private static void Check(string members, double[] point, double[] expected) => Expect.GradientOf(members, "Make", point, expected);

    /// <summary>f = Σ w² over the rows of a jagged matrix: ∂f/∂w = 2w.</summary>
    [Fact]
    public void SumOfSquaresOfAFlattenedJaggedMatrix() => Check(
        Linq + "[Differentiable] public static double F(double[][] w) => w.SelectMany(r => r).Sum(v => v * v);\n"
        + "public static SymbolicGrad.DifferentiableFunction Make() => FObjective(new[] { 2, 3 });",
        new[] { 0.5, -1.0, 2.0, 0.25, 3.0 }, new[] { 1.0, -2.0, 4.0, 0.5, 6.0 });

    /// <summary>f = Σ max(2w, 0) + max(w): the stages after SelectMany (Select, Where) and a consumer that needs every element.</summary>
    [Fact]
    public void StagesAfterTheFlatteningAndMax() => Check(
        Linq + "[Differentiable] public static double F(double[][] w) => w.SelectMany(r => r.Select(v => 2 * v)).Where(v => v > 0).Sum() + w.SelectMany(r => r).Max();\n"
        + "public static SymbolicGrad.DifferentiableFunction Make() => FObjective(2, 3);",
        new[] { 0.5, -1.0, 2.0, 0.25, -3.0, 1.5 }, new[] { 2.0, 0.0, 3.0, 2.0, 0.0, 2.0 });

    /// <summary>
    /// A position after the flattening: Skip(1).Take(3) of the flattened elements, and element 3 of its ToArray;
    /// f = w₁ + w₂ + w₃ + w₃·w₀ with the rows (w₀, w₁) and (w₂, w₃, w₄).
    /// </summary>
    [Fact]
    public void PositionsAfterTheFlattening() => Check(
        Linq + """
            [Differentiable]
            public static double F(double[][] w)
            {
                var flat = w.SelectMany(r => r).ToArray();
                return w.SelectMany(r => r).Skip(1).Take(3).Sum() + flat[3] * flat[0] + 0 * w.SelectMany(r => r).Count()
                    + w.SelectMany(r => r).First() * w.SelectMany(r => r).Last() - w[0][0] * w[1][2] + w.SelectMany(r => r).ElementAt(2) - w[1][0];
            }
            public static SymbolicGrad.DifferentiableFunction Make() => FObjective(new[] { 2, 3 });
            """,
        new[] { 0.5, -1.0, 2.0, 0.25, 3.0 }, new[] { 0.25, 1.0, 1.0, 1.5, 0.0 });

    /// <summary>A foreach over SelectMany that breaks at the first negative element: f = w₀ + w₁ (the break leaves the whole sequence).</summary>
    [Fact]
    public void ForeachWithBreakOverTheFlattening() => Check(
        Linq + """
            [Differentiable]
            public static double F(double[][] w)
            {
                double s = 0;
                foreach (var v in w.SelectMany(r => r))
                {
                    if (v < 0) break;
                    s += v;
                }
                return s;
            }
            public static SymbolicGrad.DifferentiableFunction Make() => FObjective(2, 3);
            """,
        new[] { 0.5, 1.0, -2.0, 0.25, 3.0, 4.0 }, new[] { 1.0, 1.0, 0.0, 0.0, 0.0, 0.0 });

    /// <summary>A matrix-vector product written as a query over index ranges: f = Σᵢⱼ A[i·m + j]·x[j]·cᵢ, ∂f/∂A[i·m + j] = x[j]·cᵢ.</summary>
    [Fact]
    public void RangesFlattenedOverIndexes() => Expect.Gradient(
        Linq + """
            [Differentiable]
            public static double F(double[] a, [NoDerivative] double[] x, [NoDerivative] int n) =>
                Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, x.Length).Select(j => a[i * x.Length + j] * x[j] * (i + 1))).Sum();
            """,
        "F", new[] { 1.0, 2.0, 3.0, 4.0 }, new[] { 3.0, -1.0, 6.0, -2.0 }, 4, new[] { 3.0, -1.0 }, 2);

    /// <summary>The second order: a Hessian = true method with SelectMany; H of Σ w⁴ is diag(12w²), checked against it.</summary>
    [Fact]
    public void HessianThroughTheFlattening()
    {
        var type = Expect.Compiles(Expect.InClass(Linq + """
            [Differentiable(Hessian = true)] public static double F(double[][] w) => w.SelectMany(r => r).Sum(v => v * v * v * v);
            public static double[] Hv(double[] flat, double[] v)
            {
                var w = new[] { new[] { flat[0], flat[1] }, new[] { flat[2] } };
                var dw = new[] { new double[2], new double[1] };
                var hv = new[] { new double[2], new double[1] };
                FHessianVectorProduct(w, new[] { new[] { v[0], v[1] }, new[] { v[2] } }, dw, hv);
                return new[] { hv[0][0], hv[0][1], hv[1][0] };
            }
            """)).GetType("Demo.C")!;
        double[] w = { 0.5, -1.5, 2.0 }, v = { 1.0, 2.0, -1.0 };
        var hv = (double[])type.GetMethod("Hv")!.Invoke(null, new object[] { w, v })!;
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(12 * w[i] * w[i] * v[i], hv[i], 12);
        }
    }

    /// <summary>
    /// Query syntax's two from clauses are SelectMany with a result selector: f = Σ_rows Σ_v v·r[0] (each element times
    /// its row's first), ∂f/∂r[0] = Σ r + r[0], ∂f/∂r[k] = r[0] for k &gt; 0.
    /// </summary>
    [Fact]
    public void QuerySyntaxWithTwoFromClauses() => Check(
        Linq + "[Differentiable] public static double F(double[][] w) => (from r in w from v in r select v * r[0]).Sum();\n"
        + "public static SymbolicGrad.DifferentiableFunction Make() => FObjective(new[] { 2, 3 });",
        new[] { 0.5, -1.0, 2.0, 0.25, 3.0 }, new[] { 0.5 - 1.0 + 0.5, 0.5, 2.0 + 0.25 + 3.0 + 2.0, 2.0, 2.0 });

    [Theory]
    [InlineData("w.SelectMany((r, i) => r).Sum()", "SelectMany with an index")]
    [InlineData("w.SelectMany((r, i) => r, (r, v) => v * 2).Sum()", "SelectMany with an index")]
    [InlineData("w.SelectMany(r => r).Select((v, i) => v * i).Sum()", "after SelectMany")]
    public void OverloadsThatNeedAPositionAreRefused(string expression, string says)
    {
        var run = Harness.Run("using System.Linq;\n" + Harness.InClass("[Differentiable] public static double F(double[][] w) => " + expression + ";"));
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count >= 1 && errors.All(e => e.Id == "SG0006"), string.Join("\n", run.GeneratorDiagnostics));
        Assert.Contains(says, errors[0].GetMessage(), StringComparison.Ordinal);
        Assert.DoesNotContain(run.Sources.Values, s => s.Contains("FGradient", StringComparison.Ordinal));
    }

    /// <summary>
    /// A foreach whose body changes what its query reads: C# runs the query one element per pass, the generated loop
    /// reads an array of its elements made before the loop, so the value and gradient were wrong (k = 2 read by a lambda
    /// gave 4 for 7; red-team P). Refused with the rewrite; a body that only accumulates and breaks still compiles.
    /// </summary>
    [Theory]
    [InlineData("double k = 1; foreach (var v in w.SelectMany(r => r.Select(u => u * k))) { s += v; [|k = 2|]; }")]
    [InlineData("var c = new[] { w[0].ToArray(), w[1].ToArray() }; foreach (var v in c.SelectMany(r => r)) { s += v * v; [|c[1][0] += v|]; }")]
    [InlineData("var c = w[0].ToArray(); foreach (var v in c.Where(u => u > 0).Skip(1)) { s += v * v; [|c[0] += v|]; }")]
    public void AForeachThatChangesWhatItsQueryReadsIsRefused(string body)
    {
        string source = "[Differentiable] public static double F(double[][] w) { double s = 0; " + body + " return s; }";
        int start = source.IndexOf("[|", StringComparison.Ordinal);
        int end = source.IndexOf("|]", StringComparison.Ordinal) - 2;
        var text = "using System.Linq;\n" + Harness.InClass(source.Replace("[|", string.Empty).Replace("|]", string.Empty));
        var run = Harness.Run(text);
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && errors[0].Id == "SG0006", string.Join("\n", run.GeneratorDiagnostics));
        Assert.Contains("whose body changes what the query reads", errors[0].GetMessage(), StringComparison.Ordinal);
        int offset = text.IndexOf(source.Replace("[|", string.Empty).Replace("|]", string.Empty), StringComparison.Ordinal);
        Assert.Equal(offset + start, errors[0].Location.SourceSpan.Start);
        Assert.Equal(offset + end, errors[0].Location.SourceSpan.End);
    }
}

using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.Linq;

/// <summary>
/// Anonymous objects (stop 37): new { X = ..., Y = ... } in a method body, 'with' on one, and the objects query syntax
/// builds for 'let' and for a second 'from' followed by 'where' or 'let'. They were SG0017. An anonymous object is held
/// like a tuple, one value per property; its properties are read-only, so a read is the value it was made with. Each
/// case against its closed form and centered differences. Arrays of anonymous objects stay refused (SG0006,
/// DiagnosticTests).
/// </summary>
public class AnonymousTypeTests
{
    private const string Linq = "using System.Linq;\n";

    /// <summary>The function Make() returns has the gradient <paramref name="expected"/> at the point (closed form) and passes a numeric check.</summary>
    private static void Check(string members, double[] point, double[] expected) => Expect.GradientOf(members, "Make", point, expected);

    /// <summary>
    /// f = p.X·p.Y + q.Inner.X·q.Length with p = { X = x₀, Y = 2x₁, Name = "p" } and q = { Inner = p, x.Length }:
    /// nested anonymous objects, a data member and a projection initializer. ∂f/∂x₀ = 2x₁ + n, ∂f/∂x₁ = 2x₀.
    /// </summary>
    [Fact]
    public void NestedAnonymousObjects() => Check("""
            [Differentiable] public static double F(double[] x)
            {
                var p = new { X = x[0], Y = x[1] * 2, Name = "p" };
                var q = new { Inner = p, x.Length };
                return p.X * p.Y + q.Inner.X * q.Length + p.Name.Length;
            }
            public static SymbolicGrad.DifferentiableFunction Make() => FObjective(3);
            """,
        new[] { 1.5, -2.0, 0.5 }, new[] { 2 * -2.0 + 3, 2 * 1.5, 0.0 });

    /// <summary>
    /// The running best as an anonymous object reassigned in a loop: f = max over i of xᵢ², plus its index.
    /// ∂f/∂x at the winner is 2x, 0 elsewhere.
    /// </summary>
    [Fact]
    public void AnonymousObjectCarriedThroughALoop() => Check("""
            [Differentiable] public static double F(double[] x)
            {
                var best = new { V = x[0] * x[0], I = 0 };
                for (int i = 1; i < x.Length; i++)
                {
                    if (x[i] * x[i] > best.V) best = new { V = x[i] * x[i], I = i };
                }
                return best.V + best.I;
            }
            public static SymbolicGrad.DifferentiableFunction Make() => FObjective(4);
            """,
        new[] { 1.5, -2.0, 0.5, 3.0 }, new[] { 0.0, 0.0, 0.0, 6.0 });

    /// <summary>'with' on an anonymous object: b = a with { Y = a.Y·x }, f = a.X·a.Y + b.X·b.Y = 2x + 2x², f' = 2 + 4x.</summary>
    [Fact]
    public void WithOnAnAnonymousObject() => Check("""
            [Differentiable] public static double F(double[] x)
            {
                var a = new { X = x[0], Y = 2.0 };
                var b = a with { Y = a.Y * x[0] };
                return a.X * a.Y + b.X * b.Y;
            }
            public static SymbolicGrad.DifferentiableFunction Make() => FObjective(1);
            """,
        new[] { 0.75 }, new[] { 2 + 4 * 0.75 });

    /// <summary>
    /// The least squares of a line in query syntax with two 'let' clauses: f = Σ (w·xᵢ + b − yᵢ)²,
    /// ∂f/∂w = Σ 2eᵢxᵢ, ∂f/∂b = Σ 2eᵢ.
    /// </summary>
    [Fact]
    public void QueryWithLetClauses()
    {
        double[] x = { 1.0, 2.0, 3.0 }, y = { 1.0, 3.5, 2.0 };
        double w = 0.5, b = -0.25, dw = 0, db = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = w * x[i] + b - y[i];
            dw += 2 * e * x[i];
            db += 2 * e;
        }

        Check(Linq + """
            [Differentiable] public static double F(double w, double b, [NoDerivative] double[] x, [NoDerivative] double[] y)
                => (from i in Enumerable.Range(0, x.Length)
                    let pred = w * x[i] + b
                    let err = pred - y[i]
                    select err * err).Sum();
            public static SymbolicGrad.DifferentiableFunction Make() => FObjective(new[] { 1.0, 2.0, 3.0 }, new[] { 1.0, 3.5, 2.0 });
            """,
            new[] { w, b }, new[] { dw, db });
    }

    /// <summary>
    /// A second 'from' followed by 'where': f = Σ_{i &lt; j} xᵢxⱼ, ∂f/∂xₖ = Σ_{j ≠ k} xⱼ; and 'let' followed by 'where':
    /// g = Σ_{v² &gt; 1} v³, whose derivative is 3v² where v² &gt; 1.
    /// </summary>
    [Fact]
    public void QueryWithTwoFromClausesAndWhere()
    {
        double[] x = { 1.5, -2.0, 0.5, 3.0 };
        double sum = x.Sum();
        Check(Linq + """
            [Differentiable] public static double F(double[] x)
                => (from i in Enumerable.Range(0, x.Length)
                    from j in Enumerable.Range(0, x.Length)
                    where i < j
                    select x[i] * x[j]).Sum()
                 + (from v in x let s = v * v where s > 1 select s * v).Sum();
            public static SymbolicGrad.DifferentiableFunction Make() => FObjective(4);
            """,
            x, x.Select(v => sum - v + (v * v > 1 ? 3 * v * v : 0)).ToArray());
    }

    /// <summary>Select with the index into anonymous objects, then Where and Sum over their members: f = Σ_{i even} (i + 1)·xᵢ².</summary>
    [Fact]
    public void IndexedSelectIntoAnonymousObjects() => Check(Linq + """
            [Differentiable] public static double F(double[] x) => x.Select((v, i) => new { v, i }).Where(t => t.i % 2 == 0).Sum(t => t.v * t.v * (t.i + 1));
            public static SymbolicGrad.DifferentiableFunction Make() => FObjective(4);
            """,
        new[] { 1.5, -2.0, 0.5, 3.0 }, new[] { 3.0, 0.0, 3.0, 0.0 });

    /// <summary>The second order through an anonymous object: f = p.X·p.Y with p = { X = x₀², Y = x₁ }, H = [[2x₁, 2x₀], [2x₀, 0]].</summary>
    [Fact]
    public void HessianThroughAnAnonymousObject()
    {
        var type = Expect.Compiles(Expect.InClass("""
            [Differentiable(Hessian = true)] public static double F(double[] x)
            {
                var p = new { X = x[0] * x[0], Y = x[1] };
                return p.X * p.Y;
            }
            public static double[] Hv(double[] x, double[] v)
            {
                var g = new double[2];
                var hv = new double[2];
                FHessianVectorProduct(x, v, g, hv);
                return hv;
            }
            """)).GetType("Demo.C")!;
        double[] x = { 0.5, -1.5 }, v = { 1.0, 2.0 };
        var hv = (double[])type.GetMethod("Hv")!.Invoke(null, new object[] { x, v })!;
        Assert.Equal(2 * x[1] * v[0] + 2 * x[0] * v[1], hv[0], 12);
        Assert.Equal(2 * x[0] * v[0], hv[1], 12);
    }

    /// <summary>
    /// Red-team U: the member initializer of new { V = v } in a lambda was taken for a write, so Any, All, Contains and
    /// Zip over such a query were SG0006 "a lambda that changes something outside it". f = x₀x₁ (some W &gt; 1) + Σ V², at
    /// x = (0.5, 2): ∂f = (x₁ + 2x₀, x₀ + 2x₁).
    /// </summary>
    [Fact]
    public void AnonymousObjectsInAnyAndZip() => Check(Linq + """
            [Differentiable] public static double F(double[] x)
            {
                var pts = x.Select(v => new { V = v, W = v * v });
                return (pts.Any(p => p.W > 1) ? x[0] * x[1] : x[0]) + pts.Zip(pts, (p, q) => p.V * q.V).Sum();
            }
            public static SymbolicGrad.DifferentiableFunction Make() => FObjective(2);
            """,
        new[] { 0.5, 2.0 }, new[] { 2.0 + 1.0, 0.5 + 4.0 });
}

using System.Reflection;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Enumerable.Concat, as first drafts use it: a bias feature appended to the inputs (x.Concat(new[] { 1.0 })), an
/// LSTM's [h, x] (h.Concat(x).ToArray()), two parameter vectors summed together. It was SG0006 (red-team rt-ml); now
/// element i is the first sequence's below its length and the second's after it, each branch reading only its own.
/// </summary>
public class ConcatTests
{
    private const string Members = """
            [Differentiable]
            public static double Bias(double[] w, [NoDerivative] double[] x) => Math.Tanh(x.Concat(new[] { 1.0 }).Zip(w, (a, b) => a * b).Sum());

            [Differentiable]
            public static double Two(double[] a, double[] b) => a.Select(t => t * t).Concat(b).Max() + a.Concat(b).Sum(t => t * t);

            [Differentiable(Hessian = true)]
            public static double Cubes(double[] a, double[] b)
            {
                var all = a.Concat(b).ToArray();
                double s = 0;
                for (int i = 0; i < all.Length; i++) s += (i + 1) * all[i] * all[i] * all[i];
                return s + a.Concat(all.Select(v => v * 2)).Where(v => v > 0).Sum();
            }

            static double[] Step(double[] W, double[] x, double[] h)
            {
                var hx = h.Concat(x).ToArray();
                var next = new double[h.Length];
                for (int r = 0; r < next.Length; r++)
                {
                    double z = 0;
                    for (int c = 0; c < hx.Length; c++) z += W[r * hx.Length + c] * hx[c];
                    next[r] = Math.Tanh(z);
                }

                return next;
            }

            [Differentiable(Hessian = true)]
            public static double Recurrent(double[] W, [NoDerivative] double[][] seq, [NoDerivative] int hidden)
            {
                var h = new double[hidden];
                double loss = 0;
                foreach (var x in seq)
                {
                    h = Step(W, x, h);
                    loss += h.Sum();
                }

                return loss;
            }
        """;

    private static readonly Type Host = KnownBugs.Expect.Compiles("using System.Linq;\n" + Harness.InClass(Members)).GetType("Demo.C")!;

    private static DifferentiableFunction Objective(string name, params object[] args) =>
        (DifferentiableFunction)Host.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, args)!;

    private static double[] Gradient(DifferentiableFunction f, double[] point)
    {
        var g = new double[f.Dimension];
        f.ValueAndGradient(point, g);
        var check = GradientCheck.Check(f, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        return g;
    }

    /// <summary>tanh(w·[x, 1]): ∂wᵢ = (1 − tanh²z)·[x, 1]ᵢ.</summary>
    [Fact]
    public void ABiasFeatureAppended()
    {
        double[] x = { 0.5, -1.5, 2.0 }, w = { 0.3, -0.2, 0.7, 0.1 };
        double z = 0.5 * 0.3 + 1.5 * 0.2 + 2.0 * 0.7 + 0.1, d = 1 - Math.Tanh(z) * Math.Tanh(z);
        var g = Gradient(Objective("Bias", 4, x), w);
        Assert.Equal(new[] { 0.5 * d, -1.5 * d, 2.0 * d, d }, g, (u, v) => Math.Abs(u - v) < 1e-14);
    }

    /// <summary>max(a², b) picks b₀ = 0.7; Σ over both of squares: 2a, 2b.</summary>
    [Fact]
    public void TwoParameterVectors()
    {
        var g = Gradient(Objective("Two", 2, 2), new[] { 0.3, -0.2, 0.7, 0.1 });
        Assert.Equal(new[] { 0.6, -0.4, 2.4, 0.2 }, g, (u, v) => Math.Abs(u - v) < 1e-14);
    }

    /// <summary>Σ (i + 1)·allᵢ³ gives 3(i + 1)·allᵢ²; the filtered sum adds 1 for a₀ and 2 for each positive allᵢ.</summary>
    [Fact]
    public void MaterializedAndFilteredWithSecondDerivatives()
    {
        double[] p = { 0.3, -0.2, 0.7, 0.1 };
        var f = Objective("Cubes", 2, 2);
        var g = Gradient(f, p);
        Assert.Equal(new[] { 3 * 0.09 + 1 + 2, 6 * 0.04, 9 * 0.49 + 2, 12 * 0.01 + 2 }, g, (u, v) => Math.Abs(u - v) < 1e-13);
        var h = GradientCheck.CheckHessian(f, p);
        Assert.True(h.Passed, h.ToString());
    }

    /// <summary>A recurrent step on [h, x]: one step by hand (h = 0): h₁ = tanh(W·[0, x]), loss = Σ h₁.</summary>
    [Fact]
    public void ARecurrentStepOnHiddenAndInput()
    {
        double[][] seq = { new[] { 0.5, -1.0 }, new[] { 0.25, 2.0 } };
        var f = Objective("Recurrent", 8, seq, 2);
        var w = new[] { 0.1, -0.3, 0.2, 0.4, -0.5, 0.25, 0.3, -0.1 };
        Gradient(f, w);
        var h = GradientCheck.CheckHessian(f, w);
        Assert.True(h.Passed, h.ToString());

        var one = Objective("Recurrent", 8, new[] { seq[0] }, 2);
        var g = new double[8];
        one.ValueAndGradient(w, g);
        for (int r = 0; r < 2; r++)
        {
            double z = w[r * 4 + 2] * 0.5 + w[r * 4 + 3] * -1.0, d = 1 - Math.Tanh(z) * Math.Tanh(z);
            Assert.Equal(0.0, g[r * 4]);
            Assert.Equal(0.0, g[r * 4 + 1]);
            Assert.Equal(d * 0.5, g[r * 4 + 2], 14);
            Assert.Equal(d * -1.0, g[r * 4 + 3], 14);
        }
    }

    /// <summary>A filtered source before Concat (was SG0006): Σ of squares of [a where a &gt; 0, b] = 2a on the kept a, 2b.</summary>
    [Fact]
    public void AFilteredSourceIsCopiedFirst() => KnownBugs.Expect.Gradient("""
            [Differentiable]
            public static double F(double[] a, double[] b) => System.Linq.Enumerable.Sum(System.Linq.Enumerable.Concat(System.Linq.Enumerable.Where(a, v => v > 0), b), v => v * v);
        """, "F", new[] { 0.5, -1.0, 2.0, -3.0 }, new[] { 1.0, 0.0, 4.0, -6.0 }, 2, 2);
}

/// <summary>A spread of a query in a collection expression ([.. h, 1.0, .. g.Select(v => v * v)]): was SG0006 (red-team rt-ml).</summary>
public class SpreadOfAQueryTests
{
    /// <summary>Σ of squares of [h, 1, g²]: ∂h = 2h, ∂g = 4g³.</summary>
    [Fact]
    public void TheQueryIsCopiedLikeToArray() => KnownBugs.Expect.Gradient("""
            [Differentiable]
            public static double F(double[] h, double[] g)
            {
                double[] hx = [.. h, 1.0, .. System.Linq.Enumerable.Select(g, v => v * v)];
                double s = 0;
                foreach (var v in hx) s += v * v;
                return s;
            }
        """, "F", new[] { 0.3, -0.7, 0.5, 2.0 }, new[] { 0.6, -1.4, 4 * 0.125, 4 * 8.0 }, 2, 2);

    /// <summary>A filtered query spread after an array: Σ of squares of [h, g where g &gt; 0] (was SG0006 at the spread).</summary>
    [Fact]
    public void AFilteredQueryIsCountedThenCopied() => KnownBugs.Expect.Gradient("""
            [Differentiable]
            public static double F(double[] h, double[] g)
            {
                double[] hx = [.. h, .. System.Linq.Enumerable.Where(g, v => v > 0)];
                double s = 0;
                foreach (var v in hx) s += v * v;
                return s;
            }
        """, "F", new[] { 0.3, -0.7, 0.5, -2.0 }, new[] { 0.6, -1.4, 1.0, 0.0 }, 2, 2);
}

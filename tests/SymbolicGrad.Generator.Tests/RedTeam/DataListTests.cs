using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Lists of indices a method builds from data: <c>Enumerable.Range(0, n).ToList()</c>, <c>.Where(i => ...).ToList()</c>
/// (also with a condition on the parameters, a step), <c>List&lt;int&gt; idx = [0, 2]</c>, <c>ToHashSet()</c>. Each
/// was SG0006 or SG0017 before (stop 32); now the list is made as written, or from the query lowered as ToArray would
/// be. F = Σᵢ (i + 1) wᵢ² over the listed indices: ∂wᵢ = 2 (i + 1) wᵢ there, 0 elsewhere.
/// </summary>
public class DataListTests
{
    private static readonly double[] W = { 1.25, 2.5, 0.75, 1.75 };

    private static double[] Expected(params int[] listed)
    {
        var g = new double[W.Length];
        foreach (int i in listed)
        {
            g[i] += 2 * (i + 1) * W[i];
        }

        return g;
    }

    [Fact]
    public void RangeToListIsEveryIndex()
    {
        Expect.Gradient("""
                using System.Linq;
                [Differentiable(Hessian = true)]
                public static double F(double[] w)
                {
                    var idx = Enumerable.Range(0, w.Length).ToList();
                    double s = 0;
                    foreach (var i in idx) s += (i + 1) * w[i] * w[i];
                    return s;
                }
            """, "F", W, Expected(0, 1, 2, 3), W.Length);
    }

    [Fact]
    public void FilteredToListKeepsTheFilteredIndices()
    {
        Expect.Gradient("""
                using System.Linq;
                [Differentiable]
                public static double F(double[] w)
                {
                    var idx = Enumerable.Range(0, w.Length).Where(i => i % 2 == 1).ToList();
                    return idx.Sum(i => (i + 1) * w[i] * w[i]);
                }
            """, "F", W, Expected(1, 3), W.Length);
    }

    [Fact]
    public void AFilterOnTheParametersIsAStep()
    {
        // w₁ = 2.5 and w₃ = 1.75 are above 1.5; the list of their indices does not move under a small step.
        Expect.Gradient("""
                using System.Linq;
                [Differentiable]
                public static double F(double[] w)
                {
                    var big = Enumerable.Range(0, w.Length).Where(i => w[i] > 1.5).ToList();
                    double s = 0;
                    for (int k = 0; k < big.Count; k++) s += (big[k] + 1) * w[big[k]] * w[big[k]];
                    return s;
                }
            """, "F", W, Expected(1, 3), W.Length);
    }

    [Fact]
    public void ACollectionExpressionOfIntegersAndAHashSet()
    {
        Expect.Gradient("""
                using System.Linq;
                using System.Collections.Generic;
                [Differentiable]
                public static double F(double[] w, [NoDerivative] int[] batch)
                {
                    List<int> idx = [0, 2];
                    var inBatch = batch.ToHashSet();
                    double s = 0;
                    foreach (var i in idx) s += (i + 1) * w[i] * w[i];
                    for (int i = 0; i < w.Length; i++) if (inBatch.Contains(i) && !idx.Contains(i)) s += (i + 1) * w[i] * w[i];
                    return s;
                }
            """, "F", W, Expected(0, 2, 3), W.Length, new[] { 3, 0 });
    }

    [Fact]
    public void TwoEqualListsAreTwoLists()
    {
        // Each ToList makes its own list: reversing one leaves the other in order (F = Σ 2^k w_order[k] over a, then b).
        double[] expected = { 1 + 8, 2 + 4, 4 + 2, 8 + 1 };
        Expect.Gradient("""
                using System.Linq;
                [Differentiable]
                public static double F(double[] w)
                {
                    var a = Enumerable.Range(0, w.Length).ToList();
                    var b = Enumerable.Range(0, w.Length).ToList();
                    b.Reverse();
                    double s = 0, k = 1;
                    foreach (var i in a) { s += k * w[i]; k *= 2; }
                    k = 1;
                    foreach (var i in b) { s += k * w[i]; k *= 2; }
                    return s;
                }
            """, "F", W, expected, W.Length);
    }
}

/// <summary>
/// An iterator helper (yield return) enumerated by the method: SG0006 at the call, naming the iterator and saying to
/// return an array, which the second case shows is exact (F = Σₖ xᵏ/k! for k &lt; 12, ∂x = Σₖ xᵏ/k! for k &lt; 11).
/// </summary>
public class IteratorHelperTests
{
    [Fact]
    public void AnIteratorHelperIsNamed()
    {
        Expect.Refused("""
                static System.Collections.Generic.IEnumerable<double> Terms(double x, int n)
                {
                    double t = 1;
                    for (int k = 0; k < n; k++) { yield return t; t *= x / (k + 1); }
                }
                [Differentiable] public static double F(double x) => System.Linq.Enumerable.Sum([|Terms(x, 12)|]);
            """, "SG0006", "iterator method ('Terms'", "yield return", "return that");
    }

    [Fact]
    public void TheArrayItAdvisesIsExact()
    {
        double x = 0.5, expected = 0, term = 1;
        for (int k = 0; k < 11; k++)
        {
            expected += term;
            term *= x / (k + 1);
        }

        Expect.Gradient("""
                using System.Linq;
                static double[] Terms(double x, int n)
                {
                    var t = new double[n];
                    double v = 1;
                    for (int k = 0; k < n; k++) { t[k] = v; v *= x / (k + 1); }
                    return t;
                }
                [Differentiable] public static double F(double x) => Terms(x, 12).Sum();
            """, "F", new[] { x }, new[] { expected });
    }
}

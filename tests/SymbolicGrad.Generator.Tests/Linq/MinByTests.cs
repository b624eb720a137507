using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.Linq;

/// <summary>
/// Enumerable.MinBy and MaxBy (stop 37, red-team R): a k-means first draft picks the nearest centre with
/// Enumerable.Range(0, k).MinBy(j =&gt; (x − c[j])²); it was SG0006. The first element whose key compares below (above)
/// every earlier one, with the default comparer; the chosen element's derivative comes back to it. Closed forms and
/// centered differences.
/// </summary>
public class MinByTests
{
    /// <summary>f = Σ_n (x_n − c_{nearest})²: ∂f/∂c_j = Σ_{n near j} −2(x_n − c_j).</summary>
    [Fact]
    public void NearestCentreByIndex()
    {
        double[] c = { 0.0, 1.0, 3.0 }, x = { 0.2, 0.9, 2.5, 3.3, -1 };
        var expected = new double[3];
        foreach (var xn in x)
        {
            int best = Enumerable.Range(0, c.Length).MinBy(j => (xn - c[j]) * (xn - c[j]));
            expected[best] += -2 * (xn - c[best]);
        }

        Expect.Gradient("""
            using System.Linq;
            [Differentiable] public static double F(double[] c, [NoDerivative] double[] x)
            {
                double loss = 0;
                for (int n = 0; n < x.Length; n++)
                {
                    int best = Enumerable.Range(0, c.Length).MinBy(j => (x[n] - c[j]) * (x[n] - c[j]));
                    loss += (x[n] - c[best]) * (x[n] - c[best]);
                }
                return loss;
            }
            """, "F", c, expected, 3, x);
    }

    /// <summary>f = 2·w.MaxBy(v ↦ v²) + w.MinBy(v ↦ −v) at w = (0.5, −2, 1.5): 2·(−2) + 1.5, ∂f = (0, 2, 1).</summary>
    [Fact]
    public void ElementsByAKey() => Expect.Gradient("""
            using System.Linq;
            [Differentiable] public static double F(double[] w) => w.MaxBy(v => v * v) * 2 + w.MinBy(v => -v);
            """, "F", new[] { 0.5, -2.0, 1.5 }, new[] { 0.0, 2.0, 1.0 }, 3);
}

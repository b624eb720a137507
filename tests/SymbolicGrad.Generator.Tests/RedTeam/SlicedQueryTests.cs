namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// LINQ operators after Where, Skip or Take, as first drafts chain them: neighbouring pairs by w.Zip(w.Skip(1), f) (a
/// smoothness penalty), Skip after Where, Reverse or Index of a filtered sequence. They were SG0006; the filtered or
/// sliced sequence is now copied into an array where it is enumerated (LINQ is lazy), then read by index.
/// </summary>
public class SlicedQueryTests
{
    /// <summary>Σ (wᵢ₊₁ − wᵢ)²: ∂w = (−2(w₁ − w₀), 2(w₁ − w₀) − 2(w₂ − w₁), 2(w₂ − w₁)).</summary>
    [Fact]
    public void NeighbouringPairs() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable(Hessian = true)]
            public static double F(double[] w) => w.Zip(w.Skip(1), (a, b) => (b - a) * (b - a)).Sum();
        """, "F", new[] { 0.5, -1.0, 2.0 }, new[] { 3.0, -9.0, 6.0 }, 3);

    /// <summary>The positive weights after the first one, squared and summed: ∂ = 2w on those, 0 elsewhere.</summary>
    [Fact]
    public void SkipAfterWhere() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] w) => w.Where(v => v > 0).Skip(1).Take(2).Sum(v => v * v);
        """, "F", new[] { 0.5, -1.0, 2.0, 3.0, 4.0 }, new[] { 0.0, 0.0, 4.0, 6.0, 0.0 }, 5);

    /// <summary>The kept weights in reverse, weighted by position: [3, 2, 0.5] · (1, 2, 3) → ∂ = (3, 0, 2, 1).</summary>
    [Fact]
    public void ReverseAfterWhere() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] w) => w.Where(v => v > 0).Reverse().Select((v, i) => v * (i + 1)).Sum();
        """, "F", new[] { 0.5, -1.0, 2.0, 3.0 }, new[] { 3.0, 0.0, 2.0, 1.0 }, 4);

    /// <summary>Each kept weight times its position among the kept: [0.5, 2, 3] at 0, 1, 2 → Σ i·v² → ∂ = (0, 0, 4, 12).</summary>
    [Fact]
    public void IndexAfterWhere() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] w)
            {
                double s = 0;
                foreach (var (i, v) in w.Where(v => v > 0).Index()) s += i * v * v;
                return s;
            }
        """, "F", new[] { 0.5, -1.0, 2.0, 3.0 }, new[] { 0.0, 0.0, 4.0, 12.0 }, 4);

    /// <summary>
    /// A query kept in a variable reads its source when it is enumerated: h[1] is set after q is written, and q sees it.
    /// q = (h₁, h₂) = (10·w₀, w₁); F = q · (w₀, w₁) = 10w₀² + w₁² → ∂ = (20w₀, 2w₁).
    /// </summary>
    [Fact]
    public void AStoredQueryIsEnumeratedLate() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] w)
            {
                var h = new double[] { 0, 0, w[1] };
                var q = h.Skip(1);
                h[1] = 10 * w[0];
                return q.Zip(w, (a, b) => a * b).Sum();
            }
        """, "F", new[] { 0.5, -1.0 }, new[] { 10.0, -2.0 }, 2);
}

using System.Reflection;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// ToArray after Where, and a spread of a query with Where: the length is not known before the loop, so the generated
/// code counts the elements that pass, then stores them. Both were SG0006, even on data alone
/// (var pos = x.Where(v => v &gt; 0).ToArray() with x [NoDerivative]), a natural first draft.
/// </summary>
public class WhereToArrayTests
{
    /// <summary>The positive inputs, paired with the weights: ∂wᵢ = posᵢ for i below the shorter length.</summary>
    [Fact]
    public void AFilteredDataArray() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] w, [NoDerivative] double[] x)
            {
                var pos = x.Where(v => v > 0).ToArray();
                return w.Zip(pos, (a, b) => a * b).Sum() + pos.Length;
            }
        """, "F", new[] { 0.5, -1.5, 2.0 }, new[] { 3.0, 0.25, 0.0 }, 3, new[] { 3.0, -1.0, 0.25, -4.0 });

    /// <summary>
    /// The squares of the positive weights, p = [wᵢ² : wᵢ &gt; 0]; F = |p|·Σp + p[0]. At (0.5, −1, 2, 3): |p| = 3,
    /// ∂w₀ = 3·2·0.5 + 2·0.5, ∂w₁ = 0, ∂w₂ = 3·4, ∂w₃ = 3·6.
    /// </summary>
    [Fact]
    public void AFilteredParameterArray() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] w)
            {
                double[] p = w.Where(v => v > 0).Select(v => v * v).ToArray();
                return p.Length * p.Sum() + p[0];
            }
        """, "F", new[] { 0.5, -1.0, 2.0, 3.0 }, new[] { 4.0, 0.0, 12.0, 18.0 }, 4);

    /// <summary>F = Σᵢ (i + 1)·hxᵢ² over hx = [h, g where g &gt; 0]: ∂h = 2(i + 1)h, ∂gⱼ = 2(position)gⱼ for the kept ones.</summary>
    [Fact]
    public void AFilteredSpread() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] h, double[] g)
            {
                double[] hx = [.. h, .. g.Where(v => v > 0)];
                double s = 0;
                for (int i = 0; i < hx.Length; i++) s += (i + 1) * hx[i] * hx[i];
                return s;
            }
        """, "F", new[] { 0.3, -0.7, 0.5, -2.0, 1.5 }, new[] { 0.6, -2.8, 3.0, 0.0, 12.0 }, 2, 3);

    /// <summary>Nothing passes: an empty array, as Enumerable makes it, and a zero gradient (no exception).</summary>
    [Fact]
    public void NothingPasses() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] w) => w.Where(v => v > 100).ToArray().Length + w.Sum(v => v * v);
        """, "F", new[] { 0.5, -1.0 }, new[] { 1.0, -2.0 }, 2);

    /// <summary>With Hessian = true: Σ of cubes of the kept elements has the diagonal Hessian 6wᵢ on the kept ones.</summary>
    [Fact]
    public void SecondOrder()
    {
        var assembly = KnownBugs.Expect.Compiles(KnownBugs.Expect.InClass("""
            using System.Linq;
                [Differentiable(Hessian = true)]
                public static double F(double[] w)
                {
                    var kept = w.Where(v => v > -1).ToArray();
                    double s = 0;
                    foreach (var v in kept) s += v * v * v;
                    return s;
                }
            """));
        var f = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod("FObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { 3 })!;
        double[] w = { 0.5, -2.0, 1.5 };
        var hv = new double[3];
        f.HessianVectorProduct(w, new[] { 1.0, 1.0, 1.0 }, hv);
        Assert.Equal(new[] { 3.0, 0.0, 9.0 }, hv);
        Assert.True(GradientCheck.CheckHessian(f, w).Passed);
    }
}

using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// An array used as an IEnumerable&lt;double&gt;: a helper declared to return one (static IEnumerable&lt;double&gt;
/// AsIs(double[] w) =&gt; w), or a local of that type. SG0006 ("Enumerating this sequence") where it was enumerated before
/// (stop-31 red-team pass); now still the array, read by foreach and LINQ as arrays are, and the same array (a write
/// into it before the enumeration is seen, as C# sees it).
/// </summary>
public class ArrayAsSequenceTests
{
    /// <summary>F = w₀ Σ wᵢ² + Σ wᵢ²: ∂w₀ = Σ wᵢ² + 2w₀² + 2w₀, ∂w₁ = 2w₀w₁ + 2w₁.</summary>
    [Fact]
    public void AHelperReturningTheArrayAsASequence()
    {
        double[] w = { 0.3, 0.7 };
        double sq = (w[0] * w[0]) + (w[1] * w[1]);
        Expect.Gradient("""
                using System.Collections.Generic;
                using System.Linq;
                private static IEnumerable<double> AsIs(double[] w) => w;
                [Differentiable(Hessian = true)]
                public static double F(double[] w)
                {
                    double s = 0;
                    foreach (var v in AsIs(w)) s += v * v * w[0];
                    return s + AsIs(w).Select(v => v * v).Sum();
                }
            """, "F", w, new[] { sq + (2 * w[0] * w[0]) + (2 * w[0]), (2 * w[0] * w[1]) + (2 * w[1]) }, 2);
    }

    /// <summary>a = (w₀, w₁), xs = a, then a₀ = 5: Σ xs = 5 + w₁, F = (5 + w₁)·w₀, ∂ = (5 + w₁, w₀).</summary>
    [Fact]
    public void ALocalSequenceIsTheSameArray() => Expect.Gradient("""
            using System.Collections.Generic;
            using System.Linq;
            [Differentiable]
            public static double F(double[] w)
            {
                var a = new double[] { w[0], w[1] };
                IEnumerable<double> xs = a;
                a[0] = 5;
                return xs.Sum() * w[0];
            }
        """, "F", new[] { 0.3, 0.7 }, new[] { 5.7, 0.3 }, 2);
}

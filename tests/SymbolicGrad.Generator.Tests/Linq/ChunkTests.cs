using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.Linq;

/// <summary>
/// Enumerable.Chunk (stop 37, red-team R): w.Chunk(3).ToArray() reshapes a flat parameter vector into rows, the last one
/// shorter; it was SG0006. Each row is a new array copied from the elements. Closed forms and centered differences.
/// </summary>
public class ChunkTests
{
    /// <summary>f = Σ_rows (Σ r)² with rows (w₀, w₁), (w₂, w₃), (w₄): ∂f/∂w_i = 2·(sum of its row).</summary>
    [Fact]
    public void ForeachOverChunks() => Expect.Gradient("""
            using System.Linq;
            [Differentiable] public static double F(double[] w)
            {
                double s = 0;
                foreach (var r in w.Chunk(2)) s += r.Sum() * r.Sum();
                return s;
            }
            """, "F", new[] { 0.3, -0.2, 0.7, 1.1, -0.4 }, new[] { 0.2, 0.2, 3.6, 3.6, -0.8 }, 5);

    /// <summary>
    /// Rows by index after ToArray, and a lambda over the rows: f = Σ_i rows[i]·x[..len] + Σ_{rows of 2} len·r₀·r_last.
    /// With w = (w₀..w₄), rows of 3: (w₀, w₁, w₂)·x + (w₃, w₄)·x[..2]; rows of 2: 2w₀w₁ + 2w₂w₃ + w₄², whose w₄² the
    /// method takes off again.
    /// </summary>
    [Fact]
    public void RowsByIndexAndThroughALambda()
    {
        double[] w = { 0.3, -0.2, 0.7, 1.1, -0.4 }, x = { 1.0, 2.0, -1.0 };
        var expected = new[]
        {
            x[0] + 2 * w[1], x[1] + 2 * w[0], x[2] + 2 * w[3], x[0] + 2 * w[2], x[1],
        };
        Expect.Gradient("""
            using System.Linq;
            [Differentiable] public static double F(double[] w, [NoDerivative] double[] x)
            {
                var rows = w.Chunk(3).ToArray();
                double s = 0;
                for (int i = 0; i < rows.Length; i++)
                {
                    for (int j = 0; j < rows[i].Length; j++) s += rows[i][j] * x[j];
                }
                return s + w.Chunk(2).Sum(r => r.Length * r[0] * r[r.Length - 1]) - w[4] * w[4];
            }
            """, "F", w, expected, 5, x);
    }
}

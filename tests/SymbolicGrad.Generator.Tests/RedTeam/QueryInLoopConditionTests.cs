using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team R (stop 37): a CNN first draft loops `for (int y = 0; y &lt; img.GetLength(1); y++)` over a double[,,]
/// image; that, GetUpperBound in a loop condition and `!skip.Contains(i)` of a HashSet were SG0006 "a loop condition
/// with side effects". Such base-class-library queries only read, so they may stand in a condition. Gradients against
/// closed forms and centered differences.
/// </summary>
public class QueryInLoopConditionTests
{
    /// <summary>f = (Σ_j w₀·img[0, j, 0] + Σ_{i ≤ ub} w_i)²: ∂f/∂w₀ = 2f^½(Σ_j img[0, j, 0] + 1), ∂f/∂w₁ = 2f^½.</summary>
    [Fact]
    public void ArrayBoundsInLoopConditions()
    {
        var img = new double[1, 3, 1];
        img[0, 0, 0] = 0.5;
        img[0, 1, 0] = -1.5;
        img[0, 2, 0] = 2.0;
        double[] w = { 0.75, -0.25 };
        double s = w[0] * (0.5 - 1.5 + 2.0) + w[0] + w[1];
        Expect.Gradient("""
            [Differentiable] public static double F(double[] w, [NoDerivative] double[,,] img)
            {
                double s = 0;
                for (int j = 0; j < img.GetLength(1); j++) s += w[0] * img[0, j, 0];
                for (int i = w.GetLowerBound(0); i <= w.GetUpperBound(0); i++) s += w[i];
                return s * s;
            }
            """, "F", w, new[] { 2 * s * (1.0 + 1), 2 * s }, 2, img);
    }

    /// <summary>f = Σ_{i ∉ skip, stopping at the first skipped} w_i²: with skip = {2}, ∂f/∂w = (2w₀, 2w₁, 0, 0).</summary>
    [Fact]
    public void CollectionMembershipInALoopCondition() => Expect.Gradient("""
            [Differentiable] public static double F(double[] w, [NoDerivative] System.Collections.Generic.HashSet<int> skip)
            {
                double s = 0;
                int i = 0;
                while (i < w.Length && !skip.Contains(i)) { s += w[i] * w[i]; i++; }
                return s;
            }
            """, "F", new[] { 1.5, -2.0, 3.0, 0.5 }, new[] { 3.0, -4.0, 0.0, 0.0 }, 4, new System.Collections.Generic.HashSet<int> { 2 });
}

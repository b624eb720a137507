using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team T (stop 37): t.AsMemory(0, 2) and t.AsMemory(1) on an array the method creates were SG0015 and a false
/// SG0018 ("an array the method did not create"), while t.AsMemory(0..2) was exact. They are views as AsSpan(start,
/// length) is. f = x₀·2x₁ + 3x₀: ∂f = (2x₁ + 3, 2x₀).
/// </summary>
public class MemoryViewTests
{
    [Fact]
    public void AsMemoryWithAStartAndALength() => Expect.Gradient("""
            [Differentiable] public static double F(double[] x)
            {
                var t = new double[] { x[0], 2.0, 3.0 };
                var m = t.AsMemory(0, 2);
                m.Span[1] *= x[1];
                var rest = t.AsMemory(1);
                return t[0] * t[1] + rest.Span[1] * x[0];
            }
            """, "F", new[] { 1.5, -2.0 }, new[] { 2 * -2.0 + 3, 2 * 1.5 }, 2);
}

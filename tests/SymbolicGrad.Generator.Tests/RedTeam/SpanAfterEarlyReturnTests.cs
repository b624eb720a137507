using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A helper that may return before it declares a span local (a stackalloc, or a span over a new array), then reads the
/// span after a switch that may also return, inlined into a loop: the random-program tester's one remaining refusal
/// (SG0006, "an array or span that the loop chooses or re-points from one iteration to the next", seen about once in
/// 2,000 programs and documented as a known limitation). Desugaring the returns merges the span with the empty view
/// of the path that returned first, and the reverse of the loop could not take that choice again: the empty view was
/// not a leaf it knew. It is now one (a constant), and the reverse chooses between it and the span it takes again.
/// </summary>
public class SpanAfterEarlyReturnTests
{
    private const string Source = """
            private static double Tail(int k, double y, double x, double z)
            {
                switch (y * 1.0)
                {
                    case > 0.5:
                        return x * 2;
                    default:
                        z -= x;
                        break;
                }

                Span<double> h = stackalloc double[k % 4 + 1];
                for (int i = 0; i < h.Length; i++)
                {
                    h[i] = y * (i + 1);
                }

                switch (k % 3)
                {
                    case 0:
                        return y;
                    case 2:
                        break;
                    default:
                        return z * h[h.Length - 1];
                }

                return h[h.Length - 1];
            }

            [Differentiable]
            public static double F(double[] w)
            {
                double s = 0;
                for (int i = 0; i < 3; i++)
                {
                    s += Tail(i, w[0], w[1], w[2]);
                }

                return s;
            }
        """;

    /// <summary>
    /// At (y, x, z) = (0.3, 0.5, 0.7) no call returns early (y ≤ 0.5, so z becomes z − x): Tail(0) = y, Tail(1) =
    /// (z − x)·2y, Tail(2) = 3y. ∂y = 1 + 2(z − x) + 3 = 4.4, ∂x = −2y = −0.6, ∂z = 2y = 0.6.
    /// </summary>
    [Fact]
    public void TheSpanIsReadOnThePathThatDeclaredIt() => Expect.Gradient(Source, "F", new[] { 0.3, 0.5, 0.7 }, new[] { 4.4, -0.6, 0.6 }, 3);

    /// <summary>With Hessian = true: H·v against differences of the gradient, at a point on each side of y = 0.5.</summary>
    [Theory]
    [InlineData(0.3, 0.5, 0.7)]
    [InlineData(0.8, 0.5, 0.7)]
    public void SecondOrder(double y, double x, double z)
    {
        var assembly = Expect.Compiles(Harness.InClass(Source.Replace("[Differentiable]", "[Differentiable(Hessian = true)]", StringComparison.Ordinal)));
        var f = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod("FObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { 3 })!;
        var check = GradientCheck.CheckHessian(f, new[] { y, x, z }, Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }

    /// <summary>At (0.8, 0.5, 0.7) every call returns 2x before the span exists: F = 6x.</summary>
    [Fact]
    public void EveryCallReturnsBeforeTheSpanExists() => Expect.Gradient(Source, "F", new[] { 0.8, 0.5, 0.7 }, new[] { 0.0, 6.0, 0.0 }, 3);
}

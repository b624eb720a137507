using System.Reflection;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Views a loop carries from one iteration to the next whose derivative arrays changed form on the way (rt-review
/// red-team pass of the chosen views, #11). Both generated code that did not compile (CS0029); both were so before the
/// chosen views too.
/// </summary>
public class CarriedViewCompileTests
{
    /// <summary>
    /// A residual method whose loop re-points ReadOnlySpan&lt;double&gt; w = p (or Span&lt;double&gt;) at data and back: the
    /// tangent (NameTangent, NameJacobian) carried w's tangent as a Span and started it at the direction vP, a
    /// ReadOnlySpan. It is now carried read-only. r₀ = p₀p₁ − p₀, r₁ = p₀p₁ − p₁, r₂ = d₀d₁ − d₂ (data), r₃ = p₀p₁ − p₃.
    /// </summary>
    [Theory]
    [InlineData("ReadOnlySpan<double>")]
    [InlineData("Span<double>")]
    public void ASpanCarriedBetweenAParameterAndDataHasItsJacobian(string type)
    {
        var assembly = KnownBugs.Expect.Compiles(Harness.InClass("""
                [Differentiable]
                public static void R(double[] p, [NoDerivative] double[] d, Span<double> r)
                {
                    SPAN w = p;
                    for (int i = 0; i < 4; i++)
                    {
                        r[i] = w[0] * w[1] - w[i];
                        if (i == 1) w = d; else if (i == 2) w = p;
                    }
                }
            """.Replace("SPAN", type, StringComparison.Ordinal)));
        double[] p = { 0.5, -1.25, 2.0, 0.75 };
        double[] d = { 3.0, 0.5, -1.0, 2.0 };
        var f = (LeastSquaresFunction)assembly.GetType("Demo.C")!.GetMethod("RLeastSquares", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { 4, d, 4 })!;
        var r = new double[4];
        var jacobian = new double[16];
        f.Jacobian(p, r, jacobian);
        double[] expected =
        {
            p[1] - 1, p[0], 0, 0,
            p[1], p[0] - 1, 0, 0,
            0, 0, 0, 0,
            p[1], p[0], 0, -1,
        };
        for (int k = 0; k < 16; k++)
        {
            Assert.True(Math.Abs(jacobian[k] - expected[k]) <= 1e-12, $"J[{k / 4},{k % 4}]: generated {jacobian[k]:R}, expected {expected[k]:R}");
        }

        Assert.Equal((d[0] * d[1]) - d[2], r[2], 12);
        var check = GradientCheck.CheckJacobian(f, p);
        Assert.True(check.Passed, check.ToString());
    }

    /// <summary>
    /// An array variable that starts as data and that the loop later points at a parameter: the reverse carried its
    /// adjoint in a double[] (a sink for the data) and assigned it the parameter's gradient span. Now SG0006 at the loop.
    /// </summary>
    [Fact]
    public void AnArrayStartedAsDataAndPointedAtAParameterIsRefusedAtTheLoop() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double[] p, [NoDerivative] double[] d)
            {
                double[] w = d;
                double s = 0;
                [|for (int i = 0; i < 4; i++)|]
                {
                    s += w[0] * w[1] - w[i] * p[i];
                    if (s > 0.9) w = d; else if (s < 0.8) w = p;
                }

                return s;
            }
        """, "SG0006", "holds data or a local array before a loop and that the loop later points at a parameter's array");

    /// <summary>The same with a local array first: the local's adjoint is a double[], and dP still cannot go into it.</summary>
    [Fact]
    public void AnArrayStartedAsALocalAndPointedAtAParameterIsRefusedAtTheLoop() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double[] p)
            {
                var local = new double[4];
                double[] w = local;
                double s = 0;
                [|for (int i = 0; i < 4; i++)|]
                {
                    local[i] = p[i] * p[0];
                    s += w[i] * w[0] + p[i];
                    if (i == 1) w = p; else if (i == 2) w = local;
                }

                return s;
            }
        """, "SG0006", "the loop later points at a parameter's array");

    /// <summary>
    /// The residual form: the tangent of w starts as an array (zeros for data, the local's tangent) or a span of zeros, and
    /// the loop hands it vP, a read-only span (CS0029 in NameTangent). Now SG0006 at the loop.
    /// </summary>
    [Theory]
    [InlineData("double[] w = d;")]
    [InlineData("ReadOnlySpan<double> w = d;")]
    [InlineData("var local = new double[4]; double[] w = local;")]
    public void AResidualLoopPointingAVariableAtAParameterAfterAnotherArrayIsRefused(string start) => KnownBugs.Expect.Refused(
        "    [Differentiable] public static void R(double[] p, [NoDerivative] double[] d, Span<double> r) { " + start
        + " [|for (int i = 0; i < 4; i++)|] { r[i] = w[0] * w[1] - w[i] * p[i]; if (i == 1) w = p; else if (i == 2) w = d; } }",
        "SG0006", "the Jacobian of a loop that points an array variable at a parameter's array after it held another array (w)");
}

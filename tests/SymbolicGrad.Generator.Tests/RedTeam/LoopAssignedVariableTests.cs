namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A variable declared before a loop without a value, assigned in the loop and read after it (rt-review red-team pass,
/// #11): legal C# after a do ... while, a while (true) with a break or a for (;;), since the body runs before the loop
/// can end. The loop carried only variables that had a value when it started, so the read after it was SG9999 ("'w' has
/// no value here. This is a bug in the generator"). Such a variable now starts as its type's zero, which no path reads.
/// </summary>
public class LoopAssignedVariableTests
{
    private static readonly double[] P = { 0.75, -1.25, 0.5, 2.0 };

    /// <summary>w = p[2]² when the loop ends: f = p[2]²·p[0], ∇f = (p[2]², 0, 2·p[2]·p[0], 0).</summary>
    [Theory]
    [InlineData("do { w = p[i] * p[i]; i++; } while (i < 3);")]
    [InlineData("while (true) { w = p[i] * p[i]; if (i == 2) break; i++; }")]
    [InlineData("for (;;) { w = p[i] * p[i]; if (++i == 3) break; }")]
    public void AScalarAssignedInTheLoopIsReadAfterIt(string loop) => KnownBugs.Expect.Gradient(
        "    [Differentiable(Hessian = true)] public static double F(double[] p) { double w; int i = 0; " + loop + " return w * p[0]; }",
        "F", P, new[] { P[2] * P[2], 0, 2 * P[2] * P[0], 0 }, 4);

    /// <summary>t = (p[1]·p[0], sin p[1]): f = p[0]·p[1]·sin p[1].</summary>
    [Fact]
    public void ATupleAssignedInADoLoopIsReadAfterIt()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double F(double[] p)
                {
                    (double A, double B) t;
                    int i = 0;
                    do
                    {
                        t = (p[i] * p[0], Math.Sin(p[i]));
                        i++;
                    }
                    while (i < 2);

                    return t.A * t.B;
                }
            """;
        double s = Math.Sin(P[1]), c = Math.Cos(P[1]);
        KnownBugs.Expect.Gradient(Source, "F", P, new[] { P[1] * s, P[0] * s + P[0] * P[1] * c, 0, 0 }, 4);
    }

    /// <summary>An array variable so assigned has no adjoint array to start from: SG0006 at the loop, saying what to write.</summary>
    [Theory]
    [InlineData("double[]")]
    [InlineData("ReadOnlySpan<double>")]
    public void AnArrayAssignedInTheLoopIsRefusedAtTheLoop(string type) => KnownBugs.Expect.Refused(
        "    [Differentiable] public static double F(double[] p, double[] q) { " + type + " w; int i = 0; [|do|] { w = i % 2 == 0 ? q : p; i++; } while (i < 3); return w[0] * w[1]; }",
        "SG0006", "declared without a value before a loop", "double[] w = p;");

    /// <summary>The rewrite it advises: w = q when the loop ends, f = q[0]·q[1].</summary>
    [Fact]
    public void TheAdvisedRewriteCompiles() => KnownBugs.Expect.Gradient(
        "    [Differentiable] public static double F(double[] p, double[] q) { double[] w = p; int i = 0; do { w = i % 2 == 0 ? q : p; i++; } while (i < 3); return w[0] * w[1]; }",
        "F", new[] { 0.5, 1.5, -0.75, 2.0 }, new[] { 0, 0, 2.0, -0.75 }, 2, 2);
}

using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A pattern that declares a variable in a loop condition (for (...; i &lt; n &amp;&amp; w[i] is var e; ...),
/// while (v is &gt; 0.01 and var z) { ...; break; }): the body reads the variable, so its derivative has to flow back
/// through the condition. With &amp;&amp; before the binding, or a break, continue or return in the body, the loop's
/// header held the binding and its derivative was dropped: gradients of 0 (stop-31 red-team pass). Such a condition is
/// now evaluated at the top of the body, as conditions that assign are. Each case against its closed form, with H·v.
/// </summary>
public class LoopConditionPatternTests
{
    public static TheoryData<string, double[], double[]> Cases() => new()
    {
        // Σ wᵢ²: ∂ = 2w.
        { "double s = 0; for (int i = 0; i < w.Length && w[i] is var e; i++) s += e * e; return s;", new[] { 0.3, 0.7, 0.2 }, new[] { 0.6, 1.4, 0.4 } },
        // Σ wᵢ²·w₃ over the leading positive wᵢ (i < 3): ∂wᵢ = 2wᵢw₃, ∂w₃ = Σ wᵢ².
        { "double s = 0; int i = 0; while (i < 3 && w[i] is > 0 and var e) { s += e * w[3] * e; i++; } return s;", new[] { 0.3, 0.7, 0.2, 0.6 }, new[] { 0.36, 0.84, 0.24, 0.62 } },
        // x·y³: ∂x = y³, ∂y = 3xy².
        { "double v = w[0]; int n = 0; while (n < 3 && v is var z) { v = z * w[1]; n++; } return v;", new[] { 0.3, 0.7 }, new[] { 0.343, 0.441 } },
        // v = x·y¹⁰ (ten steps above 0.01, a break never taken): ∂x = y¹⁰, ∂y = 10xy⁹.
        { "double v = w[0]; while (v is > 0.01 and var z) { v = z * w[1]; if (v < 0) break; } return v;", new[] { 0.3, 0.7 }, new[] { Math.Pow(0.7, 10), 3 * Math.Pow(0.7, 9) } },
        // The binding before && and a break: x·y³.
        { "double v = w[0]; int n = 0; while (v is var z && n < 3) { v = z * w[1]; n++; if (v < 0) break; } return v;", new[] { 0.3, 0.7 }, new[] { 0.343, 0.441 } },
        // A nullable bound by a type pattern: s = x·y·(1 + 2 + 4): ∂x = 7y, ∂y = 7x.
        { "double? m = w[0]; int n = 0; double s = 0; while (n < 3 && m is double q) { s += q * w[1]; m = q * 2; n++; } return s;", new[] { 0.3, 0.7 }, new[] { 4.9, 2.1 } },
        // A property pattern on a tuple, with continue: s = x·y·7 as above.
        { "var p = (X: w[0], Y: w[1]); double s = 0; for (int n = 0; n < 3 && p is { X: var a, Y: var b }; n++) { s += a * b; p = (a * 2, b); if (n > 5) continue; } return s;", new[] { 0.3, 0.7 }, new[] { 4.9, 2.1 } },
        // An expression bound: v ← 2v·y three times, 8xy³: ∂x = 8y³, ∂y = 24xy².
        { "double v = w[0]; int n = 0; while (n < 3 && (v * 2) is var z) { v = z * w[1]; n++; } return v;", new[] { 0.3, 0.7 }, new[] { 8 * 0.343, 24 * 0.3 * 0.49 } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheBindingsDerivativeFlowsBackThroughTheCondition(string body, double[] w, double[] expected)
    {
        Expect.Gradient("[Differentiable(Hessian = true)]\npublic static double F(double[] w) { " + body + " }", "F", w, expected, w.Length);
        var assembly = Expect.Compiles(Expect.InClass("[Differentiable(Hessian = true)]\npublic static double F(double[] w) { " + body + " }"));
        var f = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod("FObjective")!.Invoke(null, new object[] { w.Length })!;
        var hessian = GradientCheck.CheckHessian(f, w, Expect.Tight);
        Assert.True(hessian.Passed, hessian.ToString());
    }
}

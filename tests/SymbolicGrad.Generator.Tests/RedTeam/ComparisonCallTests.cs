using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Calls of the base class library that compare numbers and return an int or a bool (x.CompareTo(y), w.Contains(v),
/// Array.IndexOf(w, v)) are step functions of the parameters: SG0025 ("an int computed by code the generator cannot
/// see") before (stop-31 red-team pass), now a step, with the derivative of the branch or factor they choose.
/// </summary>
public class ComparisonCallTests
{
    [Theory]
    [InlineData("w[0].CompareTo(w[1]) > 0 ? w[0] * w[1] : w[1]", new[] { 0.5, 0.3 }, new[] { 0.3, 0.5 })]
    [InlineData("w[0].CompareTo(w[1]) > 0 ? w[0] * w[1] : w[1]", new[] { 0.3, 0.5 }, new[] { 0.0, 1.0 })]
    [InlineData("w.Contains(0.7) ? w[0] * 2 : w[0]", new[] { 0.5, 0.6 }, new[] { 1.0, 0.0 })]
    [InlineData("w.Contains(0.7) ? w[0] * 2 : w[0]", new[] { 0.5, 0.6, 0.7 }, new[] { 2.0, 0.0, 0.0 })]
    [InlineData("Array.IndexOf(w, 0.7) * w[1]", new[] { 0.5, 0.6 }, new[] { 0.0, -1.0 })]
    [InlineData("w[0].Equals(w[1]) ? 0 : w[0] * w[0]", new[] { 0.5, 0.7 }, new[] { 1.0, 0.0 })]
    public void ComparisonsAreStepFunctions(string body, double[] w, double[] expected)
    {
        // The closed form (the numeric check is skipped where the point sits on the step: an element equal to 0.7).
        var assembly = Expect.Compiles(Expect.InClass("using System.Linq;\n[Differentiable] public static double F(double[] w) => " + body + ";"));
        var f = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod("FObjective")!.Invoke(null, new object[] { w.Length })!;
        var g = new double[w.Length];
        f.ValueAndGradient(w, g);
        Assert.Equal(expected, g);
        if (!w.Contains(0.7))
        {
            Assert.True(GradientCheck.Check(f, w, Expect.Tight).Passed);
        }
    }

    /// <summary>
    /// The ML first draft ArgmaxPool (SortingAndArgmax in MlFirstDrafts), refused at Array.IndexOf(z, z.Max()) until
    /// stop 31: F = z_b² + b with z = w ∘ x and b its argmax, so ∂w_b = 2 z_b x_b and 0 elsewhere.
    /// </summary>
    [Fact]
    public void TheArgmaxPoolDraftIsExact()
    {
        double[] w = { 0.5, -1.2, 0.9 }, x = { 1.0, 0.5, 2.0 };
        Expect.Gradient("""
                using System.Linq;
                [Differentiable]
                public static double ArgmaxPool(double[] w, [NoDerivative] double[] x)
                {
                    var z = new double[x.Length];
                    for (int i = 0; i < x.Length; i++) z[i] = w[i] * x[i];
                    int best = 0;
                    for (int i = 1; i < z.Length; i++) if (z[i] > z[best]) best = i;
                    return z[best] * z[best] + Array.IndexOf(z, z.Max());
                }
            """, "ArgmaxPool", w, new[] { 0.0, 0.0, 2 * (0.9 * 2.0) * 2.0 }, 3, x);
    }
}

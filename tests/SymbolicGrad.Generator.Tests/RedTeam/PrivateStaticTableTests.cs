using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team R (stop 37): a public static property or method of another class over its private static field
/// (Hyper.Gamma =&gt; _gamma, Geometry.Weight(i) =&gt; Table[i]) was SG0017 "a private member ... make it internal",
/// reported inside that class. A static member given no number reads no parameter: its value is data, so it is read or
/// called as written. Closed forms and centered differences.
/// </summary>
public class PrivateStaticTableTests
{
    private const string Types = """
        using System.Linq;
        public static class Hyper
        {
            private static double _gamma = 3.0;
            public static double Gamma { get => _gamma; set => _gamma = value; }
        }
        public static class Geometry
        {
            private static readonly double[] Table = { 0.5, 1.5, 2.5 };
            public static double Weight(int i) => Table[i];
        }
        """;

    /// <summary>f = γ·x₀² + Σ tᵢ·wᵢ² with γ = 3, t = (0.5, 1.5, 2.5): ∂f = (6x₀ + x₀, 3x₁, 5x₂).</summary>
    [Fact]
    public void StaticAccessorsOverPrivateStaticFieldsAreReadAsWritten()
    {
        var source = Expect.InClass("""
            using System.Linq;
            [Differentiable] public static double F(double[] w) => Hyper.Gamma * w[0] * w[0] + w.Select((v, i) => Geometry.Weight(i) * v * v).Sum();
            """) + Types.Replace("using System.Linq;\n", string.Empty, StringComparison.Ordinal);
        var type = Expect.Compiles(source).GetType("Demo.C")!;
        var f = (DifferentiableFunction)type.GetMethod("FObjective")!.Invoke(null, new object[] { 3 })!;
        double[] w = { 1.5, -2.0, 0.5 };
        var g = new double[3];
        f.ValueAndGradient(w, g);
        Assert.Equal(6 * w[0] + 1.0 * w[0], g[0], 12);
        Assert.Equal(3 * w[1], g[1], 12);
        Assert.Equal(5 * w[2], g[2], 12);
        Assert.True(GradientCheck.Check(f, w).Passed);
    }
}

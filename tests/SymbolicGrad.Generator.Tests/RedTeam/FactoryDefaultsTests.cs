using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Data parameters with default values, as a first draft declares a regularization weight or an exponent
/// (red-team pass rt-mgh, #10): NameObjective took them without their defaults, so FObjective(n) for
/// F(double[] x, [NoDerivative] double scale = 2.0) did not compile (CS7036 in the user's code) although F(x) does.
/// </summary>
public class FactoryDefaultsTests
{
    private const string Source = """
            public enum Mode { Plain, Scaled }

            public static partial class C
            {
                [Differentiable(Hessian = true)]
                public static double F(double[] x, [NoDerivative] double scale = 2.0, int power = 3, Mode mode = Mode.Scaled, bool flag = true,
                    [NoDerivative] float g = 0.25f, [NoDerivative] double[]? extra = null, [NoDerivative] double nan = double.NaN)
                    => (mode == Mode.Scaled ? scale : 1) * Math.Pow(x[0], power) + (flag ? x[1] : 0) + g * x[0] + (extra?[0] ?? 0) + (double.IsNaN(nan) ? 0 : 100);

                [Differentiable]
                public static double G(double[][] w, [NoDerivative] double lambda = 0.5) => lambda * w[0][0] * w[1][1];

                [Differentiable]
                public static double H(double[] x, [NoDerivative] double required, [NoDerivative] double opt = -1.5) => required * x[0] + opt * x[1];

                [Differentiable]
                public static void R(double[] x, [NoDerivative] double scale, [NoDerivative] double shift, Span<double> r) { r[0] = scale * x[0] + shift; }

                public static DifferentiableFunction AllDefaults() => FObjective(2);
                public static DifferentiableFunction SomeGiven() => FObjective(2, 1.0, 2, Mode.Plain);
                public static DifferentiableFunction Jagged() => GObjective(new[] { 2, 2 });
                public static DifferentiableFunction Rectangular() => GObjective(2, 2);
                public static DifferentiableFunction Partly() => HObjective(2, 3.0);
            }
        """;

    [Fact]
    public void NameObjectiveKeepsTheDefaultsOfTrailingDataParameters()
    {
        var assembly = Expect.Compiles("using System;\nusing SymbolicGrad;\nnamespace Demo;\n" + Source);
        DifferentiableFunction Make(string name) => (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod(name)!.Invoke(null, null)!;
        double[] x = { 2.0, 1.0 };

        var all = Make("AllDefaults");
        Assert.Equal(2 * 8 + 1 + 0.25 * 2, all.Value(x));
        var h = new double[4];
        all.Hessian(x, h);
        Assert.Equal(new[] { 2 * 6 * x[0], 0, 0, 0 }, h);
        Assert.Equal(4 + 1 + 0.25 * 2, Make("SomeGiven").Value(x));
        double[] w = { 1.0, 2.0, 3.0, 4.0 };
        Assert.Equal(0.5 * 1 * 4, Make("Jagged").Value(w));
        Assert.Equal(0.5 * 1 * 4, Make("Rectangular").Value(w));
        Assert.Equal((3 * x[0]) - (1.5 * x[1]), Make("Partly").Value(x));

        // NameLeastSquares ends with rLength, so its data parameters keep no defaults (and R has none to keep).
        var rLeastSquares = assembly.GetType("Demo.C")!.GetMethod("RLeastSquares")!;
        Assert.All(rLeastSquares.GetParameters(), p => Assert.False(p.HasDefaultValue));
    }
    /// <summary>Editing only a default value regenerates the factory: the method's cache key holds the defaults it repeats.</summary>
    [Fact]
    public void EditingADefaultValueRegeneratesTheFactory()
    {
        const string Before = "using System;\nusing SymbolicGrad;\nnamespace Demo;\npublic static partial class C\n{\n"
            + "    [Differentiable] public static double F(double[] x, [NoDerivative] double scale = 2.0) => scale * x[0] * x[0];\n}\n";
        var first = Harness.Run(Harness.Compilation(Before));
        Assert.Contains("double scale = 2D)", Assert.Single(first.Sources).Value, StringComparison.Ordinal);
        var edited = first.Input.ReplaceSyntaxTree(first.Input.SyntaxTrees.Single(),
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(Before.Replace("= 2.0)", "= 3.5)", StringComparison.Ordinal), Harness.ParseOptions, path: "File0.cs"));
        var second = Harness.Run(edited, first.Driver);
        Assert.Contains("double scale = 3.5D)", Assert.Single(second.Sources).Value, StringComparison.Ordinal);
    }
}

using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A [Differentiable] method that reads a static array of a file-local type (<c>file static class Table</c>) got a
/// gradient that did not compile (CS0234 in the generated file: the generated code lives in another file and cannot
/// name the type; found this stop). Now SG0017 at the read, saying why and what to write. Helpers and constants of a
/// file-local type, and file-local structs used as locals, need no name in the generated code and stay exact.
/// </summary>
public class FileLocalTypeTests
{
    [Fact]
    public void DataOfAFileLocalTypeIsRefusedAtTheRead()
    {
        var run = Harness.Run(Harness.Usings + """
            namespace Demo;
            file static class Table { public static double[] W = { 1, 2 }; }
            public static partial class C
            {
                [Differentiable] public static double L(double[] x) => x[0] * Table.W[0] + x[1];
            }
            """);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0017", error.Id);
        Assert.Contains("file-local type 'Table'", error.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("without 'file'", error.GetMessage(), StringComparison.Ordinal);
        var at = error.Location.GetLineSpan().StartLinePosition;
        Assert.Equal(6, at.Line);
        Assert.Equal("    [Differentiable] public static double L(double[] x) => x[0] * ".Length, at.Character);
    }

    [Fact]
    public void HelpersConstantsAndStructsOfAFileLocalTypeAreExact()
    {
        // M = 3 x₀² (∂ = 6 x₀, 0); N = x₀ x₁ (∂ = x₁, x₀).
        const string Source = Harness.Usings + """
            namespace Demo;
            file static class Table { public const double K = 3; public static double Sq(double v) => v * v; }
            file struct P { public double A, B; }
            public static partial class C
            {
                [Differentiable] public static double M(double[] x) => Table.Sq(x[0]) * Table.K;
                [Differentiable] public static double N(double[] x) { var p = new P { A = x[0], B = x[1] }; return p.A * p.B; }
                public static double CallM(double[] x, double[] g) => MGradient(x, g);
                public static double CallN(double[] x, double[] g) => NGradient(x, g);
            }
            """;
        var type = Expect.Compiles(Source).GetType("Demo.C")!;
        double[] x = [3, 4];
        var g = new double[2];
        Assert.Equal(27.0, (double)type.GetMethod("CallM")!.Invoke(null, new object[] { x, g })!);
        Assert.Equal([18.0, 0], g);
        Assert.Equal(12.0, (double)type.GetMethod("CallN")!.Invoke(null, new object[] { x, g })!);
        Assert.Equal([4.0, 3], g);
    }
}

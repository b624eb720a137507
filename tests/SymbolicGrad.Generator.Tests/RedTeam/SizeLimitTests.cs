using SymbolicGrad.Generator.Tests.KnownBugs;
using System.Text;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Methods whose generated code C# would not compile, or that cost the generator time and memory out of proportion to
/// their size (red-team K, stop 35). A switch of n cases is lowered to n nested branches: at 2,000 cases the generated
/// file was 192 MB and took 24 s, and at 8,000 the generator failed (SG9999); an else-if chain that long was already
/// SG0019. A long method with Hessian = true declared more locals than C# allows in one method (CS0204 in the generated
/// file). Both are now SG0019 at once; a switch within the limit is exact.
/// </summary>
public class SizeLimitTests
{
    private static string Switch(int cases)
    {
        var sb = new StringBuilder("    [Differentiable] public static double F(double x, double y, [NoDerivative] int k)\n    {\n        double r = 0;\n        switch (k)\n        {\n");
        for (int i = 0; i < cases; i++)
        {
            sb.Append("            case ").Append(i).Append(": r = x * y * ").Append(i % 7 + 1).Append(".0 + ").Append(i).Append("; break;\n");
        }

        sb.Append("            default: r = x; break;\n        }\n\n        return r * x;\n    }\n");
        sb.Append("    public static double[] G(double x, double y, int k) { double v = FGradient(x, y, k, out double dx, out double dy); return new[] { v, dx, dy }; }\n");
        return Harness.InClass(sb.ToString());
    }

    [Fact]
    public void AHugeSwitchIsRefusedAtOnce()
    {
        // (Before the limit, 8,000 cases ran the generator out of memory and into SG9999; 2,000 made 192 MB of code.)
        var run = Harness.Run(Switch(2_000));
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && errors[0].Id == "SG0019", string.Join("\n", run.GeneratorDiagnostics));
        Assert.Contains("2000 sections", errors[0].GetMessage(), StringComparison.Ordinal);
        Assert.DoesNotContain(run.Sources.Keys, k => k.Contains("C.F.", StringComparison.Ordinal));
    }

    /// <summary>f = (c·x·y + k)·x for k below the case count (c = k mod 7 + 1), x² otherwise.</summary>
    [Fact]
    public void ASwitchWithinTheLimitIsExact()
    {
        var g = Expect.Compiles(Switch(150)).GetType("Demo.C")!.GetMethod("G")!;
        foreach (int k in new[] { 0, 6, 149, 150 })
        {
            double x = 0.7, y = -1.3;
            var r = (double[])g.Invoke(null, new object[] { x, y, k })!;
            double[] expected = k < 150
                ? new[] { ((k % 7 + 1) * x * y + k) * x, 2 * (k % 7 + 1) * x * y + k, (k % 7 + 1) * x * x }
                : new[] { x * x, 2 * x, 0.0 };
            Assert.Equal(expected, r, new Tolerance(1e-12));
        }
    }

    [Fact]
    public void ALongMethodWithHessianIsRefusedBeforeItsLocalsOverflow()
    {
        var sb = new StringBuilder("    [Differentiable(Hessian = true)] public static double F(double x, double y)\n    {\n        double a = x, b = y;\n");
        for (int i = 0; i < 1_400; i++)
        {
            sb.Append("        a = 0.5 * Math.Sin(a) * Math.Cos(b) + 0.1 * Math.Exp(-a * b * b) + Math.Tanh(a - b) * 0.3;\n");
            sb.Append("        if (a > b) { b = 0.9 * b + 0.1 * Math.Sin(a * b); } else { b = b * Math.Cos(a) + 0.01; }\n");
        }

        sb.Append("        return a * b;\n    }\n");
        var run = Harness.Run(Harness.InClass(sb.ToString()));
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && errors[0].Id == "SG0019", string.Join("\n", run.GeneratorDiagnostics));
        Assert.Contains("local variables", errors[0].GetMessage(), StringComparison.Ordinal);
        Assert.DoesNotContain(run.CompilationProblems, p => p.Id == "CS0204");
    }

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance * (1 + Math.Abs(b));

        public int GetHashCode(double obj) => 0;
    }
}

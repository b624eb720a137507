using System.Reflection;
using Microsoft.CodeAnalysis;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// In a project with CheckForOverflowUnderflow, an explicit unchecked(...) in the method was printed without its context
/// in the generated file, which the project compiles checked: the method returned a value and its gradient threw an
/// OverflowException (red-team N, stop 36). It is printed unchecked(...) there now; a checked one stays checked.
/// </summary>
public class UncheckedInACheckedProjectTests
{
    [Fact]
    public void AnExplicitUncheckedStaysUncheckedAndTheDefaultStaysChecked()
    {
        var compilation = Harness.Compilation(Harness.InClass("""
            [Differentiable] public static double U(double x) => unchecked((int)(x * 1e10)) * 1e-10 + unchecked(int.MaxValue + (int)x) * 0.0 + x * x;
            [Differentiable] public static double Scaled(double x, int k) => (k * 2) * x;
            public static double GradU(double x) { UGradient(x, out var d); return d; }
            public static double GradC(double x, int k) { ScaledGradient(x, k, out var d); return d; }
            """));
        compilation = compilation.WithOptions(compilation.Options.WithOverflowChecks(true));
        var run = Harness.Run(compilation);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var type = run.Load().GetType("Demo.C")!;
        double Call(string name, params object[] args)
        {
            try
            {
                return (double)type.GetMethod(name)!.Invoke(null, args)!;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }

        Assert.Equal(2 * 1.7, Call("GradU", 1.7), 12);
        Assert.Equal(8.0, Call("GradC", 1.5, 4));
        Assert.Throws<OverflowException>(() => Call("GradC", 1.5, int.MaxValue));
        Assert.Throws<OverflowException>(() => Call("Scaled", 1.5, int.MaxValue));
    }
}

using System.Reflection;
using Microsoft.CodeAnalysis;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team Q (stop 36): a file enum printed by name bound to another enum of that name (a wrong value and gradient);
/// negative enum and nint constants under a cast (CS0075); a generated member hiding an abstract base member (CS0534)
/// or "hiding" a private one (CS0109, an error under TreatWarningsAsErrors).
/// </summary>
public class AdoptionPathTests
{
    [Fact]
    public void AFileEnumIsRefusedNotBoundToAnotherEnumOfItsName()
    {
        var run = Harness.Run(Harness.Compilation(
            """
            using System;
            using SymbolicGrad;
            namespace PF;
            file enum Mode { Square, Cube }
            public static partial class C
            {
                [Differentiable]
                public static double F(double x, [NoDerivative] int n)
                {
                    var mode = n > 1 ? Mode.Cube : Mode.Square;
                    double k = mode.ToString().Length;
                    return mode == Mode.Cube ? k * x * x * x : k * x;
                }
            }
            """,
            "namespace PF;\nenum Mode { Cube, Square }\n"));
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal(DiagnosticSeverity.Error, e.Severity));
        Assert.Contains(errors, e => e.GetMessage().Contains("file-local enum 'Mode'", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Sources.Values, s => s.Contains("FGradient", StringComparison.Ordinal));
    }

    /// <summary>Dir.Down = −1 and a const nint of −5: f = 2·d·x² + k·x with d = −1, k = −5 at x = 1.5: −4·1.5 − 5.</summary>
    [Fact]
    public void NegativeEnumAndNintConstantsCompile() => Expect.Gradient(
        """
        public enum Dir { Down = -1, Flat = 0, Up = 1 }
        [Differentiable]
        public static double F(double x, [NoDerivative] int n)
        {
            const nint K = -5;
            var d = n > 0 ? Dir.Up : Dir.Down;
            double s = (int)d;
            return 2.0 * s * x * x + K * x;
        }
        """,
        "F", new[] { 1.5 }, new[] { -4 * 1.5 - 5 }, 0);

    [Fact]
    public void AnAbstractBaseMemberWithTheGradientsNameIsACollision()
    {
        var run = Harness.Run("""
            namespace Demo;
            public abstract class Objective
            {
                public abstract double Value(double[] x);
                public abstract double ValueGradient(double[] x, System.Span<double> dX);
            }

            public sealed partial class Rosen : Objective
            {
                [SymbolicGrad.Differentiable] public override double Value(double[] x) => (1 - x[0]) * (1 - x[0]) + 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]);
                public override double ValueGradient(double[] x, System.Span<double> dX) => 0;
            }
            """);
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.Contains(errors, e => e.Id == "SG0030");
        Assert.DoesNotContain(run.CompilationProblems, d => d.Id is "CS0534");

        run = Harness.Run("""
            namespace Demo;
            public abstract class Objective2
            {
                public abstract double Value(double[] x);
                public abstract double ValueGradient(double[] x, System.Span<double> dX);
            }

            public abstract partial class Rosen2 : Objective2
            {
                [SymbolicGrad.Differentiable] public override double Value(double[] x) => x[0] * x[0];
            }
            """);
        var refused = run.GeneratorDiagnostics.Where(d => d.Id == "SG0030").ToList();
        Assert.Single(refused);
        Assert.Contains("abstract 'ValueGradient'", refused[0].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void APrivateBaseMemberWithTheGradientsNameIsNotHidden()
    {
        var run = Harness.Run("""
            namespace Demo;
            public class Base { private double FGradient(double x, out double dX) { dX = 0; return 0; } }
            public partial class Derived : Base { [SymbolicGrad.Differentiable] public double F(double x) => x * x; }
            """);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.DoesNotContain(run.CompilationProblems, d => d.Id == "CS0109");
        Assert.DoesNotContain(run.Sources.Values, s => s.Contains("new double FGradient", StringComparison.Ordinal));
        var type = run.Load().GetType("Demo.Derived")!;
        var args = new object?[] { 3.0, null };
        type.GetMethod("FGradient")!.Invoke(Activator.CreateInstance(type), args);
        Assert.Equal(6.0, (double)args[1]!);
    }

    /// <summary>A class named @record or @field: the generated partial declaration dropped the @ (CS8860, CS8981; errors under TreatWarningsAsErrors).</summary>
    [Fact]
    public void LowerCaseTypeNamesKeepTheirAt()
    {
        var run = Harness.Run("""
            namespace Demo;
            public static partial class @record { [SymbolicGrad.Differentiable] public static double F(double x) => x * x; }
            public static partial class @field { [SymbolicGrad.Differentiable] public static double G(double x) => x * x * x; }
            """);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.DoesNotContain(run.CompilationProblems, d => d.Id is "CS8860" or "CS8981");
        var type = run.Load().GetType("Demo.record")!;
        var args = new object?[] { 3.0, null };
        type.GetMethod("FGradient")!.Invoke(null, args);
        Assert.Equal(6.0, (double)args[1]!);
    }
}

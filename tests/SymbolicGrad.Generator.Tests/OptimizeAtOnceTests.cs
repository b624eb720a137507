using System.Reflection;
using System.Runtime.CompilerServices;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Generated methods that still loop are marked <c>MethodImplOptions.AggressiveOptimization</c> (issue #11): under the
/// default tiered compilation they started unoptimized, ran their loops on on-stack-replaced code and measured up to
/// twice as slow in the benchmark's GMM rows. Straight-line generated methods keep tiering (they stay inlinable and
/// cheap to compile). Checked on the compiled methods themselves, with their values against centered differences.
/// </summary>
public class OptimizeAtOnceTests
{
    private const string Members = """
            [Differentiable(Hessian = true)]
            public static double Looped(ReadOnlySpan<double> x)
            {
                double s = 0;
                for (int i = 0; i + 1 < x.Length; i++)
                {
                    double a = x[i + 1] - x[i] * x[i];
                    s += 100 * a * a + (1 - x[i]) * (1 - x[i]);
                }

                return s;
            }

            [Differentiable(Hessian = true)]
            public static double Straight(double x, double y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);

            [Differentiable]
            public static void Residuals(ReadOnlySpan<double> p, Span<double> r)
            {
                for (int i = 0; i < r.Length; i++)
                {
                    r[i] = p[0] * Math.Exp(p[1] * i) - i;
                }
            }
        """;

    private static bool OptimizedAtOnce(MethodInfo method) => (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0;

    [Fact]
    public void MethodsWithLoopsAreOptimizedAtOnceAndStraightLinesAreNot()
    {
        var run = Harness.Run(Harness.InClass(Members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        var type = run.Load().GetType("Demo.C")!;
        MethodInfo Method(string name) => type.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!;

        foreach (string name in new[] { "LoopedGradient", "LoopedTangent", "LoopedHessianVectorProduct", "ResidualsTangent" })
        {
            Assert.True(OptimizedAtOnce(Method(name)), name + " loops and should be optimized at once");
        }

        foreach (string name in new[] { "StraightGradient", "StraightTangent", "StraightHessianVectorProduct", "Looped", "LoopedObjective" })
        {
            Assert.False(OptimizedAtOnce(Method(name)), name + " should keep tiered compilation");
        }

        // The marked gradient still computes what it did.
        var objective = (DifferentiableFunction)Method("LoopedObjective").Invoke(null, new object[] { 5 })!;
        var check = GradientCheck.Check(objective, new[] { -1.2, 1.0, 0.3, -0.7, 2.0 }, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }
}

using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Stop 32, red-team: a higher-order helper entered again through the lambda it was given (no recursion of its own)
/// was SG0024 with a cycle of empty names; messages that pointed at the wrong thing.
/// </summary>
public class HelperReentryAndMessageTests
{
    [Fact]
    public void AHelperAppliedInsideTheLambdaItIsGivenIsInlinedAgain()
    {
        // Apply(f, v) = 2 f(v): Apply(v => Apply(u => u², v), x) = 4x², ∂x = 8x.
        double x = 1.5;
        Expect.Gradient("""
                static double Apply(System.Func<double, double> f, double v) => f(v) * 2;
                [Differentiable(Hessian = true)]
                public static double F(double x) => Apply(v => Apply(u => u * u, v), x);
            """, "F", new[] { x }, new[] { 8 * x });
    }

    [Fact]
    public void AHelperThatCallsItselfInsideALambdaIsStillARecursion()
    {
        Expect.Refused("""
                static double Twice(double v, int n) => n == 0 ? v : [|Twice(v * v, n - 1)|];
                [Differentiable] public static double F(double x) => System.Linq.Enumerable.Sum(new[] { 1.0 }, u => Twice(u * x, 2));
            """, "SG0024", "'Twice' calls itself");
    }

    [Fact]
    public void AStackallocOfStructsSaysToMakeAnArray()
    {
        Expect.Refused("""
                public struct Acc { public double S; }
                [Differentiable] public static double F(double x) { System.Span<Acc> s = [|stackalloc Acc[2]|]; s[0].S = x; return s[0].S; }
            """, "SG0006", "stackalloc of structs", "new Acc[n]");
    }

    [Fact]
    public void AListSortedInPlaceIsNamedAtItsCreation()
    {
        Expect.Refused("""
                [Differentiable] public static double F(double[] w) { var l = [|System.Linq.Enumerable.ToList(w)|]; l.Sort(); double s = 0; foreach (var v in l) s += v * v; return s; }
            """, "SG0015", "'l.Sort()' uses it in another way");
    }
}

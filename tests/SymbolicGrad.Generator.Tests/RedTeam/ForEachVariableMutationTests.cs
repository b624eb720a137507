using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A mutating struct method or getter called on a foreach variable (stop 32, red-team): C# calls it on the variable
/// itself (no defensive copy; the array element is a different copy and stays as it was), and the generator dropped
/// the call, as for an in parameter: F = Σ (x + 1)² read 0.25 with dX = 1 at x = 0.5, where it is 2.25 and 3.
/// </summary>
public class ForEachVariableMutationTests
{
    private const string Acc = """
            public struct Acc
            {
                public double S;
                public int N;
                public void Add(double v) { S += v; }
                public double Bump { get { N++; return S * N; } }
            }

        """;

    [Fact]
    public void AMethodChangesTheVariableNotTheElement()
    {
        // (x + 1)² + x: the element keeps x.
        double x = 0.5;
        Expect.Gradient(Acc + """
                [Differentiable(Hessian = true)]
                public static double F(double x)
                {
                    var pts = new Acc[] { new() { S = x } };
                    double s = 0;
                    foreach (var p in pts) { p.Add(1.0); s += p.S * p.S; }
                    return s + pts[0].S;
                }
            """, "F", new[] { x }, new[] { (2 * (x + 1)) + 1 });
    }

    [Fact]
    public void AGetterThatCountsCountsOnTheVariable()
    {
        // p.Bump twice: S·1 + S·2 = 3x.
        Expect.Gradient(Acc + """
                [Differentiable]
                public static double F(double x)
                {
                    var pts = new Acc[] { new() { S = x } };
                    double s = 0;
                    foreach (var p in pts) { double b = p.Bump; s += b + p.Bump; }
                    return s;
                }
            """, "F", new[] { 0.5 }, new[] { 3.0 });
    }

    [Fact]
    public void OverDataAndTwoElements()
    {
        // Σ (dᵢ + x)·x over d = (1, 2), then Σ (sᵢ + x)² over s = (x, 2x) plus s₁: ∂x = Σ (dᵢ + 2x) + 26x + 2.
        double x = 0.5;
        Expect.GradientOf(Acc + """
                [Differentiable]
                public static double F(double x, [NoDerivative] Acc[] data)
                {
                    double s = 0;
                    foreach (var p in data) { p.Add(x); s += p.S * x; }
                    var own = new Acc[2];
                    own[0].S = x;
                    own[1].S = 2 * x;
                    foreach (var p in own) { p.Add(x); s += p.S * p.S; }
                    return s + own[1].S;
                }

                public static DifferentiableFunction Make() => FObjective(new[] { new Acc { S = 1 }, new Acc { S = 2 } });
            """, "Make", new[] { x }, new[] { (1 + (2 * x)) + (2 + (2 * x)) + (26 * x) + 2 });
    }
}

using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// MaxMagnitude and MinMagnitude at equal magnitudes (red-team K, stop 35). Their rule gave half to each argument whenever
/// |a| = |b|, the rule of Max at a = b. But when a = −b ≠ b, .NET returns one argument, the positive one for MaxMagnitude
/// and the negative one for MinMagnitude. Where a = −b holds identically the result is smooth, and half to each cancelled:
/// MaxMagnitude(x, −x) = |x| had derivative 0, silently. Now all of it goes to the argument returned; at a = b it is still
/// half to each. Checked against closed forms, numeric gradients, and the Hessian.
/// </summary>
public class MagnitudeTieTests
{
    private const string Source = """
            [Differentiable(Hessian = true)]
            public static double MaxMag(double x) => Math.MaxMagnitude(x, -x) * x;

            [Differentiable(Hessian = true)]
            public static double MinMag(double x, double y) => Math.MinMagnitude(x - y, y - x) * x;

            [Differentiable(Hessian = true)]
            public static double SameArgument(double x) => double.MaxMagnitude(x, x) + double.MinMagnitude(2 * x, 2 * x);
        """;

    /// <summary>MaxMagnitude(x, −x)·x = |x|·x: derivative 2|x|, second derivative 2·sign(x).</summary>
    [Theory]
    [InlineData(2.0)]
    [InlineData(-1.5)]
    [InlineData(0.3)]
    public void MaxMagnitudeOfOppositesIsTheAbsoluteValue(double x) =>
        Expect.Gradient(Source, "MaxMag", new[] { x }, new[] { 2 * Math.Abs(x) });

    /// <summary>MinMagnitude(x − y, y − x)·x = −|x − y|·x: ∂x = −|x − y| − x·sign(x − y), ∂y = x·sign(x − y).</summary>
    [Theory]
    [InlineData(2.0, 0.5)]
    [InlineData(-0.4, 1.1)]
    public void MinMagnitudeOfOppositesIsMinusTheAbsoluteValue(double x, double y)
    {
        double s = Math.Sign(x - y);
        Expect.Gradient(Source, "MinMag", new[] { x, y }, new[] { -Math.Abs(x - y) - x * s, x * s });
    }

    /// <summary>At a = b the rule stays half to each: MaxMagnitude(x, x) + MinMagnitude(2x, 2x) = 3x.</summary>
    [Fact]
    public void EqualArgumentsStillShare() => Expect.Gradient(Source, "SameArgument", new[] { -0.7 }, new[] { 3.0 });

    /// <summary>The Hessians: MaxMag'' = 2·sign(x); MinMag at (2, 0.5) has [[−2, 1], [1, 0]].</summary>
    [Fact]
    public void SecondDerivativesFollow()
    {
        var type = Expect.Compiles(Expect.InClass(Source)).GetType("Demo.C")!;
        var maxMag = (DifferentiableFunction)type.GetMethod("MaxMagObjective")!.Invoke(null, null)!;
        var h1 = new double[1];
        maxMag.Hessian(new[] { -1.5 }, h1);
        Assert.Equal(-2.0, h1[0], 12);
        maxMag.Hessian(new[] { 2.0 }, h1);
        Assert.Equal(2.0, h1[0], 12);

        var minMag = (DifferentiableFunction)type.GetMethod("MinMagObjective")!.Invoke(null, null)!;
        var h2 = new double[4];
        minMag.Hessian(new[] { 2.0, 0.5 }, h2);
        Assert.Equal(new[] { -2.0, 1.0, 1.0, 0.0 }, h2.Select(v => Math.Round(v, 12)).ToArray());
    }
}

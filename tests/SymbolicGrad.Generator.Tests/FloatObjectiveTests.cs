using System.Reflection;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// An objective of a method that computes in float says so (<see cref="DifferentiableFunction.RoundingUnit"/> 2⁻²⁴), and
/// <see cref="GradientCheck"/> without options then takes a step and tolerances its rounding noise allows: with the
/// double defaults, the exact gradient of a float loss fails the check (the centered difference is the noise).
/// </summary>
public class FloatObjectiveTests
{
    private const string Members = """
        [Differentiable] public static float Scalars(float x, float y) => MathF.Exp(x) * MathF.Cos(y);
        [Differentiable(Hessian = true)] public static float Array(float[] w) { float s = 0; foreach (var v in w) s += MathF.Exp(v) * v; return s; }
        [Differentiable] public static double FloatLocal(double x, double y) { float f = (float)(x * y); return MathF.Sin(f) + y; }
        [Differentiable] public static double Doubles(double x, double y) => Math.Exp(x) * Math.Cos(y);
        """;

    private static readonly Lazy<Type> Compiled = new(() => Harness.Run(Harness.InClass(Members)).Load().GetType("Demo.C")!);

    private static DifferentiableFunction Objective(string name, params object[] args) =>
        (DifferentiableFunction)Compiled.Value.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, args)!;

    [Theory]
    [InlineData("Scalars")]
    [InlineData("Array")]
    [InlineData("FloatLocal")]
    public void AFloatObjectivePassesTheDefaultCheckThatDoubleOptionsFail(string name)
    {
        var f = name == "Array" ? Objective(name, 3) : Objective(name);
        Assert.Equal(DifferentiableFunction.SingleRoundingUnit, f.RoundingUnit);
        Assert.Same(GradientCheckOptions.Single, GradientCheckOptions.For(f));
        var random = new Random(7);
        bool anyDoubleFailure = false;
        for (int trial = 0; trial < 5; trial++)
        {
            var x = Enumerable.Range(0, f.Dimension).Select(_ => 0.2 + random.NextDouble()).ToArray();
            var check = GradientCheck.Check(f, x);
            Assert.True(check.Passed, check.ToString());
            Assert.Same(GradientCheckOptions.Single, check.Options);
            anyDoubleFailure |= !GradientCheck.Check(f, x, GradientCheckOptions.Default).Passed;
        }

        Assert.True(anyDoubleFailure, "the double defaults should fail on float rounding noise somewhere");
    }

    [Fact]
    public void AFloatObjectivesGradientIsTheClosedForm()
    {
        var f = Objective("Scalars");
        var g = new double[2];
        f.ValueAndGradient([0.4, 0.9], g);
        Assert.Equal(Math.Exp(0.4) * Math.Cos(0.9), g[0], 6);
        Assert.Equal(-Math.Exp(0.4) * Math.Sin(0.9), g[1], 6);
    }

    [Fact]
    public void ADoubleObjectiveKeepsTheDoubleDefaults()
    {
        var f = Objective("Doubles");
        Assert.Equal(DifferentiableFunction.DoubleRoundingUnit, f.RoundingUnit);
        Assert.Same(GradientCheckOptions.Default, GradientCheckOptions.For(f));
        Assert.Same(GradientCheckOptions.Default, GradientCheck.Check(f, [0.4, 0.9]).Options);
    }
}

namespace SymbolicGrad.Tests;

/// <summary>
/// The claims of <c>docs/gradient-checking.md</c>, each with its example: the step choice, and the cases where centered
/// differences mislead (kinks, bad scaling, tiny functions, cancellation, noise) with the remedy the page gives.
/// The expected values come from the functions' closed-form derivatives, not from the checker.
/// </summary>
public class GradientCheckingDocTests
{
    private static GradientCheckResult Check(Func<double, double> f, Func<double, double> df, double x, GradientCheckOptions? options = null) =>
        GradientCheck.Check(v => f(v[0]), (v, g) => { g[0] = df(v[0]); return f(v[0]); }, [x], options);

    [Fact]
    public void TheDefaultStepBalancesTruncationAndRounding()
    {
        Assert.Equal(Math.Cbrt(Math.Pow(2, -52)), NumericGradient.Step(1.0), 15);              // ∛ε ≈ 6.06e-6
        Assert.Equal(1e3 * Math.Cbrt(Math.Pow(2, -52)), NumericGradient.Step(-1e3), 12);        // ·max(1, |x|)
        Assert.Equal(Math.Pow(Math.Pow(2, -52), 0.2), NumericGradient.Step(0.5, new() { Richardson = true }), 15);
        // A scale that is not a positive finite number is refused here as in Compute (it gave NaN or negative steps).
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericGradient.Step(1.0, new() { StepScale = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericGradient.Step(1.0, new() { StepScale = -1 }));

        double Error(double h) => Math.Abs((Math.Exp(1 + h) - Math.Exp(1 - h)) / ((1 + h) - (1 - h)) - Math.E);
        double atDefault = Error(NumericGradient.Step(1.0));
        Assert.True(atDefault < 1e-11, $"{atDefault}");
        Assert.True(Error(1e-3) > 100 * atDefault);  // truncation: e·h²/6
        Assert.True(Error(1e-10) > 100 * atDefault); // rounding: ε·e/h

        double plain = Math.Abs(NumericGradient.Compute(x => Math.Exp(x[0]), [1.0])[0] - Math.E);
        double richardson = Math.Abs(NumericGradient.Compute(x => Math.Exp(x[0]), [1.0], new() { Richardson = true })[0] - Math.E);
        Assert.True(richardson < plain, $"Richardson {richardson} vs plain {plain}");
    }

    [Fact]
    public void AWrongGradientFailsAndNamesTheComponent()
    {
        var result = GradientCheck.Check(
            x => Math.Exp(x[0]) * Math.Sin(x[1]),
            (x, g) => { g[0] = Math.Exp(x[0]) * Math.Sin(x[1]); g[1] = g[0]; return Math.Exp(x[0]) * Math.Sin(x[1]); },
            [0.5, 1.0], name: "exp(x)·sin(y)", parameterNames: ["x", "y"]);
        Assert.False(result.Passed);
        Assert.Equal("y", result.Worst.Name);
        Assert.True(result.Components[0].Passed);
        Assert.Equal(Math.Exp(0.5) * Math.Cos(1.0), result.Worst.Numeric, 9);
    }

    [Fact]
    public void KinksWithinAStepMislead()
    {
        // |x| at 1e-7: the centered difference straddles 0 and gives x/h ≈ 0.0165, though sign(x) = 1 is right.
        var abs = Check(Math.Abs, x => Math.Sign(x), 1e-7);
        Assert.False(abs.Passed);
        Assert.Equal(1e-7 / NumericGradient.Step(1e-7), abs.Worst.Numeric, 6);
        Assert.True(Check(Math.Abs, x => Math.Sign(x), 1e-3).Passed); // a step away from the kink it agrees
        Assert.False(Check(x => Math.Max(0, x - 1), x => x > 1 ? 1 : 0, 1 + 1e-6).Passed);
    }

    [Fact]
    public void ABadlyScaledFunctionNeedsItsOwnStep()
    {
        // sin at 1e6: the default step (≈ 6) is nearly a period.
        Assert.False(Check(Math.Sin, Math.Cos, 1e6).Passed);
        Assert.True(Check(Math.Sin, Math.Cos, 1e6, new GradientCheckOptions { StepScale = 1e-6 }).Passed);
    }

    [Fact]
    public void ATinyFunctionHidesAWrongGradientBehindTheAbsoluteTolerance()
    {
        // 1e-9·x² with a gradient off by a factor 2 (1e-9·x instead of 2e-9·x).
        Assert.True(Check(x => 1e-9 * x * x, x => 1e-9 * x, 3.0).Passed);
        Assert.False(Check(x => 1e-9 * x * x, x => 1e-9 * x, 3.0, new GradientCheckOptions { AbsoluteTolerance = 0 }).Passed);
        Assert.True(Check(x => 1e-9 * x * x, x => 2e-9 * x, 3.0, new GradientCheckOptions { AbsoluteTolerance = 0 }).Passed);
    }

    [Fact]
    public void ALargeOffsetCancelsTheDifference()
    {
        // 1e12 + x²: f(x ± h) differ by 2xh ≈ 8e-6, below half an ulp of 1e12 (6e-5): the numeric gradient is 0.
        var offset = Check(x => 1e12 + x * x, x => 2 * x, 0.7);
        Assert.False(offset.Passed);
        Assert.Equal(0.0, offset.Worst.Numeric);
        Assert.True(Check(x => x * x, x => 2 * x, 0.7).Passed);
    }

    [Fact]
    public void NoiseNeedsALargerStepAndLooserTolerances()
    {
        // A loss computed in float has relative noise ≈ 6e-8; with the double step the error is ≈ 1e-3.
        static double F32(ReadOnlySpan<double> x) => MathF.Exp((float)x[0]) * MathF.Cos((float)x[1]);
        GradientCheckResult Run(GradientCheckOptions? o) => GradientCheck.Check(
            x => F32(x),
            (x, g) => { g[0] = Math.Exp(x[0]) * Math.Cos(x[1]); g[1] = -Math.Exp(x[0]) * Math.Sin(x[1]); return F32(x); },
            [0.4, 0.9], o);
        Assert.False(Run(null).Passed);
        Assert.True(Run(new GradientCheckOptions { StepScale = 300, RelativeTolerance = 1e-3, AbsoluteTolerance = 1e-4 }).Passed);
    }
    [Fact]
    public void AFunctionComputedInFloatGetsFloatDefaults()
    {
        // The same float function as above, built by hand and told its rounding unit: the check without options passes.
        static double F32(ReadOnlySpan<double> x) => MathF.Exp((float)x[0]) * MathF.Cos((float)x[1]);
        var f = new DifferentiableFunction(2, x => F32(x), (x, g) => { g[0] = Math.Exp(x[0]) * Math.Cos(x[1]); g[1] = -Math.Exp(x[0]) * Math.Sin(x[1]); return F32(x); })
        {
            RoundingUnit = DifferentiableFunction.SingleRoundingUnit,
        };
        Assert.True(GradientCheck.Check(f, [0.4, 0.9]).Passed);
        Assert.False(GradientCheck.Check(f, [0.4, 0.9], GradientCheckOptions.Default).Passed);

        // A wrong gradient still fails with the float defaults.
        var wrong = new DifferentiableFunction(2, x => F32(x), (x, g) => { g[0] = 1.01 * Math.Exp(x[0]) * Math.Cos(x[1]); g[1] = -Math.Exp(x[0]) * Math.Sin(x[1]); return F32(x); })
        {
            RoundingUnit = DifferentiableFunction.SingleRoundingUnit,
        };
        Assert.False(GradientCheck.Check(wrong, [0.4, 0.9]).Passed);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-17)]
    [InlineData(double.NaN)]
    [InlineData(1.0)]
    public void ARoundingUnitOutsideItsRangeIsRefused(double unit)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DifferentiableFunction(1, x => x[0], (x, g) => { g[0] = 1; return x[0]; }) { RoundingUnit = unit });
        Assert.Contains("RoundingUnit", e.Message, StringComparison.Ordinal);
    }
}

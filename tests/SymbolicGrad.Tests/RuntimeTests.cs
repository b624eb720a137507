namespace SymbolicGrad.Tests;

public class NumericGradientTests
{
    private static double Wavy(ReadOnlySpan<double> x) => Math.Sin(3 * x[0]) * Math.Exp(x[1]) + x[0] * x[0] * x[1];

    private static double[] WavyGradient(double[] x) =>
        new[] { 3 * Math.Cos(3 * x[0]) * Math.Exp(x[1]) + 2 * x[0] * x[1], Math.Sin(3 * x[0]) * Math.Exp(x[1]) + x[0] * x[0] };

    [Theory]
    [InlineData(0.3, -0.7)]
    [InlineData(2.5, 1.5)]
    [InlineData(-40, 0.1)]
    public void CenteredDifferencesAreAccurate(double a, double b)
    {
        var x = new[] { a, b };
        var numeric = NumericGradient.Compute(Wavy, x);
        var exact = WavyGradient(x);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(Math.Abs(numeric[i] - exact[i]) <= 1e-7 * (1 + Math.Abs(exact[i])), $"component {i}: {numeric[i]} vs {exact[i]}");
        }
    }

    [Fact]
    public void RichardsonExtrapolationIsMoreAccurate()
    {
        var x = new[] { 0.8, 0.4 };
        var exact = WavyGradient(x);
        double plain = MaxError(NumericGradient.Compute(Wavy, x), exact);
        double richardson = MaxError(NumericGradient.Compute(Wavy, x, new NumericGradientOptions { Richardson = true }), exact);
        Assert.True(richardson < plain / 10, $"Richardson {richardson:E2} vs plain {plain:E2}");
        Assert.True(richardson < 1e-9, $"Richardson error {richardson:E2}");
    }

    [Fact]
    public void StepScalesWithTheComponent()
    {
        Assert.Equal(NumericGradient.Step(1.0), NumericGradient.Step(0.5));
        Assert.Equal(1000 * NumericGradient.Step(1.0), NumericGradient.Step(-1000.0), 12);
        Assert.Equal(Math.Cbrt(Math.Pow(2, -52)), NumericGradient.Step(1.0), 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericGradient.Step(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericGradient.Step(double.PositiveInfinity));
    }

    [Fact]
    public void NonFiniteInputIsRejectedByName()
    {
        var ex = Assert.Throws<ArgumentException>(() => NumericGradient.Compute(Wavy, new[] { 1.0, double.NaN }));
        Assert.Contains("x[1]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => NumericGradient.Compute(Wavy, new[] { double.PositiveInfinity, 1.0 }));
        Assert.Contains("x[0]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MismatchedLengthsAndEmptyPointsAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => NumericGradient.Compute(Wavy, new[] { 1.0, 2.0 }, new double[3]));
        Assert.Equal("gradient", ex.ParamName);
        Assert.Throws<ArgumentException>(() => NumericGradient.Compute(Wavy, Array.Empty<double>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => NumericGradient.Compute(Wavy, new[] { 1.0, 2.0 }, new NumericGradientOptions { StepScale = 0 }));
    }

    [Fact]
    public void ThePointIsLeftUnchanged()
    {
        var x = new[] { 0.1, 0.2 };
        NumericGradient.Compute(Wavy, x, new NumericGradientOptions { Richardson = true });
        Assert.Equal(new[] { 0.1, 0.2 }, x);
    }

    private static double MaxError(double[] a, double[] b) => a.Zip(b, (p, q) => Math.Abs(p - q)).Max();
}

public class GradientCheckTests
{
    [Fact]
    public void AGeneratedGradientPassesInOneCall()
    {
        var result = GradientCheck.Check(F.RosenbrockObjective(), new[] { -1.2, 1.0 });
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(new[] { "x", "y" }, result.Components.Select(c => c.Name));
        Assert.Equal(F.Rosenbrock(-1.2, 1.0), result.Value);
    }

    [Fact]
    public void AWrongGradientFailsAndNamesTheWorstComponent()
    {
        // The gradient of x² + y² + z² with a mistake in the last component.
        ScalarFunction f = p => p[0] * p[0] + p[1] * p[1] + p[2] * p[2];
        ValueAndGradientFunction wrong = (p, g) =>
        {
            g[0] = 2 * p[0];
            g[1] = 2 * p[1] * 1.001;
            g[2] = p[2];
            return f(p);
        };
        var result = GradientCheck.Check(f, wrong, new[] { 1.0, 2.0, 3.0 }, name: "sphere", parameterNames: new[] { "a", "b", "c" });
        Assert.False(result.Passed);
        Assert.Equal(2, result.WorstIndex);
        Assert.Equal("c", result.Worst.Name);
        Assert.True(result.Components[0].Passed);
        Assert.False(result.Components[1].Passed);
        string table = result.ToString();
        Assert.Contains("FAILED", table, StringComparison.Ordinal);
        Assert.Contains("worst: c", table, StringComparison.Ordinal);
        Assert.Equal(4, table.Split('\n').Count(l => l.StartsWith("a ", StringComparison.Ordinal) || l.StartsWith("b ", StringComparison.Ordinal) || l.StartsWith("c ", StringComparison.Ordinal) || l.StartsWith("parameter", StringComparison.Ordinal)));
        var ex = Assert.Throws<GradientCheckException>(() => result.ThrowIfFailed());
        Assert.Same(result, ex.Result);
        Assert.Contains("sphere", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANonFiniteAnalyticGradientFails()
    {
        ScalarFunction f = p => p[0] * p[0];
        var result = GradientCheck.Check(f, new[] { 1.0 }, new[] { double.NaN });
        Assert.False(result.Passed);
        Assert.Equal(0, result.WorstIndex);
    }

    [Fact]
    public void AValueThatDisagreesFails()
    {
        ScalarFunction f = p => p[0] * p[0];
        ValueAndGradientFunction offByOne = (p, g) =>
        {
            g[0] = 2 * p[0];
            return p[0] * p[0] + 1;
        };
        var result = GradientCheck.Check(f, offByOne, new[] { 3.0 });
        Assert.False(result.ValueAgrees);
        Assert.False(result.Passed);
        Assert.True(result.Components[0].Passed);
        Assert.Contains("value mismatch", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TolerancesAreAppliedAsDocumented()
    {
        ScalarFunction f = p => 1000 * p[0];
        var slightlyOff = new[] { 1000.0 * (1 + 2e-6) };
        Assert.False(GradientCheck.Check(f, new[] { 1.0 }, slightlyOff, new GradientCheckOptions { AbsoluteTolerance = 0, RelativeTolerance = 1e-6 }).Passed);
        Assert.True(GradientCheck.Check(f, new[] { 1.0 }, slightlyOff, new GradientCheckOptions { AbsoluteTolerance = 0, RelativeTolerance = 1e-5 }).Passed);
        Assert.True(GradientCheck.Check(f, new[] { 1.0 }, slightlyOff, new GradientCheckOptions { AbsoluteTolerance = 0.01, RelativeTolerance = 0 }).Passed);
    }

    [Fact]
    public void MisuseIsRejectedWithClearErrors()
    {
        var f = F.BowlObjective();
        var ex = Assert.Throws<ArgumentException>(() => GradientCheck.Check(f, new[] { 1.0, 2.0, 3.0 }));
        Assert.Contains("takes 2 parameters", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => GradientCheck.Check(f, new[] { 1.0, double.NaN }));
        Assert.Contains("x[1]", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Check(f, new[] { 1.0, 2.0 }, new GradientCheckOptions { RelativeTolerance = -1 }));
        Assert.Throws<ArgumentException>(() => GradientCheck.Check(p => p[0], new[] { 1.0, 2.0 }, new[] { 1.0 }));
    }

    [Fact]
    public void AGeneratedObjectiveOfLengthZeroSaysWhichFunctionAndWhatToChange()
    {
        // RosenbrockObjective(0): the message was "dimension ('0') must be greater than or equal to '1'", about an argument
        // the caller never passed.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => L.RosenbrockObjective(0));
        Assert.Equal("dimension", e.ParamName);
        Assert.Contains("Rosenbrock would have 0 parameters to differentiate", e.Message, StringComparison.Ordinal);
        Assert.Contains("array parameters a length of at least 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("r would have 0 parameters", Assert.Throws<ArgumentOutOfRangeException>(
            () => new LeastSquaresFunction(0, 1, (p, r) => { }, (p, r, j) => { })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DifferentiableFunctionValidatesItsArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DifferentiableFunction(0, p => 0, (p, g) => 0));
        Assert.Throws<ArgumentException>(() => new DifferentiableFunction(2, p => 0, (p, g) => 0, parameterNames: new[] { "only one" }));
        var f = F.BowlObjective();
        Assert.Throws<ArgumentException>(() => f.Value(new double[3]));
        Assert.Throws<ArgumentException>(() => f.ValueAndGradient(new double[2], new double[1]));
        Assert.Equal("Bowl(w, b)", f.ToString());
    }

    /// <summary>
    /// An output sharing memory with an input was not checked: a hand-built function (or a generated one) then wrote its
    /// output while still reading the input, and the answer was wrong without a word (LeastSquaresFunction.Jacobian with
    /// residuals over the parameters cleared x before the residuals were computed: r = [0, 1] for r(1, 2) = [10, 0]).
    /// </summary>
    [Fact]
    public void OutputsSharingMemoryWithInputsAreRefusedNamingBoth()
    {
        // f(x) = x0² + 3·x1²: the delegate reads x after it wrote g[0], as a generated gradient that clears its output does.
        var f = new DifferentiableFunction(2, p => (p[0] * p[0]) + (3 * p[1] * p[1]), (p, g) =>
        {
            g[0] = 2 * p[0];
            g[1] = 6 * p[1];
            return (p[0] * p[0]) + (3 * p[1] * p[1]);
        }, hessianVectorProduct: (p, v, r) =>
        {
            r[0] = 2 * v[0];
            r[1] = 6 * v[1];
        });
        var buffer = new double[] { 1.0, 2.0 };
        var e = Assert.Throws<ArgumentException>(() => f.ValueAndGradient(buffer, buffer));
        Assert.Equal("gradient", e.ParamName);
        Assert.Contains("gradient shares memory with parameters", e.Message, StringComparison.Ordinal);
        var v = new double[] { 1.0, 0.0 };
        Assert.Contains("result shares memory with v", Assert.Throws<ArgumentException>(() => f.HessianVectorProduct(buffer, v, v)).Message, StringComparison.Ordinal);
        var six = new double[6];
        Assert.Contains("result shares memory with parameters", Assert.Throws<ArgumentException>(() => f.Hessian(six.AsSpan(0, 2), six.AsSpan(1, 4))).Message, StringComparison.Ordinal);

        // r(x) = (10(x1 − x0²), 1 − x0), J = [[−20·x0, 10], [−1, 0]]
        var r = new LeastSquaresFunction(2, 2,
            (p, res) => { res[0] = 10 * (p[1] - (p[0] * p[0])); res[1] = 1 - p[0]; },
            (p, res, jac) => { res.Clear(); res[0] = 10 * (p[1] - (p[0] * p[0])); res[1] = 1 - p[0]; jac[0] = -20 * p[0]; jac[1] = 10; jac[2] = -1; jac[3] = 0; });
        var all = new double[] { 1.0, 2.0, 0, 0, 0, 0 };
        Assert.Contains("residuals shares memory with parameters", Assert.Throws<ArgumentException>(() => r.Jacobian(all.AsSpan(0, 2), all.AsSpan(0, 2), all.AsSpan(2, 4))).Message, StringComparison.Ordinal);
        Assert.Contains("residuals shares memory with parameters", Assert.Throws<ArgumentException>(() => r.Residuals(all.AsSpan(0, 2), all.AsSpan(1, 2))).Message, StringComparison.Ordinal);
        Assert.Contains("jacobian shares memory with residuals", Assert.Throws<ArgumentException>(() => r.Jacobian([1.0, 2.0], all.AsSpan(0, 2), all.AsSpan(1, 4))).Message, StringComparison.Ordinal);
        Assert.Contains("jacobian shares memory with parameters", Assert.Throws<ArgumentException>(() => r.Jacobian(all.AsSpan(0, 2), new double[2], all.AsSpan(1, 4))).Message, StringComparison.Ordinal);

        // separate buffers: the closed forms
        var g = new double[2];
        Assert.Equal(13.0, f.ValueAndGradient(buffer, g));
        Assert.Equal([2.0, 12.0], g);
        var res = new double[2];
        var jac = new double[4];
        r.Jacobian([1.0, 2.0], res, jac);
        Assert.Equal([10.0, 0.0], res);
        Assert.Equal([-20.0, 10.0, -1.0, 0.0], jac);
    }
}

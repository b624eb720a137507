using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Solvers.Tests;

/// <summary>Minimize's result, options, limits, callback and validation.</summary>
public class MinimizeContractTests
{
    [Fact]
    public void TheResultReadsAsItShould()
    {
        var result = Problems.Rosenbrock(2, false).Minimize([-1.2, 1.0]);
        Assert.True(result.Success);
        Assert.Equal(MinimizeStatus.GradientTolerance, result.Status);
        Assert.Matches(@"^gradient norm \d\.\d+e-\d\d ≤ tolerance 1\.0e-08$", result.Message);
        Assert.True(result.GradientNorm <= 1e-8);
        Assert.Equal(result.FunctionEvaluations, result.GradientEvaluations);
        Assert.Equal(0, result.HessianEvaluations);
        Assert.True(result.Iterations > 10 && result.FunctionEvaluations >= result.Iterations);
        // SciPy's L-BFGS-B takes 38 iterations and 46 evaluations here, with the same first step and line search family.
        Assert.Equal((38, 46L), (result.Iterations, result.FunctionEvaluations));
        string text = result.ToString();
        Assert.Contains("converged (GradientTolerance)", text);
        Assert.Contains("x = [", text);
    }

    [Fact]
    public void LimitsAreNotConvergence()
    {
        var byIterations = Problems.Rosenbrock(2, false).Minimize([-1.2, 1.0], new MinimizeOptions { MaxIterations = 5 });
        Assert.False(byIterations.Success);
        Assert.Equal(MinimizeStatus.MaxIterations, byIterations.Status);
        Assert.Equal(5, byIterations.Iterations);
        Assert.Contains("reached the limit of 5 iterations", byIterations.Message);
        Assert.Contains("NOT converged", byIterations.ToString());

        var byEvaluations = Problems.Rosenbrock(2, false).Minimize([-1.2, 1.0], new MinimizeOptions { MaxEvaluations = 7 });
        Assert.False(byEvaluations.Success);
        Assert.Equal(MinimizeStatus.MaxEvaluations, byEvaluations.Status);
        Assert.True(byEvaluations.FunctionEvaluations <= 7);
    }

    /// <summary>
    /// Newton checks the evaluation limit once per iteration, so it may make more evaluations than the limit: the message
    /// said "reached the limit of 1 evaluations" beside FunctionEvaluations = 3. It now says how many were made.
    /// </summary>
    [Fact]
    public void NewtonsEvaluationLimitSaysHowManyItMade()
    {
        var result = Problems.Rosenbrock(2, true).Minimize([-1.2, 1.0], new MinimizeOptions { Method = MinimizeMethod.Newton, MaxEvaluations = 1 });
        Assert.False(result.Success);
        Assert.Equal(MinimizeStatus.MaxEvaluations, result.Status);
        Assert.True(result.FunctionEvaluations > 1);
        Assert.Contains("reached the limit of 1 evaluations (" + result.FunctionEvaluations + " made", result.Message);
    }

    [Theory]
    [InlineData(MinimizeMethod.Lbfgs)]
    [InlineData(MinimizeMethod.LbfgsB)]
    [InlineData(MinimizeMethod.Newton)]
    [InlineData(MinimizeMethod.NewtonCg)]
    public void TheCallbackSeesEveryIterationAndCanStop(MinimizeMethod method)
    {
        var values = new List<double>();
        var result = Problems.Rosenbrock(2, true).Minimize([-1.2, 1.0], new MinimizeOptions
        {
            Method = method,
            Callback = p =>
            {
                values.Add(p.Value);
                Assert.Equal(values.Count, p.Iteration);
                return p.Iteration < 3;
            },
        });
        Assert.False(result.Success);
        Assert.Equal(MinimizeStatus.Stopped, result.Status);
        Assert.Equal(3, result.Iterations);
        Assert.Equal(values[^1], result.Value);
        Assert.True(values[2] < values[0]);
    }

    [Fact]
    public void ALineSearchBacksOffFromOutsideTheDomain()
    {
        // f = x − log x (minimum at 1): the first steps from 0.01 overshoot into x ≤ 0, where f is NaN.
        var f = new DifferentiableFunction(1, x => x[0] - Math.Log(x[0]), (x, g) =>
        {
            g[0] = 1 - (1 / x[0]);
            return x[0] - Math.Log(x[0]);
        });
        var result = f.Minimize([0.01]);
        Assert.True(result.Success, result.ToString());
        Assert.Equal(1.0, result.X[0], 1e-8);
    }

    [Fact]
    public void ANonFiniteStartIsReported()
    {
        var f = new DifferentiableFunction(1, x => double.NaN, (x, g) => double.NaN, "broken");
        var result = f.Minimize([1.0]);
        Assert.False(result.Success);
        Assert.Equal(MinimizeStatus.NotFinite, result.Status);
        Assert.Contains("not finite at the starting point", result.Message);
    }

    [Fact]
    public void MisuseIsRefusedWithTheReason()
    {
        var f = Problems.Rosenbrock(2, false);
        Assert.Contains("takes 2 parameters but x0 has length 3", Assert.Throws<ArgumentException>(() => f.Minimize([1.0, 2, 3])).Message);
        Assert.Contains("x0[1] is NaN", Assert.Throws<ArgumentException>(() => f.Minimize([1.0, double.NaN])).Message);
        Assert.Contains("x0[0] is Infinity", Assert.Throws<ArgumentException>(() => f.Minimize([double.PositiveInfinity, 1.0])).Message);
        Assert.Contains("inconsistent: lower 1 > upper 0", Assert.Throws<ArgumentException>(() => new Bounds([1.0, 0], [0.0, 1])).Message);
        Assert.Contains("contain NaN", Assert.Throws<ArgumentException>(() => new Bounds([double.NaN], [1.0])).Message);
        Assert.Contains("lower has 2 bounds but upper has 1", Assert.Throws<ArgumentException>(() => new Bounds([0.0, 0], [1.0])).Message);
        Assert.Contains("bounds are for 3 variables", Assert.Throws<ArgumentException>(() => f.Minimize([0.0, 0], new MinimizeOptions { Bounds = Bounds.Uniform(3, 0, 1) })).Message);
        Assert.Contains("use MinimizeMethod.LbfgsB", Assert.Throws<ArgumentException>(() =>
            f.Minimize([0.0, 0], new MinimizeOptions { Method = MinimizeMethod.Lbfgs, Bounds = Bounds.Uniform(2, 0, 1) })).Message);
        Assert.Contains("use MinimizeMethod.LbfgsB", Assert.Throws<ArgumentException>(() =>
            f.Minimize([0.0, 0], new MinimizeOptions { Method = MinimizeMethod.NewtonCg, Bounds = Bounds.Uniform(2, 0, 1) })).Message);
        Assert.Contains("LeastSquaresFunction", Assert.Throws<ArgumentException>(() =>
            f.Minimize([0.0, 0], new MinimizeOptions { Method = MinimizeMethod.LevenbergMarquardt })).Message);
        Assert.Equal("options.GradientTolerance", Assert.Throws<ArgumentOutOfRangeException>(() =>
            f.Minimize([0.0, 0], new MinimizeOptions { GradientTolerance = -1 })).ParamName);
        Assert.Equal("options.MaxIterations", Assert.Throws<ArgumentOutOfRangeException>(() =>
            f.Minimize([0.0, 0], new MinimizeOptions { MaxIterations = 0 })).ParamName);
        Assert.Equal("options.HistorySize", Assert.Throws<ArgumentOutOfRangeException>(() =>
            f.Minimize([0.0, 0], new MinimizeOptions { HistorySize = 0 })).ParamName);
    }

    [Fact]
    public void TheStaticAndTheExtensionFormAreOne()
    {
        var f = Problems.Rosenbrock(2, false);
        var viaClass = Optimize.Minimize(f, [-1.2, 1.0]);
        var viaExtension = f.Minimize([-1.2, 1.0]);
        Assert.Equal(viaClass.X, viaExtension.X);
    }

    [Fact]
    public void LeastSquaresCanUseTheOtherMethods()
    {
        // r = (10(x₂ − x₁²), 1 − x₁): ½‖r‖² is half of Rosenbrock's function.
        var residuals = new LeastSquaresFunction(2, 2,
            (x, r) =>
            {
                r[0] = 10 * (x[1] - (x[0] * x[0]));
                r[1] = 1 - x[0];
            },
            (x, r, j) =>
            {
                r[0] = 10 * (x[1] - (x[0] * x[0]));
                r[1] = 1 - x[0];
                j[0] = -20 * x[0];
                j[1] = 10;
                j[2] = -1;
                j[3] = 0;
            });
        var lm = residuals.Minimize([-1.2, 1.0]);
        var lbfgs = residuals.Minimize([-1.2, 1.0], new MinimizeOptions { Method = MinimizeMethod.Lbfgs });
        Assert.True(lm.Success && lbfgs.Success, lm + "\n" + lbfgs);
        Assert.StartsWith("Levenberg–Marquardt", lm.Method);
        Assert.StartsWith("L-BFGS", lbfgs.Method);
        Assert.Equal(1.0, lm.X[0], 1e-10);
        Assert.Equal(1.0, lbfgs.X[0], 1e-7);
        Assert.Contains("does not take bounds", Assert.Throws<ArgumentException>(() =>
            residuals.Minimize([0.0, 0], new MinimizeOptions { Method = MinimizeMethod.LevenbergMarquardt, Bounds = Bounds.Uniform(2, -1, 1) })).Message);
        // Auto with bounds goes to L-BFGS-B on ½‖r‖².
        var boxed = residuals.Minimize([0.0, 0], new MinimizeOptions { Bounds = Bounds.Uniform(2, -1, 0.5) });
        Assert.StartsWith("L-BFGS-B", boxed.Method);
        Assert.Equal(0.5, boxed.X[0], 1e-10);
    }
    /// <summary>
    /// f = a² − b² has no minimum: Newton walked its saddle down to f = −1.8e308, where no step decreases f in floating
    /// point, and reported FunctionTolerance, a success (red-team pass rt-mgh, #10); L-BFGS said LineSearchFailed
    /// "f is probably at the limit of floating-point precision here". Both are now NotFinite, saying f is unbounded below.
    /// </summary>
    [Theory]
    [InlineData(MinimizeMethod.Newton)]
    [InlineData(MinimizeMethod.Lbfgs)]
    [InlineData(MinimizeMethod.NewtonCg)]
    public void AnUnboundedFunctionIsNotASuccess(MinimizeMethod method)
    {
        var saddle = new DifferentiableFunction(
            2,
            p => (p[0] * p[0]) - (p[1] * p[1]),
            (p, g) =>
            {
                g[0] = 2 * p[0];
                g[1] = -2 * p[1];
                return (p[0] * p[0]) - (p[1] * p[1]);
            },
            "saddle",
            hessianVectorProduct: (p, v, hv) =>
            {
                hv[0] = 2 * v[0];
                hv[1] = -2 * v[1];
            });
        var result = saddle.Minimize([1.0, 0.5], new MinimizeOptions { Method = method });
        Assert.False(result.Success, result.ToString());
        Assert.Equal(MinimizeStatus.NotFinite, result.Status);
        if (method != MinimizeMethod.NewtonCg)   // Newton-CG stops on its own, NotFinite, when its products overflow
        {
            Assert.Contains("reached the end of the double range (|f| ≥ 1e300)", result.Message);
            Assert.Contains("f is probably unbounded below along this path", result.Message);
        }
    }

    /// <summary>
    /// f = (x − 3)² + y², NaN for x &gt; 2 (red-team L, stop 35): L-BFGS-B stopped at (2, 1/3) with "converged"
    /// (FunctionTolerance), where ∂f/∂y = 2/3 and (2, 0) is lower, because every line search ran into the NaN region and f
    /// fell ever more slowly. Now LineSearchFailed, saying so; with the wall as a bound it reaches (2, 0).
    /// </summary>
    [Fact]
    public void StoppingAgainstANaNWallIsNotASuccess()
    {
        static double Value(ReadOnlySpan<double> p) => p[0] > 2 ? double.NaN : ((p[0] - 3) * (p[0] - 3)) + (p[1] * p[1]);
        var walled = new DifferentiableFunction(
            2,
            Value,
            (p, g) =>
            {
                g[0] = p[0] > 2 ? double.NaN : 2 * (p[0] - 3);
                g[1] = p[0] > 2 ? double.NaN : 2 * p[1];
                return Value(p);
            },
            "walled");
        var result = walled.Minimize([0.0, 1.0]);
        Assert.False(result.Success, result.ToString());
        Assert.Equal(MinimizeStatus.LineSearchFailed, result.Status);
        Assert.Contains("not finite", result.Message, StringComparison.Ordinal);

        var bounded = walled.Minimize([0.0, 1.0], new MinimizeOptions { Bounds = new Bounds([double.NegativeInfinity, double.NegativeInfinity], [2.0, double.PositiveInfinity]) });
        Assert.True(bounded.Success, bounded.ToString());
        Assert.Equal(1.0, bounded.Value, 10);
    }

    /// <summary>
    /// Levenberg–Marquardt through Minimize reported MINPACK's cosine at the last Jacobian as GradientNorm: 0.98 at a
    /// point of an underdetermined problem where r = 0 and Jᵀr = 0 (red-team N, stop 36). It is max|Jᵀr| at X now, as
    /// docs/minimize.md defines it; the cosine is LeastSquaresResult.Optimality.
    /// </summary>
    [Fact]
    public void LevenbergMarquardtReportsTheGradientNormAtX()
    {
        var under = new LeastSquaresFunction(3, 2,
            (w, r) =>
            {
                r[0] = w[0] + (w[1] * w[2]) - 1;
                r[1] = Math.Sin(w[0]) - w[2];
            },
            (w, r, j) =>
            {
                r[0] = w[0] + (w[1] * w[2]) - 1;
                r[1] = Math.Sin(w[0]) - w[2];
                j[0] = 1; j[1] = w[2]; j[2] = w[1];
                j[3] = Math.Cos(w[0]); j[4] = 0; j[5] = -1;
            });
        var fit = under.Minimize([0.3, 0.2, 0.1]);
        var x = fit.X;
        double r0 = x[0] + (x[1] * x[2]) - 1, r1 = Math.Sin(x[0]) - x[2];
        double expected = new[] { Math.Abs(r0 + (Math.Cos(x[0]) * r1)), Math.Abs(x[2] * r0), Math.Abs((x[1] * r0) - r1) }.Max();
        Assert.Equal(expected, fit.GradientNorm, 15);
        Assert.True(fit.GradientNorm < 1e-8, fit.ToString());
    }
}

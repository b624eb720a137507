using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Solvers.Tests;

/// <summary>
/// A run that stops because the function is NaN or infinite wherever it tries to go, or because its steps no longer move
/// x, is not convergence (found by a red-team pass: each case below used to report success or Converged = true).
/// </summary>
public class NotFiniteStopTests
{
    /// <summary>(x + 1)² for x ≥ 0, NaN below: the minimum over the domain is at its edge, where the gradient is 2.</summary>
    private static DifferentiableFunction Wall() => new(1,
        p => p[0] < 0 ? double.NaN : (p[0] + 1) * (p[0] + 1),
        (p, g) => { g[0] = 2 * (p[0] + 1); return p[0] < 0 ? double.NaN : (p[0] + 1) * (p[0] + 1); }, "wall");

    /// <summary>Rosenbrock that returns NaN from its (k + 1)-th evaluation on.</summary>
    private static DifferentiableFunction RosenbrockNaNAfter(int k)
    {
        int calls = 0;
        var f = Problems.Rosenbrock(2, false);
        return new DifferentiableFunction(2, p => ++calls > k ? double.NaN : f.Value(p), (p, g) =>
        {
            double v = f.ValueAndGradient(p, g);
            if (++calls > k)
            {
                g.Fill(double.NaN);
                return double.NaN;
            }

            return v;
        }, "rosenbrock, NaN after " + k);
    }

    [Fact]
    public void LbfgsWithStrongWolfe_AgainstANaNWall_IsNotConverged()
    {
        var wall = new Lbfgs(maxIterations: 100, lineSearch: LineSearch.StrongWolfe).Minimize(Wall(), [3.0]);
        Assert.Equal(StopReason.Diverged, wall.StopReason);
        Assert.False(wall.Converged);
        Assert.True(double.IsFinite(wall.Loss) && wall.Parameters[0] >= 0, wall.ToString());

        var midway = new Lbfgs(maxIterations: 100, lineSearch: LineSearch.StrongWolfe).Minimize(RosenbrockNaNAfter(3), [-1.2, 1]);
        Assert.False(midway.Converged, midway.ToString());

        // The same search on a function that stays finite still converges.
        var fine = new Lbfgs(maxIterations: 200, lineSearch: LineSearch.StrongWolfe).Minimize(Problems.Rosenbrock(2, false), [-1.2, 1]);
        Assert.True(fine.Converged, fine.ToString());
    }

    [Fact]
    public void NewtonWhoseEveryTrialIsNaN_IsNotConverged()
    {
        var run = new Newton().Minimize(RosenbrockNaNAfter(5), [-1.2, 1]);
        Assert.Equal(StopReason.Diverged, run.StopReason);
        Assert.False(run.Converged);

        var minimized = RosenbrockNaNAfter(5).Minimize([-1.2, 1], new MinimizeOptions { Method = MinimizeMethod.Newton });
        Assert.False(minimized.Success);
        Assert.Equal(MinimizeStatus.NotFinite, minimized.Status);
    }

    [Fact]
    public void NewtonWithAGradientThatDoesNotMatchF_FailsItsLineSearch()
    {
        // The gradient's sign is wrong: no step along the "descent" direction decreases f. The search used to accept a
        // step so short that x + t·d == x (f unchanged passes Armijo's test), and ten of them read as convergence.
        var wrong = new DifferentiableFunction(2, p => p[0] * p[0] + p[1] * p[1],
            (p, g) => { g[0] = -2 * p[0]; g[1] = -2 * p[1]; return p[0] * p[0] + p[1] * p[1]; }, "wrong sign");
        var result = wrong.Minimize([1, 1], new MinimizeOptions { Method = MinimizeMethod.Newton });
        Assert.False(result.Success, result.ToString());
        Assert.Equal(MinimizeStatus.LineSearchFailed, result.Status);
        Assert.Equal(new[] { 1.0, 1.0 }, result.X);
    }

    [Fact]
    public void LevenbergMarquardtAgainstNaNResiduals_IsNotSuccess()
    {
        int calls = 0;
        var f = new LeastSquaresFunction(2, 2,
            (p, r) =>
            {
                if (++calls > 1)
                {
                    r.Fill(double.NaN);
                    return;
                }

                r[0] = 10 * (p[1] - p[0] * p[0]);
                r[1] = 1 - p[0];
            },
            (p, r, j) =>
            {
                r[0] = 10 * (p[1] - p[0] * p[0]);
                r[1] = 1 - p[0];
                j[0] = -20 * p[0];
                j[1] = 10;
                j[2] = -1;
                j[3] = 0;
            });
        var result = new LevenbergMarquardt().Minimize(f, [-1.2, 1]);
        Assert.False(result.Success, result.ToString());
        Assert.Equal(LeastSquaresStatus.NotFinite, result.Status);
        Assert.Equal(new[] { -1.2, 1.0 }, result.X);
        Assert.Contains("not finite at the trial points", result.Message, StringComparison.Ordinal);
    }
}

/// <summary>Misuse the red-team pass found accepted silently or failing deep inside: each now names the problem.</summary>
public class MisuseTests
{
    [Fact]
    public void LbfgsDefaultEvaluationBudgetDoesNotOverflow()
    {
        Assert.Equal(625_000_000, new Lbfgs(maxIterations: 500_000_000).MaxEvaluations);
        Assert.Equal(int.MaxValue, new Lbfgs(maxIterations: int.MaxValue).MaxEvaluations);
        Assert.Equal(125, new Lbfgs(maxIterations: 100).MaxEvaluations);
    }

    [Fact]
    public void LearningRateFinderRefusesANonFiniteStart()
    {
        var data = TrainingData.FromLoss(8, 2, (p, i, g) => { g[0] = 2 * p[0]; g[1] = 2 * p[1]; return p[0] * p[0] + p[1] * p[1]; });
        var e = Assert.Throws<ArgumentException>(() => LearningRateFinder.Run(data, [double.NaN, 0], () => new Sgd()));
        Assert.Equal("initialParameters", e.ParamName);
        Assert.Contains("initialParameters[0] is NaN", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LevenbergMarquardtRefusesAJacobianLargerThanAnArray()
    {
        var f = new LeastSquaresFunction(65536, 65537, (p, r) => r.Fill(1), (p, r, j) => { r.Fill(1); j.Fill(1); });
        var e = Assert.Throws<ArgumentException>(() => new LevenbergMarquardt().Minimize(f, new double[65536]));
        Assert.Contains("larger than an array can be", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MinimizeOfLeastSquaresHonoursTheLimits()
    {
        // Minimize(LeastSquaresFunction) validated MaxIterations and MaxEvaluations and then ignored them (15 iterations, 21 evaluations).
        static LeastSquaresFunction Rosenbrock() => new(2, 2, (p, r) => { r[0] = 10 * (p[1] - p[0] * p[0]); r[1] = 1 - p[0]; },
            (p, r, j) => { r[0] = 10 * (p[1] - p[0] * p[0]); r[1] = 1 - p[0]; j[0] = -20 * p[0]; j[1] = 10; j[2] = -1; j[3] = 0; });
        var byIterations = Rosenbrock().Minimize([-1.2, 1], new MinimizeOptions { MaxIterations = 1 });
        Assert.False(byIterations.Success);
        Assert.Equal(MinimizeStatus.MaxIterations, byIterations.Status);
        Assert.Equal(1, byIterations.Iterations);

        var byEvaluations = Rosenbrock().Minimize([-1.2, 1], new MinimizeOptions { MaxEvaluations = 3 });
        Assert.False(byEvaluations.Success);
        Assert.Equal(MinimizeStatus.MaxEvaluations, byEvaluations.Status);
        Assert.True(byEvaluations.FunctionEvaluations <= 3, byEvaluations.ToString());

        var unlimited = Rosenbrock().Minimize([-1.2, 1]);
        Assert.True(unlimited.Success, unlimited.ToString());
        Assert.True(Math.Abs(unlimited.X[0] - 1) < 1e-8 && Math.Abs(unlimited.X[1] - 1) < 1e-8);
    }

    [Fact]
    public void NullsAndOverflowingBoxesAreNamed()
    {
        var f = Problems.Rosenbrock(2, false);
        var nullExample = Assert.Throws<ArgumentException>(() => TrainingData.FromExamples([f, null!]));
        Assert.Contains("Example 1 is null", nullExample.Message, StringComparison.Ordinal);

        // [−1e308, 1e308] is finite, but its width is not: the starting points came out infinite.
        var box = Assert.Throws<ArgumentException>(() => MultiStart.Minimize(f, [-1e308, -1e308], [1e308, 1e308], 3));
        Assert.Contains("width must be a finite number", box.Message, StringComparison.Ordinal);

        var data = TrainingData.FromLoss(8, 2, (p, i, g) => { g[0] = 2 * p[0]; g[1] = 2 * p[1]; return p[0] * p[0] + p[1] * p[1]; });
        var factory = Assert.Throws<InvalidOperationException>(() => LearningRateFinder.Run(data, [1.0, 0], () => null!));
        Assert.Contains("createOptimizer returned null", factory.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, 1e-6)]
    [InlineData(1e-7, double.PositiveInfinity)]
    public void GradientCheckRefusesInfiniteTolerances(double absolute, double relative)
    {
        // With an infinite tolerance a gradient of 100 instead of 6 passed.
        var options = new GradientCheckOptions { AbsoluteTolerance = absolute, RelativeTolerance = relative };
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.Check(p => p[0] * p[0], (p, g) => { g[0] = 100; return p[0] * p[0]; }, [3.0], options));
    }
}

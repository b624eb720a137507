namespace SymbolicGrad.Optimizers.Tests;

/// <summary>
/// L-BFGS with the strong-Wolfe search and Newton said "converged" (ChangeTolerance, Converged = true) at the start point
/// when no step lowered the loss: a learning rate of 1e12 on Rosenbrock (f = 24.2, |g| = 233), or a gradient that does
/// not match f (red-team O, stop 36). They stop on the same iterate, as PyTorch does, and now say LineSearchFailed.
/// </summary>
public class FalseConvergenceTests
{
    private static double WrongSign(ReadOnlySpan<double> p, Span<double> g)
    {
        g[0] = -2 * (p[0] - 1);
        g[1] = -2 * p[1];
        return (p[0] - 1) * (p[0] - 1) + p[1] * p[1];
    }

    [Theory]
    [InlineData(1e12)]
    [InlineData(1e50)]
    public void AHugeLearningRateIsNotConvergence(double rate)
    {
        var result = new Lbfgs(learningRate: rate, maxIterations: 100, lineSearch: LineSearch.StrongWolfe).Minimize(TestFunctions.Rosenbrock, [-1.2, 1.0]);
        Assert.False(result.Converged, $"{result} at ({result.Parameters[0]}, {result.Parameters[1]})");
        Assert.Contains(result.StopReason, new[] { StopReason.LineSearchFailed, StopReason.Diverged });
    }

    [Fact]
    public void AGradientThatDoesNotMatchTheLossIsALineSearchFailure()
    {
        var lbfgs = new Lbfgs(maxIterations: 100, lineSearch: LineSearch.StrongWolfe).Minimize(WrongSign, [3.0, 2.0]);
        Assert.Equal(StopReason.LineSearchFailed, lbfgs.StopReason);
        Assert.False(lbfgs.Converged);
        Assert.Equal(8.0, lbfgs.Loss);

        var newton = new Newton().Minimize(WrongSign, [3.0, 2.0]);
        Assert.Equal(StopReason.LineSearchFailed, newton.StopReason);
        Assert.False(newton.Converged);
        Assert.Equal(8.0, newton.Loss);
    }

    /// <summary>What is convergence stays so: the strong-Wolfe run on Rosenbrock at the default rate ends on a tolerance near (1, 1).</summary>
    [Fact]
    public void ARealConvergenceStillConverges()
    {
        var result = new Lbfgs(maxIterations: 200, lineSearch: LineSearch.StrongWolfe).Minimize(TestFunctions.Rosenbrock, [-1.2, 1.0]);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Math.Abs(result.Parameters[0] - 1) < 1e-4 && Math.Abs(result.Parameters[1] - 1) < 1e-4, result.ToString());
    }
}

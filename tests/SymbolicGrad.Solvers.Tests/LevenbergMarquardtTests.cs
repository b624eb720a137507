using MathNet.Numerics.LinearAlgebra;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Solvers.Tests;

public class LevenbergMarquardtTests
{
    [Fact]
    public void LinearLeastSquaresMatchesQr()
    {
        // r = A·x − b: the solution is A's least-squares solution, which MathNet's QR gives independently.
        const int m = 30, n = 6;
        var random = new Random(5);
        var a = Matrix<double>.Build.Dense(m, n, (_, _) => (2 * random.NextDouble()) - 1);
        var b = Vector<double>.Build.Dense(m, _ => (2 * random.NextDouble()) - 1);
        var expected = a.QR().Solve(b);
        var f = new LeastSquaresFunction(n, m,
            (x, r) => (a * Vector<double>.Build.DenseOfArray(x.ToArray()) - b).AsArray().CopyTo(r),
            (x, r, j) =>
            {
                (a * Vector<double>.Build.DenseOfArray(x.ToArray()) - b).AsArray().CopyTo(r);
                for (int i = 0; i < m; i++)
                {
                    for (int k = 0; k < n; k++)
                    {
                        j[(i * n) + k] = a[i, k];
                    }
                }
            });
        var result = new LevenbergMarquardt().Minimize(f, new double[n]);
        Assert.True(result.Success, result.ToString());
        for (int k = 0; k < n; k++)
        {
            Assert.Equal(expected[k], result.X[k], 1e-10);
        }

        double residual = (a * expected - b).L2Norm();
        Assert.Equal(0.5 * residual * residual, result.Cost, 1e-12);
        Assert.Equal(2 * result.Cost, result.SumOfSquares);
        Assert.True(result.JacobianEvaluations <= 3, result.ToString());
    }

    [Fact]
    public void AnExactExponentialFitRecoversItsParameters()
    {
        // y = 2.5·exp(−1.3t) sampled exactly: r(a, k) = a·exp(−kt) − y has a zero at (2.5, 1.3).
        var t = Enumerable.Range(0, 20).Select(i => i * 0.2).ToArray();
        var y = t.Select(ti => 2.5 * Math.Exp(-1.3 * ti)).ToArray();
        var f = new LeastSquaresFunction(2, t.Length,
            (p, r) =>
            {
                for (int i = 0; i < t.Length; i++)
                {
                    r[i] = (p[0] * Math.Exp(-p[1] * t[i])) - y[i];
                }
            },
            (p, r, j) =>
            {
                for (int i = 0; i < t.Length; i++)
                {
                    double e = Math.Exp(-p[1] * t[i]);
                    r[i] = (p[0] * e) - y[i];
                    j[2 * i] = e;
                    j[(2 * i) + 1] = -p[0] * t[i] * e;
                }
            },
            "decay",
            ["a", "k"]);
        var result = new LevenbergMarquardt().Minimize(f, [1.0, 0.1]);
        Assert.True(result.Success, result.ToString());
        Assert.Equal(2.5, result.X[0], 1e-10);
        Assert.Equal(1.3, result.X[1], 1e-10);
        Assert.True(result.Cost < 1e-25, result.ToString());
    }

    [Fact]
    public void FewerResidualsThanParametersArePaddedWithZeros()
    {
        // One residual x₀ + 2x₁ − 4 in two unknowns (MINPACK refuses m < n): any point on the line is a solution.
        var f = new LeastSquaresFunction(2, 1,
            (x, r) => r[0] = x[0] + (2 * x[1]) - 4,
            (x, r, j) =>
            {
                r[0] = x[0] + (2 * x[1]) - 4;
                j[0] = 1;
                j[1] = 2;
            });
        var result = new LevenbergMarquardt().Minimize(f, [0.0, 0.0]);
        Assert.True(result.Success, result.ToString());
        Assert.Equal(4.0, result.X[0] + (2 * result.X[1]), 1e-12);
        Assert.Single(result.Residuals);
    }

    [Fact]
    public void FixedScalingIsMinpacksModeTwo()
    {
        var p = TestProblems.Mgh.Rosenbrock();
        var result = new LevenbergMarquardt(new LevenbergMarquardtOptions { Scaling = LevenbergMarquardtScaling.Fixed, Diagonal = [1.0, 1.0] })
            .Minimize(p.LeastSquares(), p.Start);
        Assert.True(result.Success, result.ToString());
        Assert.Equal(1.0, result.X[0], 1e-10);
    }

    [Fact]
    public void TheBudgetAndTheCallbackStopWithoutSuccess()
    {
        var p = TestProblems.Mgh.Meyer();
        var limited = new LevenbergMarquardt(new LevenbergMarquardtOptions { MaxEvaluations = 10 }).Minimize(p.LeastSquares(), p.Start);
        Assert.False(limited.Success);
        Assert.Equal(LeastSquaresStatus.MaxEvaluations, limited.Status);
        Assert.Equal(10, limited.Evaluations);
        Assert.Contains("limit of 10 residual evaluations", limited.Message);

        int calls = 0;
        var stopped = new LevenbergMarquardt(new LevenbergMarquardtOptions { Callback = _ => ++calls < 4 }).Minimize(p.LeastSquares(), p.Start);
        Assert.Equal(LeastSquaresStatus.Stopped, stopped.Status);
        Assert.Equal(4, stopped.Iterations);
        Assert.False(stopped.Success);
    }

    [Fact]
    public void TheMessageNamesTheTestAndItsNumbers()
    {
        var p = TestProblems.Mgh.Bard();
        var result = new LevenbergMarquardt().Minimize(p.LeastSquares(), p.Start);
        Assert.Equal(LeastSquaresStatus.FunctionTolerance, result.Status);
        Assert.Matches(@"^the relative reductions of the sum of squares, actual \d\.\de-\d\d and predicted \d\.\de-\d\d, are ≤ ftol 1\.0e-08$", result.Message);
        Assert.Contains("converged", result.ToString());

        var zero = new LevenbergMarquardt().Minimize(TestProblems.Mgh.Rosenbrock().LeastSquares(), [1.0, 1.0]);
        Assert.Equal(LeastSquaresStatus.GradientTolerance, zero.Status);
        Assert.Equal("the residuals are exactly zero", zero.Message);
        Assert.Equal((1, 1), (zero.Evaluations, zero.JacobianEvaluations));
    }

    [Fact]
    public void NonFiniteTrialsShrinkTheStep()
    {
        // r = log(x) − log(2) for x > 0, NaN otherwise; from x = 0.01 the first Gauss–Newton step lands far away, then
        // possibly at x ≤ 0: those trials fail and the trust region shrinks.
        var f = new LeastSquaresFunction(1, 1,
            (x, r) => r[0] = Math.Log(x[0]) - Math.Log(2),
            (x, r, j) =>
            {
                r[0] = Math.Log(x[0]) - Math.Log(2);
                j[0] = 1 / x[0];
            });
        var result = new LevenbergMarquardt().Minimize(f, [0.01]);
        Assert.True(result.Success, result.ToString());
        Assert.Equal(2.0, result.X[0], 1e-9);

        var broken = new LeastSquaresFunction(1, 1, (x, r) => r[0] = double.NaN, (x, r, j) => r[0] = double.NaN);
        var failed = new LevenbergMarquardt().Minimize(broken, [1.0]);
        Assert.Equal(LeastSquaresStatus.NotFinite, failed.Status);
        Assert.False(failed.Success);
    }

    /// <summary>
    /// A wrong Jacobian (−1 for +1): no step from the start is ever accepted and the trust region shrinks to xtol, which
    /// MINPACK reports as info = 2 and which read as "converged" at x = 3, f = 2. It is now NoProgress, not a success,
    /// with the advice to check the Jacobian; with the right Jacobian the same start converges to 1.
    /// </summary>
    [Fact]
    public void NoAcceptedStepFromTheStartIsNotConvergence()
    {
        var wrong = new LeastSquaresFunction(1, 1, (x, r) => r[0] = x[0] - 1, (x, r, j) => { r[0] = x[0] - 1; j[0] = -1; });
        var result = new LevenbergMarquardt().Minimize(wrong, [3.0]);
        Assert.Equal(LeastSquaresStatus.NoProgress, result.Status);
        Assert.False(result.Success);
        Assert.Equal(0, result.Iterations);
        Assert.Equal(3.0, result.X[0]);
        Assert.Contains("check the Jacobian", result.Message, StringComparison.Ordinal);
        var viaMinimize = wrong.Minimize([3.0]);
        Assert.False(viaMinimize.Success);
        Assert.Equal(MinimizeStatus.LineSearchFailed, viaMinimize.Status);

        var right = new LeastSquaresFunction(1, 1, (x, r) => r[0] = x[0] - 1, (x, r, j) => { r[0] = x[0] - 1; j[0] = 1; });
        var converged = new LevenbergMarquardt().Minimize(right, [3.0]);
        Assert.True(converged.Success, converged.Message);
        Assert.Equal(1.0, converged.X[0], 12);
    }

    [Fact]
    public void MisuseIsRefusedWithTheReason()
    {
        var f = TestProblems.Mgh.Rosenbrock().LeastSquares();
        Assert.Contains("takes 2 parameters but the starting point has length 3", Assert.Throws<ArgumentException>(() => new LevenbergMarquardt().Minimize(f, [1.0, 2, 3])).Message);
        Assert.Contains("component 1 is NaN", Assert.Throws<ArgumentException>(() => new LevenbergMarquardt().Minimize(f, [1.0, double.NaN])).Message);
        Assert.Contains("Diagonal is null", Assert.Throws<ArgumentException>(() => new LevenbergMarquardt(new() { Scaling = LevenbergMarquardtScaling.Fixed })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LevenbergMarquardt(new() { Scaling = LevenbergMarquardtScaling.Fixed, Diagonal = [1.0, 0.0] }));
        Assert.Contains("Diagonal has 1 entries", Assert.Throws<ArgumentException>(() =>
            new LevenbergMarquardt(new() { Scaling = LevenbergMarquardtScaling.Fixed, Diagonal = [1.0] }).Minimize(f, [0.0, 0.0])).Message);
        // A Diagonal without Fixed scaling was ignored silently (mode 1 computes D from J): refused, saying how to use it.
        Assert.Contains("set Scaling = LevenbergMarquardtScaling.Fixed", Assert.Throws<ArgumentException>(() => new LevenbergMarquardt(new() { Diagonal = [1.0, 1e3] })).Message);
        Assert.Contains("options.Diagonal is set", Assert.Throws<ArgumentException>(() => f.Minimize([0.0, 0.0], new MinimizeOptions { LevenbergMarquardt = new() { Diagonal = [1.0, 1e3] } })).Message);
        Assert.Equal("options.FunctionTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new LevenbergMarquardt(new() { FunctionTolerance = -1 })).ParamName);
        Assert.Equal("options.StepBound", Assert.Throws<ArgumentOutOfRangeException>(() => new LevenbergMarquardt(new() { StepBound = 0 })).ParamName);
        Assert.Equal("options.MaxEvaluations", Assert.Throws<ArgumentOutOfRangeException>(() => new LevenbergMarquardt(new() { MaxEvaluations = 0 })).ParamName);
    }
}

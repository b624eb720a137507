namespace SymbolicGrad.Tests;

/// <summary>E(y; θ) = (y₀ − θ)² + (y₁ − 2θ)²: its minimum is y = (θ, 2θ).</summary>
public static partial class NestedInner
{
    [Differentiable]
    public static double E(double[] y, [NoDerivative] double theta) =>
        (y[0] - theta) * (y[0] - theta) + (y[1] - 2 * theta) * (y[1] - 2 * theta);

    /// <summary>The same energy with y as a 1 × 2 matrix (matrix arguments have their own per-thread buffers).</summary>
    [Differentiable]
    public static double M(double[,] y, [NoDerivative] double theta) =>
        (y[0, 0] - theta) * (y[0, 0] - theta) + (y[0, 1] - 2 * theta) * (y[0, 1] - 2 * theta);
}

/// <summary>
/// s(θ) = y₀ + y₁ at the minimum of E: 3θ, found by gradient descent on the generated objective. Evaluating it runs
/// another generated objective while the caller's is running, on the same thread.
/// </summary>
public static class NestedFit
{
    [CustomDerivative(nameof(SolveGradient))]
    public static double Solve(double theta)
    {
        var f = NestedInner.EObjective(2, theta);
        var y = new double[2];
        var g = new double[2];
        for (int step = 0; step < 200; step++)
        {
            f.ValueAndGradient(y, g);
            y[0] -= 0.25 * g[0];
            y[1] -= 0.25 * g[1];
        }

        return y[0] + y[1];
    }

    public static double SolveGradient(double theta, out double dTheta)
    {
        dTheta = 3;
        return Solve(theta);
    }

    [CustomDerivative(nameof(SolveMatrixGradient))]
    public static double SolveMatrix(double theta)
    {
        var f = NestedInner.MObjective(1, 2, theta);
        var y = new double[2];
        var g = new double[2];
        for (int step = 0; step < 200; step++)
        {
            f.ValueAndGradient(y, g);
            y[0] -= 0.25 * g[0];
            y[1] -= 0.25 * g[1];
        }

        return y[0] + y[1];
    }

    public static double SolveMatrixGradient(double theta, out double dTheta)
    {
        dTheta = 3;
        return SolveMatrix(theta);
    }
}

public static partial class NestedOuter
{
    /// <summary>L(x) = s(x₀)·(x₀² + x₁²) = 3x₀·(x₀² + x₁²).</summary>
    [Differentiable]
    public static double Loss(double[] x) => NestedFit.Solve(x[0]) * (x[0] * x[0] + x[1] * x[1]);

    /// <summary>The same loss with x as a 1 × 2 matrix, through the matrix inner fit.</summary>
    [Differentiable]
    public static double MatrixLoss(double[,] x) => NestedFit.SolveMatrix(x[0, 0]) * (x[0, 0] * x[0, 0] + x[0, 1] * x[0, 1]);

    /// <summary>r = (s(x₀)·x₁, x₁ − 1) = (3x₀x₁, x₁ − 1).</summary>
    [Differentiable]
    public static void Residuals(double[] x, Span<double> r)
    {
        double s = NestedFit.Solve(x[0]);
        r[0] = s * x[1];
        r[1] = x[1] - 1;
    }
}

/// <summary>A model whose loss runs, through a custom derivative, an objective of the model in <see cref="Target"/>.</summary>
public partial class ReentrantModel
{
    public static ReentrantModel? Target;

    [Trainable]
    public double W = 1;

    /// <summary>L(W) = W² + 0·(the target's loss at W = 5).</summary>
    [Differentiable]
    public double Loss() => W * W + ReentrantProbe.Inner(W);
}

public static class ReentrantProbe
{
    private static bool s_busy;

    /// <summary>Run a MultiStart of the target's objective (four starts in [−1, 1]) instead of one evaluation.</summary>
    public static bool UseMultiStart;

    /// <summary>The best loss the last MultiStart found.</summary>
    public static double MultiStartLoss = double.NaN;

    [CustomDerivative(nameof(InnerGradient))]
    public static double Inner(double w)
    {
        if (s_busy || ReentrantModel.Target is not { } target)
        {
            return 0;
        }

        s_busy = true;
        try
        {
            if (UseMultiStart)
            {
                // Each start waits a little first, so that every thread has begun one before the first evaluation runs.
                var best = SymbolicGrad.Optimizers.MultiStart.Minimize(
                    target.LossObjective(), [-1.0], [1.0], starts: 8, seed: 3,
                    localMinimizer: (f, x0) =>
                    {
                        Thread.Sleep(200);
                        return new SymbolicGrad.Optimizers.Lbfgs(maxIterations: 1000, lineSearch: SymbolicGrad.Optimizers.LineSearch.StrongWolfe).Minimize(f, x0);
                    });
                MultiStartLoss = best.Best.Loss;
                return 0;
            }

            return 0 * target.LossObjective().Value([5.0]);
        }
        finally
        {
            s_busy = false;
        }
    }

    public static double InnerGradient(double w, out double dW)
    {
        dW = 0;
        return Inner(w);
    }
}

/// <summary>
/// An objective evaluated while another runs on the same thread (red-team H, stop 34): the inner one copied its
/// arguments into the outer one's per-thread buffers, so the outer method read the inner fit's point. Closed forms.
/// </summary>
public class NestedObjectiveTests
{
    private static void Near(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void AnObjectiveInsideAnObjectiveKeepsItsOwnArguments()
    {
        // L = 3a(a² + b²); ∂L/∂a = 9a² + 3b², ∂L/∂b = 6ab.
        var f = NestedOuter.LossObjective(2);
        double[] x = [1, 5];
        Near(78, f.Value(x));
        var g = new double[2];
        Near(78, f.ValueAndGradient(x, g));
        Near(84, g[0]);
        Near(30, g[1]);
        Assert.True(GradientCheck.Check(f, [1.0, 2.0]).Passed);
    }

    [Fact]
    public void AMatrixObjectiveInsideAMatrixObjectiveKeepsItsOwnArguments()
    {
        var f = NestedOuter.MatrixLossObjective(1, 2);
        double[] x = [1, 5];
        Near(78, f.Value(x));
        var g = new double[2];
        Near(78, f.ValueAndGradient(x, g));
        Near(84, g[0]);
        Near(30, g[1]);
    }

    [Fact]
    public void ALeastSquaresFunctionWithAnObjectiveInsideKeepsItsArguments()
    {
        // r = (3ab, b − 1); J = [[3b, 3a], [0, 1]].
        var ls = NestedOuter.ResidualsLeastSquares(2, rLength: 2);
        double[] x = [1, 5];
        var r = new double[2];
        ls.Residuals(x, r);
        Near(15, r[0]);
        Near(4, r[1]);
        var j = new double[4];
        ls.Jacobian(x, r, j);
        Near(15, r[0]);
        Near(15, j[0]);
        Near(3, j[1]);
        Near(0, j[2]);
        Near(1, j[3]);
    }

    [Fact]
    public void BuffersAreReusedOnceTheNestingUnwinds()
    {
        // No allocation per call in steady state, nested or not (the buffers of each level are kept).
        var f = NestedInner.EObjective(2, 0.5);
        var g = new double[2];
        double[] y = [0.1, 0.2];
        f.ValueAndGradient(y, g);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 32; i++)
        {
            f.ValueAndGradient(y, g);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// A model's objective evaluated inside an evaluation on the same model (red-team I, stop 34): the lock is
    /// re-entrant, so the inner one wrote W = 5 into the model while the outer one read it (value 25 and gradient 10
    /// where they are 1 and 2). Now an InvalidOperationException; on another instance both are exact.
    /// </summary>
    [Fact]
    public void AModelsObjectiveInsideAnEvaluationOnTheSameModelThrows()
    {
        var model = new ReentrantModel();
        var f = model.LossObjective();
        try
        {
            ReentrantModel.Target = model;
            var e = Assert.Throws<InvalidOperationException>(() => f.Value([1.0]));
            Assert.Contains("inside another evaluation on the same model", e.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidOperationException>(() => f.ValueAndGradient([1.0], new double[1]));

            ReentrantModel.Target = new ReentrantModel();
            Assert.Equal(1.0, f.Value([1.0]));
            var g = new double[1];
            Assert.Equal(9.0, f.ValueAndGradient([3.0], g));
            Assert.Equal(6.0, g[0]);

            // A lock the caller holds on the model is not an evaluation.
            lock (model)
            {
                Assert.Equal(4.0, f.Value([2.0]));
            }
        }
        finally
        {
            ReentrantModel.Target = null;
        }
    }

    /// <summary>
    /// A MultiStart of the model's objective run from inside an evaluation on the same model (from a custom derivative)
    /// deadlocked: its starts on other threads waited for the model's lock, held by the thread that waited for them.
    /// Inside a model's evaluation the starts now run on the calling thread, so the same-model evaluation throws as a
    /// single one does; on another model the MultiStart runs and finds its minimum.
    /// </summary>
    [Fact]
    public void AMultiStartInsideAnEvaluationOnTheSameModelThrowsInsteadOfDeadlocking()
    {
        var model = new ReentrantModel();
        var f = model.LossObjective();
        // Threads ready for MultiStart's Parallel.For at once (the pool would otherwise add them only slowly).
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
        try
        {
            ReentrantProbe.UseMultiStart = true;
            ReentrantModel.Target = model;
            var run = Task.Run(() => f.Value([1.0]));
            Assert.True(((IAsyncResult)run).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)),
                "the evaluation never finished: the MultiStart inside it deadlocked");
            var e = Assert.IsType<InvalidOperationException>(run.Exception?.GetBaseException());
            Assert.Contains("inside another evaluation on the same model", e.Message, StringComparison.Ordinal);

            var other = new ReentrantModel { W = 0.7 };
            ReentrantModel.Target = other;
            ReentrantProbe.MultiStartLoss = double.NaN;
            Assert.Equal(4.0, f.Value([2.0]));
            Assert.Equal(0.0, ReentrantProbe.MultiStartLoss, 12);
            Assert.False(SymbolicGrad.Internal.ObjectiveBuffers.InModelEvaluation);
        }
        finally
        {
            ReentrantProbe.UseMultiStart = false;
            ReentrantModel.Target = null;
            ThreadPool.SetMinThreads(workers, io);
        }
    }
}

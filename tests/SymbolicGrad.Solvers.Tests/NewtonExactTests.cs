using MathNet.Numerics.LinearAlgebra;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Solvers.Tests;

public class NewtonExactTests
{
    [Fact]
    public void AQuadraticTakesOneExactStep()
    {
        var a = Problems.SymmetricPositiveDefinite(6, 0.5, 50, seed: 3);
        var b = Vector<double>.Build.Dense(6, i => i - 2.5);
        var expected = a.Cholesky().Solve(b);
        var newton = new Newton();
        var run = newton.Minimize(Problems.Quadratic(a, b), new double[6]);
        Assert.True(run.Converged, run.ToString());
        Assert.Equal(1, run.Steps);
        Assert.Equal(2, run.GradientEvaluations); // the start and the accepted step: no differences
        Assert.Equal(1, newton.LastHessianEvaluations);
        Assert.StartsWith("exact", newton.LastHessian);
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(expected[i], run.Parameters[i], 1e-10);
        }
    }

    [Fact]
    public void WithoutAHessianItStillDifferences()
    {
        var a = Problems.SymmetricPositiveDefinite(6, 0.5, 50, seed: 3);
        var b = Vector<double>.Build.Dense(6, i => i - 2.5);
        var newton = new Newton();
        var run = newton.Minimize(Problems.Quadratic(a, b, withHessian: false), new double[6]);
        Assert.True(run.Converged);
        Assert.Equal(2 + 12, run.GradientEvaluations); // 2n gradients for the Hessian
        Assert.Equal(0, newton.LastHessianEvaluations);
        Assert.StartsWith("central differences", newton.LastHessian);

        // And FiniteDifferences forces differences even when an exact Hessian exists.
        var forced = new Newton(hessian: NewtonHessian.FiniteDifferences);
        Assert.Equal(14, forced.Minimize(Problems.Quadratic(a, b), new double[6]).GradientEvaluations);
    }

    [Fact]
    public void ConvergesQuadraticallyOnRosenbrock()
    {
        var newton = new Newton();
        var run = newton.Minimize(Problems.Rosenbrock(2, true), [-1.2, 1.0]);
        Assert.True(run.Converged, run.ToString());
        Assert.Equal(1.0, run.Parameters[0], 1e-8);
        Assert.Equal(1.0, run.Parameters[1], 1e-8);
        Assert.Equal(run.Steps, newton.LastHessianEvaluations);

        // Quadratic convergence: near the end each f is at most about the square of the one before (scaled).
        var h = run.LossHistory;
        int last = h.Count - 1;
        Assert.True(h[last - 1] < 1e-6 * Math.Sqrt(h[last - 2]) || h[last - 1] < 1e-20, string.Join(", ", h));
    }

    [Fact]
    public void ExactIsRefusedWithoutAHessian()
    {
        var newton = new Newton(hessian: NewtonHessian.Exact);
        var e = Assert.Throws<NotSupportedException>(() => newton.Minimize(Problems.Rosenbrock(2, false), [0.0, 0.0]));
        Assert.Contains("[Differentiable(Hessian = true)]", e.Message);
        Assert.Throws<NotSupportedException>(() => newton.Minimize((x, g) => 0, [0.0]));
    }
    /// <summary>
    /// A function built with the paper's dense second derivatives and no product (hessian: only) was an
    /// ArgumentException "A Hessian needs a Hessian-vector product too" (red-team pass rt-mgh, #10): the product is now
    /// H·v from the dense Hessian, so HessianVectorProduct, CheckHessian, Newton and Newton-CG take it.
    /// </summary>
    [Fact]
    public void ADenseHessianAloneGivesTheProduct()
    {
        // Rosenbrock with its hand-written gradient and Hessian.
        var f = new DifferentiableFunction(
            2,
            p => (100 * Math.Pow(p[1] - (p[0] * p[0]), 2)) + Math.Pow(1 - p[0], 2),
            (p, g) =>
            {
                double t = p[1] - (p[0] * p[0]);
                g[0] = (-400 * p[0] * t) - (2 * (1 - p[0]));
                g[1] = 200 * t;
                return (100 * t * t) + Math.Pow(1 - p[0], 2);
            },
            "rosenbrock",
            hessian: (p, h) =>
            {
                h[0] = (1200 * p[0] * p[0]) - (400 * p[1]) + 2;
                h[1] = h[2] = -400 * p[0];
                h[3] = 200;
            });
        Assert.True(f.HasHessian);
        var hv = new double[2];
        f.HessianVectorProduct([-1.2, 1.0], [1.0, 2.0], hv);
        Assert.Equal(new[] { 1330 + (2 * 480.0), 480 + (2 * 200.0) }, hv);
        Assert.True(GradientCheck.CheckHessian(f, [-1.2, 1.0]).Passed);
        foreach (var method in new[] { MinimizeMethod.Newton, MinimizeMethod.NewtonCg })
        {
            var result = f.Minimize([-1.2, 1.0], new MinimizeOptions { Method = method });
            Assert.True(result.Success && result.Value < 1e-16, result.ToString());
            Assert.Contains("exact", result.Method, StringComparison.Ordinal);
        }
    }
}

using MathNet.Numerics.LinearAlgebra;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Solvers.Tests;

public class NewtonCgTests
{
    [Fact]
    public void SolvesAnSpdQuadraticToTheLinearSolution()
    {
        // Independent oracle: MathNet's Cholesky solve of A·x = b.
        var a = Problems.SymmetricPositiveDefinite(50, 1, 1e4, seed: 7);
        var random = new Random(8);
        var b = Vector<double>.Build.Dense(50, _ => (2 * random.NextDouble()) - 1);
        var expected = a.Cholesky().Solve(b);
        var result = Problems.Quadratic(a, b).Minimize(new double[50], new MinimizeOptions { Method = MinimizeMethod.NewtonCg, GradientTolerance = 1e-9 });
        Assert.True(result.Success, result.ToString());
        Assert.Contains("exact Hessian-vector products", result.Method);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(expected[i], result.X[i], 1e-8 * Math.Max(1, Math.Abs(expected[i])));
        }

        // CG's tolerance is loose at first (η = ½), then tightens as √(‖g‖/‖g₀‖): a few dozen iterations, not hundreds.
        Assert.True(result.Iterations <= 25, result.ToString());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(1000)]
    public void SolvesRosenbrockWithExactAndDifferencedProducts(int n)
    {
        // From (−1.2, 1) for n = 2, from 1.2 everywhere otherwise: the iteration count does not grow with n. (From 0 it
        // does, for every method: the valley xᵢ₊₁ = xᵢ² has to be followed one coordinate at a time.)
        var start = n == 2 ? [-1.2, 1.0] : Enumerable.Repeat(1.2, n).ToArray();
        foreach (bool exact in new[] { true, false })
        {
            var result = Problems.Rosenbrock(n, exact).Minimize(start, new MinimizeOptions { Method = MinimizeMethod.NewtonCg });
            Assert.True(result.Success, result.ToString());
            Assert.Equal(MinimizeStatus.GradientTolerance, result.Status);
            Assert.All(result.X, v => Assert.Equal(1.0, v, 1e-7));
            Assert.True(result.Value < 1e-14, result.ToString());
            Assert.Contains(exact ? "exact Hessian-vector products" : "differences of the gradient", result.Method);
            // (n = 2 crawls along the valley near (−1, 1) for a while, as SciPy's newton-cg does: 86 iterations there.)
            Assert.True(result.Iterations <= (n == 2 ? 80 : 40), result.ToString());
        }
    }

    [Fact]
    public void SolvesRosenbrockFromTheOriginToo()
    {
        var result = Problems.Rosenbrock(100, true).Minimize(new double[100], new MinimizeOptions { Method = MinimizeMethod.NewtonCg });
        Assert.True(result.Success, result.ToString());
        Assert.All(result.X, v => Assert.Equal(1.0, v, 1e-7));
    }

    [Fact]
    public void DifferencedProductsCostOneGradientEach()
    {
        var exact = Problems.Rosenbrock(100, true).Minimize(new double[100], new MinimizeOptions { Method = MinimizeMethod.NewtonCg });
        var differenced = Problems.Rosenbrock(100, false).Minimize(new double[100], new MinimizeOptions { Method = MinimizeMethod.NewtonCg });
        Assert.Equal(exact.FunctionEvaluations, exact.GradientEvaluations);
        Assert.True(exact.HessianEvaluations > 0);
        // Every differenced product is one more gradient evaluation.
        Assert.True(differenced.GradientEvaluations >= differenced.HessianEvaluations + differenced.Iterations, differenced.ToString());
    }

    [Fact]
    public void SolvesL2RegularizedLogisticRegressionLikeDenseNewton()
    {
        // Data: 400 examples, 15 features, labels from a noisy logistic model (seeded).
        const int m = 400, d = 15;
        const double lambda = 1e-2;
        var random = new Random(2024);
        var x = Matrix<double>.Build.Dense(m, d, (_, _) => Normal(random));
        var trueW = Vector<double>.Build.Dense(d, _ => Normal(random));
        var y = Vector<double>.Build.Dense(m, i => random.NextDouble() < Sigmoid(x.Row(i).DotProduct(trueW)) ? 1.0 : -1.0);

        double Loss(ReadOnlySpan<double> w, Span<double> g)
        {
            var wv = Vector<double>.Build.DenseOfArray(w.ToArray());
            var z = x * wv;
            double f = 0.5 * lambda * wv.DotProduct(wv);
            var coefficient = Vector<double>.Build.Dense(m);
            for (int i = 0; i < m; i++)
            {
                double margin = y[i] * z[i];
                f += margin > 0 ? double.LogP1(Math.Exp(-margin)) : -margin + double.LogP1(Math.Exp(margin));
                coefficient[i] = -y[i] * Sigmoid(-margin);
            }

            var gradient = (x.TransposeThisAndMultiply(coefficient)) + (lambda * wv);
            gradient.AsArray().CopyTo(g);
            return f;
        }

        var objective = new DifferentiableFunction(
            d,
            w => Loss(w, new double[d]),
            Loss,
            "logistic",
            hessianVectorProduct: (w, v, h) =>
            {
                // H·v = Xᵀ S X v + λv, S = diag(σ(zᵢ)(1 − σ(zᵢ))).
                var z = x * Vector<double>.Build.DenseOfArray(w.ToArray());
                var xv = x * Vector<double>.Build.DenseOfArray(v.ToArray());
                var s = Vector<double>.Build.Dense(m, i => Sigmoid(z[i]) * (1 - Sigmoid(z[i])) * xv[i]);
                var hv = x.TransposeThisAndMultiply(s) + (lambda * Vector<double>.Build.DenseOfArray(v.ToArray()));
                hv.AsArray().CopyTo(h);
            });

        // Oracle: dense Newton (IRLS) with MathNet's Cholesky, to convergence.
        var oracle = Vector<double>.Build.Dense(d);
        for (int k = 0; k < 50; k++)
        {
            var g = new double[d];
            Loss(oracle.AsArray(), g);
            var z = x * oracle;
            var hessian = x.TransposeThisAndMultiply(Matrix<double>.Build.DenseDiagonal(m, m, i => Sigmoid(z[i]) * (1 - Sigmoid(z[i]))) * x)
                + (lambda * Matrix<double>.Build.DenseIdentity(d));
            oracle -= hessian.Cholesky().Solve(Vector<double>.Build.DenseOfArray(g));
        }

        foreach (bool exact in new[] { true, false })
        {
            var f = exact ? objective : new DifferentiableFunction(d, objective.AsValue(), objective.AsValueAndGradient(), "logistic");
            var result = f.Minimize(new double[d], new MinimizeOptions { Method = MinimizeMethod.NewtonCg });
            Assert.True(result.Success, result.ToString());
            for (int i = 0; i < d; i++)
            {
                Assert.Equal(oracle[i], result.X[i], 1e-7);
            }

            Assert.True(result.Iterations < 20, result.ToString());
        }
    }

    [Fact]
    public void NegativeCurvatureLeadsAwayFromTheSaddle()
    {
        // f = x⁴/4 − x²/2 + y²/2 has a saddle at the origin (f'' = −1 in x) and minima at (±1, 0).
        var f = new DifferentiableFunction(
            2,
            x => (Math.Pow(x[0], 4) / 4) - (x[0] * x[0] / 2) + (x[1] * x[1] / 2),
            (x, g) =>
            {
                g[0] = (x[0] * x[0] * x[0]) - x[0];
                g[1] = x[1];
                return (Math.Pow(x[0], 4) / 4) - (x[0] * x[0] / 2) + (x[1] * x[1] / 2);
            },
            "double well",
            hessianVectorProduct: (x, v, h) =>
            {
                h[0] = ((3 * x[0] * x[0]) - 1) * v[0];
                h[1] = v[1];
            });
        var result = f.Minimize([1e-3, 1.0], new MinimizeOptions { Method = MinimizeMethod.NewtonCg });
        Assert.True(result.Success, result.ToString());
        Assert.Equal(1.0, Math.Abs(result.X[0]), 1e-9);
        Assert.Equal(0.0, result.X[1], 1e-9);
        Assert.Equal(-0.25, result.Value, 1e-12);
    }

    [Fact]
    public void TheClassKeepsItsOwnEntryPoint()
    {
        var newtonCg = new NewtonCg(hessian: NewtonHessian.Exact);
        var run = newtonCg.Minimize(Problems.Rosenbrock(10, true), new double[10]);
        Assert.True(run.Converged, run.ToString());
        Assert.All(run.Parameters, v => Assert.Equal(1.0, v, 1e-7));
        Assert.Throws<NotSupportedException>(() => newtonCg.Minimize(Problems.Rosenbrock(10, false), new double[10]));
        Assert.Equal("maxCgIterations", Assert.Throws<ArgumentOutOfRangeException>(() => new NewtonCg(maxCgIterations: 0)).ParamName);
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

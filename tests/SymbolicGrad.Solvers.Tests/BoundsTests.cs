using MathNet.Numerics.LinearAlgebra;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Solvers.Tests;

/// <summary>L-BFGS-B on problems whose constrained minimizers and active sets are known independently.</summary>
public class BoundsTests
{
    [Fact]
    public void ASeparableQuadraticEndsAtTheClampedCentre()
    {
        // f = Σ wᵢ(xᵢ − cᵢ)²: the minimizer in the box is clamp(c, l, u), whatever the weights.
        const int n = 20;
        var random = new Random(11);
        var c = Enumerable.Range(0, n).Select(_ => (4 * random.NextDouble()) - 2).ToArray();
        var w = Enumerable.Range(0, n).Select(_ => Math.Pow(10, (4 * random.NextDouble()) - 2)).ToArray();
        var lower = Enumerable.Range(0, n).Select(_ => -2 + (1.5 * random.NextDouble())).ToArray();
        var upper = lower.Select(l => l + 1 + (2 * random.NextDouble())).ToArray();
        var f = new DifferentiableFunction(
            n,
            x =>
            {
                double value = 0;
                for (int i = 0; i < n; i++)
                {
                    value += w[i] * (x[i] - c[i]) * (x[i] - c[i]);
                }

                return value;
            },
            (x, g) =>
            {
                double value = 0;
                for (int i = 0; i < n; i++)
                {
                    g[i] = 2 * w[i] * (x[i] - c[i]);
                    value += w[i] * (x[i] - c[i]) * (x[i] - c[i]);
                }

                return value;
            });
        var bounds = new Bounds(lower, upper);
        var start = Enumerable.Range(0, n).Select(i => 0.5 * (lower[i] + upper[i])).ToArray();
        // ftol off: with weights from 0.01 to 100, f stops changing (relatively) long before the light variables settle.
        // (The run then ends when f no longer changes in floating point, with a projected gradient near 1e-10.)
        var result = f.Minimize(start, new MinimizeOptions { Bounds = bounds, FunctionTolerance = 0, GradientTolerance = 1e-10 });
        Assert.True(result.Success, result.ToString());
        Assert.True(result.GradientNorm < 1e-9, result.ToString());
        Assert.StartsWith("L-BFGS-B", result.Method);
        int active = 0;
        for (int i = 0; i < n; i++)
        {
            double expected = Math.Clamp(c[i], lower[i], upper[i]);
            Assert.Equal(expected, result.X[i], 1e-7);
            active += expected != c[i] ? 1 : 0;
        }

        Assert.InRange(active, 3, n - 3); // the test exercises both active and free variables
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ACoupledQuadraticMatchesTheKktEnumeration(int seed)
    {
        // ½xᵀAx − bᵀx on a box, n = 6: the oracle tries every assignment of each variable to its lower bound, its upper
        // bound or free (3⁶ = 729), solves the free system with MathNet and keeps the one that satisfies the KKT conditions.
        const int n = 6;
        var a = Problems.SymmetricPositiveDefinite(n, 0.1, 100, seed);
        var random = new Random(100 + seed);
        var b = Vector<double>.Build.Dense(n, _ => (20 * random.NextDouble()) - 10);
        var lower = Enumerable.Range(0, n).Select(_ => -random.NextDouble()).ToArray();
        var upper = Enumerable.Range(0, n).Select(_ => random.NextDouble()).ToArray();
        var expected = KktSolution(a, b, lower, upper);

        var seen = new List<double[]>();
        var result = Problems.Quadratic(a, b).Minimize(new double[n], new MinimizeOptions
        {
            Bounds = new Bounds(lower, upper),
            GradientTolerance = 1e-10,
            Callback = p =>
            {
                seen.Add(p.X.ToArray());
                return true;
            },
        });
        Assert.True(result.Success, result.ToString());
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(expected[i], result.X[i], 1e-7);
        }

        // Every iterate is feasible.
        Assert.All(seen, x => Assert.All(Enumerable.Range(0, n), i => Assert.InRange(x[i], lower[i], upper[i])));
        // The projected gradient is what converged; the gradient itself is not small at an active bound.
        var g = new double[n];
        Problems.Quadratic(a, b).ValueAndGradient(result.X, g);
        Assert.True(result.GradientNorm <= 1e-10 || result.Status == MinimizeStatus.FunctionTolerance, result.ToString());
        Assert.Contains(g, gi => Math.Abs(gi) > 1e-3);
    }

    [Fact]
    public void RosenbrockWithAnUpperBoundStopsOnIt()
    {
        // With x₁ ≤ 0.5 the minimizer is (0.5, 0.25), f = 0.25: ∂f/∂x₁ = −1 there pushes against the bound.
        var result = Problems.Rosenbrock(2, false).Minimize([-1.2, 1.0], new MinimizeOptions
        {
            Bounds = new Bounds([double.NegativeInfinity, double.NegativeInfinity], [0.5, double.PositiveInfinity]),
        });
        Assert.True(result.Success, result.ToString());
        Assert.Equal(0.5, result.X[0], 1e-12);
        Assert.Equal(0.25, result.X[1], 1e-8);
        Assert.Equal(0.25, result.Value, 1e-12);
    }

    [Fact]
    public void NonNegativityIsActiveEverywhere()
    {
        // Σ (xᵢ + 1)² with x ≥ 0: the minimizer is 0, every bound active, gradient 2 everywhere.
        var f = new DifferentiableFunction(
            5,
            x => x.ToArray().Sum(v => (v + 1) * (v + 1)),
            (x, g) =>
            {
                double s = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    g[i] = 2 * (x[i] + 1);
                    s += (x[i] + 1) * (x[i] + 1);
                }

                return s;
            });
        var result = f.Minimize([3.0, 1, 4, 1, 5], new MinimizeOptions { Bounds = Bounds.NonNegative(5) });
        Assert.True(result.Success, result.ToString());
        Assert.All(result.X, v => Assert.Equal(0.0, v));
        Assert.Equal(MinimizeStatus.GradientTolerance, result.Status);
        Assert.Equal(0.0, result.GradientNorm);
    }

    [Fact]
    public void AStartOutsideTheBoxIsMovedInWithANote()
    {
        var result = Problems.Rosenbrock(2, false).Minimize([5.0, -3.0], new MinimizeOptions { Bounds = Bounds.Uniform(2, -2, 2) });
        Assert.True(result.Success, result.ToString());
        Assert.Equal(2, result.Notes.Count);
        Assert.Contains("x0[0] = 5 was outside [-2, 2] and was moved to 2", result.Notes[0]);
        Assert.Contains("x0[1] = -3 was outside [-2, 2] and was moved to -2", result.Notes[1]);
        Assert.Contains("note: x0[0]", result.ToString());
        Assert.Equal(1.0, result.X[0], 1e-7);
    }

    [Fact]
    public void LbfgsBWithoutBoundsIsLbfgs()
    {
        var plain = Problems.Rosenbrock(2, false).Minimize([-1.2, 1.0]);
        var boxed = Problems.Rosenbrock(2, false).Minimize([-1.2, 1.0], new MinimizeOptions { Method = MinimizeMethod.LbfgsB });
        Assert.True(plain.Success && boxed.Success);
        Assert.Equal(plain.X[0], boxed.X[0], 1e-8);
        Assert.StartsWith("L-BFGS (", plain.Method);
        Assert.StartsWith("L-BFGS-B", boxed.Method);
    }

    private static double[] KktSolution(Matrix<double> a, Vector<double> b, double[] lower, double[] upper)
    {
        int n = b.Count;
        double[]? found = null;
        for (int code = 0; code < (int)Math.Pow(3, n); code++)
        {
            var state = new int[n]; // 0 free, 1 lower, 2 upper
            for (int i = 0, c = code; i < n; i++, c /= 3)
            {
                state[i] = c % 3;
            }

            var x = new double[n];
            var free = Enumerable.Range(0, n).Where(i => state[i] == 0).ToArray();
            for (int i = 0; i < n; i++)
            {
                x[i] = state[i] == 1 ? lower[i] : state[i] == 2 ? upper[i] : 0;
            }

            if (free.Length > 0)
            {
                // A_FF x_F = b_F − A_FB x_B
                var aff = Matrix<double>.Build.Dense(free.Length, free.Length, (r, c) => a[free[r], free[c]]);
                var rhs = Vector<double>.Build.Dense(free.Length, r => b[free[r]] - Enumerable.Range(0, n).Where(j => state[j] != 0).Sum(j => a[free[r], j] * x[j]));
                var xf = aff.Solve(rhs);
                for (int r = 0; r < free.Length; r++)
                {
                    x[free[r]] = xf[r];
                }
            }

            var g = (a * Vector<double>.Build.DenseOfArray(x)) - b;
            bool ok = true;
            for (int i = 0; i < n && ok; i++)
            {
                ok = state[i] switch
                {
                    0 => x[i] >= lower[i] - 1e-12 && x[i] <= upper[i] + 1e-12,
                    1 => g[i] >= -1e-12,  // at the lower bound the gradient points inward (f grows as xᵢ grows)
                    _ => g[i] <= 1e-12,
                };
            }

            if (ok)
            {
                Assert.Null(found); // strictly convex: exactly one KKT point
                found = x;
            }
        }

        return found ?? throw new InvalidOperationException("no KKT point");
    }
}

using MathNet.Numerics.LinearAlgebra;

namespace SymbolicGrad.Solvers.Tests;

/// <summary>Closed-form test functions with hand-written gradients and Hessian-vector products.</summary>
internal static class Problems
{
    /// <summary>The chained Rosenbrock function Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², with its exact Hessian-vector product.</summary>
    public static DifferentiableFunction Rosenbrock(int n, bool withHessian) => new(
        n,
        x =>
        {
            double f = 0;
            for (int i = 0; i + 1 < x.Length; i++)
            {
                f += (100 * Math.Pow(x[i + 1] - (x[i] * x[i]), 2)) + Math.Pow(1 - x[i], 2);
            }

            return f;
        },
        (x, g) =>
        {
            g.Clear();
            double f = 0;
            for (int i = 0; i + 1 < x.Length; i++)
            {
                double a = x[i + 1] - (x[i] * x[i]);
                double b = 1 - x[i];
                f += (100 * a * a) + (b * b);
                g[i] += (-400 * x[i] * a) - (2 * b);
                g[i + 1] += 200 * a;
            }

            return f;
        },
        $"rosenbrock{n}",
        hessianVectorProduct: withHessian
            ? (x, v, h) =>
            {
                // ∂²/∂xᵢ² += 1200xᵢ² − 400xᵢ₊₁ + 2, ∂²/∂xᵢ₊₁² += 200, ∂²/∂xᵢ∂xᵢ₊₁ = −400xᵢ.
                h.Clear();
                for (int i = 0; i + 1 < x.Length; i++)
                {
                    double hii = (1200 * x[i] * x[i]) - (400 * x[i + 1]) + 2;
                    double hij = -400 * x[i];
                    h[i] += (hii * v[i]) + (hij * v[i + 1]);
                    h[i + 1] += (hij * v[i]) + (200 * v[i + 1]);
                }
            }
        : null);

    /// <summary>½xᵀAx − bᵀx with the product A·v as its Hessian-vector product.</summary>
    public static DifferentiableFunction Quadratic(Matrix<double> a, Vector<double> b, bool withHessian = true) => new(
        b.Count,
        x => Value(a, b, x),
        (x, g) =>
        {
            var ax = a * Vector<double>.Build.DenseOfArray(x.ToArray());
            for (int i = 0; i < g.Length; i++)
            {
                g[i] = ax[i] - b[i];
            }

            return Value(a, b, x);
        },
        "quadratic",
        hessianVectorProduct: withHessian
            ? (x, v, h) =>
            {
                var av = a * Vector<double>.Build.DenseOfArray(v.ToArray());
                av.AsArray().CopyTo(h);
            }
        : null);

    /// <summary>A random symmetric positive definite matrix QᵀDQ with eigenvalues from <paramref name="smallest"/> to <paramref name="largest"/>.</summary>
    public static Matrix<double> SymmetricPositiveDefinite(int n, double smallest, double largest, int seed)
    {
        var random = new Random(seed);
        var m = Matrix<double>.Build.Dense(n, n, (_, _) => (2 * random.NextDouble()) - 1);
        var q = m.QR().Q;
        var d = Matrix<double>.Build.DenseDiagonal(n, n, i => smallest * Math.Pow(largest / smallest, i / (double)(n - 1)));
        var a = q.Transpose() * d * q;
        return 0.5 * (a + a.Transpose());
    }

    private static double Value(Matrix<double> a, Vector<double> b, ReadOnlySpan<double> x)
    {
        var v = Vector<double>.Build.DenseOfArray(x.ToArray());
        return (0.5 * v.DotProduct(a * v)) - b.DotProduct(v);
    }
}

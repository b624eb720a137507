namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>(30) Broyden tridiagonal: fᵢ = (3 − 2xᵢ)xᵢ − xᵢ₋₁ − 2xᵢ₊₁ + 1, x₀ = xₙ₊₁ = 0, m = n; x₀ = (−1, …, −1); f* = 0.</summary>
    public static MghProblem BroydenTridiagonal(int n = 10) => new(
        30, "Broyden tridiagonal", n, n, Enumerable.Repeat(-1.0, n).ToArray(), new MghMinimum(0, "not given"),
        (x, r) =>
        {
            int nn = x.Length;
            for (int i = 0; i < nn; i++)
            {
                double left = i > 0 ? x[i - 1] : 0;
                double right = i < nn - 1 ? x[i + 1] : 0;
                r[i] = ((3 - (2 * x[i])) * x[i]) - left - (2 * right) + 1;
            }
        },
        (x, jac) =>
        {
            int nn = x.Length;
            for (int i = 0; i < nn; i++)
            {
                jac[(i * nn) + i] = 3 - (4 * x[i]);
                if (i > 0)
                {
                    jac[(i * nn) + i - 1] = -1;
                }

                if (i < nn - 1)
                {
                    jac[(i * nn) + i + 1] = -2;
                }
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 0; i < x.Length; i++)
            {
                h[i] -= 4 * w[i] * v[i];
            }
        },
        MghObjectives.BroydenTridiagonalObjective,
        MghResiduals.BroydenTridiagonal,
        "n = 10 (the paper leaves n free)");
}

public static partial class MghObjectives
{
    /// <summary>(30) Broyden tridiagonal, any n.</summary>
    [Differentiable(Hessian = true)]
    public static double BroydenTridiagonal(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double f = 0;
        for (int i = 0; i < n; i++)
        {
            double left = i > 0 ? x[i - 1] : 0;
            double right = i < n - 1 ? x[i + 1] : 0;
            double fi = (3 - 2 * x[i]) * x[i] - left - 2 * right + 1;
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(30) Broyden tridiagonal, any n.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void BroydenTridiagonal(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        for (int i = 0; i < n; i++)
        {
            double left = i > 0 ? x[i - 1] : 0;
            double right = i < n - 1 ? x[i + 1] : 0;
            r[i] = (3 - 2 * x[i]) * x[i] - left - 2 * right + 1;
        }
    }
}

namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (31) Broyden banded: fᵢ = xᵢ(2 + 5xᵢ²) + 1 − Σ_{j∈Jᵢ} xⱼ(1 + xⱼ), Jᵢ = {j ≠ i : max(1, i − 5) ≤ j ≤ min(n, i + 1)}, m = n;
    /// x₀ = (−1, …, −1); f* = 0.
    /// </summary>
    public static MghProblem BroydenBanded(int n = 10) => new(
        31, "Broyden banded", n, n, Enumerable.Repeat(-1.0, n).ToArray(), new MghMinimum(0, "not given"),
        (x, r) =>
        {
            int nn = x.Length;
            for (int i = 0; i < nn; i++)
            {
                double s = 0;
                for (int j = Math.Max(0, i - 5); j <= Math.Min(nn - 1, i + 1); j++)
                {
                    if (j != i)
                    {
                        s += x[j] * (1 + x[j]);
                    }
                }

                r[i] = (x[i] * (2 + (5 * x[i] * x[i]))) + 1 - s;
            }
        },
        (x, jac) =>
        {
            int nn = x.Length;
            for (int i = 0; i < nn; i++)
            {
                for (int j = Math.Max(0, i - 5); j <= Math.Min(nn - 1, i + 1); j++)
                {
                    jac[(i * nn) + j] = j == i ? 2 + (15 * x[i] * x[i]) : -(1 + (2 * x[j]));
                }
            }
        },
        (x, w, v, h) =>
        {
            int nn = x.Length;
            for (int i = 0; i < nn; i++)
            {
                for (int j = Math.Max(0, i - 5); j <= Math.Min(nn - 1, i + 1); j++)
                {
                    h[j] += w[i] * (j == i ? 30 * x[i] : -2) * v[j];
                }
            }
        },
        MghObjectives.BroydenBandedObjective,
        MghResiduals.BroydenBanded,
        "n = 10 (the paper leaves n free)");
}

public static partial class MghObjectives
{
    /// <summary>(31) Broyden banded, any n.</summary>
    [Differentiable(Hessian = true)]
    public static double BroydenBanded(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double f = 0;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = Math.Max(0, i - 5); j <= Math.Min(n - 1, i + 1); j++)
            {
                if (j != i)
                {
                    s += x[j] * (1 + x[j]);
                }
            }

            double fi = x[i] * (2 + 5 * x[i] * x[i]) + 1 - s;
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(31) Broyden banded, any n.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void BroydenBanded(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = Math.Max(0, i - 5); j <= Math.Min(n - 1, i + 1); j++)
            {
                if (j != i)
                {
                    s += x[j] * (1 + x[j]);
                }
            }

            r[i] = x[i] * (2 + 5 * x[i] * x[i]) + 1 - s;
        }
    }
}

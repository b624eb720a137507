namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (28) Discrete boundary value: fᵢ = 2xᵢ − xᵢ₋₁ − xᵢ₊₁ + h²(xᵢ + tᵢ + 1)³/2, h = 1/(n + 1), tᵢ = ih, x₀ = xₙ₊₁ = 0, m = n;
    /// x₀ = (tⱼ(tⱼ − 1)); f* = 0.
    /// </summary>
    public static MghProblem DiscreteBoundaryValue(int n = 10) => new(
        28, "Discrete boundary value", n, n, Enumerable.Range(1, n).Select(j => j / (n + 1.0) * ((j / (n + 1.0)) - 1)).ToArray(), new MghMinimum(0, "not given"),
        (x, r) =>
        {
            int nn = x.Length;
            double h = 1.0 / (nn + 1);
            for (int i = 1; i <= nn; i++)
            {
                double left = i > 1 ? x[i - 2] : 0;
                double right = i < nn ? x[i] : 0;
                double c = x[i - 1] + (i * h) + 1;
                r[i - 1] = (2 * x[i - 1]) - left - right + (h * h * c * c * c / 2);
            }
        },
        (x, jac) =>
        {
            int nn = x.Length;
            double h = 1.0 / (nn + 1);
            for (int i = 1; i <= nn; i++)
            {
                double c = x[i - 1] + (i * h) + 1;
                jac[((i - 1) * nn) + i - 1] = 2 + (1.5 * h * h * c * c);
                if (i > 1)
                {
                    jac[((i - 1) * nn) + i - 2] = -1;
                }

                if (i < nn)
                {
                    jac[((i - 1) * nn) + i] = -1;
                }
            }
        },
        (x, w, v, hv) =>
        {
            int nn = x.Length;
            double h = 1.0 / (nn + 1);
            for (int i = 1; i <= nn; i++)
            {
                double c = x[i - 1] + (i * h) + 1;
                hv[i - 1] += w[i - 1] * 3 * h * h * c * v[i - 1];
            }
        },
        MghObjectives.DiscreteBoundaryValueObjective,
        MghResiduals.DiscreteBoundaryValue,
        "n = 10 (the paper leaves n free)");
}

public static partial class MghObjectives
{
    /// <summary>(28) Discrete boundary value, any n.</summary>
    [Differentiable(Hessian = true)]
    public static double DiscreteBoundaryValue(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double h = 1.0 / (n + 1);
        double f = 0;
        for (int i = 1; i <= n; i++)
        {
            double left = i > 1 ? x[i - 2] : 0;
            double right = i < n ? x[i] : 0;
            double fi = 2 * x[i - 1] - left - right + h * h * Math.Pow(x[i - 1] + i * h + 1, 3) / 2;
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(28) Discrete boundary value, any n.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void DiscreteBoundaryValue(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        double h = 1.0 / (n + 1);
        for (int i = 1; i <= n; i++)
        {
            double left = i > 1 ? x[i - 2] : 0;
            double right = i < n ? x[i] : 0;
            r[i - 1] = 2 * x[i - 1] - left - right + h * h * Math.Pow(x[i - 1] + i * h + 1, 3) / 2;
        }
    }
}

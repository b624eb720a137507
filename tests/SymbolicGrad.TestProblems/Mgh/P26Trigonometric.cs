namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>(26) Trigonometric: fᵢ = n − Σ cos xⱼ + i(1 − cos xᵢ) − sin xᵢ, m = n; x₀ = (1/n, …, 1/n); f* = 0.</summary>
    public static MghProblem Trigonometric(int n = 10) => new(
        26, "Trigonometric", n, n, Enumerable.Repeat(1.0 / n, n).ToArray(), new MghMinimum(0, "not given"),
        (x, r) =>
        {
            int nn = x.Length;
            double s = 0;
            for (int j = 0; j < nn; j++)
            {
                s += Math.Cos(x[j]);
            }

            for (int i = 1; i <= nn; i++)
            {
                r[i - 1] = nn - s + (i * (1 - Math.Cos(x[i - 1]))) - Math.Sin(x[i - 1]);
            }
        },
        (x, jac) =>
        {
            int nn = x.Length;
            for (int i = 1; i <= nn; i++)
            {
                for (int j = 0; j < nn; j++)
                {
                    jac[((i - 1) * nn) + j] = Math.Sin(x[j]);
                }

                jac[((i - 1) * nn) + i - 1] += (i * Math.Sin(x[i - 1])) - Math.Cos(x[i - 1]);
            }
        },
        (x, w, v, h) =>
        {
            int nn = x.Length;
            double wSum = 0;
            for (int i = 0; i < nn; i++)
            {
                wSum += w[i];
            }

            for (int j = 0; j < nn; j++)
            {
                // ∂²fᵢ/∂xⱼ² = cos xⱼ + [i = j](i cos xᵢ + sin xᵢ); no cross terms.
                h[j] += ((wSum * Math.Cos(x[j])) + (w[j] * (((j + 1) * Math.Cos(x[j])) + Math.Sin(x[j])))) * v[j];
            }
        },
        MghObjectives.TrigonometricObjective,
        MghResiduals.Trigonometric,
        "n = 10 (the paper leaves n free)");
}

public static partial class MghObjectives
{
    /// <summary>(26) Trigonometric, any n.</summary>
    [Differentiable(Hessian = true)]
    public static double Trigonometric(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double sumCos = 0;
        for (int j = 0; j < n; j++)
        {
            sumCos += Math.Cos(x[j]);
        }

        double f = 0;
        for (int i = 1; i <= n; i++)
        {
            double fi = n - sumCos + i * (1 - Math.Cos(x[i - 1])) - Math.Sin(x[i - 1]);
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(26) Trigonometric, any n.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Trigonometric(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        double sumCos = 0;
        for (int j = 0; j < n; j++)
        {
            sumCos += Math.Cos(x[j]);
        }

        for (int i = 1; i <= n; i++)
        {
            r[i - 1] = n - sumCos + i * (1 - Math.Cos(x[i - 1])) - Math.Sin(x[i - 1]);
        }
    }
}

namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (33) Linear function, rank 1: fᵢ = i(Σ j·xⱼ) − 1; x₀ = (1, …, 1); f* = m(m − 1)/(2(2m + 1)) wherever Σ j·xⱼ = 3/(2m + 1).
    /// </summary>
    public static MghProblem LinearRank1(int n = 5, int m = 10) => new(
        33, "Linear function – rank 1", n, m, Enumerable.Repeat(1.0, n).ToArray(),
        new MghMinimum(m * (m - 1) / (2.0 * ((2 * m) + 1)), "anywhere Σ j·xⱼ = 3/(2m + 1)"),
        (x, r) =>
        {
            double s = 0;
            for (int j = 1; j <= x.Length; j++)
            {
                s += j * x[j - 1];
            }

            for (int i = 1; i <= r.Length; i++)
            {
                r[i - 1] = (i * s) - 1;
            }
        },
        (x, jac) =>
        {
            int nn = x.Length, mm = jac.Length / nn;
            for (int i = 1; i <= mm; i++)
            {
                for (int j = 1; j <= nn; j++)
                {
                    jac[((i - 1) * nn) + j - 1] = i * j;
                }
            }
        },
        (x, w, v, h) => { },
        xLength => MghObjectives.LinearRank1Objective(xLength, m),
        MghResiduals.LinearRank1,
        "n = 5, m = 10, as MINPACK's test driver (the paper leaves n ≤ m free)");
}

public static partial class MghObjectives
{
    /// <summary>(33) Linear function – rank 1.</summary>
    [Differentiable(Hessian = true)]
    public static double LinearRank1(ReadOnlySpan<double> x, int m)
    {
        double s = 0;
        for (int j = 1; j <= x.Length; j++)
        {
            s += j * x[j - 1];
        }

        double f = 0;
        for (int i = 1; i <= m; i++)
        {
            f += Math.Pow(i * s - 1, 2);
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(33) Linear function – rank 1, m = r.Length.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void LinearRank1(ReadOnlySpan<double> x, Span<double> r)
    {
        double s = 0;
        for (int j = 1; j <= x.Length; j++)
        {
            s += j * x[j - 1];
        }

        for (int i = 1; i <= r.Length; i++)
        {
            r[i - 1] = i * s - 1;
        }
    }
}

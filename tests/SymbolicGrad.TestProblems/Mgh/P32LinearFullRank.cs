namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (32) Linear function, full rank: fᵢ = xᵢ − (2/m)Σ xⱼ − 1, 1 ≤ i ≤ n; fᵢ = −(2/m)Σ xⱼ − 1, n &lt; i ≤ m;
    /// x₀ = (1, …, 1); f* = m − n at (−1, …, −1).
    /// </summary>
    public static MghProblem LinearFullRank(int n = 5, int m = 10) => new(
        32, "Linear function – full rank", n, m, Enumerable.Repeat(1.0, n).ToArray(), new MghMinimum(m - n, "(−1, …, −1)"),
        (x, r) =>
        {
            double s = 0;
            foreach (double xj in x)
            {
                s += xj;
            }

            for (int i = 0; i < r.Length; i++)
            {
                r[i] = (i < x.Length ? x[i] : 0) - (2.0 / r.Length * s) - 1;
            }
        },
        (x, jac) =>
        {
            int nn = x.Length, mm = jac.Length / nn;
            for (int i = 0; i < mm; i++)
            {
                for (int j = 0; j < nn; j++)
                {
                    jac[(i * nn) + j] = (i == j ? 1 : 0) - (2.0 / mm);
                }
            }
        },
        (x, w, v, h) => { },
        xLength => MghObjectives.LinearFullRankObjective(xLength, m),
        MghResiduals.LinearFullRank,
        "n = 5, m = 10, as MINPACK's test driver (the paper leaves n ≤ m free)");
}

public static partial class MghObjectives
{
    /// <summary>(32) Linear function – full rank, any n ≤ m.</summary>
    [Differentiable(Hessian = true)]
    public static double LinearFullRank(ReadOnlySpan<double> x, int m)
    {
        int n = x.Length;
        double sum = 0;
        for (int j = 0; j < n; j++)
        {
            sum += x[j];
        }

        double f = 0;
        for (int i = 0; i < m; i++)
        {
            double fi = -2.0 / m * sum - 1;
            if (i < n)
            {
                fi += x[i];
            }

            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(32) Linear function – full rank, m = r.Length.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void LinearFullRank(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        int m = r.Length;
        double sum = 0;
        for (int j = 0; j < n; j++)
        {
            sum += x[j];
        }

        for (int i = 0; i < m; i++)
        {
            r[i] = -2.0 / m * sum - 1;
            if (i < n)
            {
                r[i] += x[i];
            }
        }
    }
}

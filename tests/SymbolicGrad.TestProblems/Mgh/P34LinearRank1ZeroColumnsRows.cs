namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (34) Linear function, rank 1 with zero columns and rows: f₁ = −1, fᵢ = (i − 1)(Σ_{j=2}^{n−1} j·xⱼ) − 1 for 2 ≤ i ≤ m − 1,
    /// fₘ = −1; x₀ = (1, …, 1); f* = (m² + 3m − 6)/(2(2m − 3)).
    /// </summary>
    public static MghProblem LinearRank1ZeroColumnsRows(int n = 5, int m = 10) => new(
        34, "Linear function – rank 1 with zero columns and rows", n, m, Enumerable.Repeat(1.0, n).ToArray(),
        new MghMinimum(((m * m) + (3 * m) - 6) / (2.0 * ((2 * m) - 3)), "anywhere Σ_{j=2}^{n−1} j·xⱼ = 3/(2m − 3)"),
        (x, r) =>
        {
            double s = 0;
            for (int j = 2; j <= x.Length - 1; j++)
            {
                s += j * x[j - 1];
            }

            int mm = r.Length;
            r[0] = -1;
            for (int i = 2; i <= mm - 1; i++)
            {
                r[i - 1] = ((i - 1) * s) - 1;
            }

            r[mm - 1] = -1;
        },
        (x, jac) =>
        {
            int nn = x.Length, mm = jac.Length / nn;
            for (int i = 2; i <= mm - 1; i++)
            {
                for (int j = 2; j <= nn - 1; j++)
                {
                    jac[((i - 1) * nn) + j - 1] = (i - 1) * j;
                }
            }
        },
        (x, w, v, h) => { },
        xLength => MghObjectives.LinearRank1ZeroColumnsRowsObjective(xLength, m),
        MghResiduals.LinearRank1ZeroColumnsRows,
        "n = 5, m = 10, as MINPACK's test driver (the paper leaves n ≤ m free)");
}

public static partial class MghObjectives
{
    /// <summary>(34) Linear function – rank 1 with zero columns and rows.</summary>
    [Differentiable(Hessian = true)]
    public static double LinearRank1ZeroColumnsRows(ReadOnlySpan<double> x, int m)
    {
        int n = x.Length;
        double s = 0;
        for (int j = 2; j <= n - 1; j++)
        {
            s += j * x[j - 1];
        }

        double f = 2; // f₁² + fₘ² = (−1)² + (−1)²
        for (int i = 2; i <= m - 1; i++)
        {
            f += Math.Pow((i - 1) * s - 1, 2);
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(34) Linear function – rank 1 with zero columns and rows, m = r.Length.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void LinearRank1ZeroColumnsRows(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        int m = r.Length;
        double s = 0;
        for (int j = 2; j <= n - 1; j++)
        {
            s += j * x[j - 1];
        }

        r[0] = -1;
        for (int i = 2; i <= m - 1; i++)
        {
            r[i - 1] = (i - 1) * s - 1;
        }

        r[m - 1] = -1;
    }
}

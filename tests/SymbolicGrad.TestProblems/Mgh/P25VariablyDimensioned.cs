namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (25) Variably dimensioned: fᵢ = xᵢ − 1, 1 ≤ i ≤ n; fₙ₊₁ = Σ j(xⱼ − 1); fₙ₊₂ = (Σ j(xⱼ − 1))²; m = n + 2;
    /// x₀ = (1 − j/n); f* = 0 at (1, …, 1).
    /// </summary>
    public static MghProblem VariablyDimensioned(int n = 10) => new(
        25, "Variably dimensioned", n, n + 2, Enumerable.Range(1, n).Select(j => 1 - (j / (double)n)).ToArray(), new MghMinimum(0, "(1, …, 1)"),
        (x, r) =>
        {
            int nn = x.Length;
            double s = 0;
            for (int j = 1; j <= nn; j++)
            {
                r[j - 1] = x[j - 1] - 1;
                s += j * (x[j - 1] - 1);
            }

            r[nn] = s;
            r[nn + 1] = s * s;
        },
        (x, jac) =>
        {
            int nn = x.Length;
            double s = 0;
            for (int j = 1; j <= nn; j++)
            {
                s += j * (x[j - 1] - 1);
            }

            for (int j = 1; j <= nn; j++)
            {
                jac[((j - 1) * nn) + j - 1] = 1;
                jac[(nn * nn) + j - 1] = j;
                jac[((nn + 1) * nn) + j - 1] = 2 * s * j;
            }
        },
        (x, w, v, h) =>
        {
            // ∇²fₙ₊₂ = 2ccᵀ with c = (1, 2, …, n).
            int nn = x.Length;
            double cv = 0;
            for (int j = 1; j <= nn; j++)
            {
                cv += j * v[j - 1];
            }

            for (int j = 1; j <= nn; j++)
            {
                h[j - 1] += 2 * w[nn + 1] * j * cv;
            }
        },
        MghObjectives.VariablyDimensionedObjective,
        MghResiduals.VariablyDimensioned,
        "n = 10 (the paper leaves n free)");
}

public static partial class MghObjectives
{
    /// <summary>(25) Variably dimensioned, any n.</summary>
    [Differentiable(Hessian = true)]
    public static double VariablyDimensioned(ReadOnlySpan<double> x)
    {
        double f = 0;
        double s = 0;
        for (int j = 1; j <= x.Length; j++)
        {
            f += Math.Pow(x[j - 1] - 1, 2);
            s += j * (x[j - 1] - 1);
        }

        return f + s * s + Math.Pow(s, 4);
    }
}

public static partial class MghResiduals
{
    /// <summary>(25) Variably dimensioned, any n (m = n + 2).</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void VariablyDimensioned(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        double s = 0;
        for (int j = 1; j <= n; j++)
        {
            r[j - 1] = x[j - 1] - 1;
            s += j * (x[j - 1] - 1);
        }

        r[n] = s;
        r[n + 1] = s * s;
    }
}

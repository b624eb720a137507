namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (23) Penalty I: fᵢ = √a(xᵢ − 1), 1 ≤ i ≤ n, f_{n+1} = Σ xⱼ² − ¼, a = 10⁻⁵, m = n + 1; x₀ = (1, 2, …, n);
    /// f* = 2.24997e−5 (n = 4), 7.08765e−5 (n = 10).
    /// </summary>
    /// <param name="n">The size; the paper reports f* for 4 and 10.</param>
    public static MghProblem PenaltyI(int n = 10) => new(
        23, "Penalty I", n, n + 1, Enumerable.Range(1, n).Select(j => (double)j).ToArray(),
        new MghMinimum(n switch { 4 => 2.24997e-5, 10 => 7.08765e-5, _ => double.NaN }, "n = 10: all xⱼ ≈ 0.1581"),
        (x, r) =>
        {
            int nn = x.Length;
            double s = 0;
            for (int i = 0; i < nn; i++)
            {
                r[i] = Math.Sqrt(1e-5) * (x[i] - 1);
                s += x[i] * x[i];
            }

            r[nn] = s - 0.25;
        },
        (x, j) =>
        {
            int nn = x.Length;
            for (int i = 0; i < nn; i++)
            {
                j[(i * nn) + i] = Math.Sqrt(1e-5);
                j[(nn * nn) + i] = 2 * x[i];
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 0; i < x.Length; i++)
            {
                h[i] += 2 * w[x.Length] * v[i];
            }
        },
        MghObjectives.PenaltyIObjective,
        MghResiduals.PenaltyI,
        "n = 10, the larger size the paper gives f* for (4 is also available)");
}

public static partial class MghObjectives
{
    /// <summary>(23) Penalty I, any n.</summary>
    [Differentiable(Hessian = true)]
    public static double PenaltyI(ReadOnlySpan<double> x)
    {
        const double a = 1e-5;
        double f = 0;
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            f += a * Math.Pow(x[i] - 1, 2);
            s += x[i] * x[i];
        }

        return f + Math.Pow(s - 0.25, 2);
    }
}

public static partial class MghResiduals
{
    /// <summary>(23) Penalty I, any n (m = n + 1).</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void PenaltyI(ReadOnlySpan<double> x, Span<double> r)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            r[i] = Math.Sqrt(1e-5) * (x[i] - 1);
            s += x[i] * x[i];
        }

        r[x.Length] = s - 0.25;
    }
}

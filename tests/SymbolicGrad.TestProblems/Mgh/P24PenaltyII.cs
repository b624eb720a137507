namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (24) Penalty II: f₁ = x₁ − 0.2; fᵢ = √a(exp(xᵢ/10) + exp(xᵢ₋₁/10) − yᵢ), 2 ≤ i ≤ n;
    /// fᵢ = √a(exp(xᵢ₋ₙ₊₁/10) − exp(−1/10)), n &lt; i &lt; 2n; f₂ₙ = Σ (n − j + 1)xⱼ² − 1; a = 10⁻⁵,
    /// yᵢ = exp(i/10) + exp((i − 1)/10), m = 2n; x₀ = (½, …, ½); f* = 9.37629e−6 (n = 4), 2.93660e−4 (n = 10).
    /// </summary>
    /// <param name="n">The size; the paper reports f* for 4 and 10.</param>
    public static MghProblem PenaltyII(int n = 10) => new(
        24, "Penalty II", n, 2 * n, Enumerable.Repeat(0.5, n).ToArray(),
        new MghMinimum(n switch { 4 => 9.37629e-6, 10 => 2.93660e-4, _ => double.NaN }, "n = 10: (0.1999…, 0.2104…, …)"),
        (x, r) =>
        {
            int nn = x.Length;
            double sa = Math.Sqrt(1e-5);
            r[0] = x[0] - 0.2;
            for (int i = 2; i <= nn; i++)
            {
                double y = Math.Exp(i / 10.0) + Math.Exp((i - 1) / 10.0);
                r[i - 1] = sa * (Math.Exp(x[i - 1] / 10) + Math.Exp(x[i - 2] / 10) - y);
            }

            for (int i = nn + 1; i < 2 * nn; i++)
            {
                r[i - 1] = sa * (Math.Exp(x[i - nn] / 10) - Math.Exp(-0.1));
            }

            double s = 0;
            for (int j = 1; j <= nn; j++)
            {
                s += (nn - j + 1) * x[j - 1] * x[j - 1];
            }

            r[(2 * nn) - 1] = s - 1;
        },
        (x, jac) =>
        {
            int nn = x.Length;
            double sa = Math.Sqrt(1e-5);
            jac[0] = 1;
            for (int i = 2; i <= nn; i++)
            {
                jac[((i - 1) * nn) + i - 1] = sa * Math.Exp(x[i - 1] / 10) / 10;
                jac[((i - 1) * nn) + i - 2] = sa * Math.Exp(x[i - 2] / 10) / 10;
            }

            for (int i = nn + 1; i < 2 * nn; i++)
            {
                jac[((i - 1) * nn) + i - nn] = sa * Math.Exp(x[i - nn] / 10) / 10;
            }

            for (int j = 1; j <= nn; j++)
            {
                jac[(((2 * nn) - 1) * nn) + j - 1] = 2 * (nn - j + 1) * x[j - 1];
            }
        },
        (x, w, v, h) =>
        {
            int nn = x.Length;
            double sa = Math.Sqrt(1e-5);
            for (int i = 2; i <= nn; i++)
            {
                h[i - 1] += w[i - 1] * sa * Math.Exp(x[i - 1] / 10) / 100 * v[i - 1];
                h[i - 2] += w[i - 1] * sa * Math.Exp(x[i - 2] / 10) / 100 * v[i - 2];
            }

            for (int i = nn + 1; i < 2 * nn; i++)
            {
                h[i - nn] += w[i - 1] * sa * Math.Exp(x[i - nn] / 10) / 100 * v[i - nn];
            }

            for (int j = 1; j <= nn; j++)
            {
                h[j - 1] += w[(2 * nn) - 1] * 2 * (nn - j + 1) * v[j - 1];
            }
        },
        MghObjectives.PenaltyIIObjective,
        MghResiduals.PenaltyII,
        "n = 10, the larger size the paper gives f* for (4 is also available)");
}

public static partial class MghObjectives
{
    /// <summary>(24) Penalty II, any n.</summary>
    [Differentiable(Hessian = true)]
    public static double PenaltyII(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        const double a = 1e-5;
        double f = Math.Pow(x[0] - 0.2, 2);
        for (int i = 2; i <= n; i++)
        {
            double y = Math.Exp(i / 10.0) + Math.Exp((i - 1) / 10.0);
            f += a * Math.Pow(Math.Exp(x[i - 1] / 10) + Math.Exp(x[i - 2] / 10) - y, 2);
        }

        for (int i = n + 1; i < 2 * n; i++)
        {
            f += a * Math.Pow(Math.Exp(x[i - n] / 10) - Math.Exp(-0.1), 2);
        }

        double s = 0;
        for (int j = 1; j <= n; j++)
        {
            s += (n - j + 1) * x[j - 1] * x[j - 1];
        }

        return f + Math.Pow(s - 1, 2);
    }
}

public static partial class MghResiduals
{
    /// <summary>(24) Penalty II, any n (m = 2n).</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void PenaltyII(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        double sa = Math.Sqrt(1e-5);
        r[0] = x[0] - 0.2;
        for (int i = 2; i <= n; i++)
        {
            double y = Math.Exp(i / 10.0) + Math.Exp((i - 1) / 10.0);
            r[i - 1] = sa * (Math.Exp(x[i - 1] / 10) + Math.Exp(x[i - 2] / 10) - y);
        }

        for (int i = n + 1; i < 2 * n; i++)
        {
            r[i - 1] = sa * (Math.Exp(x[i - n] / 10) - Math.Exp(-0.1));
        }

        double s = 0;
        for (int j = 1; j <= n; j++)
        {
            s += (n - j + 1) * x[j - 1] * x[j - 1];
        }

        r[2 * n - 1] = s - 1;
    }
}

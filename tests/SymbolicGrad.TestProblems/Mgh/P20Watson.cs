namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (20) Watson: fᵢ = Σ_{j=2}^{n} (j − 1)xⱼtᵢ^{j−2} − (Σ_{j=1}^{n} xⱼtᵢ^{j−1})² − 1, tᵢ = i/29, 1 ≤ i ≤ 29;
    /// f₃₀ = x₁, f₃₁ = x₂ − x₁² − 1; m = 31; x₀ = 0; f* = 2.28767e−3 (n = 6), 1.39976e−6 (n = 9), 4.72238e−10 (n = 12).
    /// </summary>
    /// <param name="n">2 ≤ n ≤ 31; the paper reports f* for 6, 9 and 12.</param>
    public static MghProblem Watson(int n = 6) => new(
        20, "Watson", n, 31, new double[n],
        new MghMinimum(n switch { 6 => 2.28767e-3, 9 => 1.39976e-6, 12 => 4.72238e-10, _ => double.NaN }, "(n = 6: −0.0157…, 1.012…, −0.2330…, 1.260…, −1.513…, 0.9930…)"),
        (x, r) =>
        {
            int nn = x.Length;
            for (int i = 1; i <= 29; i++)
            {
                double t = i / 29.0;
                double s1 = 0, s2 = 0;
                for (int j = 2; j <= nn; j++)
                {
                    s1 += (j - 1) * x[j - 1] * Math.Pow(t, j - 2);
                }

                for (int j = 1; j <= nn; j++)
                {
                    s2 += x[j - 1] * Math.Pow(t, j - 1);
                }

                r[i - 1] = s1 - (s2 * s2) - 1;
            }

            r[29] = x[0];
            r[30] = x[1] - (x[0] * x[0]) - 1;
        },
        (x, jac) =>
        {
            int nn = x.Length;
            for (int i = 1; i <= 29; i++)
            {
                double t = i / 29.0;
                double s2 = 0;
                for (int j = 1; j <= nn; j++)
                {
                    s2 += x[j - 1] * Math.Pow(t, j - 1);
                }

                for (int j = 1; j <= nn; j++)
                {
                    double first = j >= 2 ? (j - 1) * Math.Pow(t, j - 2) : 0;
                    jac[((i - 1) * nn) + j - 1] = first - (2 * s2 * Math.Pow(t, j - 1));
                }
            }

            jac[29 * nn] = 1;
            jac[30 * nn] = -2 * x[0];
            jac[(30 * nn) + 1] = 1;
        },
        (x, w, v, h) =>
        {
            int nn = x.Length;
            for (int i = 1; i <= 29; i++)
            {
                // ∇²fᵢ = −2ppᵀ with p_j = tᵢ^{j−1}.
                double t = i / 29.0;
                double pv = 0;
                for (int j = 1; j <= nn; j++)
                {
                    pv += Math.Pow(t, j - 1) * v[j - 1];
                }

                for (int j = 1; j <= nn; j++)
                {
                    h[j - 1] -= 2 * w[i - 1] * Math.Pow(t, j - 1) * pv;
                }
            }

            h[0] -= 2 * w[30] * v[0];
        },
        MghObjectives.WatsonObjective,
        MghResiduals.Watson,
        "n = 6, the smallest size the paper gives f* for (9 and 12 are also available)");
}

public static partial class MghObjectives
{
    /// <summary>(20) Watson, any n.</summary>
    [Differentiable(Hessian = true)]
    public static double Watson(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double f = 0;
        for (int i = 1; i <= 29; i++)
        {
            double t = i / 29.0;
            double s1 = 0;
            for (int j = 2; j <= n; j++)
            {
                s1 += (j - 1) * x[j - 1] * Math.Pow(t, j - 2);
            }

            double s2 = 0;
            for (int j = 1; j <= n; j++)
            {
                s2 += x[j - 1] * Math.Pow(t, j - 1);
            }

            double fi = s1 - s2 * s2 - 1;
            f += fi * fi;
        }

        double f30 = x[0];
        double f31 = x[1] - x[0] * x[0] - 1;
        return f + f30 * f30 + f31 * f31;
    }
}

public static partial class MghResiduals
{
    /// <summary>(20) Watson, any n.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Watson(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        for (int i = 1; i <= 29; i++)
        {
            double t = i / 29.0;
            double s1 = 0;
            for (int j = 2; j <= n; j++)
            {
                s1 += (j - 1) * x[j - 1] * Math.Pow(t, j - 2);
            }

            double s2 = 0;
            for (int j = 1; j <= n; j++)
            {
                s2 += x[j - 1] * Math.Pow(t, j - 1);
            }

            r[i - 1] = s1 - s2 * s2 - 1;
        }

        r[29] = x[0];
        r[30] = x[1] - x[0] * x[0] - 1;
    }
}

namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (11) Gulf research and development: fᵢ = exp(−|yᵢ − x₂|^{x₃}/x₁) − tᵢ, tᵢ = i/100,
    /// yᵢ = 25 + (−50 ln tᵢ)^{2/3}, n ≤ m ≤ 100 (here m = 99); x₀ = (5, 2.5, 0.15); f* = 0 at (50, 25, 1.5).
    /// </summary>
    public static MghProblem Gulf() => new(
        11, "Gulf research and development", 3, 99, [5.0, 2.5, 0.15], new MghMinimum(0, "(50, 25, 1.5)"),
        (x, r) =>
        {
            for (int i = 1; i <= 99; i++)
            {
                double t = i / 100.0;
                double y = 25 + Math.Pow(-50 * Math.Log(t), 2.0 / 3.0);
                r[i - 1] = Math.Exp(-Math.Pow(Math.Abs(y - x[1]), x[2]) / x[0]) - t;
            }
        },
        (x, j) =>
        {
            for (int i = 1; i <= 99; i++)
            {
                var (e, q1, q2, q3, _, _, _, _, _, _) = GulfTerms(i, x);
                j[(i - 1) * 3] = -e * q1;
                j[((i - 1) * 3) + 1] = -e * q2;
                j[((i - 1) * 3) + 2] = -e * q3;
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 1; i <= 99; i++)
            {
                // e = exp(−q): ∇²e = e(∇q∇qᵀ − ∇²q).
                var (e, q1, q2, q3, q11, q12, q13, q22, q23, q33) = GulfTerms(i, x);
                double c = w[i - 1] * e;
                double qv = (q1 * v[0]) + (q2 * v[1]) + (q3 * v[2]);
                h[0] += c * ((q1 * qv) - ((q11 * v[0]) + (q12 * v[1]) + (q13 * v[2])));
                h[1] += c * ((q2 * qv) - ((q12 * v[0]) + (q22 * v[1]) + (q23 * v[2])));
                h[2] += c * ((q3 * qv) - ((q13 * v[0]) + (q23 * v[1]) + (q33 * v[2])));
            }
        },
        MghObjectives.GulfObjective,
        MghResiduals.Gulf,
        "m = 99: the paper allows n ≤ m ≤ 100; at m = 100 the last term is |0|^x₃ at the solution");

    /// <summary>q = |yᵢ − x₂|^{x₃}/x₁ and its first and second derivatives; e = exp(−q).</summary>
    private static (double E, double Q1, double Q2, double Q3, double Q11, double Q12, double Q13, double Q22, double Q23, double Q33) GulfTerms(int i, ReadOnlySpan<double> x)
    {
        double t = i / 100.0;
        double y = 25 + Math.Pow(-50 * Math.Log(t), 2.0 / 3.0);
        double a = Math.Abs(y - x[1]);
        double s = y - x[1] > 0 ? -1 : 1; // da/dx₂
        double la = Math.Log(a);
        double p = Math.Pow(a, x[2]);
        double p2 = x[2] * Math.Pow(a, x[2] - 1) * s;
        double p22 = x[2] * (x[2] - 1) * Math.Pow(a, x[2] - 2);
        double p3 = p * la;
        double p33 = p * la * la;
        double p23 = s * Math.Pow(a, x[2] - 1) * (1 + (x[2] * la));
        double x1 = x[0];
        double e = Math.Exp(-p / x1);
        return (e, -p / (x1 * x1), p2 / x1, p3 / x1, 2 * p / (x1 * x1 * x1), -p2 / (x1 * x1), -p3 / (x1 * x1), p22 / x1, p23 / x1, p33 / x1);
    }
}

public static partial class MghObjectives
{
    /// <summary>(11) Gulf research and development, m = 99.</summary>
    [Differentiable(Hessian = true)]
    public static double Gulf(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 1; i <= 99; i++)
        {
            double t = i / 100.0;
            double y = 25 + Math.Pow(-50 * Math.Log(t), 2.0 / 3.0);
            double fi = Math.Exp(-Math.Pow(Math.Abs(y - x[1]), x[2]) / x[0]) - t;
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(11) Gulf research and development, m = 99.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Gulf(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 99; i++)
        {
            double t = i / 100.0;
            double y = 25 + Math.Pow(-50 * Math.Log(t), 2.0 / 3.0);
            r[i - 1] = Math.Exp(-Math.Pow(Math.Abs(y - x[1]), x[2]) / x[0]) - t;
        }
    }
}

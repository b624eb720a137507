namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (29) Discrete integral equation: fᵢ = xᵢ + h[(1 − tᵢ)Σ_{j≤i} tⱼ(xⱼ + tⱼ + 1)³ + tᵢΣ_{j&gt;i} (1 − tⱼ)(xⱼ + tⱼ + 1)³]/2,
    /// h = 1/(n + 1), tᵢ = ih, m = n; x₀ = (tⱼ(tⱼ − 1)); f* = 0.
    /// </summary>
    public static MghProblem DiscreteIntegralEquation(int n = 10) => new(
        29, "Discrete integral equation", n, n, Enumerable.Range(1, n).Select(j => j / (n + 1.0) * ((j / (n + 1.0)) - 1)).ToArray(), new MghMinimum(0, "not given"),
        (x, r) =>
        {
            int nn = x.Length;
            double h = 1.0 / (nn + 1);
            for (int i = 1; i <= nn; i++)
            {
                double ti = i * h;
                double s = 0;
                for (int j = 1; j <= nn; j++)
                {
                    double tj = j * h;
                    double c = x[j - 1] + tj + 1;
                    s += (j <= i ? (1 - ti) * tj : ti * (1 - tj)) * c * c * c;
                }

                r[i - 1] = x[i - 1] + (h * s / 2);
            }
        },
        (x, jac) =>
        {
            int nn = x.Length;
            double h = 1.0 / (nn + 1);
            for (int i = 1; i <= nn; i++)
            {
                double ti = i * h;
                for (int j = 1; j <= nn; j++)
                {
                    double tj = j * h;
                    double c = x[j - 1] + tj + 1;
                    double weight = j <= i ? (1 - ti) * tj : ti * (1 - tj);
                    jac[((i - 1) * nn) + j - 1] = (i == j ? 1 : 0) + (1.5 * h * weight * c * c);
                }
            }
        },
        (x, w, v, hv) =>
        {
            int nn = x.Length;
            double h = 1.0 / (nn + 1);
            for (int i = 1; i <= nn; i++)
            {
                double ti = i * h;
                for (int j = 1; j <= nn; j++)
                {
                    double tj = j * h;
                    double c = x[j - 1] + tj + 1;
                    double weight = j <= i ? (1 - ti) * tj : ti * (1 - tj);
                    hv[j - 1] += w[i - 1] * 3 * h * weight * c * v[j - 1];
                }
            }
        },
        MghObjectives.DiscreteIntegralEquationObjective,
        MghResiduals.DiscreteIntegralEquation,
        "n = 10 (the paper leaves n free)");
}

public static partial class MghObjectives
{
    /// <summary>(29) Discrete integral equation, any n.</summary>
    [Differentiable(Hessian = true)]
    public static double DiscreteIntegralEquation(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double h = 1.0 / (n + 1);
        double f = 0;
        for (int i = 1; i <= n; i++)
        {
            double ti = i * h;
            double below = 0;
            for (int j = 1; j <= i; j++)
            {
                double tj = j * h;
                below += tj * Math.Pow(x[j - 1] + tj + 1, 3);
            }

            double above = 0;
            for (int j = i + 1; j <= n; j++)
            {
                double tj = j * h;
                above += (1 - tj) * Math.Pow(x[j - 1] + tj + 1, 3);
            }

            double fi = x[i - 1] + h * ((1 - ti) * below + ti * above) / 2;
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(29) Discrete integral equation, any n.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void DiscreteIntegralEquation(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        double h = 1.0 / (n + 1);
        for (int i = 1; i <= n; i++)
        {
            double ti = i * h;
            double below = 0;
            for (int j = 1; j <= i; j++)
            {
                double tj = j * h;
                below += tj * Math.Pow(x[j - 1] + tj + 1, 3);
            }

            double above = 0;
            for (int j = i + 1; j <= n; j++)
            {
                double tj = j * h;
                above += (1 - tj) * Math.Pow(x[j - 1] + tj + 1, 3);
            }

            r[i - 1] = x[i - 1] + h * ((1 - ti) * below + ti * above) / 2;
        }
    }
}

namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (27) Brown almost-linear: fᵢ = xᵢ + Σ xⱼ − (n + 1), 1 ≤ i &lt; n; fₙ = Π xⱼ − 1; m = n; x₀ = (½, …, ½);
    /// f* = 0 at (α, …, α, α^{1−n}) with nαⁿ − (n + 1)αⁿ⁻¹ + 1 = 0 (α = 1 among them), and f = 1 at (0, …, 0, n + 1).
    /// </summary>
    public static MghProblem BrownAlmostLinear(int n = 10) => new(
        27, "Brown almost-linear", n, n, Enumerable.Repeat(0.5, n).ToArray(), new MghMinimum(0, "(α, …, α, α^{1−n})"),
        (x, r) =>
        {
            int nn = x.Length;
            double s = 0, p = 1;
            for (int j = 0; j < nn; j++)
            {
                s += x[j];
                p *= x[j];
            }

            for (int i = 0; i < nn - 1; i++)
            {
                r[i] = x[i] + s - (nn + 1);
            }

            r[nn - 1] = p - 1;
        },
        (x, jac) =>
        {
            int nn = x.Length;
            for (int i = 0; i < nn - 1; i++)
            {
                for (int j = 0; j < nn; j++)
                {
                    jac[(i * nn) + j] = i == j ? 2 : 1;
                }
            }

            for (int j = 0; j < nn; j++)
            {
                // the product of the others, without dividing (xⱼ may be 0)
                double p = 1;
                for (int k = 0; k < nn; k++)
                {
                    p *= k == j ? 1 : x[k];
                }

                jac[((nn - 1) * nn) + j] = p;
            }
        },
        (x, w, v, h) =>
        {
            int nn = x.Length;
            for (int j = 0; j < nn; j++)
            {
                for (int k = 0; k < nn; k++)
                {
                    if (k == j)
                    {
                        continue;
                    }

                    double p = 1;
                    for (int l = 0; l < nn; l++)
                    {
                        p *= l == j || l == k ? 1 : x[l];
                    }

                    h[j] += w[nn - 1] * p * v[k];
                }
            }
        },
        MghObjectives.BrownAlmostLinearObjective,
        MghResiduals.BrownAlmostLinear,
        "n = 10 (the paper leaves n free)",
        new MghMinimum(1, "(0, …, 0, n + 1)"));
}

public static partial class MghObjectives
{
    /// <summary>(27) Brown almost-linear, any n.</summary>
    [Differentiable(Hessian = true)]
    public static double BrownAlmostLinear(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double sum = 0;
        double product = 1;
        for (int j = 0; j < n; j++)
        {
            sum += x[j];
            product *= x[j];
        }

        double f = 0;
        for (int i = 0; i < n - 1; i++)
        {
            double fi = x[i] + sum - (n + 1);
            f += fi * fi;
        }

        return f + Math.Pow(product - 1, 2);
    }
}

public static partial class MghResiduals
{
    /// <summary>(27) Brown almost-linear, any n.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void BrownAlmostLinear(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        double sum = 0;
        double product = 1;
        for (int j = 0; j < n; j++)
        {
            sum += x[j];
            product *= x[j];
        }

        for (int i = 0; i < n - 1; i++)
        {
            r[i] = x[i] + sum - (n + 1);
        }

        r[n - 1] = product - 1;
    }
}

namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (8) Bard: fᵢ = yᵢ − (x₁ + uᵢ/(vᵢx₂ + wᵢx₃)), uᵢ = i, vᵢ = 16 − i, wᵢ = min(uᵢ, vᵢ), m = 15; x₀ = (1, 1, 1);
    /// f* = 8.21487e−3, and f = 17.4286 at (0.8406…, −∞, −∞).
    /// </summary>
    public static MghProblem Bard() => new(
        8, "Bard", 3, 15, [1.0, 1.0, 1.0], new MghMinimum(8.21487e-3, "(0.0824…, 1.133…, 2.343…)"),
        (x, r) =>
        {
            for (int i = 1; i <= 15; i++)
            {
                double u = i, v = 16 - i, w = Math.Min(u, v);
                r[i - 1] = MghObjectives.BardY[i - 1] - (x[0] + (u / ((v * x[1]) + (w * x[2]))));
            }
        },
        (x, j) =>
        {
            for (int i = 1; i <= 15; i++)
            {
                double u = i, v = 16 - i, w = Math.Min(u, v);
                double d = (v * x[1]) + (w * x[2]);
                j[(i - 1) * 3] = -1;
                j[((i - 1) * 3) + 1] = u * v / (d * d);
                j[((i - 1) * 3) + 2] = u * w / (d * d);
            }
        },
        (x, ww, dir, h) =>
        {
            for (int i = 1; i <= 15; i++)
            {
                double u = i, v = 16 - i, w = Math.Min(u, v);
                double d = (v * x[1]) + (w * x[2]);
                double c = -2 * u * ww[i - 1] / (d * d * d);
                h[1] += c * v * ((v * dir[1]) + (w * dir[2]));
                h[2] += c * w * ((v * dir[1]) + (w * dir[2]));
            }
        },
        MghObjectives.BardObjective,
        MghResiduals.Bard,
        otherMinima: new MghMinimum(17.4286, "(0.8406…, −∞, −∞)"));
}

public static partial class MghObjectives
{
    internal static readonly double[] BardY =
        [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39];

    /// <summary>(8) Bard.</summary>
    [Differentiable(Hessian = true)]
    public static double Bard(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 1; i <= 15; i++)
        {
            double u = i;
            double v = 16 - i;
            double w = Math.Min(u, v);
            double fi = BardY[i - 1] - (x[0] + u / (v * x[1] + w * x[2]));
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(8) Bard.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Bard(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 15; i++)
        {
            double u = i;
            double v = 16 - i;
            double w = Math.Min(u, v);
            r[i - 1] = MghObjectives.BardY[i - 1] - (x[0] + u / (v * x[1] + w * x[2]));
        }
    }
}

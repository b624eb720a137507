namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (15) Kowalik and Osborne: fᵢ = yᵢ − x₁(uᵢ² + uᵢx₂)/(uᵢ² + uᵢx₃ + x₄), m = 11; x₀ = (0.25, 0.39, 0.415, 0.39);
    /// f* = 3.07505e−4, and f = 1.02734e−3 at (+∞, −14.07…, −∞, −∞).
    /// </summary>
    public static MghProblem KowalikOsborne() => new(
        15, "Kowalik and Osborne", 4, 11, [0.25, 0.39, 0.415, 0.39], new MghMinimum(3.07505e-4, "(0.1928…, 0.1912…, 0.1230…, 0.1360…)"),
        (x, r) =>
        {
            for (int i = 0; i < 11; i++)
            {
                double u = MghObjectives.KowalikOsborneU[i];
                r[i] = MghObjectives.KowalikOsborneY[i] - (x[0] * ((u * u) + (u * x[1])) / ((u * u) + (u * x[2]) + x[3]));
            }
        },
        (x, j) =>
        {
            for (int i = 0; i < 11; i++)
            {
                double u = MghObjectives.KowalikOsborneU[i];
                double num = (u * u) + (u * x[1]);
                double den = (u * u) + (u * x[2]) + x[3];
                j[i * 4] = -num / den;
                j[(i * 4) + 1] = -x[0] * u / den;
                j[(i * 4) + 2] = x[0] * num * u / (den * den);
                j[(i * 4) + 3] = x[0] * num / (den * den);
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 0; i < 11; i++)
            {
                double u = MghObjectives.KowalikOsborneU[i];
                double num = (u * u) + (u * x[1]);
                double den = (u * u) + (u * x[2]) + x[3];
                double d2 = den * den, d3 = d2 * den;
                double h12 = -u / den, h13 = num * u / d2, h14 = num / d2;
                double h23 = x[0] * u * u / d2, h24 = x[0] * u / d2;
                double h33 = -2 * x[0] * num * u * u / d3, h34 = -2 * x[0] * num * u / d3, h44 = -2 * x[0] * num / d3;
                double c = w[i];
                h[0] += c * ((h12 * v[1]) + (h13 * v[2]) + (h14 * v[3]));
                h[1] += c * ((h12 * v[0]) + (h23 * v[2]) + (h24 * v[3]));
                h[2] += c * ((h13 * v[0]) + (h23 * v[1]) + (h33 * v[2]) + (h34 * v[3]));
                h[3] += c * ((h14 * v[0]) + (h24 * v[1]) + (h34 * v[2]) + (h44 * v[3]));
            }
        },
        MghObjectives.KowalikOsborneObjective,
        MghResiduals.KowalikOsborne,
        otherMinima: new MghMinimum(1.02734e-3, "(+∞, −14.07…, −∞, −∞)"));
}

public static partial class MghObjectives
{
    internal static readonly double[] KowalikOsborneY =
        [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];

    internal static readonly double[] KowalikOsborneU =
        [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];

    /// <summary>(15) Kowalik and Osborne.</summary>
    [Differentiable(Hessian = true)]
    public static double KowalikOsborne(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 0; i < 11; i++)
        {
            double u = KowalikOsborneU[i];
            double fi = KowalikOsborneY[i] - x[0] * (u * u + u * x[1]) / (u * u + u * x[2] + x[3]);
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(15) Kowalik and Osborne.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void KowalikOsborne(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < 11; i++)
        {
            double u = MghObjectives.KowalikOsborneU[i];
            r[i] = MghObjectives.KowalikOsborneY[i] - x[0] * (u * u + u * x[1]) / (u * u + u * x[2] + x[3]);
        }
    }
}

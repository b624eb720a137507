namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>(10) Meyer: fᵢ = x₁exp(x₂/(tᵢ + x₃)) − yᵢ, tᵢ = 45 + 5i, m = 16; x₀ = (0.02, 4000, 250); f* = 87.9458.</summary>
    public static MghProblem Meyer() => new(
        10, "Meyer", 3, 16, [0.02, 4000.0, 250.0], new MghMinimum(87.9458, "(0.00561…, 6181.3…, 345.2…)"),
        (x, r) =>
        {
            for (int i = 1; i <= 16; i++)
            {
                double t = 45 + (5 * i);
                r[i - 1] = (x[0] * Math.Exp(x[1] / (t + x[2]))) - MghObjectives.MeyerY[i - 1];
            }
        },
        (x, j) =>
        {
            for (int i = 1; i <= 16; i++)
            {
                double d = 45 + (5 * i) + x[2];
                double e = Math.Exp(x[1] / d);
                j[(i - 1) * 3] = e;
                j[((i - 1) * 3) + 1] = x[0] * e / d;
                j[((i - 1) * 3) + 2] = -x[0] * x[1] * e / (d * d);
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 1; i <= 16; i++)
            {
                double d = 45 + (5 * i) + x[2];
                double e = Math.Exp(x[1] / d);
                double h12 = e / d;
                double h13 = -x[1] * e / (d * d);
                double h22 = x[0] * e / (d * d);
                double h23 = -x[0] * e * (x[1] + d) / (d * d * d);
                double h33 = x[0] * x[1] * e * (x[1] + (2 * d)) / (d * d * d * d);
                h[0] += w[i - 1] * ((h12 * v[1]) + (h13 * v[2]));
                h[1] += w[i - 1] * ((h12 * v[0]) + (h22 * v[1]) + (h23 * v[2]));
                h[2] += w[i - 1] * ((h13 * v[0]) + (h23 * v[1]) + (h33 * v[2]));
            }
        },
        MghObjectives.MeyerObjective,
        MghResiduals.Meyer);
}

public static partial class MghObjectives
{
    internal static readonly double[] MeyerY =
        [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872];

    /// <summary>(10) Meyer.</summary>
    [Differentiable(Hessian = true)]
    public static double Meyer(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 1; i <= 16; i++)
        {
            double t = 45 + 5 * i;
            double fi = x[0] * Math.Exp(x[1] / (t + x[2])) - MeyerY[i - 1];
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(10) Meyer.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Meyer(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 16; i++)
        {
            double t = 45 + 5 * i;
            r[i - 1] = x[0] * Math.Exp(x[1] / (t + x[2])) - MghObjectives.MeyerY[i - 1];
        }
    }
}

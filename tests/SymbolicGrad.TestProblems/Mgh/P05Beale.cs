namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>(5) Beale: fᵢ = yᵢ − x₁(1 − x₂ⁱ), y = (1.5, 2.25, 2.625); x₀ = (1, 1); f* = 0 at (3, 0.5).</summary>
    public static MghProblem Beale() => new(
        5, "Beale", 2, 3, [1.0, 1.0], new MghMinimum(0, "(3, 0.5)"),
        (x, r) =>
        {
            for (int i = 1; i <= 3; i++)
            {
                r[i - 1] = MghObjectives.BealeY[i - 1] - (x[0] * (1 - Math.Pow(x[1], i)));
            }
        },
        (x, j) =>
        {
            for (int i = 1; i <= 3; i++)
            {
                j[(i - 1) * 2] = -(1 - Math.Pow(x[1], i));
                j[((i - 1) * 2) + 1] = x[0] * i * Math.Pow(x[1], i - 1);
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 1; i <= 3; i++)
            {
                double h12 = i * Math.Pow(x[1], i - 1);
                double h22 = i == 1 ? 0 : x[0] * i * (i - 1) * Math.Pow(x[1], i - 2);
                h[0] += w[i - 1] * h12 * v[1];
                h[1] += w[i - 1] * ((h12 * v[0]) + (h22 * v[1]));
            }
        },
        MghObjectives.BealeObjective,
        MghResiduals.Beale);
}

public static partial class MghObjectives
{
    internal static readonly double[] BealeY = [1.5, 2.25, 2.625];

    /// <summary>(5) Beale.</summary>
    [Differentiable(Hessian = true)]
    public static double Beale(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 1; i <= 3; i++)
        {
            double fi = BealeY[i - 1] - x[0] * (1 - Math.Pow(x[1], i));
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(5) Beale.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Beale(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 3; i++)
        {
            r[i - 1] = MghObjectives.BealeY[i - 1] - x[0] * (1 - Math.Pow(x[1], i));
        }
    }
}

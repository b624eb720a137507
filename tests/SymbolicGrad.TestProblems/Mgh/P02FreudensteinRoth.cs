namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (2) Freudenstein and Roth: f₁ = −13 + x₁ + ((5 − x₂)x₂ − 2)x₂, f₂ = −29 + x₁ + ((x₂ + 1)x₂ − 14)x₂; x₀ = (0.5, −2);
    /// f* = 0 at (5, 4), and a local minimum f = 48.9842 at (11.41…, −0.8968…).
    /// </summary>
    public static MghProblem FreudensteinRoth() => new(
        2, "Freudenstein and Roth", 2, 2, [0.5, -2.0], new MghMinimum(0, "(5, 4)"),
        (x, r) =>
        {
            r[0] = -13 + x[0] + (((5 - x[1]) * x[1]) - 2) * x[1];
            r[1] = -29 + x[0] + (((x[1] + 1) * x[1]) - 14) * x[1];
        },
        (x, j) =>
        {
            // f₁ = −13 + x₁ + 5x₂² − x₂³ − 2x₂, f₂ = −29 + x₁ + x₂³ + x₂² − 14x₂.
            j[0] = 1;
            j[1] = (10 * x[1]) - (3 * x[1] * x[1]) - 2;
            j[2] = 1;
            j[3] = (3 * x[1] * x[1]) + (2 * x[1]) - 14;
        },
        (x, w, v, h) => h[1] += ((w[0] * (10 - (6 * x[1]))) + (w[1] * ((6 * x[1]) + 2))) * v[1],
        MghObjectives.FreudensteinRothObjective,
        MghResiduals.FreudensteinRoth,
        otherMinima: new MghMinimum(48.9842, "(11.41…, −0.8968…)"));
}

public static partial class MghObjectives
{
    /// <summary>(2) Freudenstein and Roth.</summary>
    [Differentiable(Hessian = true)]
    public static double FreudensteinRoth(ReadOnlySpan<double> x)
    {
        double f1 = -13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1];
        double f2 = -29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1];
        return f1 * f1 + f2 * f2;
    }
}

public static partial class MghResiduals
{
    /// <summary>(2) Freudenstein and Roth.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void FreudensteinRoth(ReadOnlySpan<double> x, Span<double> r)
    {
        r[0] = -13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1];
        r[1] = -29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1];
    }
}

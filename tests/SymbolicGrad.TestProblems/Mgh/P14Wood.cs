namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (14) Wood: f₁ = 10(x₂ − x₁²), f₂ = 1 − x₁, f₃ = √90(x₄ − x₃²), f₄ = 1 − x₃, f₅ = √10(x₂ + x₄ − 2),
    /// f₆ = 10^{−½}(x₂ − x₄); x₀ = (−3, −1, −3, −1); f* = 0 at (1, 1, 1, 1).
    /// </summary>
    public static MghProblem Wood() => new(
        14, "Wood", 4, 6, [-3.0, -1.0, -3.0, -1.0], new MghMinimum(0, "(1, 1, 1, 1)"),
        (x, r) =>
        {
            r[0] = 10 * (x[1] - (x[0] * x[0]));
            r[1] = 1 - x[0];
            r[2] = Math.Sqrt(90) * (x[3] - (x[2] * x[2]));
            r[3] = 1 - x[2];
            r[4] = Math.Sqrt(10) * (x[1] + x[3] - 2);
            r[5] = (x[1] - x[3]) / Math.Sqrt(10);
        },
        (x, j) =>
        {
            j[0] = -20 * x[0];
            j[1] = 10;
            j[4] = -1;
            j[10] = -2 * Math.Sqrt(90) * x[2];
            j[11] = Math.Sqrt(90);
            j[14] = -1;
            j[17] = Math.Sqrt(10);
            j[19] = Math.Sqrt(10);
            j[21] = 1 / Math.Sqrt(10);
            j[23] = -1 / Math.Sqrt(10);
        },
        (x, w, v, h) =>
        {
            h[0] -= 20 * w[0] * v[0];
            h[2] -= 2 * Math.Sqrt(90) * w[2] * v[2];
        },
        MghObjectives.WoodObjective,
        MghResiduals.Wood);
}

public static partial class MghObjectives
{
    /// <summary>(14) Wood.</summary>
    [Differentiable(Hessian = true)]
    public static double Wood(ReadOnlySpan<double> x)
    {
        double f1 = 10 * (x[1] - x[0] * x[0]);
        double f2 = 1 - x[0];
        double f3 = Math.Sqrt(90) * (x[3] - x[2] * x[2]);
        double f4 = 1 - x[2];
        double f5 = Math.Sqrt(10) * (x[1] + x[3] - 2);
        double f6 = Math.Pow(10, -0.5) * (x[1] - x[3]);
        return f1 * f1 + f2 * f2 + f3 * f3 + f4 * f4 + f5 * f5 + f6 * f6;
    }
}

public static partial class MghResiduals
{
    /// <summary>(14) Wood.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Wood(ReadOnlySpan<double> x, Span<double> r)
    {
        r[0] = 10 * (x[1] - x[0] * x[0]);
        r[1] = 1 - x[0];
        r[2] = Math.Sqrt(90) * (x[3] - x[2] * x[2]);
        r[3] = 1 - x[2];
        r[4] = Math.Sqrt(10) * (x[1] + x[3] - 2);
        r[5] = Math.Pow(10, -0.5) * (x[1] - x[3]);
    }
}

namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (22) Extended Powell singular: problem 13's four residuals on each block of four variables, n a multiple of 4, m = n;
    /// x₀ = (3, −1, 0, 1, …); f* = 0 at the origin.
    /// </summary>
    /// <param name="n">A multiple of 4.</param>
    public static MghProblem ExtendedPowellSingular(int n = 12) => new(
        22, "Extended Powell singular", n, n, Repeat(n, 3.0, -1.0, 0.0, 1.0), new MghMinimum(0, "the origin"),
        (x, r) => ExtendedPowellResiduals(x, r),
        (x, j) => ExtendedPowellJacobian(x, j),
        (x, w, v, h) => ExtendedPowellCurvature(x, w, v, h),
        MghObjectives.ExtendedPowellSingularObjective,
        MghResiduals.ExtendedPowellSingular,
        "n = 12 (the paper leaves n free, a multiple of 4; n = 4 is problem 13)");
}

public static partial class MghObjectives
{
    /// <summary>(22) Extended Powell singular, n a multiple of 4.</summary>
    [Differentiable(Hessian = true)]
    public static double ExtendedPowellSingular(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 0; i < x.Length; i += 4)
        {
            double f1 = x[i] + 10 * x[i + 1];
            double f2 = Math.Sqrt(5) * (x[i + 2] - x[i + 3]);
            double f3 = Math.Pow(x[i + 1] - 2 * x[i + 2], 2);
            double f4 = Math.Sqrt(10) * Math.Pow(x[i] - x[i + 3], 2);
            f += f1 * f1 + f2 * f2 + f3 * f3 + f4 * f4;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(22) Extended Powell singular, n a multiple of 4.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void ExtendedPowellSingular(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < x.Length; i += 4)
        {
            r[i] = x[i] + 10 * x[i + 1];
            r[i + 1] = Math.Sqrt(5) * (x[i + 2] - x[i + 3]);
            r[i + 2] = Math.Pow(x[i + 1] - 2 * x[i + 2], 2);
            r[i + 3] = Math.Sqrt(10) * Math.Pow(x[i] - x[i + 3], 2);
        }
    }
}

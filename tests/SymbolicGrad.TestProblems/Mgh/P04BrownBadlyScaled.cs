namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>(4) Brown badly scaled: f₁ = x₁ − 10⁶, f₂ = x₂ − 2·10⁻⁶, f₃ = x₁x₂ − 2; x₀ = (1, 1); f* = 0 at (10⁶, 2·10⁻⁶).</summary>
    public static MghProblem BrownBadlyScaled() => new(
        4, "Brown badly scaled", 2, 3, [1.0, 1.0], new MghMinimum(0, "(1e6, 2e−6)"),
        (x, r) =>
        {
            r[0] = x[0] - 1e6;
            r[1] = x[1] - 2e-6;
            r[2] = (x[0] * x[1]) - 2;
        },
        (x, j) =>
        {
            j[0] = 1;
            j[3] = 1;
            j[4] = x[1];
            j[5] = x[0];
        },
        (x, w, v, h) =>
        {
            h[0] += w[2] * v[1];
            h[1] += w[2] * v[0];
        },
        MghObjectives.BrownBadlyScaledObjective,
        MghResiduals.BrownBadlyScaled);
}

public static partial class MghObjectives
{
    /// <summary>(4) Brown badly scaled.</summary>
    [Differentiable(Hessian = true)]
    public static double BrownBadlyScaled(ReadOnlySpan<double> x)
    {
        return Math.Pow(x[0] - 1e6, 2) + Math.Pow(x[1] - 2e-6, 2) + Math.Pow(x[0] * x[1] - 2, 2);
    }
}

public static partial class MghResiduals
{
    /// <summary>(4) Brown badly scaled.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void BrownBadlyScaled(ReadOnlySpan<double> x, Span<double> r)
    {
        r[0] = x[0] - 1e6;
        r[1] = x[1] - 2e-6;
        r[2] = x[0] * x[1] - 2;
    }
}

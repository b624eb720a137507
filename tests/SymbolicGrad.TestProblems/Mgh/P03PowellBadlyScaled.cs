namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>(3) Powell badly scaled: f₁ = 10⁴x₁x₂ − 1, f₂ = exp(−x₁) + exp(−x₂) − 1.0001; x₀ = (0, 1); f* = 0 at (1.098…e−5, 9.106…).</summary>
    public static MghProblem PowellBadlyScaled() => new(
        3, "Powell badly scaled", 2, 2, [0.0, 1.0], new MghMinimum(0, "(1.098…e−5, 9.106…)"),
        (x, r) =>
        {
            r[0] = (1e4 * x[0] * x[1]) - 1;
            r[1] = Math.Exp(-x[0]) + Math.Exp(-x[1]) - 1.0001;
        },
        (x, j) =>
        {
            j[0] = 1e4 * x[1];
            j[1] = 1e4 * x[0];
            j[2] = -Math.Exp(-x[0]);
            j[3] = -Math.Exp(-x[1]);
        },
        (x, w, v, h) =>
        {
            h[0] += (w[0] * 1e4 * v[1]) + (w[1] * Math.Exp(-x[0]) * v[0]);
            h[1] += (w[0] * 1e4 * v[0]) + (w[1] * Math.Exp(-x[1]) * v[1]);
        },
        MghObjectives.PowellBadlyScaledObjective,
        MghResiduals.PowellBadlyScaled);
}

public static partial class MghObjectives
{
    /// <summary>(3) Powell badly scaled.</summary>
    [Differentiable(Hessian = true)]
    public static double PowellBadlyScaled(ReadOnlySpan<double> x)
    {
        double f1 = 1e4 * x[0] * x[1] - 1;
        double f2 = Math.Exp(-x[0]) + Math.Exp(-x[1]) - 1.0001;
        return f1 * f1 + f2 * f2;
    }
}

public static partial class MghResiduals
{
    /// <summary>(3) Powell badly scaled.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void PowellBadlyScaled(ReadOnlySpan<double> x, Span<double> r)
    {
        r[0] = 1e4 * x[0] * x[1] - 1;
        r[1] = Math.Exp(-x[0]) + Math.Exp(-x[1]) - 1.0001;
    }
}

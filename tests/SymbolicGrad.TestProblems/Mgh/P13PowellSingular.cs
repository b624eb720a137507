namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (13) Powell singular: f₁ = x₁ + 10x₂, f₂ = √5(x₃ − x₄), f₃ = (x₂ − 2x₃)², f₄ = √10(x₁ − x₄)²; x₀ = (3, −1, 0, 1);
    /// f* = 0 at the origin (where the Hessian is singular).
    /// </summary>
    public static MghProblem PowellSingular() => new(
        13, "Powell singular", 4, 4, [3.0, -1.0, 0.0, 1.0], new MghMinimum(0, "the origin"),
        (x, r) => ExtendedPowellResiduals(x, r),
        (x, j) => ExtendedPowellJacobian(x, j),
        (x, w, v, h) => ExtendedPowellCurvature(x, w, v, h),
        MghObjectives.PowellSingularObjective,
        MghResiduals.PowellSingular);

    private static void ExtendedPowellResiduals(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int k = 0; k < x.Length; k += 4)
        {
            r[k] = x[k] + (10 * x[k + 1]);
            r[k + 1] = Math.Sqrt(5) * (x[k + 2] - x[k + 3]);
            r[k + 2] = (x[k + 1] - (2 * x[k + 2])) * (x[k + 1] - (2 * x[k + 2]));
            r[k + 3] = Math.Sqrt(10) * (x[k] - x[k + 3]) * (x[k] - x[k + 3]);
        }
    }

    private static void ExtendedPowellJacobian(ReadOnlySpan<double> x, Span<double> j)
    {
        int n = x.Length;
        for (int k = 0; k < n; k += 4)
        {
            j[(k * n) + k] = 1;
            j[(k * n) + k + 1] = 10;
            j[((k + 1) * n) + k + 2] = Math.Sqrt(5);
            j[((k + 1) * n) + k + 3] = -Math.Sqrt(5);
            double a = x[k + 1] - (2 * x[k + 2]);
            j[((k + 2) * n) + k + 1] = 2 * a;
            j[((k + 2) * n) + k + 2] = -4 * a;
            double b = x[k] - x[k + 3];
            j[((k + 3) * n) + k] = 2 * Math.Sqrt(10) * b;
            j[((k + 3) * n) + k + 3] = -2 * Math.Sqrt(10) * b;
        }
    }

    private static void ExtendedPowellCurvature(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> v, Span<double> h)
    {
        for (int k = 0; k < x.Length; k += 4)
        {
            // ∇²f₃ = 2aaᵀ with a = e₂ − 2e₃; ∇²f₄ = 2√10·bbᵀ with b = e₁ − e₄.
            double av = v[k + 1] - (2 * v[k + 2]);
            h[k + 1] += 2 * w[k + 2] * av;
            h[k + 2] -= 4 * w[k + 2] * av;
            double bv = v[k] - v[k + 3];
            h[k] += 2 * Math.Sqrt(10) * w[k + 3] * bv;
            h[k + 3] -= 2 * Math.Sqrt(10) * w[k + 3] * bv;
        }
    }
}

public static partial class MghObjectives
{
    /// <summary>(13) Powell singular.</summary>
    [Differentiable(Hessian = true)]
    public static double PowellSingular(ReadOnlySpan<double> x)
    {
        double f1 = x[0] + 10 * x[1];
        double f2 = Math.Sqrt(5) * (x[2] - x[3]);
        double f3 = Math.Pow(x[1] - 2 * x[2], 2);
        double f4 = Math.Sqrt(10) * Math.Pow(x[0] - x[3], 2);
        return f1 * f1 + f2 * f2 + f3 * f3 + f4 * f4;
    }
}

public static partial class MghResiduals
{
    /// <summary>(13) Powell singular.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void PowellSingular(ReadOnlySpan<double> x, Span<double> r)
    {
        r[0] = x[0] + 10 * x[1];
        r[1] = Math.Sqrt(5) * (x[2] - x[3]);
        r[2] = Math.Pow(x[1] - 2 * x[2], 2);
        r[3] = Math.Sqrt(10) * Math.Pow(x[0] - x[3], 2);
    }
}

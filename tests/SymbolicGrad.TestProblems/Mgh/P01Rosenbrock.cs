namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>(1) Rosenbrock: f₁ = 10(x₂ − x₁²), f₂ = 1 − x₁; x₀ = (−1.2, 1); f* = 0 at (1, 1).</summary>
    public static MghProblem Rosenbrock() => new(
        1, "Rosenbrock", 2, 2, [-1.2, 1.0], new MghMinimum(0, "(1, 1)"),
        (x, r) =>
        {
            r[0] = 10 * (x[1] - x[0] * x[0]);
            r[1] = 1 - x[0];
        },
        (x, j) =>
        {
            j[0] = -20 * x[0];
            j[1] = 10;
            j[2] = -1;
        },
        (x, w, v, h) => h[0] += w[0] * -20 * v[0],
        MghObjectives.RosenbrockObjective,
        MghResiduals.Rosenbrock);
}

public static partial class MghObjectives
{
    /// <summary>(1) Rosenbrock.</summary>
    [Differentiable(Hessian = true)]
    public static double Rosenbrock(ReadOnlySpan<double> x)
    {
        double f1 = 10 * (x[1] - x[0] * x[0]);
        double f2 = 1 - x[0];
        return f1 * f1 + f2 * f2;
    }
}

public static partial class MghResiduals
{
    /// <summary>(1) Rosenbrock.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Rosenbrock(ReadOnlySpan<double> x, Span<double> r)
    {
        r[0] = 10 * (x[1] - x[0] * x[0]);
        r[1] = 1 - x[0];
    }
}

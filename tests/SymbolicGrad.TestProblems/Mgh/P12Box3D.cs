namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (12) Box three-dimensional: fᵢ = exp(−tᵢx₁) − exp(−tᵢx₂) − x₃(exp(−tᵢ) − exp(−10tᵢ)), tᵢ = 0.1i, m = 10;
    /// x₀ = (0, 10, 20); f* = 0 at (1, 10, 1), (10, 1, −1) and wherever x₁ = x₂, x₃ = 0.
    /// </summary>
    public static MghProblem Box3D() => new(
        12, "Box three-dimensional", 3, 10, [0.0, 10.0, 20.0], new MghMinimum(0, "(1, 10, 1), (10, 1, −1), (x₁ = x₂, x₃ = 0)"),
        (x, r) =>
        {
            for (int i = 1; i <= 10; i++)
            {
                double t = 0.1 * i;
                r[i - 1] = Math.Exp(-t * x[0]) - Math.Exp(-t * x[1]) - (x[2] * (Math.Exp(-t) - Math.Exp(-10 * t)));
            }
        },
        (x, j) =>
        {
            for (int i = 1; i <= 10; i++)
            {
                double t = 0.1 * i;
                j[(i - 1) * 3] = -t * Math.Exp(-t * x[0]);
                j[((i - 1) * 3) + 1] = t * Math.Exp(-t * x[1]);
                j[((i - 1) * 3) + 2] = -(Math.Exp(-t) - Math.Exp(-10 * t));
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 1; i <= 10; i++)
            {
                double t = 0.1 * i;
                h[0] += w[i - 1] * t * t * Math.Exp(-t * x[0]) * v[0];
                h[1] -= w[i - 1] * t * t * Math.Exp(-t * x[1]) * v[1];
            }
        },
        MghObjectives.Box3DObjective,
        MghResiduals.Box3D,
        "m = 10, as MINPACK's test driver");
}

public static partial class MghObjectives
{
    /// <summary>(12) Box three-dimensional, m = 10.</summary>
    [Differentiable(Hessian = true)]
    public static double Box3D(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 1; i <= 10; i++)
        {
            double t = 0.1 * i;
            double fi = Math.Exp(-t * x[0]) - Math.Exp(-t * x[1]) - x[2] * (Math.Exp(-t) - Math.Exp(-10 * t));
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(12) Box three-dimensional, m = 10.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Box3D(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 10; i++)
        {
            double t = 0.1 * i;
            r[i - 1] = Math.Exp(-t * x[0]) - Math.Exp(-t * x[1]) - x[2] * (Math.Exp(-t) - Math.Exp(-10 * t));
        }
    }
}

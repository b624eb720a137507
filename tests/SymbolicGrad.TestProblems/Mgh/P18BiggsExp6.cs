namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (18) Biggs EXP6: fᵢ = x₃exp(−tᵢx₁) − x₄exp(−tᵢx₂) + x₆exp(−tᵢx₅) − yᵢ, tᵢ = 0.1i,
    /// yᵢ = exp(−tᵢ) − 5exp(−10tᵢ) + 3exp(−4tᵢ), m = 13; x₀ = (1, 2, 1, 1, 1, 1);
    /// f* = 0 at (1, 10, 1, 5, 4, 3), and a local minimum f = 5.65565e−3.
    /// </summary>
    public static MghProblem BiggsExp6() => new(
        18, "Biggs EXP6", 6, 13, [1.0, 2.0, 1.0, 1.0, 1.0, 1.0], new MghMinimum(0, "(1, 10, 1, 5, 4, 3)"),
        (x, r) =>
        {
            for (int i = 1; i <= 13; i++)
            {
                double t = 0.1 * i;
                double y = Math.Exp(-t) - (5 * Math.Exp(-10 * t)) + (3 * Math.Exp(-4 * t));
                r[i - 1] = (x[2] * Math.Exp(-t * x[0])) - (x[3] * Math.Exp(-t * x[1])) + (x[5] * Math.Exp(-t * x[4])) - y;
            }
        },
        (x, j) =>
        {
            for (int i = 1; i <= 13; i++)
            {
                double t = 0.1 * i;
                double e1 = Math.Exp(-t * x[0]), e2 = Math.Exp(-t * x[1]), e5 = Math.Exp(-t * x[4]);
                int row = (i - 1) * 6;
                j[row] = -t * x[2] * e1;
                j[row + 1] = t * x[3] * e2;
                j[row + 2] = e1;
                j[row + 3] = -e2;
                j[row + 4] = -t * x[5] * e5;
                j[row + 5] = e5;
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 1; i <= 13; i++)
            {
                double t = 0.1 * i;
                double e1 = Math.Exp(-t * x[0]), e2 = Math.Exp(-t * x[1]), e5 = Math.Exp(-t * x[4]);
                double c = w[i - 1];
                h[0] += c * ((t * t * x[2] * e1 * v[0]) - (t * e1 * v[2]));
                h[2] += c * -t * e1 * v[0];
                h[1] += c * ((-t * t * x[3] * e2 * v[1]) + (t * e2 * v[3]));
                h[3] += c * t * e2 * v[1];
                h[4] += c * ((t * t * x[5] * e5 * v[4]) - (t * e5 * v[5]));
                h[5] += c * -t * e5 * v[4];
            }
        },
        MghObjectives.BiggsExp6Objective,
        MghResiduals.BiggsExp6,
        "m = 13, the size the paper gives f* for",
        new MghMinimum(5.65565e-3, "a local minimum (m = 13)"));
}

public static partial class MghObjectives
{
    /// <summary>(18) Biggs EXP6, m = 13.</summary>
    [Differentiable(Hessian = true)]
    public static double BiggsExp6(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 1; i <= 13; i++)
        {
            double t = 0.1 * i;
            double y = Math.Exp(-t) - 5 * Math.Exp(-10 * t) + 3 * Math.Exp(-4 * t);
            double fi = x[2] * Math.Exp(-t * x[0]) - x[3] * Math.Exp(-t * x[1]) + x[5] * Math.Exp(-t * x[4]) - y;
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(18) Biggs EXP6, m = 13.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void BiggsExp6(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 13; i++)
        {
            double t = 0.1 * i;
            double y = Math.Exp(-t) - 5 * Math.Exp(-10 * t) + 3 * Math.Exp(-4 * t);
            r[i - 1] = x[2] * Math.Exp(-t * x[0]) - x[3] * Math.Exp(-t * x[1]) + x[5] * Math.Exp(-t * x[4]) - y;
        }
    }
}

namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (17) Osborne 1: fᵢ = yᵢ − (x₁ + x₂exp(−tᵢx₄) + x₃exp(−tᵢx₅)), tᵢ = 10(i − 1), m = 33;
    /// x₀ = (0.5, 1.5, −1, 0.01, 0.02); f* = 5.46489e−5.
    /// </summary>
    public static MghProblem Osborne1() => new(
        17, "Osborne 1", 5, 33, [0.5, 1.5, -1.0, 0.01, 0.02], new MghMinimum(5.46489e-5, "(0.3754…, 1.935…, −1.464…, 0.01286…, 0.02212…)"),
        (x, r) =>
        {
            for (int i = 1; i <= 33; i++)
            {
                double t = 10.0 * (i - 1);
                r[i - 1] = MghObjectives.Osborne1Y[i - 1] - (x[0] + (x[1] * Math.Exp(-t * x[3])) + (x[2] * Math.Exp(-t * x[4])));
            }
        },
        (x, j) =>
        {
            for (int i = 1; i <= 33; i++)
            {
                double t = 10.0 * (i - 1);
                double e4 = Math.Exp(-t * x[3]), e5 = Math.Exp(-t * x[4]);
                int row = (i - 1) * 5;
                j[row] = -1;
                j[row + 1] = -e4;
                j[row + 2] = -e5;
                j[row + 3] = x[1] * t * e4;
                j[row + 4] = x[2] * t * e5;
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 1; i <= 33; i++)
            {
                double t = 10.0 * (i - 1);
                double e4 = Math.Exp(-t * x[3]), e5 = Math.Exp(-t * x[4]);
                double c = w[i - 1];
                h[1] += c * t * e4 * v[3];
                h[3] += c * ((t * e4 * v[1]) - (x[1] * t * t * e4 * v[3]));
                h[2] += c * t * e5 * v[4];
                h[4] += c * ((t * e5 * v[2]) - (x[2] * t * t * e5 * v[4]));
            }
        },
        MghObjectives.Osborne1Objective,
        MghResiduals.Osborne1);
}

public static partial class MghObjectives
{
    internal static readonly double[] Osborne1Y =
    [
        0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.580,
        0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406,
    ];

    /// <summary>(17) Osborne 1.</summary>
    [Differentiable(Hessian = true)]
    public static double Osborne1(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 1; i <= 33; i++)
        {
            double t = 10 * (i - 1);
            double fi = Osborne1Y[i - 1] - (x[0] + x[1] * Math.Exp(-t * x[3]) + x[2] * Math.Exp(-t * x[4]));
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(17) Osborne 1.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Osborne1(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 33; i++)
        {
            double t = 10 * (i - 1);
            r[i - 1] = MghObjectives.Osborne1Y[i - 1] - (x[0] + x[1] * Math.Exp(-t * x[3]) + x[2] * Math.Exp(-t * x[4]));
        }
    }
}

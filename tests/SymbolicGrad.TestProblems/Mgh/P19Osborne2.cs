namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (19) Osborne 2: fᵢ = yᵢ − (x₁exp(−tᵢx₅) + x₂exp(−(tᵢ − x₉)²x₆) + x₃exp(−(tᵢ − x₁₀)²x₇) + x₄exp(−(tᵢ − x₁₁)²x₈)),
    /// tᵢ = (i − 1)/10, m = 65; x₀ = (1.3, 0.65, 0.65, 0.7, 0.6, 3, 5, 7, 2, 4.5, 5.5); f* = 4.01377e−2.
    /// </summary>
    public static MghProblem Osborne2() => new(
        19, "Osborne 2", 11, 65, [1.3, 0.65, 0.65, 0.7, 0.6, 3, 5, 7, 2, 4.5, 5.5], new MghMinimum(4.01377e-2, "(1.31…, 0.432…, 0.634…, 0.599…, 0.754…, 0.904…, 1.37…, 4.82…, 2.40…, 4.57…, 5.68…)"),
        (x, r) =>
        {
            for (int i = 1; i <= 65; i++)
            {
                double t = (i - 1) / 10.0;
                double model = x[0] * Math.Exp(-t * x[4]);
                for (int k = 1; k <= 3; k++)
                {
                    double u = t - x[7 + k];
                    model += x[k] * Math.Exp(-u * u * x[4 + k]);
                }

                r[i - 1] = MghObjectives.Osborne2Y[i - 1] - model;
            }
        },
        (x, j) =>
        {
            for (int i = 1; i <= 65; i++)
            {
                double t = (i - 1) / 10.0;
                int row = (i - 1) * 11;
                double e = Math.Exp(-t * x[4]);
                j[row] = -e;
                j[row + 4] = t * x[0] * e;
                for (int k = 1; k <= 3; k++)
                {
                    // the term x_a·exp(−u²x_b), u = t − x_c, with (a, b, c) = (k, 4 + k, 7 + k) counted from 0
                    double u = t - x[7 + k];
                    double ek = Math.Exp(-u * u * x[4 + k]);
                    j[row + k] = -ek;
                    j[row + 4 + k] = x[k] * u * u * ek;
                    j[row + 7 + k] = -2 * x[k] * x[4 + k] * u * ek;
                }
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 1; i <= 65; i++)
            {
                double t = (i - 1) / 10.0;
                double c = -w[i - 1]; // fᵢ = yᵢ − model: the curvature of the model, negated
                double e = Math.Exp(-t * x[4]);
                h[0] += c * -t * e * v[4];
                h[4] += c * ((-t * e * v[0]) + (t * t * x[0] * e * v[4]));
                for (int k = 1; k <= 3; k++)
                {
                    int a = k, b = 4 + k, cc = 7 + k;
                    double u = t - x[cc];
                    double ek = Math.Exp(-u * u * x[b]);
                    double hab = -u * u * ek;
                    double hac = 2 * u * x[b] * ek;
                    double hbb = x[a] * u * u * u * u * ek;
                    double hbc = 2 * x[a] * u * ek * (1 - (u * u * x[b]));
                    double hcc = 2 * x[a] * x[b] * ek * ((2 * u * u * x[b]) - 1);
                    h[a] += c * ((hab * v[b]) + (hac * v[cc]));
                    h[b] += c * ((hab * v[a]) + (hbb * v[b]) + (hbc * v[cc]));
                    h[cc] += c * ((hac * v[a]) + (hbc * v[b]) + (hcc * v[cc]));
                }
            }
        },
        MghObjectives.Osborne2Objective,
        MghResiduals.Osborne2);
}

public static partial class MghObjectives
{
    internal static readonly double[] Osborne2Y =
    [
        1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608, 0.655, 0.616, 0.606,
        0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495, 0.500, 0.423,
        0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428, 0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668,
        0.645, 0.632, 0.591, 0.559, 0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098,
        0.054,
    ];

    /// <summary>(19) Osborne 2.</summary>
    [Differentiable(Hessian = true)]
    public static double Osborne2(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 1; i <= 65; i++)
        {
            double t = (i - 1) / 10.0;
            double fi = Osborne2Y[i - 1] - (x[0] * Math.Exp(-t * x[4])
                + x[1] * Math.Exp(-Math.Pow(t - x[8], 2) * x[5])
                + x[2] * Math.Exp(-Math.Pow(t - x[9], 2) * x[6])
                + x[3] * Math.Exp(-Math.Pow(t - x[10], 2) * x[7]));
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(19) Osborne 2.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Osborne2(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 65; i++)
        {
            double t = (i - 1) / 10.0;
            r[i - 1] = MghObjectives.Osborne2Y[i - 1] - (x[0] * Math.Exp(-t * x[4])
                + x[1] * Math.Exp(-Math.Pow(t - x[8], 2) * x[5])
                + x[2] * Math.Exp(-Math.Pow(t - x[9], 2) * x[6])
                + x[3] * Math.Exp(-Math.Pow(t - x[10], 2) * x[7]));
        }
    }
}

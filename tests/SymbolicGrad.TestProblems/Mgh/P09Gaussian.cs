namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>(9) Gaussian: fᵢ = x₁exp(−x₂(tᵢ − x₃)²/2) − yᵢ, tᵢ = (8 − i)/2, m = 15; x₀ = (0.4, 1, 0); f* = 1.12793e−8.</summary>
    public static MghProblem Gaussian() => new(
        9, "Gaussian", 3, 15, [0.4, 1.0, 0.0], new MghMinimum(1.12793e-8, "(0.3989…, 1.0000…, 0)"),
        (x, r) =>
        {
            for (int i = 1; i <= 15; i++)
            {
                double u = ((8 - i) / 2.0) - x[2];
                r[i - 1] = (x[0] * Math.Exp(-x[1] * u * u / 2)) - MghObjectives.GaussianY[i - 1];
            }
        },
        (x, j) =>
        {
            for (int i = 1; i <= 15; i++)
            {
                double u = ((8 - i) / 2.0) - x[2];
                double e = Math.Exp(-x[1] * u * u / 2);
                j[(i - 1) * 3] = e;
                j[((i - 1) * 3) + 1] = -x[0] * e * u * u / 2;
                j[((i - 1) * 3) + 2] = x[0] * e * x[1] * u;
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 1; i <= 15; i++)
            {
                double u = ((8 - i) / 2.0) - x[2];
                double e = Math.Exp(-x[1] * u * u / 2);
                double h12 = -u * u * e / 2;
                double h13 = x[1] * u * e;
                double h22 = x[0] * e * u * u * u * u / 4;
                double h23 = x[0] * e * u * (1 - (x[1] * u * u / 2));
                double h33 = x[0] * x[1] * e * ((x[1] * u * u) - 1);
                h[0] += w[i - 1] * ((h12 * v[1]) + (h13 * v[2]));
                h[1] += w[i - 1] * ((h12 * v[0]) + (h22 * v[1]) + (h23 * v[2]));
                h[2] += w[i - 1] * ((h13 * v[0]) + (h23 * v[1]) + (h33 * v[2]));
            }
        },
        MghObjectives.GaussianObjective,
        MghResiduals.Gaussian);
}

public static partial class MghObjectives
{
    internal static readonly double[] GaussianY =
        [0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009];

    /// <summary>(9) Gaussian.</summary>
    [Differentiable(Hessian = true)]
    public static double Gaussian(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 1; i <= 15; i++)
        {
            double t = (8 - i) / 2.0;
            double fi = x[0] * Math.Exp(-x[1] * Math.Pow(t - x[2], 2) / 2) - GaussianY[i - 1];
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(9) Gaussian.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Gaussian(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 15; i++)
        {
            double t = (8 - i) / 2.0;
            r[i - 1] = x[0] * Math.Exp(-x[1] * Math.Pow(t - x[2], 2) / 2) - MghObjectives.GaussianY[i - 1];
        }
    }
}

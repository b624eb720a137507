namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (16) Brown and Dennis: fᵢ = (x₁ + tᵢx₂ − exp(tᵢ))² + (x₃ + x₄ sin tᵢ − cos tᵢ)², tᵢ = i/5, m = 20;
    /// x₀ = (25, 5, −5, −1); f* = 85822.2.
    /// </summary>
    public static MghProblem BrownDennis() => new(
        16, "Brown and Dennis", 4, 20, [25.0, 5.0, -5.0, -1.0], new MghMinimum(85822.2, "(−11.59…, 13.20…, −0.4034…, 0.2367…)"),
        (x, r) =>
        {
            for (int i = 1; i <= 20; i++)
            {
                double t = i / 5.0;
                double a = x[0] + (t * x[1]) - Math.Exp(t);
                double b = x[2] + (x[3] * Math.Sin(t)) - Math.Cos(t);
                r[i - 1] = (a * a) + (b * b);
            }
        },
        (x, j) =>
        {
            for (int i = 1; i <= 20; i++)
            {
                double t = i / 5.0;
                double a = x[0] + (t * x[1]) - Math.Exp(t);
                double b = x[2] + (x[3] * Math.Sin(t)) - Math.Cos(t);
                j[(i - 1) * 4] = 2 * a;
                j[((i - 1) * 4) + 1] = 2 * a * t;
                j[((i - 1) * 4) + 2] = 2 * b;
                j[((i - 1) * 4) + 3] = 2 * b * Math.Sin(t);
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 1; i <= 20; i++)
            {
                // ∇²fᵢ = 2(∇a∇aᵀ + ∇b∇bᵀ), ∇a = (1, t, 0, 0), ∇b = (0, 0, 1, sin t).
                double t = i / 5.0, s = Math.Sin(t);
                double av = v[0] + (t * v[1]);
                double bv = v[2] + (s * v[3]);
                double c = 2 * w[i - 1];
                h[0] += c * av;
                h[1] += c * t * av;
                h[2] += c * bv;
                h[3] += c * s * bv;
            }
        },
        MghObjectives.BrownDennisObjective,
        MghResiduals.BrownDennis,
        "m = 20, the size the paper gives f* for");
}

public static partial class MghObjectives
{
    /// <summary>(16) Brown and Dennis, m = 20.</summary>
    [Differentiable(Hessian = true)]
    public static double BrownDennis(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 1; i <= 20; i++)
        {
            double t = i / 5.0;
            double fi = Math.Pow(x[0] + t * x[1] - Math.Exp(t), 2) + Math.Pow(x[2] + x[3] * Math.Sin(t) - Math.Cos(t), 2);
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(16) Brown and Dennis, m = 20.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void BrownDennis(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 20; i++)
        {
            double t = i / 5.0;
            r[i - 1] = Math.Pow(x[0] + t * x[1] - Math.Exp(t), 2) + Math.Pow(x[2] + x[3] * Math.Sin(t) - Math.Cos(t), 2);
        }
    }
}

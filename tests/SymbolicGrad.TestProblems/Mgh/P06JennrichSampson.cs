namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>(6) Jennrich and Sampson: fᵢ = 2 + 2i − (e^{i x₁} + e^{i x₂}), m = 10; x₀ = (0.3, 0.4); f* = 124.362 at x₁ = x₂ = 0.2578.</summary>
    public static MghProblem JennrichSampson() => new(
        6, "Jennrich and Sampson", 2, 10, [0.3, 0.4], new MghMinimum(124.362, "x₁ = x₂ = 0.2578"),
        (x, r) =>
        {
            for (int i = 1; i <= 10; i++)
            {
                r[i - 1] = 2 + (2 * i) - (Math.Exp(i * x[0]) + Math.Exp(i * x[1]));
            }
        },
        (x, j) =>
        {
            for (int i = 1; i <= 10; i++)
            {
                j[(i - 1) * 2] = -i * Math.Exp(i * x[0]);
                j[((i - 1) * 2) + 1] = -i * Math.Exp(i * x[1]);
            }
        },
        (x, w, v, h) =>
        {
            for (int i = 1; i <= 10; i++)
            {
                h[0] -= w[i - 1] * i * i * Math.Exp(i * x[0]) * v[0];
                h[1] -= w[i - 1] * i * i * Math.Exp(i * x[1]) * v[1];
            }
        },
        MghObjectives.JennrichSampsonObjective,
        MghResiduals.JennrichSampson,
        "m = 10, the size the paper gives f* for");
}

public static partial class MghObjectives
{
    /// <summary>(6) Jennrich and Sampson, m = 10.</summary>
    [Differentiable(Hessian = true)]
    public static double JennrichSampson(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 1; i <= 10; i++)
        {
            double fi = 2 + 2 * i - (Math.Exp(i * x[0]) + Math.Exp(i * x[1]));
            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(6) Jennrich and Sampson, m = 10.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void JennrichSampson(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 1; i <= 10; i++)
        {
            r[i - 1] = 2 + 2 * i - (Math.Exp(i * x[0]) + Math.Exp(i * x[1]));
        }
    }
}

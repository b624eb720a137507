namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (21) Extended Rosenbrock: f₂ᵢ₋₁ = 10(x₂ᵢ − x₂ᵢ₋₁²), f₂ᵢ = 1 − x₂ᵢ₋₁, n even, m = n; x₀ = (−1.2, 1, …); f* = 0 at (1, …, 1).
    /// </summary>
    /// <param name="n">An even size.</param>
    public static MghProblem ExtendedRosenbrock(int n = 10) => new(
        21, "Extended Rosenbrock", n, n, Repeat(n, -1.2, 1.0), new MghMinimum(0, "(1, …, 1)"),
        (x, r) =>
        {
            for (int k = 0; k < x.Length; k += 2)
            {
                r[k] = 10 * (x[k + 1] - (x[k] * x[k]));
                r[k + 1] = 1 - x[k];
            }
        },
        (x, j) =>
        {
            int nn = x.Length;
            for (int k = 0; k < nn; k += 2)
            {
                j[(k * nn) + k] = -20 * x[k];
                j[(k * nn) + k + 1] = 10;
                j[((k + 1) * nn) + k] = -1;
            }
        },
        (x, w, v, h) =>
        {
            for (int k = 0; k < x.Length; k += 2)
            {
                h[k] -= 20 * w[k] * v[k];
            }
        },
        MghObjectives.ExtendedRosenbrockObjective,
        MghResiduals.ExtendedRosenbrock,
        "n = 10 (the paper leaves n free)");

    private static double[] Repeat(int n, params double[] pattern)
    {
        if (n % pattern.Length != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"n must be a multiple of {pattern.Length}.");
        }

        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = pattern[i % pattern.Length];
        }

        return x;
    }
}

public static partial class MghObjectives
{
    /// <summary>(21) Extended Rosenbrock, any even n.</summary>
    [Differentiable(Hessian = true)]
    public static double ExtendedRosenbrock(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 0; i < x.Length / 2; i++)
        {
            double a = 10 * (x[2 * i + 1] - x[2 * i] * x[2 * i]);
            double b = 1 - x[2 * i];
            f += a * a + b * b;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(21) Extended Rosenbrock, any even n.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void ExtendedRosenbrock(ReadOnlySpan<double> x, Span<double> r)
    {
        for (int i = 0; i < x.Length / 2; i++)
        {
            r[2 * i] = 10 * (x[2 * i + 1] - x[2 * i] * x[2 * i]);
            r[2 * i + 1] = 1 - x[2 * i];
        }
    }
}

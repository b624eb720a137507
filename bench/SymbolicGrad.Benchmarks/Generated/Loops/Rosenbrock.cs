namespace SymbolicGrad.Benchmarks.Generated;

public static partial class Objectives
{
    /// <summary>
    /// The N-dimensional Rosenbrock function, Σᵢ 100·(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)².
    /// Generated: <c>double RosenbrockGradient(ReadOnlySpan&lt;double&gt; x, Span&lt;double&gt; dX)</c>.
    /// </summary>
    [Differentiable(Hessian = true)]
    public static double Rosenbrock(ReadOnlySpan<double> x)
    {
        double sum = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            sum += 100 * a * a + b * b;
        }

        return sum;
    }
}

public static partial class Objectives
{
    /// <summary>
    /// The extended Rosenbrock function (Moré–Garbow–Hillstrom problem 21), Σ over pairs 100·(x₂ᵢ₊₁ − x₂ᵢ²)² + (1 − x₂ᵢ)²:
    /// the large-scale Rosenbrock of the optimization literature, for Newton-CG against L-BFGS.
    /// </summary>
    [Differentiable(Hessian = true)]
    public static double ExtendedRosenbrock(ReadOnlySpan<double> x)
    {
        double sum = 0;
        for (int i = 0; i + 1 < x.Length; i += 2)
        {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            sum += 100 * a * a + b * b;
        }

        return sum;
    }
}

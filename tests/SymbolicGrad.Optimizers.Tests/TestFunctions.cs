namespace SymbolicGrad.Optimizers.Tests;

/// <summary>Hand-written objectives and gradients (the generator is not used by these tests).</summary>
internal static class TestFunctions
{
    /// <summary>(x − 3)².</summary>
    public static double Shifted(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = 2 * (x[0] - 3);
        return (x[0] - 3) * (x[0] - 3);
    }

    /// <summary>w² + 4b².</summary>
    public static double Bowl(ReadOnlySpan<double> x, Span<double> g)
    {
        g[0] = 2 * x[0];
        g[1] = 8 * x[1];
        return x[0] * x[0] + 4 * x[1] * x[1];
    }

    /// <summary>Chained Rosenbrock Σ 100(x[i+1] − x[i]²)² + (1 − x[i])²; the 2-D case is the classic one.</summary>
    public static double Rosenbrock(ReadOnlySpan<double> x, Span<double> g)
    {
        g.Clear();
        double f = 0;
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            f += 100 * a * a + b * b;
            g[i] += -400 * x[i] * a - 2 * b;
            g[i + 1] += 200 * a;
        }

        return f;
    }

    public static DifferentiableFunction AsFunction(int dimension, ValueAndGradientFunction f, string name)
    {
        return new DifferentiableFunction(
            dimension,
            x =>
            {
                Span<double> scratch = stackalloc double[x.Length];
                return f(x, scratch);
            },
            f,
            name);
    }

    public static double DistanceToOnes(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (double v in x)
        {
            s += (v - 1) * (v - 1);
        }

        return Math.Sqrt(s);
    }
}

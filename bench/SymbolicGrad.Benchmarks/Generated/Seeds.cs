namespace SymbolicGrad.Benchmarks.Generated;

/// <summary>
/// The small functions of the seed documents, written the way a user writes them. Scalar code only, so the generator
/// writes their gradients today (<c>SquareGradient</c>, <c>SumTimesGradient</c>...); their bodies are also the
/// value-only contender.
/// </summary>
public static partial class Objectives
{
    /// <summary>(x − 3)².</summary>
    [Differentiable]
    public static double Square(double x) => (x - 3) * (x - 3);

    /// <summary>(x + y)·z.</summary>
    [Differentiable]
    public static double SumTimes(double x, double y, double z) => (x + y) * z;

    /// <summary>v0² + 3·v0·v1.</summary>
    [Differentiable]
    public static double Quadratic(double v0, double v1) => v0 * v0 + 3 * v0 * v1;

    /// <summary>w² + 4·b².</summary>
    [Differentiable]
    public static double Bowl(double w, double b) => w * w + 4 * b * b;

    /// <summary>The 2-D Rosenbrock function, written with scalars: (1 − x)² + 100·(y − x²)².</summary>
    [Differentiable]
    public static double Rosenbrock2(double x, double y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
}

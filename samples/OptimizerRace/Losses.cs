namespace SymbolicGrad.Samples.OptimizerRace;

/// <summary>Two classic test functions for optimizers, as plain C#; the generator writes their gradients.</summary>
public static partial class Losses
{
    /// <summary>Rosenbrock's banana valley: the minimum 0 at (1, 1) lies in a long, curved, flat-bottomed valley.</summary>
    [Differentiable]
    public static double Rosenbrock(double x, double y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);

    /// <summary>Beale's function: the minimum 0 at (3, 0.5), flat plateaus and steep walls.</summary>
    [Differentiable]
    public static double Beale(double x, double y)
    {
        double a = 1.5 - x + x * y;
        double b = 2.25 - x + x * y * y;
        double c = 2.625 - x + x * y * y * y;
        return a * a + b * b + c * c;
    }
}

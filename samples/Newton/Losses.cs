namespace SymbolicGrad.Samples.Newton;

/// <summary>
/// The two functions, as plain C#. <c>Hessian = true</c> asks the generator for second derivatives too: each objective's
/// <c>HessianVectorProduct</c> and <c>Hessian</c> are exact, from one forward-over-reverse sweep per product.
/// </summary>
public static partial class Losses
{
    /// <summary>
    /// Boyd and Vandenberghe's example (Convex Optimization, §9.3.2 and §9.5.4): smooth and strongly convex, with its
    /// minimum p* = 2√2·e^−0.1 at (−ln 2 / 2, 0).
    /// </summary>
    [Differentiable(Hessian = true)]
    public static double Boyd(double x, double y) =>
        Math.Exp(x + 3 * y - 0.1) + Math.Exp(x - 3 * y - 0.1) + Math.Exp(-x - 0.1);

    /// <summary>Rosenbrock's banana valley: not convex; the minimum 0 at (1, 1).</summary>
    [Differentiable(Hessian = true)]
    public static double Rosenbrock(double x, double y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
}

using SymbolicGrad;

namespace Quickstart;

/// <summary>A loss written as plain C#. The generator adds LossGradient and LossObjective at build time.</summary>
public static partial class Losses
{
    [Differentiable]
    public static double Loss(double w, double b) => (w - 3) * (w - 3) + 4 * b * b;

    /// <summary>A smooth bump with a branch: the gradient follows the branch each point takes.</summary>
    [Differentiable]
    public static double Valley(double x, double y)
    {
        double r = Math.Sqrt(x * x + y * y);
        double bowl = 0.5 * r * r;
        if (x > 0)
        {
            bowl += Math.Log(1 + x * x);
        }

        return bowl - Math.Exp(-r) * Math.Cos(3 * x);
    }
}

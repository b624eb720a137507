using SymbolicGrad;

namespace Quickstart;

public static partial class Losses
{
    [Differentiable]
    public static double Loss(double w, double b) => (w - 3) * (w - 3) + 4 * b * b;

    [Differentiable]
    public static double Smooth(double x, double y)
    {
        double r = Math.Sqrt(x * x + y * y);
        double s = Math.Exp(-r) * Math.Sin(3 * x);
        if (x > 0)
        {
            s = s + Math.Log(1 + x * x);
        }
        else
        {
            s = s - y * y;
        }

        return s * s + Math.Max(x, y);
    }

    [Differentiable]
    public static double Piecewise(double x)
    {
        if (x < -1) return -x;
        if (x > 1)
        {
            double t = x * x;
            return t + Smooth(x, 2 * x);
        }
        return Math.Abs(x) * 3;
    }
}

namespace SymbolicGrad.Benchmarks.Generated;

public static partial class Objectives
{
    /// <summary>
    /// The mean squared error of the line w·x + b over the points (xᵢ, yᵢ).
    /// Generated: <c>double MseGradient(double w, double b, double[] x, double[] y, out double dW, out double dB)</c>.
    /// </summary>
    [Differentiable]
    public static double Mse(double w, double b, [NoDerivative] double[] x, [NoDerivative] double[] y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = w * x[i] + b - y[i];
            sum += r * r;
        }

        return sum / x.Length;
    }
}

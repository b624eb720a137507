namespace SymbolicGrad.Samples;

/// <summary>The samples' shared losses. The generator writes <c>SquaredErrorGradient</c> and <c>SquaredErrorObjective</c>.</summary>
public static partial class Regression
{
    /// <summary>
    /// One example's squared error for the line ŷ = w·x + b: (w·x + b − y)². The mean over the examples is the mean
    /// squared error, the loss the Trainer and the walks minimize.
    /// </summary>
    [Differentiable]
    public static double SquaredError(double w, double b, [NoDerivative] double x, [NoDerivative] double y)
    {
        double residual = w * x + b - y;
        return residual * residual;
    }

    /// <summary>The mean squared error of the line over all the data (what the contour plots show).</summary>
    [Differentiable]
    public static double MeanSquaredError(double w, double b, [NoDerivative] double[] x, [NoDerivative] double[] y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double residual = w * x[i] + b - y[i];
            sum += residual * residual;
        }

        return sum / x.Length;
    }
}

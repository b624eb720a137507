namespace SymbolicGrad.Samples.Overfitting;

/// <summary>Polynomial regression; the generator writes the gradient with respect to every coefficient.</summary>
public static partial class Losses
{
    /// <summary>c[0] + c[1]·x + … + c[n−1]·xⁿ⁻¹, by Horner's rule.</summary>
    public static double Polynomial(ReadOnlySpan<double> c, double x)
    {
        double p = 0;
        for (int i = c.Length - 1; i >= 0; i--)
        {
            p = p * x + c[i];
        }

        return p;
    }

    /// <summary>One example's squared error (polynomial(x) − y)²; the coefficients are the parameters.</summary>
    [Differentiable]
    public static double SquaredError(double[] c, [NoDerivative] double x, [NoDerivative] double y)
    {
        double p = 0;
        for (int i = c.Length - 1; i >= 0; i--)
        {
            p = p * x + c[i];
        }

        double r = p - y;
        return r * r;
    }
}

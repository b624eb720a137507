namespace SymbolicGrad.Samples.LrFinder;

/// <summary>Logistic regression on two features; the generator writes the gradient.</summary>
public static partial class Losses
{
    /// <summary>
    /// One example's cross-entropy for p = σ(w1·x1 + w2·x2 + b) and a label y ∈ {0, 1}: softplus(z) − y·z, with
    /// softplus written so that it never overflows (the gradient follows the branch taken).
    /// </summary>
    [Differentiable]
    public static double CrossEntropy(double w1, double w2, double b, [NoDerivative] double x1, [NoDerivative] double x2, [NoDerivative] double y)
    {
        double z = w1 * x1 + w2 * x2 + b;
        double softplus = z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
        return softplus - y * z;
    }
}

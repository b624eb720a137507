namespace SymbolicGrad.Benchmarks.Generated;

public static partial class Objectives
{
    /// <summary>
    /// The mean cross-entropy of logistic regression: pᵢ = σ(w·xᵢ + b), loss = −(1/M) Σᵢ yᵢ·log pᵢ + (1 − yᵢ)·log(1 − pᵢ).
    /// <paramref name="x"/> holds M rows of d = w.Length features.
    /// Generated: <c>double LogisticRegressionGradient(ReadOnlySpan&lt;double&gt; w, double b, double[] x, double[] y,
    /// Span&lt;double&gt; dW, out double dB)</c>.
    /// </summary>
    [Differentiable]
    public static double LogisticRegression(ReadOnlySpan<double> w, double b, [NoDerivative] double[] x, [NoDerivative] double[] y)
    {
        int d = w.Length;
        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double z = b;
            for (int j = 0; j < d; j++)
            {
                z += w[j] * x[i * d + j];
            }

            double p = 1 / (1 + Math.Exp(-z));
            loss -= y[i] * Math.Log(p) + (1 - y[i]) * Math.Log(1 - p);
        }

        return loss / y.Length;
    }
}

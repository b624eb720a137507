namespace SymbolicGrad.Benchmarks.Generated;

public static partial class Objectives
{
    /// <summary>
    /// The sum of squared residuals of the line w·x + b over a slice of the data (spans, so that a shard is a slice):
    /// the data-parallel rows sum it over shards and divide by the number of points.
    /// Generated: <c>double SquaredResidualsGradient(double w, double b, ReadOnlySpan&lt;double&gt; x,
    /// ReadOnlySpan&lt;double&gt; y, out double dW, out double dB)</c>.
    /// </summary>
    [Differentiable]
    public static double SquaredResiduals(double w, double b, [NoDerivative] ReadOnlySpan<double> x, [NoDerivative] ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = w * x[i] + b - y[i];
            sum += r * r;
        }

        return sum;
    }

    /// <summary>
    /// The summed cross-entropy of logistic regression over a slice of rows: −Σᵢ yᵢ·log pᵢ + (1 − yᵢ)·log(1 − pᵢ),
    /// pᵢ = σ(w·xᵢ + b); <paramref name="x"/> holds the slice's rows of d = w.Length features.
    /// Generated: <c>double CrossEntropySumGradient(ReadOnlySpan&lt;double&gt; w, double b, ReadOnlySpan&lt;double&gt; x,
    /// ReadOnlySpan&lt;double&gt; y, Span&lt;double&gt; dW, out double dB)</c>.
    /// </summary>
    [Differentiable]
    public static double CrossEntropySum(ReadOnlySpan<double> w, double b, [NoDerivative] ReadOnlySpan<double> x, [NoDerivative] ReadOnlySpan<double> y)
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

        return loss;
    }
}

namespace SymbolicGrad.Benchmarks.Generated;

public static partial class Objectives
{
    /// <summary>
    /// The mean squared error of a 4-16-1 network with a tanh hidden layer: hⱼ = tanh(b1ⱼ + Σₖ w1ⱼₖ·xₖ),
    /// ŷ = b2 + Σⱼ w2ⱼ·hⱼ. <paramref name="x"/> holds M rows of 4 inputs; <paramref name="w1"/> is 16 rows of 4.
    /// The hidden activations live in a local array (on the stack, so the function itself allocates nothing).
    /// Generated: <c>double MlpGradient(ReadOnlySpan&lt;double&gt; w1, ReadOnlySpan&lt;double&gt; b1,
    /// ReadOnlySpan&lt;double&gt; w2, double b2, double[] x, double[] y, Span&lt;double&gt; dW1, Span&lt;double&gt; dB1,
    /// Span&lt;double&gt; dW2, out double dB2)</c>.
    /// </summary>
    [Differentiable(Hessian = true)]
    public static double Mlp(
        ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, double b2,
        [NoDerivative] double[] x, [NoDerivative] double[] y)
    {
        const int inputs = 4;
        int hidden = b1.Length;
        Span<double> h = stackalloc double[hidden];
        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            for (int j = 0; j < hidden; j++)
            {
                double a = b1[j];
                for (int k = 0; k < inputs; k++)
                {
                    a += w1[j * inputs + k] * x[i * inputs + k];
                }

                h[j] = Math.Tanh(a);
            }

            double output = b2;
            for (int j = 0; j < hidden; j++)
            {
                output += w2[j] * h[j];
            }

            double r = output - y[i];
            loss += r * r;
        }

        return loss / y.Length;
    }
}

namespace SymbolicGrad.Benchmarks.Generated;

public static partial class Objectives
{
    /// <summary>
    /// The mean softmax cross-entropy of a one-hidden-layer network over a batch, written as natural loops:
    /// hⱼ = tanh(b1ⱼ + Σₖ w1ⱼₖ·xₖ), zc = b2c + Σⱼ w2cⱼ·hⱼ, loss = (1/M) Σᵢ (log Σc exp zc − z_labelᵢ).
    /// <paramref name="x"/> holds M rows of <c>w1.Length / b1.Length</c> inputs; <paramref name="w1"/> is hidden rows of
    /// inputs, <paramref name="w2"/> classes rows of hidden; <paramref name="labels"/> holds each row's class.
    /// Generated: <c>double SoftmaxMlpGradient(ReadOnlySpan&lt;double&gt; w1, ReadOnlySpan&lt;double&gt; b1,
    /// ReadOnlySpan&lt;double&gt; w2, ReadOnlySpan&lt;double&gt; b2, double[] x, int[] labels, Span&lt;double&gt; dW1,
    /// Span&lt;double&gt; dB1, Span&lt;double&gt; dW2, Span&lt;double&gt; dB2)</c>.
    /// </summary>
    [Differentiable]
    public static double SoftmaxMlp(
        ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        [NoDerivative] double[] x, int[] labels)
    {
        int hidden = b1.Length;
        int classes = b2.Length;
        int inputs = w1.Length / hidden;
        int m = labels.Length;
        Span<double> h = stackalloc double[hidden];
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < m; i++)
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

            for (int c = 0; c < classes; c++)
            {
                double s = b2[c];
                for (int j = 0; j < hidden; j++)
                {
                    s += w2[c * hidden + j] * h[j];
                }

                z[c] = s;
            }

            // log-sum-exp over the classes, shifted by the largest logit
            double max = z[0];
            for (int c = 1; c < classes; c++)
            {
                max = Math.Max(max, z[c]);
            }

            double sumExp = 0;
            for (int c = 0; c < classes; c++)
            {
                sumExp += Math.Exp(z[c] - max);
            }

            loss += Math.Log(sumExp) + max - z[labels[i]];
        }

        return loss / m;
    }

    /// <summary>
    /// The same loops as <see cref="SoftmaxMlp"/>, with <c>Reassociate = true</c>: the generated gradient computes the
    /// layers' dot products with SIMD kernels too (summed in vector lanes, so its value may differ from the method's in
    /// the last bits).
    /// </summary>
    [Differentiable(Reassociate = true)]
    public static double SoftmaxMlpReassociated(
        ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, ReadOnlySpan<double> b2,
        [NoDerivative] double[] x, int[] labels)
    {
        int hidden = b1.Length;
        int classes = b2.Length;
        int inputs = w1.Length / hidden;
        int m = labels.Length;
        Span<double> h = stackalloc double[hidden];
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int i = 0; i < m; i++)
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

            for (int c = 0; c < classes; c++)
            {
                double s = b2[c];
                for (int j = 0; j < hidden; j++)
                {
                    s += w2[c * hidden + j] * h[j];
                }

                z[c] = s;
            }

            // log-sum-exp over the classes, shifted by the largest logit
            double max = z[0];
            for (int c = 1; c < classes; c++)
            {
                max = Math.Max(max, z[c]);
            }

            double sumExp = 0;
            for (int c = 0; c < classes; c++)
            {
                sumExp += Math.Exp(z[c] - max);
            }

            loss += Math.Log(sumExp) + max - z[labels[i]];
        }

        return loss / m;
    }
}

namespace SymbolicGrad.Corpus;

/// <summary>
/// The classifiers of Classifiers.cs as they are written first with matrices (#9): a weight matrix W[c, j], and a
/// network's per-layer weights W[l] and biases B[l] in jagged arrays, run by a loop over the layers.
/// </summary>
public static partial class Matrices
{
    /// <summary>Mean softmax cross-entropy of a linear classifier with a classes × features weight matrix.</summary>
    [Differentiable]
    public static double SoftmaxCrossEntropy(double[,] W, double[] b, [NoDerivative] double[][] xs, [NoDerivative] int[] labels)
    {
        double total = 0;
        foreach (var (x, label) in xs.Zip(labels))
        {
            var logits = new double[W.GetLength(0)];
            for (int c = 0; c < logits.Length; c++)
            {
                logits[c] = b[c];
                for (int j = 0; j < W.GetLength(1); j++)
                {
                    logits[c] += W[c, j] * x[j];
                }
            }

            double max = logits.Max();
            double sum = logits.Sum(z => Math.Exp(z - max));
            total += Math.Log(sum) + max - logits[label];
        }

        return total / xs.Length;
    }

    /// <summary>One dense layer: w is row-major outputs × inputs; ReLU unless it is the last.</summary>
    private static double[] Dense(double[] w, double[] b, double[] input, bool relu)
    {
        var output = new double[b.Length];
        for (int i = 0; i < b.Length; i++)
        {
            double z = b[i];
            for (int j = 0; j < input.Length; j++)
            {
                z += w[i * input.Length + j] * input[j];
            }

            output[i] = relu ? Math.Max(0, z) : z;
        }

        return output;
    }

    /// <summary>A ReLU network of any depth with a softmax output, mean negative log-likelihood.</summary>
    [Differentiable]
    public static double MlpLoss(double[][] W, double[][] B, [NoDerivative] double[][] xs, [NoDerivative] int[] ys)
    {
        double loss = 0;
        for (int n = 0; n < xs.Length; n++)
        {
            double[] a = xs[n];
            for (int l = 0; l < W.Length; l++)
            {
                a = Dense(W[l], B[l], a, relu: l < W.Length - 1);
            }

            double max = a.Max();
            double sum = 0;
            foreach (var z in a)
            {
                sum += Math.Exp(z - max);
            }

            loss += Math.Log(sum) + max - a[ys[n]];
        }

        return loss / xs.Length;
    }
}

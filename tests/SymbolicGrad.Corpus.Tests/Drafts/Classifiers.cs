namespace SymbolicGrad.Corpus;

/// <summary>
/// Classifiers as a data scientist writes them first: per-example arrays created in the loop, helpers without the
/// attribute that allocate and return arrays, LINQ.
/// </summary>
public static partial class Classifiers
{
    /// <summary>Mean softmax cross-entropy of a linear classifier; <paramref name="w"/> is row-major classes × features.</summary>
    [Differentiable]
    public static double SoftmaxCrossEntropy(double[] w, double[] b, [NoDerivative] double[][] xs, [NoDerivative] int[] labels)
    {
        int classes = b.Length;
        int features = xs[0].Length;
        double total = 0;
        for (int n = 0; n < xs.Length; n++)
        {
            var logits = new double[classes];
            for (int c = 0; c < classes; c++)
            {
                double z = b[c];
                for (int j = 0; j < features; j++)
                {
                    z += w[c * features + j] * xs[n][j];
                }

                logits[c] = z;
            }

            double max = logits.Max();
            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                sum += Math.Exp(logits[c] - max);
            }

            total += Math.Log(sum) + max - logits[labels[n]];
        }

        return total / xs.Length;
    }

    private static double[] MatVec(double[] m, double[] x, int rows, int cols)
    {
        var y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double s = 0;
            for (int j = 0; j < cols; j++)
            {
                s += m[i * cols + j] * x[j];
            }

            y[i] = s;
        }

        return y;
    }

    private static double[] Add(double[] a, double[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            r[i] = a[i] + b[i];
        }

        return r;
    }

    private static double[] Relu(double[] v)
    {
        var r = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            r[i] = Math.Max(0, v[i]);
        }

        return r;
    }

    private static double LogSumExp(double[] v)
    {
        double m = v[0];
        for (int i = 1; i < v.Length; i++)
        {
            m = Math.Max(m, v[i]);
        }

        double s = 0;
        foreach (var e in v)
        {
            s += Math.Exp(e - m);
        }

        return m + Math.Log(s);
    }

    private static double[] Softmax(double[] v)
    {
        double lse = LogSumExp(v);
        var p = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            p[i] = Math.Exp(v[i] - lse);
        }

        return p;
    }

    /// <summary>
    /// A 2-hidden-layer ReLU network with a softmax output, mean negative log-likelihood. The weight matrices are
    /// row-major (outputs × inputs); the helpers (MatVec, Add, Relu, Softmax, LogSumExp) are not [Differentiable].
    /// </summary>
    [Differentiable]
    public static double MlpLoss(double[] w1, double[] b1, double[] w2, double[] b2, double[] w3, double[] b3,
        [NoDerivative] double[][] xs, [NoDerivative] int[] ys)
    {
        int d = xs[0].Length, h1 = b1.Length, h2 = b2.Length, k = b3.Length;
        double loss = 0;
        for (int n = 0; n < xs.Length; n++)
        {
            var a1 = Relu(Add(MatVec(w1, xs[n], h1, d), b1));
            var a2 = Relu(Add(MatVec(w2, a1, h2, h1), b2));
            var logits = Add(MatVec(w3, a2, k, h2), b3);
            var p = Softmax(logits);
            loss -= Math.Log(p[ys[n]]);
        }

        return loss / xs.Length;
    }

    /// <summary>Logistic regression (labels ±1) as one LINQ expression.</summary>
    [Differentiable]
    public static double LogisticLoss(double[] w, double b, [NoDerivative] double[][] xs, [NoDerivative] double[] ys) =>
        xs.Zip(ys, (x, y) => Math.Log(1 + Math.Exp(-y * (x.Zip(w, (xi, wi) => xi * wi).Sum() + b)))).Average();

    /// <summary>The same with index ranges and a lambda per sum.</summary>
    [Differentiable]
    public static double LogisticLossByIndex(double[] w, double b, [NoDerivative] double[][] xs, [NoDerivative] double[] ys) =>
        Enumerable.Range(0, ys.Length).Sum(i => Math.Log(1 + Math.Exp(-ys[i] * (b + Enumerable.Range(0, w.Length).Sum(j => w[j] * xs[i][j]))))) / ys.Length;

    /// <summary>Max, Min, Average, Select and Aggregate over a parameter array.</summary>
    [Differentiable]
    public static double LinqStatistics(double[] v) =>
        v.Max() - v.Average() + v.Select(x => x * x).Min() + v.Aggregate(1.0, (acc, x) => acc * (1 + 0.1 * x));
}

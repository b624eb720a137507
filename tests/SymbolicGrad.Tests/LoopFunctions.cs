using SymbolicGrad;

namespace SymbolicGrad.Tests;

/// <summary>Functions with loops, arrays and spans, differentiated at build time (issue 3).</summary>
public static partial class L
{
    [Differentiable]
    public static double Rosenbrock(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            s += 100 * a * a + b * b;
        }

        return s;
    }

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

    /// <summary>Mean cross-entropy of a logistic regression; xs is row-major M×d.</summary>
    [Differentiable]
    public static double LogisticRegression(ReadOnlySpan<double> w, double b, [NoDerivative] double[] xs, [NoDerivative] double[] labels)
    {
        int d = w.Length;
        double loss = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double z = b;
            for (int j = 0; j < d; j++)
            {
                z += w[j] * xs[i * d + j];
            }

            double p = 1 / (1 + Math.Exp(-z));
            loss -= labels[i] * Math.Log(p) + (1 - labels[i]) * Math.Log(1 - p);
        }

        return loss / labels.Length;
    }

    [Differentiable]
    public static double SoftmaxCrossEntropy(ReadOnlySpan<double> z, int label)
    {
        double m = z[0];
        for (int i = 1; i < z.Length; i++)
        {
            m = Math.Max(m, z[i]);
        }

        double sum = 0;
        foreach (double v in z)
        {
            sum += Math.Exp(v - m);
        }

        return m + Math.Log(sum) - z[label];
    }

    /// <summary>A 2-layer MLP, tanh hidden layer in a local array; w1 is row-major H×D.</summary>
    [Differentiable]
    public static double Mlp(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, double b2, [NoDerivative] double[] x, [NoDerivative] double y)
    {
        int hidden = b1.Length;
        int inputs = x.Length;
        Span<double> h = stackalloc double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double z = b1[j];
            for (int k = 0; k < inputs; k++)
            {
                z += w1[j * inputs + k] * x[k];
            }

            h[j] = Math.Tanh(z);
        }

        double output = b2;
        for (int j = 0; j < hidden; j++)
        {
            output += w2[j] * h[j];
        }

        double e = output - y;
        return 0.5 * e * e;
    }

    /// <summary>The same network with a heap array for the hidden layer.</summary>
    [Differentiable]
    public static double MlpHeap(double[] w1, double[] b1, double[] w2, double b2, [NoDerivative] double[] x, [NoDerivative] double y)
    {
        double[] h = new double[b1.Length];
        for (int j = 0; j < h.Length; j++)
        {
            double z = b1[j];
            for (int k = 0; k < x.Length; k++)
            {
                z += w1[j * x.Length + k] * x[k];
            }

            h[j] = Math.Tanh(z);
        }

        double output = b2;
        for (int j = 0; j < h.Length; j++)
        {
            output += w2[j] * h[j];
        }

        return 0.5 * (output - y) * (output - y);
    }

    [Differentiable]
    public static double Horner(ReadOnlySpan<double> c, double x)
    {
        double p = 0;
        for (int i = c.Length - 1; i >= 0; i--)
        {
            p = p * x + c[i];
        }

        return p;
    }

    [Differentiable]
    public static double LogisticMap(double r, double x0, int n)
    {
        double x = x0;
        for (int i = 0; i < n; i++)
        {
            x = r * x * (1 - x);
        }

        return x;
    }

    // ---- loop forms
    [Differentiable]
    public static double WhileLoop(double x, int n)
    {
        double p = 1;
        int k = 0;
        while (k < n)
        {
            p *= x;
            k++;
        }

        return p;
    }

    [Differentiable]
    public static double DoWhileLoop(double x)
    {
        double y = x;
        int steps = 0;
        do
        {
            y = 0.5 * (y + 2 / y);
            steps++;
        }
        while (steps < 4);
        return y;
    }

    [Differentiable]
    public static double BreakOnData(ReadOnlySpan<double> x, [NoDerivative] double limit)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (i >= limit)
            {
                break;
            }

            s += Math.Sin(x[i]) * (i + 1);
        }

        return s;
    }

    [Differentiable]
    public static double BreakOnValue(double x)
    {
        double y = x;
        for (int i = 0; i < 50; i++)
        {
            if (y > 10)
            {
                break;
            }

            y = y * 1.5 + 0.1;
        }

        return y;
    }

    [Differentiable]
    public static double ContinueAndBranches(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (i % 3 == 1)
            {
                continue;
            }

            if (x[i] > 0)
            {
                s += x[i] * x[i];
            }
            else
            {
                s -= Math.Exp(x[i]);
            }
        }

        return s;
    }

    [Differentiable]
    public static double ReturnInsideLoop(double x, int n)
    {
        double y = x;
        for (int i = 0; i < n; i++)
        {
            y = Math.Sin(y) + x;
            if (y > 1.5)
            {
                return y * y;
            }
        }

        return -y;
    }

    [Differentiable]
    public static double NestedLoops(ReadOnlySpan<double> a, int rows)
    {
        int cols = a.Length / rows;
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            double rowProduct = 1;
            for (int c = 0; c < cols; c++)
            {
                rowProduct *= 1 + a[r * cols + c] * a[r * cols + c];
            }

            total += Math.Log(rowProduct);
        }

        return total;
    }

    [Differentiable]
    public static double ForeachSquares(double[] x)
    {
        double s = 0;
        foreach (var v in x)
        {
            s += v * v * v;
        }

        return s;
    }

    [Differentiable]
    public static double StepTwo(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i += 2)
        {
            s += x[i] * (i + 1);
        }

        for (int i = x.Length - 1; i > 0; i -= 2)
        {
            s += x[i] * x[i - 1];
        }

        return s;
    }

    [Differentiable]
    public static double ComputedIndices(ReadOnlySpan<double> x)
    {
        double s = 0;
        int n = x.Length;
        for (int i = 0; i < n; i++)
        {
            s += x[(i * 3) % n] * x[(i + 1) % n];
        }

        return s;
    }

    [Differentiable]
    public static double TwoCarriedValues(double x, int n)
    {
        double a = 0;
        double b = x;
        for (int i = 0; i < n; i++)
        {
            double next = a + b * x;
            a = b;
            b = next;
        }

        return a + b;
    }

    [Differentiable]
    public static double OverwrittenLocalArray(ReadOnlySpan<double> x)
    {
        Span<double> t = stackalloc double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            t[i] = x[i];
        }

        for (int pass = 0; pass < 3; pass++)
        {
            for (int i = 0; i < x.Length; i++)
            {
                t[i] = Math.Sin(t[i]) + t[(i + 1) % x.Length] * 0.5;
            }
        }

        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += t[i] * t[i];
        }

        return s;
    }

    [Differentiable]
    public static double CallsInLoop(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += TestFunctions.Shared.Sigmoid(x[i]) * F.Square(x[i] - 1);
        }

        return s;
    }

    [Differentiable]
    public static float FloatLoop(ReadOnlySpan<float> x)
    {
        float s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += MathF.Sin(x[i]) * x[i];
        }

        return s;
    }

    /// <summary>
    /// The Gaussian-mixture log-likelihood objective of the ADBench/GradBench GMM benchmark: K components in D
    /// dimensions, means K×D, inverse-covariance factors icf K×(D + D(D−1)/2) (log-diagonal then the lower
    /// triangle, column by column), log-sum-exp over components for each of the N points, and the Wishart prior
    /// (without its constant term, which has no gradient).
    /// </summary>
    [Differentiable]
    public static double Gmm(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf,
        [NoDerivative] double[] x, int d, [NoDerivative] double gamma, int m)
    {
        int k = alphas.Length;
        int n = x.Length / d;
        int icfSize = d + d * (d - 1) / 2;
        Span<double> mainTerm = stackalloc double[k];
        Span<double> xc = stackalloc double[d];
        Span<double> qx = stackalloc double[d];
        double slse = 0;
        for (int ix = 0; ix < n; ix++)
        {
            for (int ik = 0; ik < k; ik++)
            {
                double sumQ = 0;
                for (int j = 0; j < d; j++)
                {
                    xc[j] = x[ix * d + j] - means[ik * d + j];
                    sumQ += icf[ik * icfSize + j];
                }

                for (int j = 0; j < d; j++)
                {
                    qx[j] = Math.Exp(icf[ik * icfSize + j]) * xc[j];
                }

                int lp = d;
                for (int i = 0; i < d; i++)
                {
                    for (int j = i + 1; j < d; j++)
                    {
                        qx[j] += icf[ik * icfSize + lp] * xc[i];
                        lp++;
                    }
                }

                double sq = 0;
                for (int j = 0; j < d; j++)
                {
                    sq += qx[j] * qx[j];
                }

                mainTerm[ik] = alphas[ik] + sumQ - 0.5 * sq;
            }

            double mx = mainTerm[0];
            for (int ik = 1; ik < k; ik++)
            {
                mx = Math.Max(mx, mainTerm[ik]);
            }

            double se = 0;
            for (int ik = 0; ik < k; ik++)
            {
                se += Math.Exp(mainTerm[ik] - mx);
            }

            slse += mx + Math.Log(se);
        }

        double ma = alphas[0];
        for (int ik = 1; ik < k; ik++)
        {
            ma = Math.Max(ma, alphas[ik]);
        }

        double sa = 0;
        for (int ik = 0; ik < k; ik++)
        {
            sa += Math.Exp(alphas[ik] - ma);
        }

        double lseAlphas = ma + Math.Log(sa);
        double prior = 0;
        for (int ik = 0; ik < k; ik++)
        {
            double frobenius = 0;
            double sumQ = 0;
            for (int j = 0; j < d; j++)
            {
                double q = Math.Exp(icf[ik * icfSize + j]);
                frobenius += q * q;
                sumQ += icf[ik * icfSize + j];
            }

            for (int j = d; j < icfSize; j++)
            {
                frobenius += icf[ik * icfSize + j] * icf[ik * icfSize + j];
            }

            prior += 0.5 * gamma * gamma * frobenius - m * sumQ;
        }

        double constant = -n * d * 0.5 * Math.Log(2 * Math.PI);
        return constant + slse - n * lseAlphas + prior;
    }

    // ---- regressions found by the random-program tester (each once gave a wrong gradient or code that did not compile)

    /// <summary>A copy of a parameter, then a loop that reassigns the parameter and reads the copy.</summary>
    [Differentiable]
    public static double CopyThenLoop(double y)
    {
        double z = y;
        double s = 0.0;
        for (int i = 0; i < 2; i++)
        {
            y = z + 1.0;
            s += y;
        }

        return s * z;
    }

    /// <summary>A local array declared after an early return.</summary>
    [Differentiable]
    public static double ArrayAfterEarlyReturn(double x)
    {
        if (x > 2)
        {
            return x;
        }

        double[] h = new double[3];
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = x * (i + 1);
        }

        return h[1] * h[2];
    }

    /// <summary>An inner loop that may return, then a return in the outer body: the reverse must see the flag as it was.</summary>
    [Differentiable]
    public static double ReturnAfterInnerLoop(ReadOnlySpan<double> u)
    {
        for (int i = 3; i >= 0; i--)
        {
            double v = u[i % u.Length];
            int j = 0;
            do
            {
                j++;
                if (v > 100)
                {
                    return v;
                }

                v = v * 0.5 + u[0];
            }
            while (j < 4);
            if (v > 0.5)
            {
                return v * v;
            }
        }

        return -2.0;
    }

    /// <summary>A branch inside a loop on an element of a local array that later iterations overwrite.</summary>
    [Differentiable]
    public static double BranchOnOverwrittenElement(double x, double y)
    {
        Span<double> h = stackalloc double[5];
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = y * (i + 1) * 0.3 + x;
        }

        for (int pass = 0; pass < 3; pass++)
        {
            for (int i = 0; i < h.Length; i++)
            {
                h[i] = Math.Tanh(h[h.Length - 1 - i] >= y ? y * 2 + h[i] : Math.Log(1 + h[i] * h[i]) + x);
            }
        }

        return h[0] + h[4];
    }

    /// <summary>An inner loop that may return as the last statement of an outer loop body.</summary>
    [Differentiable]
    public static double InnerReturnEndsOuterBody(double y, int n)
    {
        double v = 1;
        for (int i = 0; i < 7; i += 3)
        {
            v += y * v;
            for (int j = 0; j < n; j++)
            {
                if (v > 100)
                {
                    return y;
                }
            }
        }

        return v * v;
    }

    // ---- calls that pass arrays and spans to other [Differentiable] methods

    [Differentiable]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    [Differentiable]
    public static double ScaledNorm(double scale, ReadOnlySpan<double> v) => scale * Math.Sqrt(Dot(v, v));

    /// <summary>A linear model through the Dot helper, then a sigmoid helper, inside a loop over examples.</summary>
    [Differentiable]
    public static double LogisticWithHelpers(ReadOnlySpan<double> w, double b, [NoDerivative] double[] x, [NoDerivative] double[] labels)
    {
        double loss = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double z = Dot(w, x) * (i + 1) * 0.1 + b;
            double p = TestFunctions.Shared.Sigmoid(z);
            loss -= labels[i] * Math.Log(p) + (1 - labels[i]) * Math.Log(1 - p);
        }

        return loss + 0.01 * Dot(w, w);
    }
}

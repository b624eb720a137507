namespace SymbolicGrad.Tests;

/// <summary>Data the way C# code holds it: jagged rows, a rectangular array, fields of the type. Differentiated at build time.</summary>
public static partial class DataLayouts
{
    /// <summary>Mean cross-entropy of a logistic regression over jagged rows (one double[] per example).</summary>
    [Differentiable]
    public static double LogisticJagged(ReadOnlySpan<double> w, double b, [NoDerivative] double[][] rows, [NoDerivative] double[] labels)
    {
        double loss = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            double z = b;
            for (int j = 0; j < rows[i].Length; j++)
            {
                z += w[j] * rows[i][j];
            }

            double p = 1 / (1 + Math.Exp(-z));
            loss -= labels[i] * Math.Log(p) + (1 - labels[i]) * Math.Log(1 - p);
        }

        return loss / rows.Length;
    }

    /// <summary>The same loss written with foreach over the rows and a local naming each row.</summary>
    [Differentiable]
    public static double LogisticJaggedForeach(ReadOnlySpan<double> w, double b, [NoDerivative] double[][] rows, [NoDerivative] double[] labels)
    {
        double loss = 0;
        int i = 0;
        foreach (var row in rows)
        {
            double[] x = row;
            double z = b;
            int j = 0;
            foreach (double v in x)
            {
                z += w[j] * v;
                j++;
            }

            double p = 1 / (1 + Math.Exp(-z));
            loss -= labels[i] * Math.Log(p) + (1 - labels[i]) * Math.Log(1 - p);
            i++;
        }

        return loss / rows.Length;
    }

    /// <summary>Sum of squared residuals of a linear model over a rectangular M×d array.</summary>
    [Differentiable]
    public static double LeastSquares2D(double[] w, [NoDerivative] double[,] x, [NoDerivative] double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.GetLength(0); i++)
        {
            double z = 0;
            for (int j = 0; j < x.GetLength(1); j++)
            {
                z += w[j] * x[i, j];
            }

            double r = z - y[i];
            s += r * r;
        }

        return s;
    }

    /// <summary>Data held in a helper [NoDerivative] Dot call's argument: a jagged row passed to another [Differentiable] method.</summary>
    [Differentiable]
    public static double Dot(ReadOnlySpan<double> a, [NoDerivative] ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    [Differentiable]
    public static double SquaredDots(double[] w, [NoDerivative] double[][] rows)
    {
        double s = 0;
        foreach (var row in rows)
        {
            double z = Dot(w, row);
            s += z * z;
        }

        return s;
    }
}

/// <summary>A model whose data are fields: read as data, never differentiated.</summary>
public sealed partial class FieldDataModel
{
    private readonly double[] _xs;
    private readonly double[] _ys;

    public FieldDataModel(double[] xs, double[] ys)
    {
        _xs = xs;
        _ys = ys;
    }

    [Differentiable]
    public double Mse(double w, double b)
    {
        double s = 0;
        for (int i = 0; i < _xs.Length; i++)
        {
            double r = w * _xs[i] + b - _ys[i];
            s += r * r;
        }

        return s / _xs.Length;
    }

    [Differentiable]
    public double SumOfSines(double w)
    {
        double s = 0;
        foreach (double x in _xs)
        {
            s += Math.Sin(w * x);
        }

        return s;
    }
}

/// <summary>Loops whose reverse runs inside them with a scratch array private to each iteration (issue 5's fusion).</summary>
public static partial class ScratchLoops
{
    /// <summary>Mean of the single-example <see cref="L.Mlp"/> loss over rows of x, the hidden layer rewritten per example.</summary>
    [Differentiable]
    public static double MlpBatch(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, double b2, [NoDerivative] double[][] xs, [NoDerivative] double[] ys)
    {
        int hidden = b1.Length;
        Span<double> h = stackalloc double[hidden];
        double loss = 0;
        for (int i = 0; i < ys.Length; i++)
        {
            for (int j = 0; j < hidden; j++)
            {
                double z = b1[j];
                for (int k = 0; k < xs[i].Length; k++)
                {
                    z += w1[j * xs[i].Length + k] * xs[i][k];
                }

                h[j] = Math.Tanh(z);
            }

            double output = b2;
            for (int j = 0; j < hidden; j++)
            {
                output += w2[j] * h[j];
            }

            double e = output - ys[i];
            loss += 0.5 * e * e;
        }

        return loss / ys.Length;
    }

    /// <summary>A scratch array that later iterations read before rewriting: must not be fused, and must stay exact.</summary>
    [Differentiable]
    public static double CarriedThroughArray(ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[3];
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += h[0] * x[i];
            for (int j = 0; j < h.Length; j++)
            {
                h[j] = Math.Sin(x[i] + j);
            }
        }

        return s;
    }

    /// <summary>Math.Sign of an element that is overwritten afterwards: the reverse must use the sign the forward saw.</summary>
    [Differentiable]
    public static double SignOfOverwritten(double x)
    {
        Span<double> h = stackalloc double[2];
        h[0] = -1;
        h[1] = 0.5;
        for (int i = 0; i < 4; i++)
        {
            h[i % 2] = Math.Tanh(h[(i + 1) % 2] - (Math.Sign(h[i % 2]) * x));
        }

        return h[0] + h[1];
    }

    /// <summary>A branch on an element that is overwritten afterwards: the reverse must take the branch the forward took.</summary>
    [Differentiable]
    public static double BranchOnOverwritten(double x)
    {
        Span<double> h = stackalloc double[1];
        h[0] = x * x;
        double r;
        if (h[0] > 1)
        {
            r = 3 * x;
        }
        else
        {
            r = 5 * x;
        }

        h[0] = -10 * h[0];
        return r + h[0];
    }
}

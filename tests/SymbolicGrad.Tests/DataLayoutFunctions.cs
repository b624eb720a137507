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

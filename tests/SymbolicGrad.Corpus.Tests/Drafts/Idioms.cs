using System.Diagnostics;

namespace SymbolicGrad.Corpus;

/// <summary>A model class: data and configuration in fields, the trainable values as parameters.</summary>
public sealed partial class LinearModel
{
    private readonly double _l2;
    private readonly double[] _xs;
    private readonly double[] _ys;

    public LinearModel(double l2, double[] xs, double[] ys)
    {
        _l2 = l2;
        _xs = xs;
        _ys = ys;
    }

    [Differentiable]
    public double Loss(double slope, double intercept)
    {
        ArgumentNullException.ThrowIfNull(_xs);
        Debug.Assert(_xs.Length == _ys.Length, "one target per input");
        double loss = 0;
        for (int i = 0; i < _xs.Length; i++)
        {
            double r = slope * _xs[i] + intercept - _ys[i];
            loss += r * r;
        }

        return loss / _xs.Length + _l2 * slope * slope;
    }
}

/// <summary>Everyday idioms: real loop counters, local functions, lambdas, index-from-end, collection expressions, guards, logging.</summary>
public static partial class Idioms
{
    /// <summary>∫₀¹ e^{at} sin(bt) dt by the trapezoid rule, with a double loop counter.</summary>
    [Differentiable]
    public static double Trapezoid(double a, double b)
    {
        double area = 0;
        for (double t = 0; t < 1; t += 0.125)
        {
            double f0 = Math.Exp(a * t) * Math.Sin(b * t);
            double f1 = Math.Exp(a * (t + 0.125)) * Math.Sin(b * (t + 0.125));
            area += 0.5 * 0.125 * (f0 + f1);
        }

        return area;
    }

    /// <summary>A local function, a static lambda, and a log line.</summary>
    [Differentiable]
    public static double LeakySquares(double[] w, [NoDerivative] double[] x)
    {
        double Activation(double z) => z > 0 ? z : 0.01 * z;
        Func<double, double> square = static v => v * v;
        double total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            total += square(Activation(w[i % w.Length] * x[i]));
        }

        Trace.WriteLine($"loss {total}");
        return total;
    }

    [Differentiable]
    public static double Ends(double[] v) => v[^1] * v[0] + v[^2];

    [Differentiable]
    public static double CollectionExpression(double a, double b)
    {
        double[] v = [a, b, a * b];
        return v.Sum(e => e * e);
    }

    [Differentiable]
    public static double Softplus(double x) => x > 20 ? x : double.LogP1(Math.Exp(x)) + double.ExpM1(0.1 * x);

    [Differentiable]
    public static double Guarded(double[] v, [NoDerivative] int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (v.Length == 0)
        {
            throw new ArgumentException($"v is empty (k = {k})", nameof(v));
        }

        return v[k % v.Length] * v.Sum();
    }

    /// <summary>Diffusion on a ring with two buffers swapped every step.</summary>
    [Differentiable]
    public static double DoubleBuffer(double[] x0, [NoDerivative] int steps)
    {
        var cur = x0.ToArray();
        var next = new double[x0.Length];
        for (int s = 0; s < steps; s++)
        {
            for (int i = 0; i < cur.Length; i++)
            {
                double left = cur[(i + cur.Length - 1) % cur.Length], right = cur[(i + 1) % cur.Length];
                next[i] = 0.5 * cur[i] + 0.25 * (left + right) + 0.1 * Math.Sin(cur[i]);
            }

            (cur, next) = (next, cur);
        }

        return cur.Sum(v => v * v);
    }
}

namespace SymbolicGrad.Corpus;

/// <summary>Nullable for optional inputs and "no value yet".</summary>
public static partial class Optional
{
    /// <summary>Least squares with an optional ridge penalty.</summary>
    [Differentiable]
    public static double Ridge(double[] w, [NoDerivative] double[][] xs, [NoDerivative] double[] ys, [NoDerivative] double? lambda = null)
    {
        double loss = 0;
        for (int i = 0; i < ys.Length; i++)
        {
            double r = -ys[i];
            for (int j = 0; j < w.Length; j++)
            {
                r += w[j] * xs[i][j];
            }

            loss += r * r;
        }

        if (lambda is double l)
        {
            loss += l * w.Sum(v => v * v);
        }

        return loss;
    }

    /// <summary>The largest score, tracked in a double? that starts empty.</summary>
    [Differentiable]
    public static double BestScore(double[] s)
    {
        double? best = null;
        foreach (var v in s)
        {
            if (best is null || v > best)
            {
                best = v;
            }
        }

        return best ?? 0.0;
    }

    /// <summary>?? and HasValue/Value on an optional data parameter.</summary>
    [Differentiable]
    public static double WithDefault(double x, [NoDerivative] double? scale) =>
        x * x * (scale ?? 2.0) + (scale.HasValue ? scale.Value * x : x);
}

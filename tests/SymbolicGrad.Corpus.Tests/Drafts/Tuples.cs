namespace SymbolicGrad.Corpus;

/// <summary>Tuples: accumulators as (value, weight) pairs, helpers returning tuples, deconstruction and swaps.</summary>
public static partial class Tuples
{
    /// <summary>A weighted mean with a named-tuple accumulator.</summary>
    [Differentiable]
    public static double WeightedMean(double[] values, [NoDerivative] double[] weights)
    {
        (double sum, double weight) acc = (0, 0);
        for (int i = 0; i < values.Length; i++)
        {
            acc = (acc.sum + weights[i] * values[i], acc.weight + weights[i]);
        }

        return acc.sum / acc.weight;
    }

    private static (double mean, double variance) MeanVar(double[] v)
    {
        double m = v.Average();
        double s = 0;
        foreach (var x in v)
        {
            s += (x - m) * (x - m);
        }

        return (m, s / v.Length);
    }

    /// <summary>A z-score with the moments from a tuple-returning helper.</summary>
    [Differentiable]
    public static double ZScore(double[] v, [NoDerivative] double target)
    {
        var (m, s2) = MeanVar(v);
        return (target - m) / Math.Sqrt(s2 + 1e-3);
    }

    /// <summary>(value, weight) pairs given as a tuple array, read by field.</summary>
    [Differentiable]
    public static double PairLoss(double a, [NoDerivative] (double Value, double Weight)[] pairs)
    {
        double loss = 0;
        foreach (var p in pairs)
        {
            loss += p.Weight * (a - p.Value) * (a - p.Value);
        }

        return loss;
    }

    /// <summary>A two-term recurrence advanced with a tuple swap.</summary>
    [Differentiable]
    public static double Recurrence(double x, [NoDerivative] int n)
    {
        double a = 1, b = x;
        for (int i = 0; i < n; i++)
        {
            (a, b) = (b, a + 0.5 * b * x);
        }

        return b;
    }
}

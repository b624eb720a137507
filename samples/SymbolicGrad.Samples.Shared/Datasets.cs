namespace SymbolicGrad.Samples;

/// <summary>Small seeded data sets the samples share: the same seed gives the same numbers on every machine.</summary>
public static class Datasets
{
    /// <summary>Points on the line y = slope·x + intercept with Gaussian noise, x uniform in [xMin, xMax].</summary>
    public static (double[] X, double[] Y) Line(int count, double slope, double intercept, double noise, double xMin, double xMax, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var random = new Random(seed);
        var x = new double[count];
        var y = new double[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = xMin + (xMax - xMin) * random.NextDouble();
            y[i] = slope * x[i] + intercept + noise * Gaussian(random);
        }

        return (x, y);
    }

    /// <summary>sin(π·x) with Gaussian noise at x uniform in [−1, 1] (Bishop's curve-fitting example, on [−1, 1]).</summary>
    public static (double[] X, double[] Y) NoisySine(int count, double noise, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var random = new Random(seed);
        var x = new double[count];
        var y = new double[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = -1 + 2 * random.NextDouble();
            y[i] = Math.Sin(Math.PI * x[i]) + noise * Gaussian(random);
        }

        return (x, y);
    }

    /// <summary>A standard normal draw (Box–Muller, one of the pair).</summary>
    public static double Gaussian(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double u1 = 1.0 - random.NextDouble(); // (0, 1]
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// The least-squares line through the points, from the normal equations (slope = cov(x, y)/var(x)): the answer
    /// gradient descent should find, computed without it.
    /// </summary>
    public static (double Slope, double Intercept) LeastSquaresLine(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count || x.Count < 2)
        {
            throw new ArgumentException($"Need at least two points with x and y of equal length (got {x.Count} and {y.Count}).", nameof(y));
        }

        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }

        if (sxx == 0)
        {
            throw new ArgumentException("All x are equal: the line is not determined.", nameof(x));
        }

        double slope = sxy / sxx;
        return (slope, my - slope * mx);
    }

    /// <summary>The mean of (slope·x + intercept − y)² over the points.</summary>
    public static double MeanSquaredError(IReadOnlyList<double> x, IReadOnlyList<double> y, double slope, double intercept)
    {
        double sum = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double r = slope * x[i] + intercept - y[i];
            sum += r * r;
        }

        return sum / x.Count;
    }
}

using SymbolicGrad;

namespace SymbolicGrad.Explorer.Landscapes;

/// <summary>
/// A regression data set (64 points near the line y = 2x + 1, seeded noise) and its losses: one squared error per
/// example for the training loop, and the mean over the data (read from the fields) for the landscape in (w, b).
/// </summary>
public static partial class Regression
{
    /// <summary>The number of points.</summary>
    public const int Count = 64;

    /// <summary>The true slope and intercept the data were drawn around.</summary>
    public const double TrueSlope = 2.0, TrueIntercept = 1.0;

    private static readonly double[] _xs = new double[Count];
    private static readonly double[] _ys = new double[Count];

    static Regression()
    {
        var random = new Random(2024);
        for (int i = 0; i < Count; i++)
        {
            _xs[i] = -2 + 4 * random.NextDouble();
            _ys[i] = TrueSlope * _xs[i] + TrueIntercept + 0.6 * Labs.Walker.Gaussian(random);
        }
    }

    /// <summary>The inputs.</summary>
    public static IReadOnlyList<double> Xs => _xs;

    /// <summary>The targets.</summary>
    public static IReadOnlyList<double> Ys => _ys;

    /// <summary>The loss of one example: the squared residual of the line w·x + b.</summary>
    [Differentiable]
    public static double SquaredError(double w, double b, [NoDerivative] double x, [NoDerivative] double y)
    {
        double r = w * x + b - y;
        return r * r;
    }

    /// <summary>The mean squared error over the whole data set.</summary>
    [Differentiable]
    public static double Mse(double w, double b)
    {
        double sum = 0;
        for (int i = 0; i < _xs.Length; i++)
        {
            double r = w * _xs[i] + b - _ys[i];
            sum += r * r;
        }

        return sum / _xs.Length;
    }
}

/// <summary>The circuit of the forward-and-backward tab, f = (x + y)·z, gate by gate and whole.</summary>
public static partial class Circuit
{
    /// <summary>The add gate: q = x + y.</summary>
    [Differentiable]
    public static double Add(double x, double y) => x + y;

    /// <summary>The multiply gate: f = q·z.</summary>
    [Differentiable]
    public static double Multiply(double q, double z) => q * z;

    /// <summary>The whole circuit in one method: its generated gradient must agree with the gate-by-gate chain rule.</summary>
    [Differentiable]
    public static double Whole(double x, double y, double z) => (x + y) * z;
}

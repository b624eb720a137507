namespace SymbolicGrad.Samples.TwoValleys;

/// <summary>The landscapes of this sample; the generator writes their gradients.</summary>
public static partial class Losses
{
    /// <summary>
    /// Two valleys along x: (x² − 4)²/16 has equal minima at x = ±2; the tilt 0.3·x lowers the left one, so the
    /// minimum near x ≈ −2.1 is global and the one near x ≈ 1.9 is a false bottom. y²/2 is a plain bowl across.
    /// <paramref name="a"/> and <paramref name="c"/> make one example of a data set: a linear term whose mean over the
    /// data is zero, so the data's mean loss is the landscape itself and a mini-batch sees it with noise.
    /// </summary>
    [Differentiable]
    public static double Valleys(double x, double y, [NoDerivative] double a, [NoDerivative] double c)
    {
        double well = x * x - 4;
        return well * well / 16 + 0.3 * x + 0.5 * y * y + a * x + c * y;
    }

    /// <summary>A saddle: x² − y² (downhill along y, uphill along x), plus one example's zero-mean linear term.</summary>
    [Differentiable]
    public static double Saddle(double x, double y, [NoDerivative] double a, [NoDerivative] double c) => x * x - y * y + a * x + c * y;
}

namespace SymbolicGrad.Corpus.Tests;

/// <summary>Checks shared by the corpus tests: numeric gradients (Richardson-extrapolated centered differences) and closed forms.</summary>
internal static class Verify
{
    /// <summary>GradientCheck's tight setting: Richardson differences are good to ~1e-9 on these smooth, moderate functions.</summary>
    public static readonly GradientCheckOptions Tight = new() { Richardson = true, AbsoluteTolerance = 1e-7, RelativeTolerance = 1e-6 };

    /// <summary>Uniform values in [shift − scale, shift + scale], seeded.</summary>
    public static double[] Random(int n, int seed, double scale = 1, double shift = 0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => shift + scale * (2 * rng.NextDouble() - 1)).ToArray();
    }

    public static double[][] Rows(int rows, int columns, int seed, double scale = 1) =>
        Enumerable.Range(0, rows).Select(r => Random(columns, seed * 1000 + r, scale)).ToArray();

    /// <summary>
    /// The generated gradient against numeric differences, and the value returned with it against the function's
    /// own value (bit for bit: GradientCheck's ValueAgrees).
    /// </summary>
    public static double[] Numeric(DifferentiableFunction f, double[] x, GradientCheckOptions? options = null)
    {
        var result = GradientCheck.Check(f, x, options ?? Tight);
        Assert.True(result.ValueAgrees, $"{f.Name}: the gradient method returned {result.ValueFromGradient:R}, the function {result.Value:R}");
        Assert.True(result.Passed, result.ToString());
        return result.Components.Select(c => c.Analytic).ToArray();
    }

    /// <summary>The generated gradient against a closed form (an independent formula written in the test).</summary>
    public static void ClosedForm(DifferentiableFunction f, double[] x, double[] expected, double tolerance = 1e-10)
    {
        Assert.Equal(f.Dimension, expected.Length);
        var g = new double[x.Length];
        f.ValueAndGradient(x, g);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(g[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"{f.Name}: component {i} ({f.ParameterNames[i]}) is {g[i]:R}, the closed form {expected[i]:R}");
        }
    }

    /// <summary>Both checks.</summary>
    public static void Both(DifferentiableFunction f, double[] x, double[] expected, double tolerance = 1e-10)
    {
        Numeric(f, x);
        ClosedForm(f, x, expected, tolerance);
    }

    public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>Softmax of one row, computed directly.</summary>
    public static double[] Softmax(double[] z)
    {
        double m = z.Max();
        var e = z.Select(v => Math.Exp(v - m)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }
}

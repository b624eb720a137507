namespace SymbolicGrad.Tests;

public static partial class FloatSums
{
    /// <summary>(Σ wᵢxᵢ)·(Σ wᵢ²) in float: a long sum whose rounding noise grows with n.</summary>
    [Differentiable]
    public static float DotTimesSquares(float[] w, [NoDerivative] float[] x)
    {
        float dot = 0f, squares = 0f;
        for (int i = 0; i < w.Length; i++)
        {
            dot += w[i] * x[i];
            squares += w[i] * w[i];
        }

        return dot * squares;
    }
}

/// <summary>
/// A float function of a long sum: its value is noisy at the scale of u·Σ|terms|, more than u·|f|, so a centered
/// difference of it is noisy too (red-team, stop 33: GradientCheck reported FAIL for a correct gradient).
/// </summary>
public class FloatSumCheckTests
{
    private static (float[] W, float[] X) Data(int n, int seed)
    {
        var r = new Random(seed);
        var w = new float[n];
        var x = new float[n];
        for (int i = 0; i < n; i++)
        {
            w[i] = (float)(r.NextDouble() * 2 - 1);
            x[i] = (float)(r.NextDouble() * 2 - 1);
        }

        return (w, x);
    }

    [Theory]
    [InlineData(64, 1)]
    [InlineData(64, 2)]
    [InlineData(64, 5)]
    [InlineData(256, 3)]
    [InlineData(256, 6)]
    [InlineData(1024, 4)]
    [InlineData(1024, 7)]
    [InlineData(4096, 8)]
    public void ACorrectFloatGradientOfALongSumPasses(int n, int seed)
    {
        var (w, x) = Data(n, seed);
        var f = FloatSums.DotTimesSquaresObjective(n, x);
        var check = GradientCheck.Check(f, w.Select(v => (double)v).ToArray());
        Assert.True(check.Passed, check.ToString());
    }

    /// <summary>The allowance for the numeric gradient's noise does not let a wrong gradient through: 1 % off in one component fails.</summary>
    [Theory]
    [InlineData(64, 1)]
    [InlineData(256, 3)]
    [InlineData(1024, 4)]
    [InlineData(4096, 8)]
    public void AGradientOnePercentOffStillFails(int n, int seed)
    {
        var (w, x) = Data(n, seed);
        var f = FloatSums.DotTimesSquaresObjective(n, x);
        var point = w.Select(v => (double)v).ToArray();
        var exact = new double[n];
        f.ValueAndGradient(point, exact);
        int k = Array.IndexOf(exact, exact.MaxBy(Math.Abs));
        var wrong = new DifferentiableFunction(n, f.Value, (p, g) =>
        {
            double v = f.ValueAndGradient(p, g);
            g[k] *= 1.01;
            return v;
        })
        {
            RoundingUnit = DifferentiableFunction.SingleRoundingUnit,
        };
        var check = GradientCheck.Check(wrong, point);
        Assert.False(check.Passed, check.ToString());
        Assert.Equal(k, check.WorstIndex);
    }
}

namespace SymbolicGrad.Corpus.Tests;

public class OptionalTests
{
    [Theory]
    [InlineData(1, 0.1)]
    [InlineData(2, null)]
    public void RidgeWithAnOptionalPenalty(int seed, double? lambda)
    {
        var xs = Verify.Rows(6, 3, seed);
        var ys = Verify.Random(6, seed + 5);
        var w = Verify.Random(3, seed + 9);
        var g = new double[3];
        for (int i = 0; i < ys.Length; i++)
        {
            double r = -ys[i] + Enumerable.Range(0, 3).Sum(j => w[j] * xs[i][j]);
            for (int j = 0; j < 3; j++)
            {
                g[j] += 2 * r * xs[i][j];
            }
        }

        for (int j = 0; j < 3; j++)
        {
            g[j] += 2 * (lambda ?? 0) * w[j];
        }

        Verify.Both(Optional.RidgeObjective(3, xs, ys, lambda), w, g);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void BestScoreInANullableLocal(int seed)
    {
        var s = Verify.Random(5, seed, 2);
        var g = new double[s.Length];
        g[Array.IndexOf(s, s.Max())] = 1;
        Verify.Both(Optional.BestScoreObjective(s.Length), s, g);
    }

    [Theory]
    [InlineData(0.4, null)]
    [InlineData(-0.9, 3.0)]
    public void DefaultsWithNullCoalescing(double x, double? scale)
    {
        double expected = 2 * x * (scale ?? 2.0) + (scale ?? 1.0);
        Verify.Both(Optional.WithDefaultObjective(scale), new[] { x }, new[] { expected });
    }
}

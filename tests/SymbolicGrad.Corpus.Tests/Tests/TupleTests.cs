namespace SymbolicGrad.Corpus.Tests;

public class TupleTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void WeightedMeanWithATupleAccumulator(int seed)
    {
        var v = Verify.Random(5, seed, 2);
        var w = Verify.Random(5, seed + 10, 1, 2);
        Verify.Both(Tuples.WeightedMeanObjective(v.Length, w), v, w.Select(e => e / w.Sum()).ToArray());
    }

    [Theory]
    [InlineData(3, 0.5)]
    [InlineData(4, -1.0)]
    public void ZScoreFromATupleReturningHelper(int seed, double target)
    {
        var v = Verify.Random(6, seed, 2);
        int n = v.Length;
        double m = v.Average();
        double s2 = v.Sum(e => (e - m) * (e - m)) / n;
        double root = Math.Sqrt(s2 + 1e-3);
        var g = v.Select(e => -1.0 / n / root - (target - m) * Math.Pow(s2 + 1e-3, -1.5) * (e - m) / n).ToArray();
        Verify.Both(Tuples.ZScoreObjective(n, target), v, g);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(-1.3)]
    public void PairsAsATupleArray(double a)
    {
        var pairs = new[] { (1.0, 2.0), (0.5, 1.0), (-0.3, 0.25) };
        Verify.Both(Tuples.PairLossObjective(pairs), new[] { a }, new[] { pairs.Sum(p => 2 * p.Item2 * (a - p.Item1)) });
    }

    [Theory]
    [InlineData(0.7, 5)]
    [InlineData(-0.4, 8)]
    [InlineData(1.1, 0)]
    public void RecurrenceWithTupleSwaps(double x, int n)
    {
        // Forward mode by hand: (a, b) and their derivatives (da, db) advance together.
        double a = 1, b = x, da = 0, db = 1;
        for (int i = 0; i < n; i++)
        {
            (a, b, da, db) = (b, a + 0.5 * b * x, db, da + 0.5 * (db * x + b));
        }

        Verify.Both(Tuples.RecurrenceObjective(n), new[] { x }, new[] { db });
    }
}

namespace SymbolicGrad.Corpus.Tests;

public class IdiomTests
{
    [Theory]
    [InlineData(1, 0.3, -0.4)]
    [InlineData(2, -1.1, 0.8)]
    public void ModelClassWithDataInFields(int seed, double slope, double intercept)
    {
        var xs = Verify.Random(7, seed, 2);
        var ys = Verify.Random(7, seed + 3, 2);
        var model = new LinearModel(0.1, xs, ys);
        double ds = 0, di = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double r = slope * xs[i] + intercept - ys[i];
            ds += 2 * r * xs[i] / xs.Length;
            di += 2 * r / xs.Length;
        }

        Verify.Both(model.LossObjective(), new[] { slope, intercept }, new[] { ds + 0.2 * slope, di });
    }

    [Theory]
    [InlineData(0.3, 1.4)]
    [InlineData(-0.8, 2.5)]
    public void TrapezoidWithARealLoopCounter(double a, double b)
    {
        double da = 0, db = 0;
        for (int i = 0; i < 8; i++)
        {
            foreach (double t in new[] { i * 0.125, (i + 1) * 0.125 })
            {
                da += 0.0625 * t * Math.Exp(a * t) * Math.Sin(b * t);
                db += 0.0625 * t * Math.Exp(a * t) * Math.Cos(b * t);
            }
        }

        Verify.Both(Idioms.TrapezoidObjective(), new[] { a, b }, new[] { da, db });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void LocalFunctionAndStaticLambda(int seed)
    {
        var x = Verify.Random(7, seed, 2);
        var w = Verify.Random(3, seed + 10, 1);
        var g = new double[3];
        for (int i = 0; i < x.Length; i++)
        {
            double z = w[i % 3] * x[i];
            double act = z > 0 ? z : 0.01 * z;
            g[i % 3] += 2 * act * (z > 0 ? 1 : 0.01) * x[i];
        }

        Verify.Both(Idioms.LeakySquaresObjective(3, x), w, g);
    }

    [Fact]
    public void IndexFromEnd()
    {
        var v = new[] { 0.3, -0.5, 1.2, 0.8 };
        Verify.Both(Idioms.EndsObjective(4), v, new[] { 0.8, 0, 1, 0.3 });
    }

    [Theory]
    [InlineData(0.3, -0.7)]
    [InlineData(1.2, 0.5)]
    public void CollectionExpression(double a, double b) =>
        Verify.Both(Idioms.CollectionExpressionObjective(), new[] { a, b }, new[] { 2 * a + 2 * a * b * b, 2 * b + 2 * a * a * b });

    [Theory]
    [InlineData(0.7)]
    [InlineData(-3.0)]
    [InlineData(25.0)]
    public void SoftplusWithLogP1AndExpM1(double x)
    {
        double expected = x > 20 ? 1 : Verify.Sigmoid(x) + 0.1 * Math.Exp(0.1 * x);
        Verify.Both(Idioms.SoftplusObjective(), new[] { x }, new[] { expected });
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    public void GuardsAndInterpolatedThrows(int k)
    {
        var v = Verify.Random(4, k, 2);
        int j = k % v.Length;
        var g = v.Select((_, i) => v[j] + (i == j ? v.Sum() : 0)).ToArray();
        Verify.Both(Idioms.GuardedObjective(4, k), v, g);
        var empty = Idioms.GuardedObjective(1, -1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => empty.Value(new[] { 1.0 }));
        Assert.Contains("k", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => empty.ValueAndGradient(new[] { 1.0 }, new double[1]));
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 5)]
    public void DoubleBuffersSwappedByATuple(int seed, int steps)
    {
        var x0 = Verify.Random(5, seed, 2);
        int n = x0.Length;
        // Forward, keeping every state, then the adjoint of each step by hand.
        var states = new List<double[]> { x0 };
        for (int s = 0; s < steps; s++)
        {
            var cur = states[^1];
            states.Add(Enumerable.Range(0, n).Select(i => 0.5 * cur[i] + 0.25 * (cur[(i + n - 1) % n] + cur[(i + 1) % n]) + 0.1 * Math.Sin(cur[i])).ToArray());
        }

        var g = states[^1].Select(v => 2 * v).ToArray();
        for (int s = steps - 1; s >= 0; s--)
        {
            var cur = states[s];
            g = Enumerable.Range(0, n).Select(i => g[i] * (0.5 + 0.1 * Math.Cos(cur[i])) + 0.25 * (g[(i + 1) % n] + g[(i + n - 1) % n])).ToArray();
        }

        Verify.Both(Idioms.DoubleBufferObjective(n, steps), x0, g);
    }
}

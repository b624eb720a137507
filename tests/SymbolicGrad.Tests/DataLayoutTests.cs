namespace SymbolicGrad.Tests;

/// <summary>Jagged, rectangular and field data: gradients against numeric gradients and closed forms.</summary>
public class DataLayoutTests
{
    private static readonly GradientCheckOptions Tight = new() { Richardson = true, AbsoluteTolerance = 1e-7, RelativeTolerance = 1e-6 };

    private static double[] Random(int n, Random rng, double scale = 1) =>
        Enumerable.Range(0, n).Select(_ => scale * (2 * rng.NextDouble() - 1)).ToArray();

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-10 * (1 + Math.Abs(expected[i])), $"component {i}: {actual[i]:R} vs closed form {expected[i]:R}");
        }
    }

    [Theory]
    [InlineData(3, 20, 1)]
    [InlineData(7, 50, 2)]
    public void LogisticRegressionOverJaggedRows(int d, int m, int seed)
    {
        var rng = new Random(seed);
        var rows = Enumerable.Range(0, m).Select(_ => Random(d, rng, 2)).ToArray();
        var labels = Enumerable.Range(0, m).Select(_ => (double)rng.Next(2)).ToArray();
        var flat = rows.SelectMany(r => r).ToArray();
        var x = Random(d + 1, rng);

        foreach (var f in new[] { DataLayouts.LogisticJaggedObjective(d, rows, labels), DataLayouts.LogisticJaggedForeachObjective(d, rows, labels) })
        {
            var check = GradientCheck.Check(f, x, Tight);
            Assert.True(check.Passed, check.ToString());

            // Closed form: ∂/∂w = mean((p − y)·x), ∂/∂b = mean(p − y); and the flat-array version agrees.
            var expected = new double[d + 1];
            for (int i = 0; i < m; i++)
            {
                double z = x[d];
                for (int j = 0; j < d; j++)
                {
                    z += x[j] * rows[i][j];
                }

                double p = 1 / (1 + Math.Exp(-z));
                for (int j = 0; j < d; j++)
                {
                    expected[j] += (p - labels[i]) * rows[i][j] / m;
                }

                expected[d] += (p - labels[i]) / m;
            }

            var g = new double[d + 1];
            double value = f.ValueAndGradient(x, g);
            AssertClose(expected, g);
            Assert.Equal(L.LogisticRegression(x.AsSpan(0, d), x[d], flat, labels), value, 12);
        }
    }

    [Fact]
    public void LeastSquaresOverARectangularArray()
    {
        var rng = new Random(5);
        const int m = 30, d = 4;
        var data = new double[m, d];
        var y = Random(m, rng);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < d; j++)
            {
                data[i, j] = 2 * rng.NextDouble() - 1;
            }
        }

        var w = Random(d, rng);
        var f = DataLayouts.LeastSquares2DObjective(d, data, y);
        var check = GradientCheck.Check(f, w, Tight);
        Assert.True(check.Passed, check.ToString());

        // Closed form: 2·Xᵀ(Xw − y).
        var expected = new double[d];
        for (int i = 0; i < m; i++)
        {
            double r = -y[i];
            for (int j = 0; j < d; j++)
            {
                r += data[i, j] * w[j];
            }

            for (int j = 0; j < d; j++)
            {
                expected[j] += 2 * r * data[i, j];
            }
        }

        var g = new double[d];
        DataLayouts.LeastSquares2DGradient(w, data, y, g);
        AssertClose(expected, g);
    }

    [Fact]
    public void JaggedRowsPassedToAnotherDifferentiableMethod()
    {
        var rng = new Random(9);
        var rows = Enumerable.Range(0, 12).Select(_ => Random(5, rng)).ToArray();
        var w = Random(5, rng);
        var f = DataLayouts.SquaredDotsObjective(5, rows);
        var check = GradientCheck.Check(f, w, Tight);
        Assert.True(check.Passed, check.ToString());

        // Closed form: Σ 2·(w·r)·r.
        var expected = new double[5];
        foreach (var r in rows)
        {
            double z = r.Zip(w, (a, b) => a * b).Sum();
            for (int j = 0; j < 5; j++)
            {
                expected[j] += 2 * z * r[j];
            }
        }

        var g = new double[5];
        DataLayouts.SquaredDotsGradient(w, rows, g);
        AssertClose(expected, g);
    }

    [Fact]
    public void FieldsAreDataOfTheModel()
    {
        var model = new FieldDataModel(new[] { 1.0, 2, 3, 4 }, new[] { 2.0, 4.5, 5.5, 8 });
        var f = model.MseObjective();
        foreach (var x in new[] { new[] { 0.3, -1.0 }, new[] { 2.0, 0.1 } })
        {
            var check = GradientCheck.Check(f, x, Tight);
            Assert.True(check.Passed, check.ToString());
            double value = model.MseGradient(x[0], x[1], out double dW, out double dB);
            Assert.Equal(model.Mse(x[0], x[1]), value);

            // Closed form: (2/M)·Σ r·x and (2/M)·Σ r.
            double[] xs = { 1.0, 2, 3, 4 }, ys = { 2.0, 4.5, 5.5, 8 };
            double gw = 0, gb = 0;
            for (int i = 0; i < 4; i++)
            {
                double r = x[0] * xs[i] + x[1] - ys[i];
                gw += 2 * r * xs[i] / 4;
                gb += 2 * r / 4;
            }

            AssertClose(new[] { gw, gb }, new[] { dW, dB });
        }

        double sines = model.SumOfSinesGradient(0.7, out double dSines);
        Assert.Equal(model.SumOfSines(0.7), sines);
        Assert.Equal(new[] { 1.0, 2, 3, 4 }.Sum(x => x * Math.Cos(0.7 * x)), dSines, 12);
    }
}

/// <summary>Fused loops with scratch arrays: exact against numeric gradients and against per-example gradients.</summary>
public class ScratchLoopTests
{
    private static readonly GradientCheckOptions Tight = new() { Richardson = true, AbsoluteTolerance = 1e-7, RelativeTolerance = 1e-6 };

    [Fact]
    public void BatchMlpEqualsTheMeanOfPerExampleGradients()
    {
        const int d = 4, hidden = 5, m = 7;
        var rng = new Random(3);
        double Next() => 2 * rng.NextDouble() - 1;
        var w1 = Enumerable.Range(0, hidden * d).Select(_ => Next()).ToArray();
        var b1 = Enumerable.Range(0, hidden).Select(_ => Next()).ToArray();
        var w2 = Enumerable.Range(0, hidden).Select(_ => Next()).ToArray();
        double b2 = Next();
        var xs = Enumerable.Range(0, m).Select(_ => Enumerable.Range(0, d).Select(_ => Next()).ToArray()).ToArray();
        var ys = Enumerable.Range(0, m).Select(_ => Next()).ToArray();

        var dW1 = new double[w1.Length];
        var dB1 = new double[b1.Length];
        var dW2 = new double[w2.Length];
        double value = ScratchLoops.MlpBatchGradient(w1, b1, w2, b2, xs, ys, dW1, dB1, dW2, out double dB2);
        Assert.Equal(ScratchLoops.MlpBatch(w1, b1, w2, b2, xs, ys), value);

        // Closed form by composition: the mean of the single-example gradients (a separate generated method).
        var e1 = new double[w1.Length];
        var e2 = new double[b1.Length];
        var e3 = new double[w2.Length];
        double e4 = 0;
        for (int i = 0; i < m; i++)
        {
            var g1 = new double[w1.Length];
            var g2 = new double[b1.Length];
            var g3 = new double[w2.Length];
            L.MlpGradient(w1, b1, w2, b2, xs[i], ys[i], g1, g2, g3, out double g4);
            for (int j = 0; j < g1.Length; j++) e1[j] += g1[j] / m;
            for (int j = 0; j < g2.Length; j++) e2[j] += g2[j] / m;
            for (int j = 0; j < g3.Length; j++) e3[j] += g3[j] / m;
            e4 += g4 / m;
        }

        foreach (var (expected, actual) in new[] { (e1, dW1), (e2, dB1), (e3, dW2), (new[] { e4 }, new[] { dB2 }) })
        {
            for (int j = 0; j < expected.Length; j++)
            {
                Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-12 * (1 + Math.Abs(expected[j])), $"{j}: {actual[j]:R} vs {expected[j]:R}");
            }
        }

        var check = GradientCheck.Check(ScratchLoops.MlpBatchObjective(w1.Length, b1.Length, w2.Length, xs, ys), w1.Concat(b1).Concat(w2).Append(b2).ToArray(), Tight);
        Assert.True(check.Passed, check.ToString());
    }

    [Fact]
    public void AnArrayCarriedAcrossIterationsStaysExact()
    {
        var x = new[] { 0.3, -1.2, 0.8, 2.0, -0.4 };
        var check = GradientCheck.Check(ScratchLoops.CarriedThroughArrayObjective(x.Length), x, Tight);
        Assert.True(check.Passed, check.ToString());

        // Closed form: s = Σᵢ h0(i−1)·xᵢ with h0(i) = sin(xᵢ), h0(−1) = 0.
        var g = new double[x.Length];
        ScratchLoops.CarriedThroughArrayGradient(x, g);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = (i > 0 ? Math.Sin(x[i - 1]) : 0) + (i + 1 < x.Length ? x[i + 1] * Math.Cos(x[i]) : 0);
            Assert.Equal(expected, g[i], 12);
        }
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.9)]
    public void SignOfAnElementOverwrittenLater(double x)
    {
        var check = GradientCheck.Check(ScratchLoops.SignOfOverwrittenObjective(), new[] { x }, Tight);
        Assert.True(check.Passed, check.ToString());
    }

    [Theory]
    [InlineData(1.5, 3 - 20 * 1.5)]
    [InlineData(0.5, 5 - 20 * 0.5)]
    public void BranchOnAnElementOverwrittenLater(double x, double expected)
    {
        ScratchLoops.BranchOnOverwrittenGradient(x, out double dX);
        Assert.Equal(expected, dX, 12);
    }
}

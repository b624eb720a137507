namespace SymbolicGrad.Corpus.Tests;

public class ClassifierTests
{
    private const int Classes = 4, Features = 3, Examples = 6;

    private static readonly int[] Labels = { 0, 2, 1, 3, 1, 0 };

    /// <summary>∂/∂W[c,j] = mean over examples of (p_c − [c = y]) x_j, ∂/∂b[c] = mean of (p_c − [c = y]).</summary>
    private static double[] SoftmaxCrossEntropyGradient(double[] wb, double[][] xs, int[] labels)
    {
        var g = new double[wb.Length];
        for (int n = 0; n < xs.Length; n++)
        {
            var z = new double[Classes];
            for (int c = 0; c < Classes; c++)
            {
                z[c] = wb[Classes * Features + c] + Enumerable.Range(0, Features).Sum(j => wb[c * Features + j] * xs[n][j]);
            }

            var p = Verify.Softmax(z);
            for (int c = 0; c < Classes; c++)
            {
                double r = (p[c] - (c == labels[n] ? 1 : 0)) / xs.Length;
                for (int j = 0; j < Features; j++)
                {
                    g[c * Features + j] += r * xs[n][j];
                }

                g[Classes * Features + c] += r;
            }
        }

        return g;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SoftmaxCrossEntropyWithPerExampleLogits(int seed)
    {
        var xs = Verify.Rows(Examples, Features, seed);
        var f = Classifiers.SoftmaxCrossEntropyObjective(Classes * Features, Classes, xs, Labels);
        var x = Verify.Random(f.Dimension, 10 + seed);
        Verify.Both(f, x, SoftmaxCrossEntropyGradient(x, xs, Labels));
    }

    /// <summary>Hand-written backpropagation of the same network: an independent implementation.</summary>
    private static double[] MlpGradient(double[] p, int d, int h1, int h2, int k, double[][] xs, int[] ys)
    {
        int o1 = 0, ob1 = h1 * d, o2 = ob1 + h1, ob2 = o2 + h2 * h1, o3 = ob2 + h2, ob3 = o3 + k * h2;
        var g = new double[p.Length];
        for (int n = 0; n < xs.Length; n++)
        {
            double[] Layer(int wo, int bo, double[] input, int rows)
            {
                var z = new double[rows];
                for (int i = 0; i < rows; i++)
                {
                    z[i] = p[bo + i] + Enumerable.Range(0, input.Length).Sum(j => p[wo + i * input.Length + j] * input[j]);
                }

                return z;
            }

            var z1 = Layer(o1, ob1, xs[n], h1);
            var a1 = z1.Select(v => Math.Max(0, v)).ToArray();
            var z2 = Layer(o2, ob2, a1, h2);
            var a2 = z2.Select(v => Math.Max(0, v)).ToArray();
            var z3 = Layer(o3, ob3, a2, k);
            var dz3 = Verify.Softmax(z3);
            dz3[ys[n]] -= 1;

            void Back(int wo, int bo, double[] input, double[] dz, double[]? dInput)
            {
                for (int i = 0; i < dz.Length; i++)
                {
                    g[bo + i] += dz[i] / xs.Length;
                    for (int j = 0; j < input.Length; j++)
                    {
                        g[wo + i * input.Length + j] += dz[i] * input[j] / xs.Length;
                        if (dInput is not null)
                        {
                            dInput[j] += p[wo + i * input.Length + j] * dz[i];
                        }
                    }
                }
            }

            var da2 = new double[h2];
            Back(o3, ob3, a2, dz3, da2);
            var dz2 = da2.Select((v, i) => z2[i] > 0 ? v : 0).ToArray();
            var da1 = new double[h1];
            Back(o2, ob2, a1, dz2, da1);
            var dz1 = da1.Select((v, i) => z1[i] > 0 ? v : 0).ToArray();
            Back(o1, ob1, xs[n], dz1, null);
        }

        return g;
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void TwoHiddenLayerReluMlpWithHelpers(int seed)
    {
        const int d = 3, h1 = 5, h2 = 4, k = 3;
        var xs = Verify.Rows(Examples, d, seed);
        var ys = new[] { 0, 2, 1, 1, 0, 2 };
        var f = Classifiers.MlpLossObjective(h1 * d, h1, h2 * h1, h2, k * h2, k, xs, ys);
        var x = Verify.Random(f.Dimension, 20 + seed);
        Verify.Both(f, x, MlpGradient(x, d, h1, h2, k, xs, ys));
    }

    private static double[] LogisticGradient(double[] wb, double[][] xs, double[] ys)
    {
        int d = wb.Length - 1;
        var g = new double[wb.Length];
        for (int i = 0; i < ys.Length; i++)
        {
            double z = wb[d] + Enumerable.Range(0, d).Sum(j => wb[j] * xs[i][j]);
            double s = -ys[i] * Verify.Sigmoid(-ys[i] * z) / ys.Length;
            for (int j = 0; j < d; j++)
            {
                g[j] += s * xs[i][j];
            }

            g[d] += s;
        }

        return g;
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    public void LogisticRegressionWithLinq(int seed)
    {
        var xs = Verify.Rows(Examples, Features, seed);
        var ys = Verify.Random(Examples, seed).Select(v => v > 0 ? 1.0 : -1.0).ToArray();
        var x = Verify.Random(Features + 1, 30 + seed);
        var expected = LogisticGradient(x, xs, ys);
        var zip = Classifiers.LogisticLossObjective(Features, xs, ys);
        var range = Classifiers.LogisticLossByIndexObjective(Features, xs, ys);
        Verify.Both(zip, x, expected);
        Verify.Both(range, x, expected);
        Assert.Equal(zip.Value(x), range.Value(x), 1e-14);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    public void MaxMinAverageSelectAggregate(int seed)
    {
        var v = Verify.Random(5, seed, 2);
        var f = Classifiers.LinqStatisticsObjective(v.Length);
        var g = new double[v.Length];
        int argMax = Array.IndexOf(v, v.Max());
        var squares = v.Select(e => e * e).ToArray();
        int argMin = Array.IndexOf(squares, squares.Min());
        double product = v.Aggregate(1.0, (acc, e) => acc * (1 + 0.1 * e));
        for (int i = 0; i < v.Length; i++)
        {
            g[i] = (i == argMax ? 1 : 0) - 1.0 / v.Length + (i == argMin ? 2 * v[i] : 0) + product * 0.1 / (1 + 0.1 * v[i]);
        }

        Verify.Both(f, v, g);
    }
}

namespace SymbolicGrad.Corpus.Tests;

/// <summary>
/// Matrix parameters (#9), compiled by the SDK's compiler with the generator as an analyzer: each draft's gradient
/// equals the gradient of the flat-array draft of the same model (checked against closed forms in ClassifierTests),
/// component by component after packing, and numeric differences.
/// </summary>
public class MatrixTests
{
    private const int Classes = 4, Features = 3, Examples = 6;

    private static void SameGradient(DifferentiableFunction f, double[] x, DifferentiableFunction reference, double[] referencePoint, int[] order)
    {
        var g = new double[x.Length];
        var expected = new double[referencePoint.Length];
        Assert.Equal(reference.ValueAndGradient(referencePoint, expected), f.ValueAndGradient(x, g), 12);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(g[i] - expected[order[i]]) <= 1e-12 * (1 + Math.Abs(expected[order[i]])), $"{f.ParameterNames[i]}: {g[i]:R}, flat {expected[order[i]]:R}");
        }

        Verify.Numeric(f, x);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SoftmaxCrossEntropyWithAWeightMatrix(int seed)
    {
        var xs = Verify.Rows(Examples, Features, seed);
        int[] labels = { 0, 2, 1, 3, 1, 0 };
        var f = Matrices.SoftmaxCrossEntropyObjective(Classes, Features, Classes, xs, labels);
        Assert.Equal("W[1,2]", f.ParameterNames[Features + 2]);
        var x = Verify.Random(f.Dimension, 10 + seed);
        var flat = Classifiers.SoftmaxCrossEntropyObjective(Classes * Features, Classes, xs, labels);
        SameGradient(f, x, flat, x, Enumerable.Range(0, x.Length).ToArray());
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void ReluNetworkWithPerLayerWeightsAndALayerLoop(int seed)
    {
        const int d = 3, h1 = 5, h2 = 4, k = 3;
        var xs = Verify.Rows(Examples, d, seed);
        var ys = new[] { 0, 2, 1, 1, 0, 2 };
        int[] weights = { h1 * d, h2 * h1, k * h2 }, biases = { h1, h2, k };
        var f = Matrices.MlpLossObjective(weights, biases, xs, ys);
        var x = Verify.Random(f.Dimension, 20 + seed);

        // The flat draft's vector is (w1, b1, w2, b2, w3, b3); this one's (W[0], W[1], W[2], B[0], B[1], B[2]).
        var order = new List<int>();
        int offset = 0;
        var starts = new int[6];
        for (int l = 0; l < 3; l++)
        {
            starts[2 * l] = offset;
            offset += weights[l];
            starts[2 * l + 1] = offset;
            offset += biases[l];
        }

        for (int l = 0; l < 3; l++)
        {
            order.AddRange(Enumerable.Range(starts[2 * l], weights[l]));
        }

        for (int l = 0; l < 3; l++)
        {
            order.AddRange(Enumerable.Range(starts[2 * l + 1], biases[l]));
        }

        var flatPoint = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            flatPoint[order[i]] = x[i];
        }

        var flat = Classifiers.MlpLossObjective(h1 * d, h1, h2 * h1, h2, k * h2, k, xs, ys);
        SameGradient(f, x, flat, flatPoint, order.ToArray());
    }
}

namespace SymbolicGrad.Corpus.Tests;

/// <summary>The ADBench objectives at small sizes, against numeric gradients at two points each.</summary>
public class AdbenchTests
{
    [Theory]
    [InlineData(2, 3, 5, 1)]
    [InlineData(3, 2, 4, 2)]
    [InlineData(2, 2, 6, 3)]
    public void Gmm(int d, int k, int n, int seed)
    {
        var x = Verify.Random(n * d, seed, 2);
        var f = AdbenchGmm.ObjectiveObjective(k, k * d, k * d * (d + 1) / 2, x, d, k, 1.0, 0);
        Verify.Numeric(f, Verify.Random(f.Dimension, seed + 10));
        Verify.Numeric(f, Verify.Random(f.Dimension, seed + 20, 0.5));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void BundleAdjustment(int seed)
    {
        const int cameras = 2, points = 3, observations = 6;
        var f = AdbenchBa.SumOfSquaresObjective(cameras * 11, points * 3, observations,
            new[] { 0, 1, 0, 1, 1, 0 }, new[] { 0, 1, 2, 2, 0, 1 }, Verify.Random(2 * observations, seed));
        for (int trial = 0; trial < 2; trial++)
        {
            var x = Verify.Random(f.Dimension, 10 * seed + trial, 0.3);
            for (int c = 0; c < cameras; c++)
            {
                x[c * 11 + 5] = -3; // the camera centers behind the points: depths away from zero
                x[c * 11 + 6] = 1.5; // focal length
            }

            Verify.Numeric(f, x);
        }
    }

    /// <summary>A zero rotation takes the else branch of Rodrigues' formula (X + rot × X): checked there too.</summary>
    [Fact]
    public void BundleAdjustmentAtZeroRotation()
    {
        var f = AdbenchBa.SumOfSquaresObjective(11, 3, 1, new[] { 0 }, new[] { 0 }, new[] { 0.2, -0.1 });
        var x = new double[] { 0, 0, 0, 0.1, -0.2, -3, 1.5, 0.01, -0.02, 0.05, -0.01, 0.3, 0.2, 0.4, 0.9 };
        Verify.Numeric(f, x);
    }

    [Theory]
    [InlineData(2, 4, 3, 1)]
    [InlineData(1, 3, 2, 2)]
    public void Lstm(int l, int c, int b, int seed)
    {
        var f = AdbenchLstm.ObjectiveObjective(l * 2 * 4 * b, 3 * b, Verify.Random(2 * l * b, seed), Verify.Random(c * b, seed + 1), l, c, b);
        Verify.Numeric(f, Verify.Random(f.Dimension, seed + 2));
        Verify.Numeric(f, Verify.Random(f.Dimension, seed + 3));
    }

    /// <summary>The LSTM's state is data: the objective must not change the caller's array.</summary>
    [Fact]
    public void LstmLeavesTheStateAlone()
    {
        var state = Verify.Random(12, 5);
        var copy = state.ToArray();
        var f = AdbenchLstm.ObjectiveObjective(2 * 2 * 4 * 3, 9, state, Verify.Random(12, 6), 2, 4, 3);
        var g = new double[f.Dimension];
        f.ValueAndGradient(Verify.Random(f.Dimension, 7), g);
        Assert.Equal(copy, state);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void HandTracking(int seed)
    {
        const int bones = 3, vertices = 5;
        var parents = new[] { -1, 0, 1 };
        var relatives = new double[bones * 16];
        var inverses = new double[bones * 16];
        for (int b = 0; b < bones; b++)
        {
            for (int i = 0; i < 4; i++)
            {
                relatives[b * 16 + i * 5] = 1;
                inverses[b * 16 + i * 5] = 1;
            }

            relatives[b * 16 + 3] = b == 0 ? 0 : 1; // each bone one unit along x from its parent
            inverses[b * 16 + 3] = -b;
        }

        var rng = new Random(seed);
        var weights = new double[vertices * bones];
        for (int v = 0; v < vertices; v++)
        {
            double total = 0;
            for (int b = 0; b < bones; b++)
            {
                total += weights[v * bones + b] = rng.NextDouble();
            }

            for (int b = 0; b < bones; b++)
            {
                weights[v * bones + b] /= total;
            }
        }

        var f = AdbenchHand.ObjectiveObjective(6 + 2 * bones, parents, relatives, inverses, Verify.Random(3 * vertices, seed + 1, 2), weights, Verify.Random(3 * vertices, seed + 2, 2));
        Verify.Numeric(f, Verify.Random(f.Dimension, seed + 3, 0.5));
        Verify.Numeric(f, Verify.Random(f.Dimension, seed + 4, 1.0));
    }
}

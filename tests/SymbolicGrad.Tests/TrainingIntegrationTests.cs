using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Tests;

/// <summary>Generated gradients driving the optimizer suite, with no glue: NameObjective(...) plugs straight in.</summary>
public static partial class Regression
{
    /// <summary>Squared error of a line on one example: the data are [NoDerivative] parameters.</summary>
    [Differentiable]
    public static double SquaredError(double w, double b, [NoDerivative] double x, [NoDerivative] double y)
    {
        double r = w * x + b - y;
        return r * r;
    }

    /// <summary>The summed squared residuals of a line over a slice of the data: the shape a data-parallel shard calls.</summary>
    [Differentiable]
    public static double SquaredResiduals(double w, double b, [NoDerivative] ReadOnlySpan<double> x, [NoDerivative] ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = w * x[i] + b - y[i];
            sum += r * r;
        }

        return sum;
    }
}

public class TrainingIntegrationTests
{
    [Fact]
    public void LbfgsMinimizesAGeneratedRosenbrock()
    {
        var result = new Lbfgs(maxIterations: 200, toleranceGrad: 1e-10, toleranceChange: 1e-14, lineSearch: LineSearch.StrongWolfe)
            .Minimize(F.RosenbrockObjective(), new[] { -1.2, 1.0 });
        double distance = Math.Sqrt(Math.Pow(result.Parameters[0] - 1, 2) + Math.Pow(result.Parameters[1] - 1, 2));
        Assert.True(distance < 1e-6, $"‖x − 1‖ = {distance}");
    }

    [Fact]
    public void MiniBatchAdamFitsALineFromPerExampleObjectives()
    {
        // Noise-free data on y = 2x − 1: the fit must find w = 2, b = −1.
        var xs = Enumerable.Range(0, 40).Select(i => i / 10.0 - 2).ToArray();
        var data = TrainingData.FromExamples(xs.Select(x => Regression.SquaredErrorObjective(x, 2 * x - 1)));
        var result = Trainer.Train(data, new[] { 0.0, 0.0 }, new Adam(learningRate: 0.05),
            new TrainingOptions { Batching = Batching.MiniBatch(8), MaxEpochs = 400, ShuffleSeed = 7 });
        Assert.Equal(2.0, result.Parameters[0], 3);
        Assert.Equal(-1.0, result.Parameters[1], 3);
        Assert.True(result.LossHistory[^1] < result.LossHistory[0] * 1e-4);
    }

    [Fact]
    public void GradientDescentOnTheBowlDivergesAtLearningRate0_3()
    {
        // w² + 4b²: plain gradient descent is stable for lr < 0.25 along b; at 0.3 it diverges and says so.
        var result = Trainer.Minimize(F.BowlObjective(), new[] { 1.0, 1.0 }, new Sgd(learningRate: 0.3), new TrainingOptions { MaxEpochs = 500 });
        Assert.Equal(StopReason.Diverged, result.StopReason);
        Assert.All(result.Parameters, p => Assert.True(double.IsFinite(p)));
    }

    [Fact]
    public void AGeneratedGradientOverShardsHasTheSameBitsOnEveryThreadCount()
    {
        var random = new Random(12);
        const int n = 100_003;
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = random.NextDouble() * 2 - 1;
            y[i] = 2 * x[i] + 0.5 + 0.1 * (random.NextDouble() - 0.5);
        }

        double[] point = [0.3, -0.2];
        // closed form of the mean: (1/n) Σ rᵢ², ∂/∂w = (2/n) Σ rᵢxᵢ, ∂/∂b = (2/n) Σ rᵢ, summed serially
        double sum = 0, sumRx = 0, sumR = 0;
        for (int i = 0; i < n; i++)
        {
            double r = point[0] * x[i] + point[1] - y[i];
            sum += r * r;
            sumRx += r * x[i];
            sumR += r;
        }

        long[]? reference = null;
        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            var mse = new ShardedObjective(2, n,
                (p, start, count, g) => Regression.SquaredResidualsGradient(p[0], p[1], x.AsSpan(start, count), y.AsSpan(start, count), out g[0], out g[1]),
                (p, start, count) => Regression.SquaredResiduals(p[0], p[1], x.AsSpan(start, count), y.AsSpan(start, count)),
                shardSize: 4_096, scale: 1.0 / n, maxDegreeOfParallelism: threads);
            var g = new double[2];
            double value = mse.ValueAndGradient(point, g);
            long[] bits = [BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(g[0]), BitConverter.DoubleToInt64Bits(g[1])];
            reference ??= bits;
            Assert.Equal(reference, bits);
            Assert.Equal(sum / n, value, 1e-12);
            Assert.Equal(2 * sumRx / n, g[0], 1e-12);
            Assert.Equal(2 * sumR / n, g[1], 1e-12);
            Assert.Equal(value, mse.Value(point));
        }
    }
}

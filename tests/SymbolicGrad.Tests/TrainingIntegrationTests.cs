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
}

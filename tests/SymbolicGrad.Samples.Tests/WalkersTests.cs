using SymbolicGrad.Optimizers;
using SymbolicGrad.Samples.Walkers;

namespace SymbolicGrad.Samples.Tests;

public class WalkersTests
{
    private static readonly Lazy<SampleOutput> Output = new(() => SampleHarness.Run(WalkersSample.Run, "Walkers"));

    [Fact]
    public void EveryWalkerReachesTheTargetAndCountsItsGradients()
    {
        var (x, y) = WalkersSample.Data();
        var (slope, intercept) = Datasets.LeastSquaresLine(x, y);
        double target = WalkersSample.TargetFactor * Datasets.MeanSquaredError(x, y, slope, intercept);
        var walks = WalkersSample.WalkAll(x, y, target);
        Assert.All(walks, w => Assert.True(w.FinalLoss <= target, $"{w.Label} ended at {w.FinalLoss} > {target}"));
        Assert.Equal(walks[0].Steps * x.Length, walks[0].GradientEvaluations);   // full batch: n per step
        Assert.Equal(walks[1].Steps, walks[1].GradientEvaluations);              // one example per step
        Assert.Equal(walks[3].Steps * x.Length, walks[3].GradientEvaluations);
        // Deterministic: the same walk twice.
        var again = WalkersSample.WalkAll(x, y, target);
        Assert.Equal(walks[1].Final, again[1].Final);
        foreach (var walk in walks)
        {
            var row = Output.Value.Row(walk.Label);
            Assert.Equal(walk.Steps.ToString(), row[1]);
            Assert.Equal(walk.GradientEvaluations.ToString(), row[2]);
            Assert.Equal("yes", row[5]);
        }
    }

    [Fact]
    public void AWalkEndsWhereTheTrainerEnds()
    {
        // The samples' walk loop and the Trainer run the same mini-batch SGD: same shuffles, same mean batch gradients.
        var (x, y) = WalkersSample.Data();
        var data = TrainingData.FromExamples(x.Zip(y, (xi, yi) => Regression.SquaredErrorObjective(xi, yi)));
        int steps = 3 * (x.Length / 16 + 1);
        var walk = Walk.Batches(data, [-1.0, 4.0], new Sgd(0.1), 16, steps, "walk", seed: 9, p => 0);
        var trained = Trainer.Train(data, [-1.0, 4.0], new Sgd(0.1), new TrainingOptions { Batching = Batching.MiniBatch(16), MaxEpochs = 3, ShuffleSeed = 9 });
        Assert.Equal(trained.Steps, walk.Steps);
        Assert.Equal(trained.Parameters[0], walk.Final[0], 1e-12);
        Assert.Equal(trained.Parameters[1], walk.Final[1], 1e-12);
    }

    [Fact]
    public void WritesItsFigures()
    {
        SampleHarness.AssertFigures(Output.Value, "walker-paths", "walker-cost");
        string dir = Output.Value.Directory;
        SampleHarness.AssertSvg(Path.Combine(dir, "walker-paths.svg"), "full-batch GD, η = 0.2", "SGD, 1 example, η = 0.02", "mini-batch SGD, 16, η = 0.1", "Adam, full batch, η = 0.1", "least squares");
        SampleHarness.AssertSvg(Path.Combine(dir, "walker-cost.svg"), "example gradients evaluated (log scale)", "Adam, full batch, η = 0.1");
    }
}

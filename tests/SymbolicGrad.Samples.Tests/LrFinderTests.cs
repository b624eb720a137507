using SymbolicGrad.Samples.LrFinder;

namespace SymbolicGrad.Samples.Tests;

public class LrFinderTests
{
    private static readonly Lazy<SampleOutput> Output = new(() => SampleHarness.Run(LrFinderSample.Run, "LrFinder"));

    [Fact]
    public void TheRangeTestExplodesAndSuggestsARateBelowTheExplosion()
    {
        var (x1, x2, y) = LrFinderSample.Data();
        var test = LrFinderSample.RangeTest(LrFinderSample.Examples(x1, x2, y), 200);
        Assert.NotNull(test.ExplosionLearningRate);
        Assert.True(test.SteepestLearningRate < test.ExplosionLearningRate);
        Assert.Equal(Report.Rate(test.SteepestLearningRate), Output.Value.Row("steepest descent (the suggestion)")[1]);
    }

    [Fact]
    public void TheSuggestionTrainsBetterThanATenthOfItOrTheExplosionRate()
    {
        double Loss(string run) => double.Parse(Output.Value.Row(run)[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Loss("the suggestion") < Loss("a tenth of the suggestion"));
        Assert.True(Loss("the suggestion") < Loss("the explosion rate"));
    }

    [Fact]
    public void TheCrossEntropyIsStableAndAgreesWithItsDefinition()
    {
        // softplus(z) − y·z = −[y·log σ(z) + (1 − y)·log(1 − σ(z))]
        foreach (double z in new[] { -30.0, -2.0, 0.0, 1.5, 40.0 })
        {
            foreach (double label in new[] { 0.0, 1.0 })
            {
                double sigma = 1 / (1 + Math.Exp(-z));
                double expected = -(label * Math.Log(sigma) + (1 - label) * Math.Log(1 - sigma));
                double got = Losses.CrossEntropy(z, 0, 0, 1, 0, label);
                Assert.True(double.IsFinite(got));
                if (double.IsFinite(expected))
                {
                    Assert.Equal(expected, got, 1e-9);
                }
            }
        }

        Assert.Equal(1000, Losses.CrossEntropy(1000, 0, 0, 1, 0, 0), 1e-9); // would overflow exp(1000) written naively
    }

    [Fact]
    public void WritesItsFigures()
    {
        SampleHarness.AssertFigures(Output.Value, "range-test", "training");
        SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, "range-test.svg"), "batch loss", "smoothed (EMA, β = 0.98)", "suggestion: steepest", "exploded", "learning rate (log scale)");
        SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, "training.svg"), "the suggestion", "a tenth of the suggestion", "the explosion rate");
    }
}

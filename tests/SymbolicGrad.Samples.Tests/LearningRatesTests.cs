using System.Globalization;
using SymbolicGrad.Samples.LearningRates;

namespace SymbolicGrad.Samples.Tests;

public class LearningRatesTests
{
    private static readonly Lazy<SampleOutput> Output = new(() => SampleHarness.Run(LearningRatesSample.Run, "LearningRates"));

    [Fact]
    public void TheClassicTraceMatchesTheClosedForm()
    {
        // x_{k+1} = x_k − η·2(x_k − 3) = 3 − (1 − 2η)(3 − x_k): after step k (k + 1 updates) x = 3 − 3·(1 − 2η)^(k+1).
        var xs = LearningRatesSample.DescendParabola(0.1, 40);
        for (int k = 0; k < xs.Length; k++)
        {
            Assert.Equal(3 - 3 * Math.Pow(0.8, k + 1), xs[k], 1e-12);
        }

        Assert.Equal("0.6000", xs[0].ToString("F4", CultureInfo.InvariantCulture));
        Assert.Equal("2.2136", xs[5].ToString("F4", CultureInfo.InvariantCulture));
        Assert.Equal("2.9723", xs[20].ToString("F4", CultureInfo.InvariantCulture));
        Assert.Equal("2.9996", xs[39].ToString("F4", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TheReportPrintsTheClassicTrace()
    {
        const string table = "each step, as the textbook prints it";
        Assert.Equal("0.6000", Output.Value.Row("0", table)[4]);
        Assert.Equal("2.2136", Output.Value.Row("5", table)[4]);
        Assert.Equal("2.9723", Output.Value.Row("20", table)[4]);
        Assert.Equal("2.9996", Output.Value.Row("39", table)[4]);
    }

    [Fact]
    public void TooLargeARateDivergesAndIsReportedSo()
    {
        var xs = LearningRatesSample.DescendParabola(1.1, 40);
        // x_{k+1} = −1.2·x_k + 6.6
        Assert.Equal(6.6, xs[0], 1e-12);
        Assert.Equal(-1.32, xs[1], 1e-12);
        Assert.Equal(8.184, xs[2], 1e-12);
        Assert.True(Math.Abs(xs[39] - 3) > 1000);

        var row = Output.Value.Row("Trainer", "Three learning rates");
        Assert.StartsWith("converges", row[1], StringComparison.Ordinal);
        Assert.StartsWith("converges", row[2], StringComparison.Ordinal);
        Assert.StartsWith("diverges", row[3], StringComparison.Ordinal);
        var trace = Output.Value.Row("2", "Three learning rates");
        Assert.Equal("8.184", trace[3]);
    }

    [Fact]
    public void TheBowlDivergesOnlyAboveTwoOverTheSteepCurvature()
    {
        // Curvatures 2 (w) and 8 (b): stable iff η < 2/8.
        var f = Losses.BowlObjective();
        foreach (double rate in LearningRatesSample.BowlRates)
        {
            var verdict = LearningRatesSample.Verdict(f, LearningRatesSample.BowlStart, rate, 1000);
            Assert.Equal(rate < 0.25 ? SymbolicGrad.Optimizers.StopReason.GradientTolerance : SymbolicGrad.Optimizers.StopReason.Diverged, verdict.StopReason);
        }
    }

    [Fact]
    public void WritesItsFigures()
    {
        SampleHarness.AssertFigures(Output.Value, "parabola-steps", "bowl-paths", "loss-per-step");
        string dir = Output.Value.Directory;
        SampleHarness.AssertSvg(Path.Combine(dir, "parabola-steps.svg"), "η = 0.01: crawls", "η = 0.1: converges", "η = 1.1: diverges", "minimum x = 3");
        SampleHarness.AssertSvg(Path.Combine(dir, "bowl-paths.svg"), "η = 0.01", "η = 0.1", "η = 0.3 (diverges)", "w² + 4b²");
        SampleHarness.AssertSvg(Path.Combine(dir, "loss-per-step.svg"), "loss (log scale)", "η = 1.1", "η = 0.3");
    }
}

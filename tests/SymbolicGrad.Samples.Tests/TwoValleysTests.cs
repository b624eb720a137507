using SymbolicGrad.Optimizers;
using SymbolicGrad.Samples.TwoValleys;

namespace SymbolicGrad.Samples.Tests;

public class TwoValleysTests
{
    private static readonly Lazy<SampleOutput> Output = new(() => SampleHarness.Run(TwoValleysSample.Run, "TwoValleys"));

    [Fact]
    public void TheLandscapeHasAShallowAndADeepValley()
    {
        // f'(x) at y = 0 is x(x² − 4)/4 + 0.3: a ridge between two minima, the left one lower.
        Assert.InRange(TwoValleysSample.Ridge, 0, 0.5);
        Assert.True(TwoValleysSample.Height(-2.1, 0) < TwoValleysSample.Height(1.85, 0));
        Losses.ValleysGradient(TwoValleysSample.Ridge, 0, 0, 0, out double dX, out _);
        Assert.Equal(0, dX, 9);
    }

    [Fact]
    public void PlainDescentStaysShallowAndEachEscapeReachesTheDeepValley()
    {
        Assert.False(TwoValleysSample.InDeepValley(TwoValleysSample.Plain(200).Final));
        Assert.True(TwoValleysSample.InDeepValley(TwoValleysSample.Momentum(200).Final));
        Assert.True(TwoValleysSample.InDeepValley(TwoValleysSample.BoldThenCareful(200).Final));
        Assert.True(TwoValleysSample.InDeepValley(TwoValleysSample.Noise(800, seed: 0).Final));
        var hikers = TwoValleysSample.Hikers();
        Assert.True(TwoValleysSample.InDeepValley(hikers.Best.Parameters));
        Assert.Contains(hikers.Results, r => !TwoValleysSample.InDeepValley(r.Parameters)); // some hikers do land in the shallow valley
    }

    [Fact]
    public void TheNoisyDataAveragesToTheLandscape()
    {
        var data = TwoValleysSample.NoisyData((a, c) => Losses.ValleysObjective(a, c), 4.0, seed: 2);
        double[] p = [0.7, -0.3];
        var g = new double[2];
        double sum = 0;
        for (int i = 0; i < data.Count; i++)
        {
            sum += data.Loss(p, i, g);
        }

        Assert.Equal(TwoValleysSample.Height(0.7, -0.3), sum / data.Count, 12);
    }

    [Fact]
    public void TheReportShowsTheSaddleAndTheValleys()
    {
        Assert.Equal("shallow (local)", Output.Value.Row("gradient descent, η = 0.1")[5]);
        Assert.Equal("deep (global)", Output.Value.Row("momentum 0.9, η = 0.05")[5]);
        Assert.StartsWith("never", Output.Value.Row("descent from y = 0")[1], StringComparison.Ordinal);
        Assert.Matches("^[0-9]+$", Output.Value.Row("mini-batch SGD from y = 0")[1]);
        Assert.Matches("^[0-9]+$", Output.Value.Row("momentum 0.9 from y = 0.001")[1]);
        Assert.Contains($"reports {StopReason.GradientTolerance}", Output.Value.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void WritesItsFigures()
    {
        SampleHarness.AssertFigures(Output.Value, "escapes", "saddle");
        SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, "escapes.svg"), "Plain descent: stuck in the shallow valley", "Noise: SGD, 1 example per step, η annealed",
            "Momentum: a heavy ball rolls over", "Bold then careful: a long jump, then small steps", "Multi-start: 10 hikers, keep the lowest", "The cut at y = 0: two valleys and a ridge");
        SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, "saddle.svg"), "saddle point (0, 0)", "descent from y = 0 (stays)", "mini-batch SGD from y = 0");
    }
}

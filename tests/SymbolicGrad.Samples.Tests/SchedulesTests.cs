using SymbolicGrad.Samples.Schedules;

namespace SymbolicGrad.Samples.Tests;

public class SchedulesTests
{
    private static readonly Lazy<SampleOutput> Output = new(() => SampleHarness.Run(SchedulesSample.Run, "Schedules"));

    [Fact]
    public void DecayingSchedulesEndCloserToTheMinimumThanAConstantRate()
    {
        var (x, y) = SchedulesSample.Data();
        var (slope, intercept) = Datasets.LeastSquaresLine(x, y);
        double best = Datasets.MeanSquaredError(x, y, slope, intercept);
        var walks = SchedulesSample.TrainAll(x, y, epochs: 12);
        double constant = walks[0].FinalLoss - best;
        foreach (int k in new[] { 1, 2, 3, 5 }) // step, exponential, cosine, one-cycle: they all end small
        {
            Assert.True(walks[k].FinalLoss - best < constant / 10, $"{walks[k].Label}: {walks[k].FinalLoss - best} vs constant {constant}");
        }
    }

    [Fact]
    public void TheTableShowsEachScheduleItsOwnRates()
    {
        int steps = 12 * (256 / SchedulesSample.BatchSize);
        foreach (var (name, schedule) in SchedulesSample.All(steps))
        {
            var row = Output.Value.Row(name);
            Assert.Equal(Report.Rate(schedule.LearningRate(0)), row[1]);
            Assert.Equal(Report.Rate(schedule.LearningRate(steps - 1)), row[3]);
        }

        Assert.Equal("0.02", Output.Value.Row("cosine")[1]);
        Assert.Equal("0.01", Output.Value.Row("cosine")[2]); // half way down a cosine from 0.02 to 0
    }

    [Fact]
    public void WritesItsFigures()
    {
        SampleHarness.AssertFigures(Output.Value, "schedules", "training");
        SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, "schedules.svg"), "constant 0.02", "step: ×0.2 every quarter", "exponential to 1/1000", "cosine", "cosine, warm restarts ×4", "one-cycle");
        SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, "training.svg"), "L − L* (log scale)", "one-cycle", "constant 0.02");
    }
}

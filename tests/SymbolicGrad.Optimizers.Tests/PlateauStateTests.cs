namespace SymbolicGrad.Optimizers.Tests;

/// <summary>ReduceLearningRateOnPlateau saved and restored mid-run continues exactly; bad states are refused.</summary>
public class PlateauStateTests
{
    /// <summary>A noisy, slowly flattening loss: plenty of improvements, plateaus and reductions.</summary>
    private static double Metric(int epoch) => (1.0 / (1 + (0.2 * epoch))) + (0.05 * Math.Sin(epoch * 1.7));

    private static ReduceLearningRateOnPlateau Create(double factor = 0.5) =>
        new(0.1, factor: factor, patience: 2, threshold: 1e-3, cooldown: 1, minLearningRate: 1e-4);

    [Fact]
    public void ARunSavedRestoredAndContinuedMatchesOneThatWasNot()
    {
        var uninterrupted = Create();
        var rates = Enumerable.Range(0, 80).Select(e => uninterrupted.Report(Metric(e))).ToList();
        Assert.True(rates.Distinct().Count() >= 3, "the run should reduce the rate more than once");

        foreach (int stop in new[] { 0, 5, 17, 40 })
        {
            var first = Create();
            for (int e = 0; e < stop; e++)
            {
                first.Report(Metric(e));
            }

            byte[] saved = first.SaveState().ToBytes();
            var resumed = Create();
            resumed.RestoreState(OptimizerState.FromBytes(saved));
            Assert.Equal(first.Best, resumed.Best);
            Assert.Equal(first.BadReports, resumed.BadReports);
            Assert.Equal(stop, resumed.Reports);
            for (int e = stop; e < 80; e++)
            {
                Assert.Equal(rates[e], resumed.Report(Metric(e)));
            }
        }
    }

    [Fact]
    public void TheStateCarriesTheReportCountAndNamesItsOwner()
    {
        var r = Create();
        for (int e = 0; e < 7; e++)
        {
            r.Report(Metric(e));
        }

        var state = r.SaveState();
        Assert.Equal("ReduceLearningRateOnPlateau", state.OptimizerName);
        Assert.Equal(7, state.Scalars["reports"]);
        Assert.Equal(7, r.Reports);
        Assert.Equal(r.LearningRate, state.Scalars["learning_rate"]);
        Assert.Equal(0.5, state.Settings["factor"]);
    }

    [Fact]
    public void OtherSettingsAreRefusedAndNothingChanges()
    {
        var source = Create(factor: 0.5);
        source.Report(1.0);
        var target = Create(factor: 0.25);
        target.Report(2.0);
        var e = Assert.Throws<ArgumentException>(() => target.RestoreState(source.SaveState()));
        Assert.Contains("factor", e.Message);
        Assert.Equal(2.0, target.Best);
    }

    [Fact]
    public void AnOptimizerStateIsRefused()
    {
        var adam = new Adam();
        var e = Assert.Throws<ArgumentException>(() => Create().RestoreState(adam.SaveState()));
        Assert.Contains("Adam", e.Message);
        Assert.Throws<ArgumentException>(() => adam.RestoreState(Create().SaveState()));
    }

    [Fact]
    public void CorruptedBytesAreRefused()
    {
        byte[] bytes = Create().SaveState().ToBytes();
        bytes[bytes.Length / 2] ^= 0x10;
        Assert.Throws<InvalidDataException>(() => OptimizerState.FromBytes(bytes));
    }
}

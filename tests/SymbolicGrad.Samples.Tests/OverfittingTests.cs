using SymbolicGrad.Optimizers;
using SymbolicGrad.Samples.Overfitting;

namespace SymbolicGrad.Samples.Tests;

public class OverfittingTests
{
    private static readonly Lazy<SampleOutput> Output = new(() => SampleHarness.Run(OverfittingSample.Run, "Overfitting"));

    [Fact]
    public void TrainingKeepsFallingWhileValidationTurnsUp()
    {
        var fit = OverfittingSample.Train("plain", new Adam(OverfittingSample.LearningRate), 4000, int.MaxValue);
        var train = fit.Result.EpochLosses;
        var validation = fit.Validation.Losses;
        Assert.Equal(train.Count + 1, validation.Count); // the start, then every epoch
        Assert.True(train[^1] < train[train.Count / 10]);
        int best = validation.IndexOf(validation.Min());
        Assert.True(best < validation.Count - 1, "the validation loss should turn back up before the end");
        Assert.True(validation[^1] > validation[best] * 1.05);
        // Without a real patience the Trainer still returns the best validation parameters.
        var (_, _, vx, vy) = OverfittingSample.Data();
        Assert.Equal(validation[best], OverfittingSample.MeanSquaredError(fit.Result.Parameters, vx, vy), 12);
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpoch()
    {
        var fit = OverfittingSample.Train("early", new Adam(OverfittingSample.LearningRate), 4000, 200);
        Assert.Equal(StopReason.EarlyStopped, fit.Result.StopReason);
        var losses = fit.Validation.Losses;
        int best = losses.IndexOf(losses.Min());
        Assert.Equal(best + 200, fit.Result.Epochs);
        var (_, _, vx, vy) = OverfittingSample.Data();
        Assert.Equal(losses[best], OverfittingSample.MeanSquaredError(fit.Result.Parameters, vx, vy), 12);
    }

    [Fact]
    public void ThePolynomialGradientMatchesItsClosedForm()
    {
        // ∂(p(x) − y)²/∂c_i = 2·(p(x) − y)·xⁱ
        double[] c = [0.5, -1, 0.25, 2];
        var dC = new double[4];
        Losses.SquaredErrorGradient(c, 0.7, 0.1, dC);
        double r = Losses.Polynomial(c, 0.7) - 0.1;
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(2 * r * Math.Pow(0.7, i), dC[i], 12);
        }
    }

    [Fact]
    public void WritesItsFigures()
    {
        SampleHarness.AssertFigures(Output.Value, "losses", "fits");
        SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, "losses.svg"), "training, Adam, no regularization", "validation, Adam, no regularization", "best validation, epoch", "early stopping stops, epoch");
        SampleHarness.AssertSvg(Path.Combine(Output.Value.Directory, "fits.svg"), "sin(πx), the truth", "early stopping (restored)", "training points", "validation points");
    }
}

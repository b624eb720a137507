using ScottPlot;
using Spectre.Console;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Samples.LrFinder;

/// <summary>
/// Which learning rate? The range test (Smith 2017, fastai's lr_find) trains briefly while the rate grows from 1e-5 to
/// 1000 and records the loss: it falls once the rate is useful and explodes once it is too large. The suggestion is the
/// rate where the smoothed loss falls fastest. Then three training runs: the suggestion, a tenth of it, and the rate
/// where the test exploded.
/// </summary>
public static class LrFinderSample
{
    /// <summary>Two overlapping classes in the plane: 512 points, labels 0 and 1, seed 11.</summary>
    public static (double[] X1, double[] X2, double[] Y) Data(int count = 512, int seed = 11)
    {
        var random = new Random(seed);
        var x1 = new double[count];
        var x2 = new double[count];
        var y = new double[count];
        for (int i = 0; i < count; i++)
        {
            y[i] = i % 2;
            x1[i] = (y[i] == 1 ? 1.0 : -1.0) + 1.2 * Datasets.Gaussian(random);
            x2[i] = (y[i] == 1 ? 0.5 : -0.5) + 1.2 * Datasets.Gaussian(random);
        }

        return (x1, x2, y);
    }

    /// <summary>The data as per-example objectives (what the range test and the Trainer take).</summary>
    public static TrainingData Examples(double[] x1, double[] x2, double[] y) =>
        TrainingData.FromExamples(Enumerable.Range(0, y.Length).Select(i => Losses.CrossEntropyObjective(x1[i], x2[i], y[i])));

    /// <summary>The range test: SGD with momentum 0.9, rates 1e-5 … 1000 over <paramref name="steps"/> mini-batches of 32.</summary>
    public static LearningRateFinderResult RangeTest(TrainingData data, int steps) =>
        LearningRateFinder.Run(data, [0.0, 0.0, 0.0], () => new Sgd(momentum: 0.9), minLearningRate: 1e-5, maxLearningRate: 1000, steps: steps, shuffleSeed: 1);

    /// <summary>Runs the sample (<c>--out DIR</c>, <c>--quick</c>).</summary>
    public static int Run(string[] args, IAnsiConsole? console = null) =>
        SampleRun.Execute("LrFinder", "the learning-rate range test, then a training run with its suggestion", args, console, typeof(LrFinderSample).Assembly, Run);

    private static void Run(SampleRun run)
    {
        var (x1, x2, y) = Data();
        var data = Examples(x1, x2, y);
        run.Say($"{y.Length} points in two overlapping classes; logistic regression p = σ(w1·x1 + w2·x2 + b), cross-entropy loss (Losses.CrossEntropy, [Differentiable]).");

        const int steps = 200; // cheap (200 mini-batches), and fewer steps make a coarser, less reliable suggestion: no quick budget
        LearningRateFinderResult test = null!;
        run.Console.Status().Start("range test…", _ => test = RangeTest(data, steps));
        double suggestion = test.SteepestLearningRate;
        var summary = Report.Table("range test", "value");
        Report.Row(summary, "steps run", $"{test.LearningRates.Count} of {steps}");
        Report.Row(summary, "rates tried", $"{Report.Rate(test.LearningRates[0])} … {Report.Rate(test.LearningRates[^1])}");
        Report.Row(summary, "lowest smoothed loss", Report.Sig(test.SmoothedLosses.Min()));
        Report.Row(summary, "exploded at", test.ExplosionLearningRate is double e ? Report.Rate(e) : "no explosion");
        Report.Row(summary, "steepest descent (the suggestion)", Report.Rate(suggestion));
        Report.Row(summary, "a decade below the explosion", Report.Rate(test.DecadeBelowExplosion));
        run.Console.Write(summary);

        int epochs = run.Budget(6, 4);
        double explosion = test.ExplosionLearningRate ?? test.LearningRates[^1];
        var rates = new[] { (Name: "a tenth of the suggestion", Rate: suggestion / 10), (Name: "the suggestion", Rate: suggestion), (Name: "the explosion rate", Rate: explosion) };
        var table = Report.Table("run", "η", "epochs", "loss", "accuracy", "stop");
        var results = new List<(string Label, OptimizationResult Result)>();
        foreach (var (name, rate) in rates)
        {
            var result = Trainer.Train(data, [0.0, 0.0, 0.0], new Sgd(rate, momentum: 0.9),
                new TrainingOptions { Batching = Batching.MiniBatch(32), MaxEpochs = epochs, ShuffleSeed = 2 });
            results.Add(($"{name}, η = {Report.Rate(rate)}", result));
            Report.Row(table, name, Report.Rate(rate), result.Epochs.ToString(), Report.Sig(result.Loss), $"{100 * Accuracy(result.Parameters, x1, x2, y):F1}%", result.StopReason.ToString());
        }

        table.Title = new TableTitle($"Mini-batch SGD (32, momentum 0.9), {epochs} epochs");
        run.Console.Write(table);

        RangeFigure(run, test);
        TrainingFigure(run, results);
    }

    /// <summary>The fraction of points on the right side of the fitted boundary.</summary>
    public static double Accuracy(double[] p, double[] x1, double[] x2, double[] y)
    {
        int right = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double z = p[0] * x1[i] + p[1] * x2[i] + p[2];
            right += (z > 0 ? 1 : 0) == (int)y[i] ? 1 : 0;
        }

        return (double)right / y.Length;
    }

    private static void RangeFigure(SampleRun run, LearningRateFinderResult test)
    {
        var plot = Figures.Create("The learning-rate range test", "learning rate (log scale)", "loss");
        var logRates = Figures.Log10(test.LearningRates);
        var raw = Figures.Line(plot, logRates, test.Losses.ToArray(), "batch loss", Colors.Gray.WithAlpha(0.6), width: 1, markerSize: 3);
        raw.MarkerShape = MarkerShape.FilledCircle;
        Figures.Line(plot, logRates, test.SmoothedLosses.ToArray(), "smoothed (EMA, β = 0.98)", Figures.Colour(0), width: 3);
        var steepest = plot.Add.VerticalLine(Math.Log10(test.SteepestLearningRate), 2, Figures.Colour(2));
        steepest.LegendText = $"suggestion: steepest, η = {Report.Rate(test.SteepestLearningRate)}";
        var decade = plot.Add.VerticalLine(Math.Log10(test.DecadeBelowExplosion), 2, Figures.Colour(3), LinePattern.Dashed);
        decade.LegendText = $"a decade below the explosion, η = {Report.Rate(test.DecadeBelowExplosion)}";
        if (test.ExplosionLearningRate is double e)
        {
            var boom = plot.Add.VerticalLine(Math.Log10(e), 2, Figures.Colour(1), LinePattern.Dotted);
            boom.LegendText = $"exploded, η = {Report.Rate(e)}";
        }

        Figures.LogScaleX(plot);
        Figures.Legend(plot, Alignment.UpperLeft);
        double top = Math.Min(test.Losses.Max(), 4 * test.SmoothedLosses.Min()) * 1.15;
        plot.Axes.SetLimitsY(0, top);
        run.Save(plot, "range-test");
    }

    private static void TrainingFigure(SampleRun run, List<(string Label, OptimizationResult Result)> results)
    {
        var plot = Figures.Create("Training with three rates: the loss of each mini-batch", "step", "batch loss (log scale)");
        foreach (var ((label, result), k) in results.Select((r, k) => (r, k)))
        {
            var steps = Enumerable.Range(0, result.LossHistory.Count).Select(s => (double)s).ToArray();
            Figures.Line(plot, steps, Figures.Log10(result.LossHistory), label, Figures.Colour(k), width: 1.5f);
        }

        Figures.LogScaleY(plot);
        Figures.Legend(plot, Alignment.MiddleRight);
        run.Save(plot, "training");
    }
}

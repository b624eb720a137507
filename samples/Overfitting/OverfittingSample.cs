using ScottPlot;
using Spectre.Console;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Samples.Overfitting;

/// <summary>
/// Overfitting, seen. A degree-9 polynomial (10 coefficients) fitted to 15 noisy points of sin(πx): the training loss
/// keeps falling while the validation loss (15 other points) turns back up. Early stopping keeps the parameters with
/// the best validation loss (the Trainer restores them); weight decay (AdamW) keeps the coefficients small instead.
/// </summary>
public static class OverfittingSample
{
    /// <summary>Coefficients: degree 9.</summary>
    public const int Coefficients = 10;

    /// <summary>The learning rate of every run.</summary>
    public const double LearningRate = 0.03;

    /// <summary>AdamW's decoupled weight decay.</summary>
    public const double WeightDecay = 0.3;

    /// <summary>
    /// sin(πx) + noise (0.2, seed 4) at 10 evenly spaced training points on [−1, 1] and at the 9 midpoints between
    /// them for validation: the validation points ask what the curve does between the points it was fitted to.
    /// </summary>
    public static (double[] X, double[] Y, double[] ValidationX, double[] ValidationY) Data()
    {
        var random = new Random(4);
        var x = Enumerable.Range(0, 10).Select(i => -1 + 2.0 * i / 9).ToArray();
        var vx = x.Take(9).Select(v => v + 1.0 / 9).ToArray();
        var y = x.Select(v => Math.Sin(Math.PI * v) + 0.2 * Datasets.Gaussian(random)).ToArray();
        var vy = vx.Select(v => Math.Sin(Math.PI * v) + 0.2 * Datasets.Gaussian(random)).ToArray();
        return (x, y, vx, vy);
    }

    /// <summary>The mean squared error of the polynomial <paramref name="c"/> on the points.</summary>
    public static double MeanSquaredError(ReadOnlySpan<double> c, double[] x, double[] y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = Losses.Polynomial(c, x[i]) - y[i];
            sum += r * r;
        }

        return sum / x.Length;
    }

    /// <summary>Records every validation loss the Trainer asks for (once at the start, then after each epoch) and the parameters it was asked at.</summary>
    public sealed class ValidationRecorder(double[] x, double[] y)
    {
        /// <summary>The validation losses, in order: the start, then epoch 1, 2, ….</summary>
        public List<double> Losses { get; } = [];

        /// <summary>The parameters at the last evaluation: where the run ended.</summary>
        public double[] Last { get; private set; } = [];

        /// <summary>The validation loss at <paramref name="parameters"/> (the shape <see cref="EarlyStopping"/> takes).</summary>
        public double Evaluate(ReadOnlySpan<double> parameters)
        {
            double loss = MeanSquaredError(parameters, x, y);
            Losses.Add(loss);
            Last = parameters.ToArray();
            return loss;
        }
    }

    /// <summary>One training run: the Trainer's result and the validation curve it saw.</summary>
    public sealed record Fit(string Label, OptimizationResult Result, ValidationRecorder Validation);

    /// <summary>
    /// Trains with <paramref name="optimizer"/>, full batch, for <paramref name="epochs"/> epochs, with early stopping
    /// of the given patience (int.MaxValue: never stops, but still returns the best validation parameters).
    /// </summary>
    public static Fit Train(string label, Optimizer optimizer, int epochs, int patience)
    {
        var (x, y, vx, vy) = Data();
        var data = TrainingData.FromExamples(x.Zip(y, (xi, yi) => Losses.SquaredErrorObjective(Coefficients, xi, yi)));
        var recorder = new ValidationRecorder(vx, vy);
        var result = Trainer.Train(data, new double[Coefficients], optimizer, new TrainingOptions
        {
            MaxEpochs = epochs,
            EarlyStopping = new EarlyStopping(recorder.Evaluate, patience),
        });
        return new Fit(label, result, recorder);
    }

    /// <summary>Runs the sample (<c>--out DIR</c>, <c>--quick</c>).</summary>
    public static int Run(string[] args, IAnsiConsole? console = null) =>
        SampleRun.Execute("Overfitting", "training and validation loss, early stopping, weight decay", args, console, typeof(OverfittingSample).Assembly, Run);

    private static void Run(SampleRun run)
    {
        var (x, y, vx, vy) = Data();
        int epochs = run.Budget(20000, 4000);
        int patience = epochs / 10;
        run.Say($"{x.Length} training points and {vx.Length} validation points (between them) of sin(πx) + noise; a polynomial of degree {Coefficients - 1} (Losses.SquaredError, [Differentiable], Horner's rule).");
        run.Say($"Adam, η = {LearningRate}, full batch, {epochs} epochs from all-zero coefficients.");

        Fit plain = null!, early = null!, decayed = null!;
        run.Console.Progress().Start(ctx =>
        {
            var task = ctx.AddTask("training", maxValue: 3);
            plain = Train("Adam, no regularization", new Adam(LearningRate), epochs, int.MaxValue);
            task.Increment(1);
            early = Train($"Adam, early stopping (patience {patience})", new Adam(LearningRate), epochs, patience);
            task.Increment(1);
            decayed = Train($"AdamW, weight decay {WeightDecay}", new AdamW(LearningRate, weightDecay: WeightDecay), epochs, int.MaxValue);
            task.Increment(1);
        });

        int bestEpoch = plain.Validation.Losses.IndexOf(plain.Validation.Losses.Min());
        int restored = early.Validation.Losses.IndexOf(early.Validation.Losses.Min());
        var table = Report.Table("parameters", "epochs run", "train MSE", "validation MSE", "‖c‖");
        void Row(string name, int ran, double[] c) =>
            Report.Row(table, name, ran.ToString(), Report.Sig(MeanSquaredError(c, x, y)), Report.Sig(MeanSquaredError(c, vx, vy)), Report.Sig(Norm(c)));
        Row($"no regularization, after {epochs} epochs", epochs, plain.Validation.Last);
        Row($"no regularization, best validation (epoch {bestEpoch})", epochs, plain.Result.Parameters);
        Row($"early stopping: stopped at epoch {early.Result.Epochs}, restored epoch {restored}", early.Result.Epochs, early.Result.Parameters);
        Row($"weight decay {WeightDecay}, after {epochs} epochs", epochs, decayed.Validation.Last);
        run.Console.Write(table);
        run.Say($"Early stopping ({early.Result.StopReason}) returns the parameters of the best validation loss: the Trainer kept them while it waited {patience} epochs for a better one.");
        run.Say("Weight decay shrinks every coefficient a little at each step, so the wild high-degree terms never grow.");

        LossFigure(run, plain, decayed, bestEpoch, early.Result.Epochs);
        FitFigure(run, x, y, vx, vy, plain, early, decayed);
    }

    private static double Norm(double[] c) => Math.Sqrt(c.Sum(v => v * v));

    private static void LossFigure(SampleRun run, Fit plain, Fit decayed, int bestEpoch, int stopEpoch)
    {
        var plot = Figures.Create("Training and validation loss per epoch", "epoch (log scale)", "mean squared error (log scale)");
        foreach (var (fit, k, pattern) in new[] { (plain, 0, LinePattern.Solid), (decayed, 2, LinePattern.Dashed) })
        {
            // EpochLosses[e − 1] is epoch e's training loss; the recorder's entry e is the validation loss after epoch e.
            var epochs = Enumerable.Range(1, fit.Result.EpochLosses.Count).Select(e => Math.Log10(e)).ToArray();
            var train = Figures.Line(plot, epochs, Figures.Log10(fit.Result.EpochLosses), $"training, {fit.Label}", Figures.Colour(k));
            train.LinePattern = pattern;
            var validation = Figures.Line(plot, epochs, Figures.Log10(fit.Validation.Losses.Skip(1).Take(epochs.Length)), $"validation, {fit.Label}", Figures.Colour(k + 1));
            validation.LinePattern = pattern;
        }

        var best = plot.Add.VerticalLine(Math.Log10(Math.Max(1, bestEpoch)), 2, Colors.Black, LinePattern.Dotted);
        best.LegendText = $"best validation, epoch {bestEpoch}";
        var stop = plot.Add.VerticalLine(Math.Log10(stopEpoch), 2, Colors.Gray, LinePattern.DenselyDashed);
        stop.LegendText = $"early stopping stops, epoch {stopEpoch}";
        Figures.LogScaleX(plot);
        Figures.LogScaleY(plot);
        Figures.Legend(plot, Alignment.LowerLeft);
        run.Save(plot, "losses");
    }

    private static void FitFigure(SampleRun run, double[] x, double[] y, double[] vx, double[] vy, Fit plain, Fit early, Fit decayed)
    {
        var plot = Figures.Create("What the polynomial learned", "x", "y");
        var xs = Enumerable.Range(0, 401).Select(i => -1 + 2.0 * i / 400).ToArray();
        var truth = Figures.Line(plot, xs, xs.Select(v => Math.Sin(Math.PI * v)).ToArray(), "sin(πx), the truth", Colors.Black, width: 2);
        truth.LinePattern = LinePattern.Dashed;
        Figures.Line(plot, xs, xs.Select(v => Losses.Polynomial(plain.Validation.Last, v)).ToArray(), "no regularization, last epoch", Figures.Colour(1), width: 2.5f);
        Figures.Line(plot, xs, xs.Select(v => Losses.Polynomial(early.Result.Parameters, v)).ToArray(), "early stopping (restored)", Figures.Colour(0), width: 2.5f);
        Figures.Line(plot, xs, xs.Select(v => Losses.Polynomial(decayed.Validation.Last, v)).ToArray(), $"weight decay {WeightDecay}", Figures.Colour(2), width: 2.5f);
        var train = plot.Add.ScatterPoints(x, y, Colors.Black);
        train.MarkerSize = 9;
        train.LegendText = "training points";
        var validation = plot.Add.ScatterPoints(vx, vy, Colors.Black);
        validation.MarkerShape = MarkerShape.OpenCircle;
        validation.MarkerSize = 9;
        validation.MarkerLineWidth = 2;
        validation.LegendText = "validation points";
        Figures.Legend(plot, Alignment.UpperLeft);
        plot.Axes.SetLimits(-1.05, 1.05, -2, 2);
        run.Save(plot, "fits");
    }
}

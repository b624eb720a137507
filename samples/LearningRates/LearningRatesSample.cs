using ScottPlot;
using Color = ScottPlot.Color;
using Spectre.Console;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Samples.LearningRates;

/// <summary>
/// The learning rate is how far you trust the slope. Gradient descent on (x − 3)² from 0 with η = 0.01 (a crawl),
/// η = 0.1 (the textbook run: 0.6000, …, 2.2136, …, 2.9996) and η = 1.1 (6.600, −1.320, 8.184: each step overshoots
/// further); then w² + 4b², where one learning rate must suit a gentle and a steep direction at once.
/// </summary>
public static class LearningRatesSample
{
    /// <summary>The learning rates tried on (x − 3)²: too small, right, too large.</summary>
    public static IReadOnlyList<double> ParabolaRates { get; } = [0.01, 0.1, 1.1];

    /// <summary>The learning rates tried on w² + 4b².</summary>
    public static IReadOnlyList<double> BowlRates { get; } = [0.01, 0.1, 0.3];

    /// <summary>Where the walks on w² + 4b² start.</summary>
    public static IReadOnlyList<double> BowlStart { get; } = [-4.0, 1.0];

    /// <summary>Steps on (x − 3)² (the classic table goes to step 39).</summary>
    public const int ParabolaSteps = 40;

    /// <summary>Steps on w² + 4b².</summary>
    public const int BowlSteps = 60;

    /// <summary>Runs the sample (<c>--out DIR</c>, <c>--quick</c>).</summary>
    public static int Run(string[] args, IAnsiConsole? console = null) =>
        SampleRun.Execute("LearningRates", "how far to trust the slope", args, console, typeof(LearningRatesSample).Assembly, Run);

    /// <summary>
    /// Gradient descent on (x − 3)² with the generated gradient and <see cref="Sgd"/>: element k is x after step k
    /// (steps counted from 0, so element 0 is x after the first update).
    /// </summary>
    public static double[] DescendParabola(double learningRate, int steps, double start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var sgd = new Sgd(learningRate);
        double[] x = [start];
        double[] gradient = new double[1];
        var after = new double[steps];
        for (int k = 0; k < steps; k++)
        {
            Losses.ParabolaGradient(x[0], out gradient[0]); // ∂L/∂x = 2·(x − 3), written by the generator
            sgd.Step(x, gradient);                        // x ← x − η·∂L/∂x
            after[k] = x[0];
        }

        return after;
    }

    /// <summary>The Trainer's verdict on a run of <see cref="Sgd"/> with this learning rate (at most <paramref name="maxSteps"/> steps).</summary>
    public static OptimizationResult Verdict(DifferentiableFunction f, IReadOnlyList<double> start, double learningRate, int maxSteps) =>
        Trainer.Minimize(f, start.ToArray(), new Sgd(learningRate), new TrainingOptions { MaxEpochs = maxSteps, GradientTolerance = 1e-6 });

    private static void Run(SampleRun run)
    {
        ParabolaPart(run, out var parabolaRuns);
        var bowlRuns = BowlPart(run);
        LossFigure(run, parabolaRuns, bowlRuns);
    }

    private static void ParabolaPart(SampleRun run, out List<(double Rate, double[] X)> runs)
    {
        var f = Losses.ParabolaObjective();
        run.Section("1. L(x) = (x − 3)², from x = 0");
        run.Say("The generator derived " + string.Join(", ", f.Derivatives) + ".");

        // The curvature is how fast the slope changes; for a parabola it is the same everywhere.
        Losses.ParabolaGradient(0, out double slopeAt0);
        Losses.ParabolaGradient(1, out double slopeAt1);
        double curvature = slopeAt1 - slopeAt0;
        run.Say($"The slope changes by {curvature} per unit of x, so a step with rate η multiplies the distance to the bottom by 1 − {curvature}·η.");

        runs = ParabolaRates.Select(rate => (rate, DescendParabola(rate, ParabolaSteps))).ToList();
        var classic = runs[1].X;
        const double eta = 0.1;
        var table = Report.Table("step", "x", "∂L/∂x", "η·∂L/∂x", "x ← x − η·∂L/∂x", "L after");
        table.Title = new TableTitle($"η = {eta}: each step, as the textbook prints it");
        foreach (int step in new[] { 0, 1, 2, 3, 4, 5, 10, 20, 30, 39 })
        {
            double before = step == 0 ? 0 : classic[step - 1];
            Losses.ParabolaGradient(before, out double slope);
            double after = classic[step];
            Report.Row(table, step.ToString(), Report.N(before, "F4"), Report.N(slope, "F4"), Report.N(eta * slope, "F4"),
                Report.N(after, "F4"), Report.Sig(Losses.Parabola(after)));
        }

        run.Console.Write(table);

        var compare = Report.Table(["step", .. ParabolaRates.Select(r => $"x with η = {r}")]);
        compare.Title = new TableTitle("Three learning rates, x after each step");
        foreach (int step in new[] { 0, 1, 2, 3, 4, 5, 10, 20, 39 })
        {
            Report.Row(compare, [step.ToString(), .. runs.Select(r => Report.N(r.X[step], r.Rate > 1 ? "F3" : "F4"))]);
        }

        Report.Row(compare, ["factor 1 − λη", .. ParabolaRates.Select(r => Report.N(1 - curvature * r, "G3"))]);
        Report.Row(compare, ["Trainer", .. ParabolaRates.Select(r => Describe(Verdict(f, [0.0], r, 1000)))]);
        run.Console.Write(compare);
        run.Say("|factor| < 1 converges (fast when it is near 0); > 1 overshoots further at every step and diverges.");

        var panels = runs.Select((r, k) => ParabolaPanel(r.Rate, r.X, Figures.Colour(k))).ToList();
        run.Save(new Figure(panels, 3, 520, 460, "Gradient descent on (x − 3)² from x = 0: the first steps"), "parabola-steps");
    }

    private static Plot ParabolaPanel(double rate, double[] after, Color colour)
    {
        string verdict = Math.Abs(after[^1] - 3) < 1e-3 ? "converges" : Math.Abs(after[^1] - 3) > 3 ? "diverges" : "crawls";
        var plot = Figures.Create($"η = {rate}: {verdict}", "x", "L(x) = (x − 3)²");
        var curveX = Enumerable.Range(0, 301).Select(i => -4 + 15.0 * i / 300).ToArray();
        var curve = plot.Add.Scatter(curveX, curveX.Select(Losses.Parabola).ToArray(), Colors.Gray);
        curve.MarkerSize = 0;
        curve.LineWidth = 2;
        curve.LegendText = "L(x)";

        int shown = rate > 1 ? 6 : after.Length + 1; // the diverging walk leaves the frame after five steps
        var xs = new[] { 0.0 }.Concat(after.Take(shown - 1)).ToArray();
        var path = plot.Add.Scatter(xs, xs.Select(Losses.Parabola).ToArray(), colour);
        path.LineWidth = 2;
        path.MarkerSize = rate < 0.05 ? 5 : 9;
        path.LegendText = $"x₀ … x{Subscript(xs.Length - 1)}, η = {rate}";
        int[] labelled = rate < 0.05 ? [0, xs.Length - 1] : [0, 1, 2, 3];
        foreach (int k in labelled)
        {
            var label = plot.Add.Text($"x{Subscript(k)}", xs[k], Losses.Parabola(xs[k]));
            label.LabelFontSize = 14;
            label.LabelFontColor = colour;
            label.LabelBold = true;
            label.OffsetY = -8;
            label.OffsetX = 6;
        }

        Figures.Star(plot, 3, 0, "minimum x = 3");
        Figures.Legend(plot, Alignment.UpperCenter);
        plot.Axes.SetLimits(-4, 11, -3, 75);
        return plot;
    }

    private static List<Trajectory> BowlPart(SampleRun run)
    {
        var f = Losses.BowlObjective();
        run.Section("2. L(w, b) = w² + 4b², from (w, b) = (−4, 1)");
        run.Say("The generator derived " + string.Join(", ", f.Derivatives) + ".");
        Losses.BowlGradient(0, 0, out double dW0, out double dB0);
        Losses.BowlGradient(1, 1, out double dW1, out double dB1);
        double curvatureW = dW1 - dW0, curvatureB = dB1 - dB0;
        run.Say($"Curvature along w: {curvatureW}, along b: {curvatureB}. A rate has to be below 2/{curvatureB} = {2 / curvatureB} for b, while w wants it large.");

        var walks = BowlRates.Select(rate => Walk.Descend(f, BowlStart.ToArray(), new Sgd(rate), BowlSteps, $"η = {rate}")).ToList();
        var table = Report.Table("η", "w factor", "b factor", "steps", "w", "b", "L", "Trainer");
        foreach (var (rate, walk) in BowlRates.Zip(walks))
        {
            var end = walk.Final;
            Report.Row(table, rate.ToString(), Report.N(1 - curvatureW * rate, "G3"), Report.N(1 - curvatureB * rate, "G3"),
                walk.Steps.ToString(), Report.Sig(end[0]), Report.Sig(end[1]), Report.Sig(walk.FinalLoss), Describe(Verdict(f, BowlStart, rate, 1000)));
        }

        run.Console.Write(table);
        run.Say("η = 0.01 is safe along b but crawls along w; η = 0.3 flips b's sign and grows it (factor −1.4): divergence along the steep direction.");

        var landscape = Landscape.Sample((w, b) => Losses.Bowl(w, b), -5, 5, -3, 3, Shading.Log, run.Budget(121, 61));
        var plot = landscape.Plot("w² + 4b²: three learning rates from (−4, 1)", "w", "b");
        foreach (var (walk, k) in walks.Select((w, k) => (w, k)))
        {
            Figures.Path(plot, InBox(walk.Points, landscape), walk.Label + (walk.Diverged ? " (diverges)" : ""), Figures.Colour(k));
        }

        Figures.Star(plot, 0, 0, "minimum");
        Figures.Legend(plot, Alignment.LowerRight);
        run.Save(plot, "bowl-paths");
        return walks;
    }

    private static void LossFigure(SampleRun run, List<(double Rate, double[] X)> parabola, List<Trajectory> bowl)
    {
        var left = Figures.Create("(x − 3)² from x = 0", "step", "loss (log scale)");
        foreach (var ((rate, xs), k) in parabola.Select((r, k) => (r, k)))
        {
            double[] losses = [Losses.Parabola(0), .. xs.Select(Losses.Parabola)];
            Figures.PerStep(left, Figures.Log10(losses), $"η = {rate}", Figures.Colour(k), markerSize: 4);
        }

        Figures.LogScaleY(left);
        Figures.Legend(left, Alignment.LowerLeft);

        var right = Figures.Create("w² + 4b² from (−4, 1)", "step", "loss (log scale)");
        foreach (var (walk, k) in bowl.Select((w, k) => (w, k)))
        {
            Figures.PerStep(right, Figures.Log10(walk.Losses), walk.Label, Figures.Colour(k), markerSize: 4);
        }

        Figures.LogScaleY(right);
        Figures.Legend(right, Alignment.LowerLeft);
        run.Save(new Figure([left, right], 2, 700, 520, "Loss per step: straight lines on a log scale, down (converging) or up (diverging)"), "loss-per-step");
    }

    /// <summary>The points up to and including the first one outside the landscape's box (a diverging path leaves the frame there).</summary>
    private static List<double[]> InBox(IReadOnlyList<double[]> points, Landscape box)
    {
        var kept = new List<double[]>();
        foreach (var p in points)
        {
            kept.Add(p);
            if (p[0] < box.XMin || p[0] > box.XMax || p[1] < box.YMin || p[1] > box.YMax)
            {
                break;
            }
        }

        return kept;
    }

    private static string Describe(OptimizationResult result) => result.StopReason switch
    {
        StopReason.Diverged => $"diverges (step {result.Steps})",
        StopReason.GradientTolerance => $"converges ({result.Steps} steps)",
        _ => $"{result.StopReason} after {result.Steps} steps",
    };

    private static string Subscript(int k) => string.Concat(k.ToString().Select(c => (char)('₀' + (c - '0'))));
}

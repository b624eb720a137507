using ScottPlot;
using Spectre.Console;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Samples.TwoValleys;

/// <summary>
/// False bottoms and how to get out of them. Plain gradient descent from (3, 1.5) settles in the nearest valley, the
/// shallow one near x ≈ 1.9. Four escapes, each in its own panel: noise (mini-batch SGD on a data set whose mean loss is
/// the landscape), momentum (a heavy ball rolls over the ridge), a bold-then-careful learning-rate schedule (one long
/// jump, then small steps) and multi-start (many hikers, keep the lowest). Then a saddle, x² − y²: descent started on
/// the ridge stops at the saddle point, where the gradient is zero; noise or momentum leave it.
/// </summary>
public static class TwoValleysSample
{
    /// <summary>Where the walkers start, above the shallow valley.</summary>
    public static IReadOnlyList<double> Start { get; } = [3.0, 1.5];

    /// <summary>The ridge between the valleys: where ∂f/∂x = 0 between them.</summary>
    public static double Ridge { get; } = FindRidge();

    /// <summary>The landscape itself (the data's mean loss).</summary>
    public static DifferentiableFunction Landscape() => Losses.ValleysObjective(0, 0);

    /// <summary>The landscape's value.</summary>
    public static double Height(double x, double y) => Losses.Valleys(x, y, 0, 0);

    /// <summary>Which valley a point is in: true for the deep (global) one, left of the ridge.</summary>
    public static bool InDeepValley(double[] p) => p[0] < Ridge;

    /// <summary>
    /// 64 examples (a, c) drawn from N(0, <paramref name="scale"/>²) and shifted to mean exactly zero: the mean of
    /// their losses is the landscape, and each mini-batch sees it tilted by its own (ā, c̄).
    /// </summary>
    public static TrainingData NoisyData(DifferentiableFunctionFactory loss, double scale, int seed, int count = 64)
    {
        ArgumentNullException.ThrowIfNull(loss);
        var random = new Random(seed);
        var a = Enumerable.Range(0, count).Select(_ => scale * Datasets.Gaussian(random)).ToArray();
        var c = Enumerable.Range(0, count).Select(_ => scale * Datasets.Gaussian(random)).ToArray();
        double ma = a.Average(), mc = c.Average();
        return TrainingData.FromExamples(a.Zip(c, (ai, ci) => loss(ai - ma, ci - mc)));
    }

    /// <summary>Makes one example's objective from its (a, c).</summary>
    public delegate DifferentiableFunction DifferentiableFunctionFactory(double a, double c);

    /// <summary>Plain gradient descent, η = 0.1.</summary>
    public static Trajectory Plain(int steps) => Walk.Descend(Landscape(), Start.ToArray(), new Sgd(0.1), steps, "gradient descent, η = 0.1");

    /// <summary>
    /// SGD on 64 noisy examples in batches of <paramref name="batchSize"/>, η = 0.1 annealed to 0 by a cosine: one
    /// example per step is noisy enough to hop the ridge, four average much of the noise away.
    /// </summary>
    public static Trajectory Noise(int steps, int seed, int batchSize = 1) =>
        Walk.Batches(NoisyData((a, c) => Losses.ValleysObjective(a, c), 4.0, seed), Start.ToArray(), new Sgd(0.1), batchSize, steps,
            batchSize == 1 ? $"SGD, 1 example per step, seed {seed}" : $"SGD, {batchSize} examples per step, seed {seed}", seed, p => Height(p[0], p[1]),
            schedule: Schedule.CosineAnnealing(0.1, tMax: steps));

    /// <summary>The heavy ball: momentum 0.9, η = 0.05.</summary>
    public static Trajectory Momentum(int steps) => Walk.Descend(Landscape(), Start.ToArray(), new Sgd(0.05, momentum: 0.9), steps, "momentum 0.9, η = 0.05");

    /// <summary>Bold then careful: η = 0.9 for 3 steps, then 0.1.</summary>
    public static Trajectory BoldThenCareful(int steps) =>
        Walk.Descend(Landscape(), Start.ToArray(), new Sgd(0.9), steps, "η = 0.9 for 3 steps, then 0.1",
            schedule: Schedule.Constant(0.9).Then(Schedule.Constant(0.1), milestone: 3));

    /// <summary>Multi-start: 10 L-BFGS runs from points drawn in the box; the lowest wins.</summary>
    public static MultiStartResult Hikers() => MultiStart.Minimize(Landscape(), [-3.5, -2.0], [3.5, 2.0], starts: 10, seed: 3);

    /// <summary>Runs the sample (<c>--out DIR</c>, <c>--quick</c>).</summary>
    public static int Run(string[] args, IAnsiConsole? console = null) =>
        SampleRun.Execute("TwoValleys", "false bottoms, and four ways out; a saddle", args, console, typeof(TwoValleysSample).Assembly, Run);

    private static void Run(SampleRun run)
    {
        double shallow = Lowest(0.5, 3), deep = Lowest(-3, -0.5);
        run.Say("f(x, y) = (x² − 4)²/16 + 0.3·x + y²/2   (Losses.Valleys; the generator wrote its gradient)");
        run.Say($"Shallow valley at x = {shallow:F3} (f = {Height(shallow, 0):F3}); deep valley at x = {deep:F3} (f = {Height(deep, 0):F3}); ridge at x = {Ridge:F3} (f = {Height(Ridge, 0):F3}).");
        run.Say($"From the shallow valley the ridge is {Height(Ridge, 0) - Height(shallow, 0):F3} up; from the deep one {Height(Ridge, 0) - Height(deep, 0):F3}.");

        int steps = run.Budget(400, 200);
        int noiseSteps = run.Budget(1500, 800);
        var plain = Plain(steps);
        var noise = Noise(noiseSteps, seed: 0);
        var momentum = Momentum(steps);
        var bold = BoldThenCareful(steps);
        var hikers = Hikers();

        int seeds = run.Budget(20, 5);
        int[] batchSizes = [1, 4];
        var escaped = new int[batchSizes.Length];
        run.Console.Progress().Start(ctx =>
        {
            var task = ctx.AddTask("noise: seeds × batch sizes", maxValue: seeds * batchSizes.Length);
            for (int b = 0; b < batchSizes.Length; b++)
            {
                for (int s = 0; s < seeds; s++)
                {
                    escaped[b] += InDeepValley(Noise(noiseSteps, s, batchSizes[b]).Final) ? 1 : 0;
                    task.Increment(1);
                }
            }
        });

        var table = Report.Table("walker", "steps", "ends at x", "y", "f", "valley");
        foreach (var walk in new[] { plain, noise, momentum, bold })
        {
            Report.Row(table, walk.Label, walk.Steps.ToString(), Report.N(walk.Final[0], "F3"), Report.N(walk.Final[1], "F3"), Report.N(walk.FinalLoss, "F3"), Valley(walk.Final));
        }

        var best = hikers.Best;
        Report.Row(table, $"multi-start, best of {hikers.Results.Count} L-BFGS runs", best.Steps.ToString(), Report.N(best.Parameters[0], "F3"), Report.N(best.Parameters[1], "F3"), Report.N(best.Loss, "F3"), Valley(best.Parameters));
        run.Console.Write(table);
        int hikersDeep = hikers.Results.Count(r => InDeepValley(r.Parameters));
        run.Say($"Noise: with 1 example per step, {escaped[0]} of {seeds} seeds end in the deep valley (the table shows seed 0);");
        run.Say($"with 4 examples per step, whose mean gradient is less noisy, {escaped[1]} of {seeds} do.");
        run.Say($"Multi-start: {hikersDeep} of {hikers.Results.Count} hikers end in the deep valley, each in the valley its start drains to; the best is kept.");

        EscapesFigure(run, plain, noise, momentum, bold, hikers, shallow, deep);
        SaddlePart(run, steps);
    }

    private static void EscapesFigure(SampleRun run, Trajectory plain, Trajectory noise, Trajectory momentum, Trajectory bold, MultiStartResult hikers, double shallow, double deep)
    {
        var landscape = SymbolicGrad.Samples.Landscape.Sample(Height, -3.5, 3.5, -2, 2, Shading.Linear, run.Budget(141, 61));
        Plot Panel(string title)
        {
            var plot = landscape.Plot(title, "x", "y", levels: 18, colourBar: false);
            Figures.Star(plot, deep, 0);
            var mark = plot.Add.Marker(shallow, 0, MarkerShape.OpenDiamond, 14, Colors.Black);
            mark.MarkerLineWidth = 2;
            return plot;
        }

        var panels = new List<Plot>();
        foreach (var (walk, title, k) in new[] { (plain, "Plain descent: stuck in the shallow valley", 1), (noise, "Noise: SGD, 1 example per step, η annealed", 2),
                     (momentum, "Momentum: a heavy ball rolls over", 3), (bold, "Bold then careful: a long jump, then small steps", 4) })
        {
            var plot = Panel(title);
            var points = walk.Steps > 500 ? walk.Points.Where((_, i) => i % 3 == 0 || i == walk.Steps).ToList() : walk.Points; // every 3rd step of a long noisy walk
            var line = Figures.Path(plot, points, $"{walk.Label}: {walk.Steps} steps", Figures.Colour(k), markerSize: walk.Steps > 150 ? 0 : 4, width: walk.Steps > 500 ? 1 : 2);
            line.LineColor = line.LineColor.WithAlpha(walk.Steps > 500 ? 0.55 : 1.0);
            Figures.Legend(plot, Alignment.LowerLeft);
            panels.Add(plot);
        }

        var many = Panel("Multi-start: 10 hikers, keep the lowest");
        for (int k = 0; k < hikers.Results.Count; k++)
        {
            var from = hikers.StartingPoints[k];
            var to = hikers.Results[k].Parameters;
            var arrow = many.Add.Arrow(from[0], from[1], to[0], to[1]);
            arrow.ArrowFillColor = arrow.ArrowLineColor = k == hikers.BestStart ? Figures.Colour(1) : Colors.Black.WithAlpha(0.6);
            arrow.ArrowWidth = 2;
            arrow.ArrowheadWidth = 10;
            arrow.ArrowheadLength = 12;
        }

        var legend = many.Add.Scatter(Array.Empty<double>(), Array.Empty<double>(), Figures.Colour(1));
        legend.LegendText = "the best hiker (start → end)";
        Figures.Legend(many, Alignment.LowerLeft);
        panels.Add(many);

        var profile = Figures.Create("The cut at y = 0: two valleys and a ridge", "x", "f(x, 0)");
        var xs = Enumerable.Range(0, 281).Select(i => -3.5 + 7.0 * i / 280).ToArray();
        Figures.Line(profile, xs, xs.Select(x => Height(x, 0)).ToArray(), "f(x, 0)", Colors.Black);
        var deepMark = profile.Add.Marker(deep, Height(deep, 0), MarkerShape.FilledDiamond, 14, Colors.Black);
        deepMark.LegendText = $"deep valley, x = {deep:F2}";
        var shallowMark = profile.Add.Marker(shallow, Height(shallow, 0), MarkerShape.OpenDiamond, 14, Colors.Black);
        shallowMark.MarkerLineWidth = 2;
        shallowMark.LegendText = $"shallow valley, x = {shallow:F2}";
        var ridge = profile.Add.VerticalLine(Ridge, 1.5f, Colors.Gray, LinePattern.Dashed);
        ridge.LegendText = $"ridge, x = {Ridge:F2}";
        Figures.Legend(profile, Alignment.UpperCenter);
        profile.Axes.SetLimits(-3.5, 3.5, -1, 3);
        panels.Add(profile);

        run.Save(new Figure(panels, 3, 620, 480, "Two valleys (◆ deep, ◇ shallow), from (3, 1.5): plain descent, four escapes, and the cut at y = 0"), "escapes");
    }

    private static void SaddlePart(SampleRun run, int steps)
    {
        run.Section("A saddle: f(x, y) = x² − y², from (1.5, 0) on the ridge line y = 0");
        var saddle = Losses.SaddleObjective(0, 0);
        double Leave(double[] p) => Losses.Saddle(p[0], p[1], 0, 0);
        const double gone = -3; // f ≤ −3: |y| ≥ √3, well away from the saddle
        var exact = Walk.Descend(saddle, [1.5, 0.0], new Sgd(0.05), steps, "descent from y = 0", gone, stopAtTarget: true);
        var nudged = Walk.Descend(saddle, [1.5, 1e-3], new Sgd(0.05), steps, "descent from y = 0.001", gone, stopAtTarget: true);
        var heavy = Walk.Descend(saddle, [1.5, 1e-3], new Sgd(0.05, momentum: 0.9), steps, "momentum 0.9 from y = 0.001", gone, stopAtTarget: true);
        var noisy = Walk.Batches(NoisyData((a, c) => Losses.SaddleObjective(a, c), 1.0, 5), [1.5, 0.0], new Sgd(0.05), 4, steps, "mini-batch SGD from y = 0", 5, Leave, gone, stopAtTarget: true);
        var verdict = Trainer.Minimize(saddle, [1.5, 0.0], new Sgd(0.05), new TrainingOptions { MaxEpochs = 1000, GradientTolerance = 1e-8 });

        var table = Report.Table("walker", "steps to leave (f ≤ −3)", "ends at x", "y");
        foreach (var walk in new[] { exact, nudged, heavy, noisy })
        {
            Report.Row(table, walk.Label, walk.StepsToTarget?.ToString() ?? $"never ({walk.Steps} steps)", Report.Sig(walk.Final[0]), Report.Sig(walk.Final[1]));
        }

        run.Console.Write(table);
        run.Say($"From y = 0 exactly, ∂f/∂y = −2y stays 0: the Trainer reports {verdict.StopReason} after {verdict.Steps} steps at ({Report.Sig(verdict.Parameters[0])}, {Report.Sig(verdict.Parameters[1])}), a saddle, not a minimum.");
        run.Say("A tiny nudge grows by 1 + 2η per step; momentum compounds it faster; mini-batch noise supplies the nudge by itself.");

        var landscape = SymbolicGrad.Samples.Landscape.Sample((x, y) => x * x - y * y, -2, 2, -2, 2, Shading.Linear, run.Budget(121, 61));
        var plot = landscape.Plot("x² − y²: leaving a saddle", "x", "y", levels: 20);
        foreach (var (walk, k) in new[] { exact, nudged, heavy, noisy }.Select((w, k) => (w, k)))
        {
            Figures.Path(plot, walk.Points, walk.Label + (walk.StepsToTarget is int s ? $" ({s} steps)" : " (stays)"), Figures.Colour(k), markerSize: 3);
        }

        var saddlePoint = plot.Add.Marker(0, 0, MarkerShape.Cross, 16, Colors.Black);
        saddlePoint.MarkerLineWidth = 3;
        saddlePoint.LegendText = "saddle point (0, 0)";
        Figures.Legend(plot, Alignment.LowerLeft);
        run.Save(plot, "saddle");
    }

    private static string Valley(double[] p) => InDeepValley(p) ? "deep (global)" : "shallow (local)";

    /// <summary>The x of the lowest point of f(x, 0) on [a, b], by golden-section search (the valleys are smooth and single).</summary>
    private static double Lowest(double a, double b)
    {
        double g = (Math.Sqrt(5) - 1) / 2;
        for (int i = 0; i < 200; i++)
        {
            double c = b - g * (b - a), d = a + g * (b - a);
            if (Height(c, 0) < Height(d, 0))
            {
                b = d;
            }
            else
            {
                a = c;
            }
        }

        return (a + b) / 2;
    }

    /// <summary>The ridge: where the generated ∂f/∂x crosses zero between the valleys, by bisection.</summary>
    private static double FindRidge()
    {
        double lo = -1, hi = 1;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            Losses.ValleysGradient(mid, 0, 0, 0, out double dX, out _);
            // Between the valleys ∂f/∂x goes from + (left of the ridge, rising) to − (right of it, falling).
            if (dX > 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }
}

using ScottPlot;
using Spectre.Console;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Samples.Walkers;

/// <summary>
/// The family of walkers on one regression problem (y = w·x + b, 200 noisy points): full-batch gradient descent sees
/// every example before each step; stochastic gradient descent (SGD) steps after each single example; mini-batch SGD
/// after 16; Adam adapts its step per parameter. Each walks until the loss is within 10% of the least-squares minimum;
/// the table says what that cost in example gradients and time.
/// </summary>
public static class WalkersSample
{
    /// <summary>Where every walker starts.</summary>
    public static IReadOnlyList<double> Start { get; } = [-1.0, 4.0];

    /// <summary>The target: the loss within this factor of the least-squares minimum.</summary>
    public const double TargetFactor = 1.1;

    /// <summary>The shared problem: 200 points near y = 2x − 1, x in [0, 3], noise 0.5, seed 7.</summary>
    public static (double[] X, double[] Y) Data() => Datasets.Line(200, slope: 2, intercept: -1, noise: 0.5, xMin: 0, xMax: 3, seed: 7);

    /// <summary>One walker: its name, optimizer, batch size (null: full batch) and step budget.</summary>
    public sealed record Walker(string Name, Func<Optimizer> Optimizer, int? BatchSize, int MaxSteps);

    /// <summary>The four walkers.</summary>
    public static IReadOnlyList<Walker> Walkers(int n) =>
    [
        new("full-batch GD, η = 0.2", () => new Sgd(0.2), null, 2000),
        new("SGD, 1 example, η = 0.02", () => new Sgd(0.02), 1, 50 * n),
        new("mini-batch SGD, 16, η = 0.1", () => new Sgd(0.1), 16, 20 * n),
        new("Adam, full batch, η = 0.1", () => new Adam(0.1), null, 2000),
    ];

    /// <summary>Runs every walker to the target and returns their walks (seeded: the same every run).</summary>
    public static IReadOnlyList<Trajectory> WalkAll(double[] x, double[] y, double target, int seed = 1)
    {
        var data = TrainingData.FromExamples(x.Zip(y, (xi, yi) => Regression.SquaredErrorObjective(xi, yi)));
        double FullLoss(double[] p) => Regression.MeanSquaredError(p[0], p[1], x, y);
        return Walkers(x.Length)
            .Select(w => Walk.Batches(data, Start.ToArray(), w.Optimizer(), w.BatchSize ?? x.Length, w.MaxSteps, w.Name, seed, FullLoss, target, stopAtTarget: true))
            .ToList();
    }

    /// <summary>Runs the sample (<c>--out DIR</c>, <c>--quick</c>).</summary>
    public static int Run(string[] args, IAnsiConsole? console = null) =>
        SampleRun.Execute("Walkers", "full batch, one example, mini-batches, Adam: four walkers, one hill", args, console, typeof(WalkersSample).Assembly, Run);

    private static void Run(SampleRun run)
    {
        var (x, y) = Data();
        var (slope, intercept) = Datasets.LeastSquaresLine(x, y);
        double best = Datasets.MeanSquaredError(x, y, slope, intercept);
        double target = TargetFactor * best;
        run.Say($"{x.Length} points near y = 2x − 1 (noise 0.5, seed 7). Least squares: w = {Report.Sig(slope)}, b = {Report.Sig(intercept)}, L* = {Report.Sig(best)}.");
        run.Say($"Each walker starts at (w, b) = ({Start[0]}, {Start[1]}) and stops when the loss over all {x.Length} points is ≤ {TargetFactor}·L* = {Report.Sig(target)}.");
        run.Say("The loss per example is Regression.SquaredError, [Differentiable]: a step's gradient is the mean of the generated gradients of its batch.");

        // The walks are deterministic; the times are not. Walk several times and report each walker's median time
        // (the first round also warms up the JIT).
        int rounds = run.Budget(7, 3);
        var runs = new List<IReadOnlyList<Trajectory>>();
        run.Console.Progress().Start(ctx =>
        {
            var task = ctx.AddTask("walking", maxValue: rounds);
            for (int r = 0; r < rounds; r++)
            {
                runs.Add(WalkAll(x, y, target));
                task.Increment(1);
            }
        });
        var walks = runs[^1];
        var medians = walks.Select((_, k) => TimeSpan.FromTicks(runs.Select(r => r[k].Elapsed.Ticks).Order().ElementAt(rounds / 2))).ToList();

        var table = Report.Table("walker", "steps", "example gradients", "time (median)", "loss at the end", "reached");
        foreach (var (walk, time) in walks.Zip(medians))
        {
            bool reached = walk.StepsToTarget is not null;
            Report.Row(table, walk.Label, walk.Steps.ToString(), walk.GradientEvaluations.ToString(),
                Report.Ms(time), Report.Sig(walk.FinalLoss), reached ? "yes" : "no");
        }

        table.Title = new TableTitle($"To L ≤ {Report.Sig(target)}: steps, example gradients, and the time spent on them (median of {rounds} runs; the full-loss check is not timed)");
        run.Console.Write(table);
        var sgd = walks[1];
        var full = walks[0];
        run.Say($"One full-batch step costs {x.Length} example gradients; SGD takes {sgd.Steps} cheap noisy steps ({sgd.GradientEvaluations} gradients) where full-batch takes {full.Steps} exact ones ({full.GradientEvaluations}).");
        var adam = walks[3];
        run.Say($"Mini-batches sit between the two. Adam divides each coordinate's step by a running size of its gradient, so it first moves w and b by about η each");
        run.Say($"whatever the slope: its path bends, and here it takes {adam.Steps} steps where plain full-batch descent takes {full.Steps}.");

        PathsFigure(run, x, y, walks, slope, intercept);
        CostFigure(run, walks, best);
    }

    private static void PathsFigure(SampleRun run, double[] x, double[] y, IReadOnlyList<Trajectory> walks, double slope, double intercept)
    {
        var landscape = Landscape.Sample((w, b) => Regression.MeanSquaredError(w, b, x, y), -2, 4, -4, 5, Shading.Log, run.Budget(121, 61));
        var panels = new List<Plot>();
        foreach (var (walk, k) in walks.Select((w, k) => (w, k)))
        {
            var plot = landscape.Plot(walk.Label, "w", "b", colourBar: false);
            Figures.Path(plot, walk.Points, $"{walk.Steps} steps", Figures.Colour(k), markerSize: walk.Steps > 200 ? 0 : 3, width: walk.Steps > 200 ? 1 : 2);
            Figures.Star(plot, slope, intercept, "least squares");
            Figures.Legend(plot, Alignment.UpperRight);
            panels.Add(plot);
        }

        run.Save(new Figure(panels, 2, 640, 520, "Four walkers on the mean squared error of y = w·x + b (start ○, end ●)"), "walker-paths");
    }

    private static void CostFigure(SampleRun run, IReadOnlyList<Trajectory> walks, double best)
    {
        var plot = Figures.Create("What it cost: loss against example gradients evaluated", "example gradients evaluated (log scale)", "L − L* (log scale)");
        foreach (var (walk, k) in walks.Select((w, k) => (w, k)))
        {
            // Example gradients spent after each step: the batch size times the step number (the last batch of an epoch may be smaller).
            double perStep = (double)walk.GradientEvaluations / Math.Max(1, walk.Steps);
            var cost = Enumerable.Range(1, walk.Steps).Select(s => Math.Log10(s * perStep)).ToArray();
            Figures.Line(plot, cost, Figures.Log10(walk.Losses.Skip(1).Select(l => l - best)), walk.Label, Figures.Colour(k), width: 2);
        }

        Figures.LogScaleX(plot);
        Figures.LogScaleY(plot);
        Figures.Legend(plot, Alignment.LowerLeft);
        run.Save(plot, "walker-cost");
    }
}

using ScottPlot;
using Spectre.Console;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Samples.Schedules;

/// <summary>
/// Learning-rate schedules. Mini-batch SGD never settles with a constant rate: each batch's gradient is noisy, so the
/// walk jitters around the minimum at a distance that grows with the rate. A schedule lowers the rate as training goes
/// on (step, exponential, cosine), restarts it (warm restarts), or warms up first (one-cycle). The same data, the same
/// seeds, six schedules (from <c>SymbolicGrad.Optimizers.Schedule</c>): their rates, and the loss above the least-squares
/// minimum per epoch.
/// </summary>
public static class SchedulesSample
{
    /// <summary>Examples per mini-batch.</summary>
    public const int BatchSize = 8;

    /// <summary>The data: 256 points near y = 1.5x + 0.5 with noise 1, x in [−2, 2], seed 5.</summary>
    public static (double[] X, double[] Y) Data() => Datasets.Line(256, slope: 1.5, intercept: 0.5, noise: 1.0, xMin: -2, xMax: 2, seed: 5);

    /// <summary>The six schedules over <paramref name="totalSteps"/> steps, all starting (or peaking) at 0.02.</summary>
    public static IReadOnlyList<(string Name, Schedule Schedule)> All(int totalSteps) =>
    [
        ("constant 0.02", Schedule.Constant(0.02)),
        ("step: ×0.2 every quarter", Schedule.StepDecay(0.02, stepSize: totalSteps / 4, gamma: 0.2)),
        ("exponential to 1/1000", Schedule.Exponential(0.02, gamma: Math.Pow(1e-3, 1.0 / totalSteps))),
        ("cosine", Schedule.CosineAnnealing(0.02, tMax: totalSteps)),
        ("cosine, warm restarts ×4", Schedule.CosineWarmRestarts(0.02, t0: totalSteps / 4)),
        ("one-cycle", Schedule.OneCycle(0.02, totalSteps)),
    ];

    /// <summary>Trains with each schedule (SGD with momentum 0.9, the same shuffles) and returns the walks.</summary>
    public static IReadOnlyList<Trajectory> TrainAll(double[] x, double[] y, int epochs)
    {
        var data = TrainingData.FromExamples(x.Zip(y, (xi, yi) => Regression.SquaredErrorObjective(xi, yi)));
        int steps = epochs * (x.Length / BatchSize);
        return All(steps)
            .Select(s => Walk.Batches(data, [-2.0, 3.0], new Sgd(0.02, momentum: 0.9), BatchSize, steps, s.Name, seed: 3,
                p => Regression.MeanSquaredError(p[0], p[1], x, y), schedule: s.Schedule))
            .ToList();
    }

    /// <summary>Runs the sample (<c>--out DIR</c>, <c>--quick</c>).</summary>
    public static int Run(string[] args, IAnsiConsole? console = null) =>
        SampleRun.Execute("Schedules", "step, exponential, cosine, warm restarts and one-cycle learning rates", args, console, typeof(SchedulesSample).Assembly, Run);

    private static void Run(SampleRun run)
    {
        var (x, y) = Data();
        var (slope, intercept) = Datasets.LeastSquaresLine(x, y);
        double best = Datasets.MeanSquaredError(x, y, slope, intercept);
        int epochs = run.Budget(40, 12);
        int perEpoch = x.Length / BatchSize;
        int steps = epochs * perEpoch;
        run.Say($"{x.Length} points near y = 1.5x + 0.5 (noise 1), least-squares loss L* = {Report.Sig(best)}.");
        run.Say($"SGD with momentum 0.9 from (w, b) = (−2, 3), batches of {BatchSize}: {perEpoch} steps per epoch, {epochs} epochs, {steps} steps.");

        IReadOnlyList<Trajectory> walks = [];
        run.Console.Status().Start("training…", _ => walks = TrainAll(x, y, epochs));
        var schedules = All(steps);
        var table = Report.Table("schedule", "η at step 0", $"η at {steps / 2}", $"η at {steps - 1}", "L − L* at the end", "mean L − L*, last epoch");
        foreach (var ((name, schedule), walk) in schedules.Zip(walks))
        {
            double lastEpoch = walk.Losses.Skip(walk.Losses.Count - perEpoch).Average() - best;
            Report.Row(table, name, Report.Rate(schedule.LearningRate(0)), Report.Rate(schedule.LearningRate(steps / 2)),
                Report.Rate(schedule.LearningRate(steps - 1)), Report.Sig(walk.FinalLoss - best), Report.Sig(lastEpoch));
        }

        run.Console.Write(table);
        run.Say("A constant rate keeps jittering; the schedules that end small settle closer to the minimum.");
        run.Say("Warm restarts jump up at each restart and settle again; one-cycle starts small, warms up, then anneals far below its start.");

        RatesFigure(run, schedules, steps);
        TrainingFigure(run, walks, best, perEpoch);
    }

    private static void RatesFigure(SampleRun run, IReadOnlyList<(string Name, Schedule Schedule)> schedules, int steps)
    {
        var panels = new List<Plot>();
        var xs = Enumerable.Range(0, steps).Select(s => (double)s).ToArray();
        foreach (var ((name, schedule), k) in schedules.Select((s, k) => (s, k)))
        {
            var plot = Figures.Create(name, "step", "learning rate");
            Figures.Line(plot, xs, xs.Select(s => schedule.LearningRate((long)s)).ToArray(), name, Figures.Colour(k), width: 2.5f);
            plot.Axes.SetLimitsY(0, 0.022);
            plot.HideLegend(); // the title names the schedule
            panels.Add(plot);
        }

        run.Save(new Figure(panels, 3, 520, 380, $"Six learning-rate schedules over {steps} steps (Schedule.*)"), "schedules");
    }

    private static void TrainingFigure(SampleRun run, IReadOnlyList<Trajectory> walks, double best, int perEpoch)
    {
        var plot = Figures.Create("Loss above the least-squares minimum, mean over each epoch's steps", "epoch", "L − L* (log scale)");
        foreach (var (walk, k) in walks.Select((w, k) => (w, k)))
        {
            // Epoch 0 is the start; epoch e is the mean full loss after each of its steps.
            var epochs = Enumerable.Range(0, walk.Steps / perEpoch + 1).ToArray();
            var mean = epochs.Select(e => e == 0 ? walk.Losses[0] : walk.Losses.Skip((e - 1) * perEpoch + 1).Take(perEpoch).Average());
            Figures.Line(plot, epochs.Select(e => (double)e).ToArray(), Figures.Log10(mean.Select(l => l - best)), walk.Label, Figures.Colour(k), markerSize: 5);
        }

        Figures.LogScaleY(plot);
        Figures.Legend(plot, Alignment.LowerLeft);
        run.Save(plot, "training");
    }
}

using ScottPlot;
using Spectre.Console;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Samples.OptimizerRace;

/// <summary>
/// The optimizers of <c>SymbolicGrad.Optimizers</c> race from the same start on Rosenbrock's valley and Beale's
/// function: plain SGD, SGD with momentum, Nesterov momentum, RMSprop and Adam, each with a learning rate that keeps it
/// stable there, and L-BFGS (a quasi-Newton method with a line search) for contrast.
/// </summary>
public static class OptimizerRaceSample
{
    /// <summary>A first-order racer: its name and a factory for a fresh optimizer.</summary>
    public sealed record Racer(string Name, Func<Optimizer> Create);

    /// <summary>A course: the loss, where everyone starts, where the minimum is, the box drawn, and the racers' settings.</summary>
    public sealed record Course(
        string Name,
        string Formula,
        DifferentiableFunction Function,
        Func<double, double, double> Value,
        double[] Start,
        double[] Minimum,
        (double XMin, double XMax, double YMin, double YMax) Box,
        IReadOnlyList<Racer> Racers);

    /// <summary>A loss below this counts as arrived.</summary>
    public const double ArrivalLoss = 1e-4;

    /// <summary>The two courses.</summary>
    public static IReadOnlyList<Course> Courses { get; } =
    [
        new("Rosenbrock", "(1 − x)² + 100·(y − x²)²", Losses.RosenbrockObjective(), Losses.Rosenbrock, [-1.2, 1.0], [1.0, 1.0], (-2, 2, -1, 3),
        [
            new("SGD, η = 0.001", () => new Sgd(1e-3)),
            new("momentum 0.9, η = 0.001", () => new Sgd(1e-3, momentum: 0.9)),
            new("Nesterov 0.9, η = 0.001", () => new Sgd(1e-3, momentum: 0.9, nesterov: true)),
            new("RMSprop, η = 0.001", () => new RmsProp(1e-3)),
            new("Adam, η = 0.02", () => new Adam(0.02)),
        ]),
        new("Beale", "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²", Losses.BealeObjective(), Losses.Beale, [1.0, 1.4], [3.0, 0.5], (-1, 4, -1.5, 2),
        [
            new("SGD, η = 0.001", () => new Sgd(1e-3)),
            new("momentum 0.9, η = 0.0005", () => new Sgd(5e-4, momentum: 0.9)),
            new("Nesterov 0.9, η = 0.0005", () => new Sgd(5e-4, momentum: 0.9, nesterov: true)),
            new("RMSprop, η = 0.001", () => new RmsProp(1e-3)),
            new("Adam, η = 0.01", () => new Adam(0.01)),
        ]),
    ];

    /// <summary>Runs the sample (<c>--out DIR</c>, <c>--quick</c>).</summary>
    public static int Run(string[] args, IAnsiConsole? console = null) =>
        SampleRun.Execute("OptimizerRace", "SGD, momentum, Nesterov, RMSprop, Adam and L-BFGS from the same start", args, console, typeof(OptimizerRaceSample).Assembly, Run);

    /// <summary>Every racer's walk on <paramref name="course"/> for <paramref name="steps"/> steps, then L-BFGS's.</summary>
    public static IReadOnlyList<Trajectory> Race(Course course, int steps)
    {
        ArgumentNullException.ThrowIfNull(course);
        var walks = course.Racers.Select(r => Walk.Descend(course.Function, course.Start, r.Create(), steps, r.Name)).ToList();
        walks.Add(Walk.Lbfgs(course.Function, course.Start, 200, "L-BFGS (strong Wolfe)"));
        return walks;
    }

    private static void Run(SampleRun run)
    {
        int steps = run.Budget(5000, 600);
        foreach (var course in Courses)
        {
            run.Section($"{course.Name}: f(x, y) = {course.Formula}, from ({course.Start[0]}, {course.Start[1]}); minimum 0 at ({course.Minimum[0]}, {course.Minimum[1]})");
            IReadOnlyList<Trajectory> walks = [];
            run.Console.Status().Start($"racing on {course.Name}…", _ => walks = Race(course, steps));
            var lbfgs = new Lbfgs(maxIterations: 1000, lineSearch: LineSearch.StrongWolfe, toleranceGrad: 1e-10, toleranceChange: 1e-14).Minimize(course.Function, course.Start);

            var table = Report.Table("optimizer", "steps", "gradients", $"first step with f < {Report.Rate(ArrivalLoss)}", "f at the end", "distance to the minimum");
            foreach (var walk in walks.Take(walks.Count - 1))
            {
                int? arrival = FirstBelow(walk.Losses, ArrivalLoss);
                Report.Row(table, walk.Label, walk.Steps.ToString(), walk.GradientEvaluations.ToString(), arrival?.ToString() ?? "—",
                    Report.Sig(walk.FinalLoss), Report.Sig(Distance(walk.Final, course.Minimum)));
            }

            var path = walks[^1];
            Report.Row(table, "L-BFGS (strong Wolfe)", lbfgs.Steps.ToString(), lbfgs.GradientEvaluations.ToString(),
                FirstBelow(path.Losses, ArrivalLoss)?.ToString() ?? "—", Report.Sig(lbfgs.Loss), Report.Sig(Distance(lbfgs.Parameters, course.Minimum)));
            run.Console.Write(table);
            run.Say("L-BFGS's row is one Lbfgs.Minimize run: its steps are iterations, each a line search of one or more gradient evaluations.");

            var landscape = Landscape.Sample(course.Value, course.Box.XMin, course.Box.XMax, course.Box.YMin, course.Box.YMax, Shading.Log, run.Budget(161, 61));
            var map = landscape.Plot($"{course.Name}: the paths", "x", "y", colourBar: false);
            var losses = Figures.Create($"{course.Name}: f per step", "step (log scale)", "f (log scale)");
            foreach (var (walk, k) in walks.Select((w, k) => (w, k)))
            {
                Figures.Path(map, Thin(walk.Points, 400), walk.Label, Figures.Colour(k), markerSize: walk.Steps > 100 ? 0 : 3);
                var xs = Enumerable.Range(1, walk.Steps).Select(s => Math.Log10(s)).ToArray();
                Figures.Line(losses, xs, Figures.Log10(walk.Losses.Skip(1)), walk.Label, Figures.Colour(k));
            }

            Figures.Star(map, course.Minimum[0], course.Minimum[1]);
            var note = map.Add.Annotation("colours as in the right panel; ◆ the minimum", Alignment.LowerRight);
            note.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
            note.LabelBorderColor = Colors.Gray;
            note.LabelFontSize = 13;
            map.HideLegend();
            Figures.LogScaleX(losses);
            Figures.LogScaleY(losses);
            losses.Axes.SetLimitsY(-12, Math.Log10(walks.Max(w => w.Losses.Max())) + 0.5);
            Figures.Legend(losses, Alignment.LowerLeft);
            run.Save(new Figure([map, losses], 2, 760, 620, $"The race on {course.Name}'s function, {steps} steps"), course.Name.ToLowerInvariant() + "-race");
        }
    }

    /// <summary>The first step index whose loss is below <paramref name="level"/>, or null.</summary>
    public static int? FirstBelow(IReadOnlyList<double> losses, double level)
    {
        for (int i = 0; i < losses.Count; i++)
        {
            if (losses[i] < level)
            {
                return i;
            }
        }

        return null;
    }

    private static double Distance(double[] a, double[] b) => Math.Sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]));

    /// <summary>At most about <paramref name="count"/> points of a long path (the first, every k-th, the last): the drawing stays light.</summary>
    private static List<double[]> Thin(IReadOnlyList<double[]> points, int count)
    {
        int every = Math.Max(1, points.Count / count);
        return points.Where((_, i) => i % every == 0 || i == points.Count - 1).ToList();
    }
}

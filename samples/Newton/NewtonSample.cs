using ScottPlot;
using Spectre.Console;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Samples.Newton;

/// <summary>
/// Newton's method against gradient descent, both with the same backtracking line search, on Boyd's smooth convex
/// function and on Rosenbrock's valley. Gradient descent converges linearly: the error shrinks by a constant factor per
/// step, a straight line on a log scale. Newton's method, which uses the exact Hessian the generator writes, converges
/// quadratically once close: the number of correct digits doubles per step, and the curve plunges.
/// </summary>
public static class NewtonSample
{
    /// <summary>A function to minimize: where both start, its minimum, the box drawn.</summary>
    public sealed record Problem(
        string Name,
        string Formula,
        DifferentiableFunction Function,
        Func<double, double, double> Value,
        double[] Start,
        double[] Minimum,
        double MinimumValue,
        (double XMin, double XMax, double YMin, double YMax) Box);

    /// <summary>The iterates of one method: points and values, from the start.</summary>
    public sealed record Iterates(string Label, List<double[]> Points, List<double> Values)
    {
        public int Iterations => Points.Count - 1;
    }

    /// <summary>Boyd's function and Rosenbrock's.</summary>
    public static IReadOnlyList<Problem> Problems { get; } =
    [
        new("Boyd", "e^(x+3y−0.1) + e^(x−3y−0.1) + e^(−x−0.1)", Losses.BoydObjective(), Losses.Boyd, [-1.0, 1.0],
            [-Math.Log(2) / 2, 0], 2 * Math.Sqrt(2) * Math.Exp(-0.1), (-1.6, 0.8, -1.1, 1.2)),
        new("Rosenbrock", "(1 − x)² + 100·(y − x²)²", Losses.RosenbrockObjective(), Losses.Rosenbrock, [-1.2, 1.0],
            [1, 1], 0, (-2, 2, -1, 3)),
    ];

    /// <summary>Armijo's sufficient decrease and the backtracking factor, as in Boyd and Vandenberghe (α = 0.25, β = 0.5).</summary>
    private const double Alpha = 0.25;
    private const double Beta = 0.5;

    /// <summary>Runs the sample (<c>--out DIR</c>, <c>--quick</c>).</summary>
    public static int Run(string[] args, IAnsiConsole? console = null) =>
        SampleRun.Execute("Newton", "Newton's method and gradient descent: quadratic against linear convergence", args, console, typeof(NewtonSample).Assembly, Run);

    /// <summary>Gradient descent: x ← x − t∇f(x), t from backtracking (Armijo), until ‖∇f‖ ≤ tolerance or f stops decreasing.</summary>
    public static Iterates GradientDescent(DifferentiableFunction f, double[] start, int maxIterations, double tolerance = 1e-9)
    {
        var x = (double[])start.Clone();
        var g = new double[2];
        double fx = f.ValueAndGradient(x, g);
        var run = new Iterates("gradient descent", [(double[])x.Clone()], [fx]);
        for (int k = 0; k < maxIterations && Norm(g) > tolerance; k++)
        {
            double t = 1;
            double slope = -((g[0] * g[0]) + (g[1] * g[1]));
            double[] trial = [x[0] - (t * g[0]), x[1] - (t * g[1])];
            while (!(f.Value(trial) <= fx + (Alpha * t * slope)) && t > 1e-20)
            {
                t *= Beta;
                trial = [x[0] - (t * g[0]), x[1] - (t * g[1])];
            }

            if (!(f.Value(trial) < fx))
            {
                break;
            }

            x = trial;
            fx = f.ValueAndGradient(x, g);
            run.Points.Add((double[])x.Clone());
            run.Values.Add(fx);
        }

        return run;
    }

    /// <summary>
    /// Newton's method: the step Δx = −H⁻¹∇f from the exact Hessian (a 2 × 2 solve), shortened by backtracking while
    /// far from the minimum; where H is not positive definite, H + μI with the smallest μ that makes it so (Levenberg).
    /// Stops when the Newton decrement λ² = ∇fᵀH⁻¹∇f falls below 2·tolerance.
    /// </summary>
    public static Iterates Newton(DifferentiableFunction f, double[] start, int maxIterations, double tolerance = 1e-20)
    {
        var x = (double[])start.Clone();
        var g = new double[2];
        var h = new double[4];
        double fx = f.ValueAndGradient(x, g);
        var run = new Iterates("Newton (exact Hessian)", [(double[])x.Clone()], [fx]);
        for (int k = 0; k < maxIterations; k++)
        {
            f.Hessian(x, h);
            double a = h[0], b = h[1], d = h[3];
            double mu = 0;
            double lowest = (0.5 * (a + d)) - Math.Sqrt((0.25 * (a - d) * (a - d)) + (b * b));
            if (lowest <= 1e-8 * Math.Max(1, Math.Abs(a) + Math.Abs(d)))
            {
                mu = (1e-3 * Math.Max(1, Math.Abs(a) + Math.Abs(d))) - lowest;
            }

            double det = ((a + mu) * (d + mu)) - (b * b);
            double dx = -(((d + mu) * g[0]) - (b * g[1])) / det;
            double dy = -(((a + mu) * g[1]) - (b * g[0])) / det;
            double slope = (g[0] * dx) + (g[1] * dy);
            if (-slope / 2 <= tolerance)
            {
                break;
            }

            double t = 1;
            while (!(f.Value([x[0] + (t * dx), x[1] + (t * dy)]) <= fx + (Alpha * t * slope)) && t > 1e-20)
            {
                t *= Beta;
            }

            x = [x[0] + (t * dx), x[1] + (t * dy)];
            fx = f.ValueAndGradient(x, g);
            run.Points.Add((double[])x.Clone());
            run.Values.Add(fx);
        }

        return run;
    }

    /// <summary>‖xₖ₊₁ − x*‖ / ‖xₖ − x*‖²: bounded when the convergence is quadratic, growing without bound when it is linear.</summary>
    public static double QuadraticRatio(double[] next, double[] current, double[] minimum) =>
        Distance(next, minimum) / Math.Pow(Distance(current, minimum), 2);

    public static double Distance(double[] a, double[] b) => Math.Sqrt(((a[0] - b[0]) * (a[0] - b[0])) + ((a[1] - b[1]) * (a[1] - b[1])));

    private static double Norm(double[] g) => Math.Sqrt((g[0] * g[0]) + (g[1] * g[1]));

    private static void Run(SampleRun run)
    {
        int maxGradientSteps = run.Budget(20_000, 4_000);
        foreach (var p in Problems)
        {
            run.Section($"{p.Name}: f(x, y) = {p.Formula}, from ({p.Start[0]}, {p.Start[1]}); minimum {Report.Sig(p.MinimumValue)} at ({Report.Sig(p.Minimum[0])}, {Report.Sig(p.Minimum[1])})");
            var newton = Newton(p.Function, p.Start, 100);
            var descent = GradientDescent(p.Function, p.Start, maxGradientSteps);

            var h = new double[4];
            p.Function.Hessian(p.Start, h);
            run.Say($"The generated Hessian at the start: [[{Report.Sig(h[0])}, {Report.Sig(h[1])}], [{Report.Sig(h[2])}, {Report.Sig(h[3])}]] " +
                $"({p.Name}Objective().Hessian, from {p.Name}HessianVectorProduct).");

            var table = Report.Table("k", "Newton: f − p*", "‖x − x*‖", "‖xₖ₊₁ − x*‖ / ‖xₖ − x*‖²", "gradient descent: f − p*");
            for (int k = 0; k < newton.Points.Count; k++)
            {
                string ratio = k + 1 < newton.Points.Count && Distance(newton.Points[k], p.Minimum) > 1e-14
                    ? Report.Sig(QuadraticRatio(newton.Points[k + 1], newton.Points[k], p.Minimum)) : "";
                Report.Row(table, k.ToString(), Report.Sig(newton.Values[k] - p.MinimumValue), Report.Sig(Distance(newton.Points[k], p.Minimum)), ratio,
                    Report.Sig(descent.Values[Math.Min(k, descent.Values.Count - 1)] - p.MinimumValue));
            }

            run.Console.Write(table);
            var library = p.Function.Minimize(p.Start, new MinimizeOptions { Method = MinimizeMethod.Newton });
            run.Say($"Newton: {newton.Iterations} iterations to f − p* = {Report.Sig(newton.Values[^1] - p.MinimumValue)}. " +
                $"Gradient descent: {descent.Iterations} iterations to f − p* = {Report.Sig(descent.Values[^1] - p.MinimumValue)}.");
            run.Say($"The library's Newton (Minimize with MinimizeMethod.Newton, the same generated Hessian): {library.Iterations} iterations, " +
                $"f = {Report.Sig(library.Value)}, {library.Status}.");
            run.Say("Near the minimum the ratio column stays bounded: each error is at most about a constant times the square of the one " +
                "before, so the correct digits double per step. Gradient descent's error only shrinks by a constant factor per step.");

            var landscape = Landscape.Sample(p.Value, p.Box.XMin, p.Box.XMax, p.Box.YMin, p.Box.YMax, Shading.Log, run.Budget(161, 61));
            var map = landscape.Plot($"{p.Name}: the paths", "x", "y", colourBar: false);
            Figures.Path(map, Thin(descent.Points, 300), descent.Label, Figures.Colour(0), markerSize: descent.Iterations > 60 ? 0 : 3);
            Figures.Path(map, newton.Points, newton.Label, Figures.Colour(1), markerSize: 6);
            Figures.Star(map, p.Minimum[0], p.Minimum[1]);
            Figures.Legend(map, Alignment.UpperLeft);

            var errors = Figures.Create($"{p.Name}: f − p* per iteration", "iteration", "f − p* (log scale)");
            Figures.Line(errors, Enumerable.Range(0, descent.Values.Count).Select(k => (double)k).ToArray(),
                Figures.Log10(descent.Values.Select(v => v - p.MinimumValue)), descent.Label, Figures.Colour(0));
            Figures.Line(errors, Enumerable.Range(0, newton.Values.Count).Select(k => (double)k).ToArray(),
                Figures.Log10(newton.Values.Select(v => v - p.MinimumValue)), newton.Label, Figures.Colour(1), markerSize: 6);
            Figures.LogScaleY(errors);
            errors.Axes.SetLimitsX(0, Math.Min(descent.Iterations, 4 * Math.Max(10, newton.Iterations)));
            Figures.Legend(errors, Alignment.UpperRight);
            run.Save(new Figure([map, errors], 2, 760, 620, $"Newton against gradient descent on {p.Name}'s function"), p.Name.ToLowerInvariant() + "-newton");
        }
    }

    private static List<double[]> Thin(IReadOnlyList<double[]> points, int count)
    {
        int every = Math.Max(1, points.Count / count);
        return points.Where((_, i) => i % every == 0 || i == points.Count - 1).ToList();
    }
}

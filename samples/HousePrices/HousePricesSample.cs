using System.Globalization;
using ScottPlot;
using Spectre.Console;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Samples.HousePrices;

/// <summary>
/// price = w · size + b on 24 houses (houses.csv). The loss is the mean squared error
/// (<see cref="Regression.MeanSquaredError"/>, a [Differentiable] method: the generator wrote its gradient). Gradient
/// descent on the raw sizes either diverges or crawls; on normalized sizes it converges in a few dozen steps, to the
/// same line as the closed-form least-squares answer.
/// </summary>
public static class HousePricesSample
{
    /// <summary>Too large for raw sizes in m²: the loss explodes.</summary>
    public const double RawDivergingRate = 1e-4;

    /// <summary>Safe for raw sizes, and so slow along b that it crawls.</summary>
    public const double RawCrawlingRate = 2e-5;

    /// <summary>The rate on normalized sizes.</summary>
    public const double NormalizedRate = 0.1;

    /// <summary>Runs the sample (<c>--out DIR</c>, <c>--quick</c>).</summary>
    public static int Run(string[] args, IAnsiConsole? console = null) =>
        SampleRun.Execute("HousePrices", "fitting a line by gradient descent, with and without normalization", args, console, typeof(HousePricesSample).Assembly, Run);

    /// <summary>The shipped data set: floor area in m² and price in thousands.</summary>
    public static (double[] Size, double[] Price) LoadHouses()
    {
        using var stream = typeof(HousePricesSample).Assembly.GetManifestResourceStream("houses.csv")
            ?? throw new InvalidOperationException("houses.csv is not embedded in the HousePrices assembly.");
        using var reader = new StreamReader(stream);
        return ParseHouses(reader.ReadToEnd());
    }

    /// <summary>Parses <c>size_m2,price_k</c> lines (a header and # comments are skipped).</summary>
    /// <exception cref="FormatException">A line is not two finite numbers; the message names the line.</exception>
    public static (double[] Size, double[] Price) ParseHouses(string csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var size = new List<double>();
        var price = new List<double>();
        string[] lines = csv.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("size", StringComparison.Ordinal))
            {
                continue;
            }

            string[] parts = line.Split(',');
            if (parts.Length != 2
                || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double s)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double p)
                || !double.IsFinite(s) || !double.IsFinite(p))
            {
                throw new FormatException($"houses.csv line {i + 1}: expected 'size,price' as two numbers, got '{line}'.");
            }

            size.Add(s);
            price.Add(p);
        }

        if (size.Count < 2)
        {
            throw new FormatException($"houses.csv has {size.Count} houses; a line needs at least two.");
        }

        return (size.ToArray(), price.ToArray());
    }

    private static void Run(SampleRun run)
    {
        var (size, price) = LoadHouses();
        var (slope, intercept) = Datasets.LeastSquaresLine(size, price);
        double best = Datasets.MeanSquaredError(size, price, slope, intercept);
        run.Say($"{size.Length} houses, {size.Min()}–{size.Max()} m², prices {price.Min()}k–{price.Max()}k. Model: price = w · size + b.");
        run.Say("Loss: L(w, b) = mean of (w·size + b − price)², the [Differentiable] method Regression.MeanSquaredError; the generator");
        run.Say("wrote Regression.MeanSquaredErrorGradient, which returns ∂L/∂w = mean of 2·residual·size and ∂L/∂b = mean of 2·residual.");
        var f = Regression.MeanSquaredErrorObjective(size, price);

        run.Say($"Closed-form least squares (normal equations, no descent): w = {slope:F4} per m², b = {intercept:F3}k, L = {best:F2}.");

        // How steep is the bowl? The MSE is quadratic, so its curvature (Hessian) is the change of the gradient per unit step.
        var (largest, smallest) = Curvatures(f, 1);
        run.Say($"Curvature of the loss in raw units: largest {Report.Sig(largest)}, smallest {Report.Sig(smallest)} (ratio {Report.Sig(largest / smallest)}).");
        run.Say($"A step is stable below η = 2/{Report.Sig(largest)} = {Report.Rate(2 / largest)}; along the flat direction it shrinks the error only by a factor 1 − η·{Report.Sig(smallest)} per step.");

        int rawSteps = run.Budget(5000, 400);
        var diverging = Walk.Descend(f, [0.0, 0.0], new Sgd(RawDivergingRate), rawSteps, $"raw sizes, η = {Report.Rate(RawDivergingRate)}");
        var crawling = Walk.Descend(f, [0.0, 0.0], new Sgd(RawCrawlingRate), rawSteps, $"raw sizes, η = {Report.Rate(RawCrawlingRate)}");

        run.Section($"1. Raw sizes, η = {Report.Rate(RawCrawlingRate)}: the first steps, by hand");
        var steps = Report.Table("step", "w", "b", "∂L/∂w", "∂L/∂b", "w − η·∂L/∂w", "b − η·∂L/∂b", "L");
        for (int k = 0; k < 3; k++)
        {
            double w = crawling.Points[k][0], b = crawling.Points[k][1];
            double loss = Regression.MeanSquaredErrorGradient(w, b, size, price, out double dW, out double dB);
            Report.Row(steps, k.ToString(), Report.Sig(w), Report.Sig(b), Report.Sig(dW), Report.Sig(dB),
                Report.Sig(w - RawCrawlingRate * dW), Report.Sig(b - RawCrawlingRate * dB), Report.Sig(loss));
        }

        run.Console.Write(steps);
        run.Say("∂L/∂w is hundreds of times ∂L/∂b because it is multiplied by the size: w races, b barely moves.");

        run.Section("2. Normalized sizes: z = (size − mean) / standard deviation");
        double mean = size.Average();
        double sd = Math.Sqrt(size.Select(s => (s - mean) * (s - mean)).Average());
        var z = size.Select(s => (s - mean) / sd).ToArray();
        var g = Regression.MeanSquaredErrorObjective(z, price);
        var (largestZ, smallestZ) = Curvatures(g, 1);
        run.Say($"mean {mean:F2} m², standard deviation {sd:F2} m². Curvatures now {Report.Sig(largestZ)} and {Report.Sig(smallestZ)}: a round bowl, one rate suits both.");
        int normalizedSteps = run.Budget(100, 60);
        var normalized = Walk.Descend(g, [0.0, 0.0], new Sgd(NormalizedRate), normalizedSteps, $"normalized sizes, η = {NormalizedRate}");
        var trainer = Trainer.Minimize(g, [0.0, 0.0], new Sgd(NormalizedRate), new TrainingOptions { MaxEpochs = 10_000, GradientTolerance = 1e-6 });

        var summary = Report.Table("run", "steps", "w (per m²)", "b (k)", "L", "L − L*", "Trainer");
        foreach (var walk in new[] { diverging, crawling })
        {
            var verdict = Trainer.Minimize(f, [0.0, 0.0], new Sgd(walk == diverging ? RawDivergingRate : RawCrawlingRate), new TrainingOptions { MaxEpochs = rawSteps, GradientTolerance = 1e-6 });
            Report.Row(summary, walk.Label, walk.Steps.ToString(), Report.Sig(walk.Final[0]), Report.Sig(walk.Final[1]), Report.Sig(walk.FinalLoss),
                Report.Sig(walk.FinalLoss - best), Describe(verdict));
        }

        var (wRaw, bRaw) = ToRaw(normalized.Final, mean, sd);
        Report.Row(summary, normalized.Label, normalized.Steps.ToString(), Report.Sig(wRaw), Report.Sig(bRaw), Report.Sig(normalized.FinalLoss),
            Report.Sig(normalized.FinalLoss - best), Describe(trainer));
        Report.Row(summary, "least squares", "", Report.Sig(slope), Report.Sig(intercept), Report.Sig(best), "0", "");
        run.Console.Write(summary);
        run.Say($"Normalized descent, converted back to m² (w = w_z / sd, b = b_z − w_z·mean / sd), lands on the least-squares line:");
        run.Say($"|Δw| = {Report.Sig(Math.Abs(wRaw - slope))}, |Δb| = {Report.Sig(Math.Abs(bRaw - intercept))}. L* is the least-squares loss.");

        FitFigure(run, size, price, normalized, mean, sd, slope, intercept);
        LossFigure(run, best, diverging, crawling, normalized);
        LandscapeFigure(run, f, g, crawling, normalized, slope, intercept, mean, sd);
    }

    /// <summary>Converts (w, b) fitted on normalized sizes back to raw units.</summary>
    public static (double W, double B) ToRaw(double[] normalized, double mean, double sd) =>
        (normalized[0] / sd, normalized[1] - normalized[0] * mean / sd);

    /// <summary>
    /// The largest and smallest curvature (Hessian eigenvalues) of a quadratic loss of two parameters, from differences
    /// of the generated gradient (exact for a quadratic: the gradient is linear).
    /// </summary>
    public static (double Largest, double Smallest) Curvatures(DifferentiableFunction f, double h)
    {
        var g0 = new double[2];
        var gw = new double[2];
        var gb = new double[2];
        f.ValueAndGradient([0.0, 0.0], g0);
        f.ValueAndGradient([h, 0.0], gw);
        f.ValueAndGradient([0.0, h], gb);
        double a = (gw[0] - g0[0]) / h, c = (gb[1] - g0[1]) / h, b = 0.5 * ((gw[1] - g0[1]) / h + (gb[0] - g0[0]) / h);
        double mid = (a + c) / 2, radius = Math.Sqrt((a - c) * (a - c) / 4 + b * b);
        return (mid + radius, mid - radius);
    }

    private static void FitFigure(SampleRun run, double[] size, double[] price, Trajectory normalized, double mean, double sd, double slope, double intercept)
    {
        var plot = Figures.Create("The fitted line during gradient descent (normalized sizes, η = 0.1)", "floor area (m²)", "price (thousands)");
        var houses = plot.Add.ScatterPoints(size, price, Colors.Black);
        houses.MarkerSize = 8;
        houses.LegendText = "houses";
        double x0 = 40, x1 = 215;
        int[] shown = [0, 1, 2, 4, 8, 16, normalized.Steps];
        foreach (var (step, k) in shown.Select((s, k) => (s, k)))
        {
            var (w, b) = ToRaw(normalized.Points[step], mean, sd);
            var line = plot.Add.Line(x0, w * x0 + b, x1, w * x1 + b);
            line.Color = Figures.Colour(k + 1).WithAlpha(0.85);
            line.LineWidth = 2;
            line.LegendText = $"after {step} steps";
        }

        var exact = plot.Add.Line(x0, slope * x0 + intercept, x1, slope * x1 + intercept);
        exact.Color = Colors.Black;
        exact.LinePattern = LinePattern.Dashed;
        exact.LineWidth = 2;
        exact.LegendText = "least squares (closed form)";
        Figures.Legend(plot, Alignment.UpperLeft);
        plot.Axes.SetLimits(x0, x1, -20, 650);
        run.Save(plot, "fit-steps");
    }

    private static void LossFigure(SampleRun run, double best, params Trajectory[] walks)
    {
        var plot = Figures.Create("Loss above the least-squares minimum L*, per step", "step (log scale)", "L − L* (log scale)");
        foreach (var (walk, k) in walks.Select((w, k) => (w, k)))
        {
            var steps = Enumerable.Range(1, walk.Steps).Select(s => (double)s).ToArray();
            Figures.Line(plot, Figures.Log10(steps), Figures.Log10(walk.Losses.Skip(1).Select(l => l - best)), walk.Label + (walk.Diverged ? " (diverged)" : ""), Figures.Colour(k + 1));
        }

        Figures.LogScaleX(plot);
        Figures.LogScaleY(plot);
        Figures.Legend(plot, Alignment.LowerLeft);
        plot.Axes.SetLimitsY(-8, 9);
        run.Save(plot, "loss-curves");
    }

    private static void LandscapeFigure(SampleRun run, DifferentiableFunction raw, DifferentiableFunction normalizedLoss, Trajectory crawling, Trajectory normalized,
        double slope, double intercept, double mean, double sd)
    {
        var rawLandscape = Landscape.Sample((w, b) => raw.Value([w, b]), 0, 4, -100, 250, Shading.Log, run.Budget(121, 61));
        var left = rawLandscape.Plot("Raw sizes: a long, narrow valley", "w (per m²)", "b (thousands)");
        Figures.Path(left, crawling.Points.Where((_, i) => i % 10 == 0 || i == crawling.Steps).ToList(), crawling.Label + ", every 10th step", Figures.Colour(2), markerSize: 3);
        Figures.Star(left, slope, intercept, "least squares");
        Figures.Legend(left, Alignment.UpperRight);

        double wz = slope * sd, bz = intercept + slope * mean;
        double lo = Math.Min(0, Math.Min(wz, bz)) - 40, hi = Math.Max(wz, bz) + 40; // the same range on both axes: round stays round
        var normalLandscape = Landscape.Sample((w, b) => normalizedLoss.Value([w, b]), lo, hi, lo, hi, Shading.Log, run.Budget(121, 61));
        var right = normalLandscape.Plot("Normalized sizes: a round bowl", "w_z (per standard deviation)", "b_z (thousands)");
        Figures.Path(right, normalized.Points, normalized.Label, Figures.Colour(3));
        Figures.Star(right, wz, bz, "least squares");
        Figures.Legend(right, Alignment.LowerRight);
        run.Save(new Figure([left, right], 2, 760, 600, "The same data, two landscapes: why normalizing inputs helps gradient descent"), "landscapes");
    }

    private static string Describe(OptimizationResult result) => result.StopReason switch
    {
        StopReason.Diverged => $"diverges (step {result.Steps})",
        StopReason.GradientTolerance => $"converges ({result.Steps} steps)",
        _ => $"crawling at step {result.Steps}",
    };
}

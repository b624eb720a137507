using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace SymbolicGrad.Samples;

/// <summary>
/// The house style of the samples' figures: the shipped font, titles and labels, a palette, log axes, and the plot
/// kinds every sample uses (lines per step, paths with start and end markers).
/// </summary>
public static class Figures
{
    /// <summary>Default width of a single figure in pixels.</summary>
    public const int Width = 900;

    /// <summary>Default height of a single figure in pixels.</summary>
    public const int Height = 620;

    /// <summary>The font family every figure uses (shipped in Fonts/, so a machine without fonts renders the same text).</summary>
    public const string FontFamily = "DejaVu Sans";

    /// <summary>The monospaced family (source code in the Backprop figure).</summary>
    public const string MonospaceFamily = "DejaVu Sans Mono";

    private static readonly Lock FontLock = new();
    private static bool s_fontsLoaded;

    /// <summary>Ten distinguishable colours (Tableau 10), in order of use.</summary>
    public static IReadOnlyList<Color> Palette { get; } =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#ff7f0e"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#17becf"),
        Color.FromHex("#7f7f7f"), Color.FromHex("#bcbd22"),
    ];

    /// <summary>The folder of the shipped fonts.</summary>
    public static string FontDirectory
    {
        get
        {
            string beside = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(typeof(Figures).Assembly.Location) ?? AppContext.BaseDirectory, "Fonts");
            return Directory.Exists(beside) ? beside : System.IO.Path.Combine(AppContext.BaseDirectory, "Fonts");
        }
    }

    /// <summary>Registers the shipped fonts with ScottPlot and makes DejaVu Sans the default (once per process).</summary>
    public static void EnsureFonts()
    {
        lock (FontLock)
        {
            if (s_fontsLoaded)
            {
                return;
            }

            string dir = FontDirectory;
            string regular = System.IO.Path.Combine(dir, "DejaVuSans.ttf");
            if (!File.Exists(regular))
            {
                throw new FileNotFoundException(
                    $"The samples' font was not found at {regular}: it is copied there from samples/SymbolicGrad.Samples.Shared/Fonts by the build.", regular);
            }

            Fonts.AddFontFile(FontFamily, regular, bold: false, italic: false);
            Fonts.AddFontFile(FontFamily, System.IO.Path.Combine(dir, "DejaVuSans-Bold.ttf"), bold: true, italic: false);
            Fonts.AddFontFile(MonospaceFamily, System.IO.Path.Combine(dir, "DejaVuSansMono.ttf"), bold: false, italic: false);
            Fonts.AddFontFile(MonospaceFamily, System.IO.Path.Combine(dir, "DejaVuSansMono.ttf"), bold: true, italic: false);
            Fonts.Default = FontFamily;
            Fonts.Sans = FontFamily;
            Fonts.Monospace = MonospaceFamily;
            s_fontsLoaded = true;
        }
    }

    /// <summary>The bold shipped typeface, for text drawn outside ScottPlot (a figure's overall title).</summary>
    public static SKTypeface BoldTypeface()
    {
        EnsureFonts();
        return SKTypeface.FromFile(System.IO.Path.Combine(FontDirectory, "DejaVuSans-Bold.ttf"));
    }

    /// <summary>A new plot with a title and axis labels in the house style.</summary>
    public static Plot Create(string title, string xLabel, string yLabel)
    {
        EnsureFonts();
        var plot = new Plot();
        plot.Title(title, size: 17);
        plot.XLabel(xLabel, size: 15);
        plot.YLabel(yLabel, size: 15);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Legend.FontSize = 13;
        plot.Legend.FontName = FontFamily;
        return plot;
    }

    /// <summary>The <paramref name="k"/>-th palette colour (wrapping around).</summary>
    public static Color Colour(int k) => Palette[((k % Palette.Count) + Palette.Count) % Palette.Count];

    /// <summary>
    /// Base-10 logarithms for a log axis (ScottPlot 5 draws log axes as log-transformed data with log tick labels):
    /// values at or below <paramref name="floor"/> (zero, a loss that reached its minimum exactly) are drawn at the floor.
    /// </summary>
    public static double[] Log10(IEnumerable<double> values, double floor = 1e-16) =>
        values.Select(v => Math.Log10(Math.Max(v, floor))).ToArray();

    /// <summary>Makes the y axis read as a log axis: data plotted as <see cref="Log10"/>, ticks labelled 10ᵏ.</summary>
    public static void LogScaleY(Plot plot) => plot.Axes.Left.TickGenerator = LogTicks();

    /// <summary>Makes the x axis read as a log axis: data plotted as <see cref="Log10"/>, ticks labelled 10ᵏ.</summary>
    public static void LogScaleX(Plot plot) => plot.Axes.Bottom.TickGenerator = LogTicks();

    /// <summary>Formats 10^<paramref name="exponent"/> for a tick label: 0.01, 1, 100, then 1e5, 1e-6.</summary>
    public static string PowerOfTen(double exponent)
    {
        int k = (int)Math.Round(exponent);
        if (Math.Abs(exponent - k) > 1e-9)
        {
            return Math.Pow(10, exponent).ToString("G3", CultureInfo.InvariantCulture);
        }

        return k switch
        {
            >= 0 and <= 3 => Math.Pow(10, k).ToString("0", CultureInfo.InvariantCulture),
            >= -2 and < 0 => Math.Pow(10, k).ToString("0.##", CultureInfo.InvariantCulture),
            _ => "1e" + k.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Adds a line with a marker at each point (steps, epochs).</summary>
    public static ScottPlot.Plottables.Scatter Line(Plot plot, IReadOnlyList<double> xs, IReadOnlyList<double> ys, string label, Color colour, float width = 2, float markerSize = 0)
    {
        var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), colour);
        line.LegendText = label;
        line.LineWidth = width;
        line.MarkerSize = markerSize;
        return line;
    }

    /// <summary>Adds 0, 1, 2, … as x for <paramref name="ys"/> (a curve per step).</summary>
    public static ScottPlot.Plottables.Scatter PerStep(Plot plot, IReadOnlyList<double> ys, string label, Color colour, float width = 2, float markerSize = 0) =>
        Line(plot, Enumerable.Range(0, ys.Count).Select(i => (double)i).ToArray(), ys, label, colour, width, markerSize);

    /// <summary>
    /// Draws a path through parameter space: a line with small markers at each step, an open circle at the start and a
    /// filled one at the end. Points that left the finite range (a diverged run) are dropped.
    /// </summary>
    public static ScottPlot.Plottables.Scatter Path(Plot plot, IReadOnlyList<double[]> points, string label, Color colour, float markerSize = 4, float width = 2)
    {
        var finite = points.Where(p => double.IsFinite(p[0]) && double.IsFinite(p[1])).ToArray();
        if (finite.Length == 0)
        {
            throw new ArgumentException($"The path '{label}' has no finite point.", nameof(points));
        }

        var line = plot.Add.Scatter(finite.Select(p => p[0]).ToArray(), finite.Select(p => p[1]).ToArray(), colour);
        line.LegendText = label;
        line.LineWidth = width;
        line.MarkerSize = markerSize;
        line.MarkerShape = MarkerShape.FilledCircle;
        var start = plot.Add.Marker(finite[0][0], finite[0][1], MarkerShape.OpenCircle, 12, colour);
        start.MarkerLineWidth = 2.5f;
        plot.Add.Marker(finite[^1][0], finite[^1][1], MarkerShape.FilledCircle, 11, colour);
        return line;
    }

    /// <summary>Marks a point (a minimum) with a star and an optional label.</summary>
    public static void Star(Plot plot, double x, double y, string? label = null)
    {
        var star = plot.Add.Marker(x, y, MarkerShape.FilledDiamond, 14, Colors.Black);
        if (label is not null)
        {
            star.LegendText = label;
        }
    }

    /// <summary>Puts the legend inside the plot at <paramref name="where"/>, with a white background.</summary>
    public static void Legend(Plot plot, Alignment where = Alignment.UpperRight)
    {
        plot.ShowLegend(where);
        plot.Legend.BackgroundColor = Colors.White.WithAlpha(0.9);
    }

    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = PowerOfTen,
    };
}

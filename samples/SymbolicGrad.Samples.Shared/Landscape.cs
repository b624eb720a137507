using ScottPlot;

namespace SymbolicGrad.Samples;

/// <summary>How a landscape's heights are shaded.</summary>
public enum Shading
{
    /// <summary>The heights as they are.</summary>
    Linear,

    /// <summary>log10 of the height above the lowest sampled point: bowls and narrow valleys show their floor.</summary>
    Log,
}

/// <summary>
/// A loss of two parameters sampled on a grid, drawn as a shaded map with contour lines: the landscape gradient
/// descent walks on. The map is a ScottPlot heat map placed on the box; the lines are ScottPlot's <c>ContourLines</c>
/// over the same grid.
/// </summary>
public sealed class Landscape
{
    private Landscape(double[,] heights, double[,] shaded, double xMin, double xMax, double yMin, double yMax, Shading shading)
    {
        Heights = heights;
        Shaded = shaded;
        XMin = xMin;
        XMax = xMax;
        YMin = yMin;
        YMax = yMax;
        Shading = shading;
    }

    /// <summary>The sampled heights, [row (y), column (x)], row 0 at <see cref="YMin"/>.</summary>
    public double[,] Heights { get; }

    /// <summary>The heights as shaded (see <see cref="Shading"/>).</summary>
    public double[,] Shaded { get; }

    /// <summary>The box: left edge.</summary>
    public double XMin { get; }

    /// <summary>The box: right edge.</summary>
    public double XMax { get; }

    /// <summary>The box: bottom edge.</summary>
    public double YMin { get; }

    /// <summary>The box: top edge.</summary>
    public double YMax { get; }

    /// <summary>How the heights are shaded.</summary>
    public Shading Shading { get; }

    /// <summary>Samples <paramref name="f"/> on a <paramref name="resolution"/>² grid over the box.</summary>
    /// <exception cref="ArgumentException">The box is empty, or <paramref name="f"/> is not finite anywhere on it.</exception>
    public static Landscape Sample(Func<double, double, double> f, double xMin, double xMax, double yMin, double yMax, Shading shading = Shading.Log, int resolution = 121)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (!(xMax > xMin) || !(yMax > yMin))
        {
            throw new ArgumentException($"The box [{xMin}, {xMax}] × [{yMin}, {yMax}] is empty.", nameof(xMax));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, 8);
        int n = resolution;
        var heights = new double[n, n];
        double lowest = double.PositiveInfinity, highest = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            double y = yMin + (yMax - yMin) * i / (n - 1);
            for (int j = 0; j < n; j++)
            {
                double x = xMin + (xMax - xMin) * j / (n - 1);
                double h = f(x, y);
                heights[i, j] = h;
                if (double.IsFinite(h))
                {
                    lowest = Math.Min(lowest, h);
                    highest = Math.Max(highest, h);
                }
            }
        }

        if (!double.IsFinite(lowest))
        {
            throw new ArgumentException("The function is not finite anywhere on the box.", nameof(f));
        }

        var shaded = new double[n, n];
        double offset = Math.Max((highest - lowest) * 1e-4, 1e-12);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double h = heights[i, j];
                shaded[i, j] = !double.IsFinite(h) ? double.NaN
                    : shading == Shading.Log ? Math.Log10(h - lowest + offset) : h;
            }
        }

        return new Landscape(heights, shaded, xMin, xMax, yMin, yMax, shading);
    }

    /// <summary>
    /// A plot of the landscape (shaded map, contour lines, colour bar) ready for paths: the contour-with-trajectories
    /// figure. Add paths with <see cref="Figures.Path"/>.
    /// </summary>
    /// <param name="title">The plot's title.</param>
    /// <param name="xLabel">The first parameter's name.</param>
    /// <param name="yLabel">The second parameter's name.</param>
    /// <param name="levels">How many contour lines.</param>
    /// <param name="colourBar">Whether to show a colour bar (labelled with the loss, or log10 of the loss above its minimum).</param>
    public Plot Plot(string title, string xLabel, string yLabel, int levels = 16, bool colourBar = true)
    {
        var plot = Figures.Create(title, xLabel, yLabel);
        Draw(plot, levels, colourBar);
        return plot;
    }

    /// <summary>Draws the landscape onto an existing plot and fits the axes to its box.</summary>
    public void Draw(Plot plot, int levels = 16, bool colourBar = true)
    {
        ArgumentNullException.ThrowIfNull(plot);
        int rows = Shaded.GetLength(0), columns = Shaded.GetLength(1);
        var map = plot.Add.Heatmap(Shaded);
        map.Colormap = new ScottPlot.Colormaps.Haline();
        map.Opacity = 0.55;
        map.FlipVertically = true; // row 0 is the bottom of the box
        double dx = (XMax - XMin) / (columns - 1), dy = (YMax - YMin) / (rows - 1);
        map.Extent = new CoordinateRect(XMin - dx / 2, XMax + dx / 2, YMin - dy / 2, YMax + dy / 2);

        var grid = new Coordinates3d[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                grid[i, j] = new Coordinates3d(XMin + dx * j, YMin + dy * i, double.IsFinite(Shaded[i, j]) ? Shaded[i, j] : 0);
            }
        }

        var lines = plot.Add.ContourLines(grid, levels);
        lines.LineColor = Colors.Black.WithAlpha(0.35);
        lines.LineWidth = 1;
        lines.LabelStyle.IsVisible = false;

        if (colourBar)
        {
            var bar = plot.Add.ColorBar(map);
            bar.Label = Shading == Shading.Log ? "log₁₀(loss − lowest)" : "loss";
            bar.LabelStyle.FontSize = 13;
        }

        plot.Axes.SetLimits(XMin, XMax, YMin, YMax);
    }
}

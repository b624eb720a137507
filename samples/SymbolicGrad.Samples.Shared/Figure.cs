using ScottPlot;
using SkiaSharp;

namespace SymbolicGrad.Samples;

/// <summary>
/// One or more ScottPlot plots laid out in a grid and saved as PNG and SVG. ScottPlot's own <c>SavePng</c>/<c>SaveSvg</c>
/// save one plot; a grid of panels is rendered here into one Skia canvas (<see cref="Plot.Render(SKCanvas, PixelRect)"/>
/// for each panel), for PNG a raster surface and for SVG Skia's SVG canvas, the one <c>Plot.SaveSvg</c> uses.
/// </summary>
public sealed class Figure
{
    // ScottPlot does not promise thread safety (its font and typeface caches are shared); a sample renders on one
    // thread, but the tests run samples side by side, so rendering takes turns.
    private static readonly Lock RenderLock = new();

    /// <summary>Creates a figure.</summary>
    /// <param name="panels">The plots, row by row.</param>
    /// <param name="columns">Panels per row.</param>
    /// <param name="panelWidth">Width of one panel in pixels.</param>
    /// <param name="panelHeight">Height of one panel in pixels.</param>
    /// <param name="title">An optional title above the whole grid.</param>
    public Figure(IReadOnlyList<Plot> panels, int columns, int panelWidth, int panelHeight, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0)
        {
            throw new ArgumentException("A figure needs at least one panel.", nameof(panels));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(panelWidth, 50);
        ArgumentOutOfRangeException.ThrowIfLessThan(panelHeight, 50);
        Panels = panels;
        Columns = Math.Min(columns, panels.Count);
        Rows = (panels.Count + Columns - 1) / Columns;
        PanelWidth = panelWidth;
        PanelHeight = panelHeight;
        Title = title;
    }

    /// <summary>The plots, row by row.</summary>
    public IReadOnlyList<Plot> Panels { get; }

    /// <summary>Panels per row.</summary>
    public int Columns { get; }

    /// <summary>Rows of panels.</summary>
    public int Rows { get; }

    /// <summary>Width of one panel.</summary>
    public int PanelWidth { get; }

    /// <summary>Height of one panel.</summary>
    public int PanelHeight { get; }

    /// <summary>The title above the grid, if any.</summary>
    public string? Title { get; }

    private int TitleHeight => Title is null ? 0 : 44;

    /// <summary>Total width in pixels.</summary>
    public int Width => Columns * PanelWidth;

    /// <summary>Total height in pixels.</summary>
    public int Height => Rows * PanelHeight + TitleHeight;

    /// <summary>Renders the figure as a PNG file.</summary>
    public void SavePng(string path)
    {
        var info = new SKImageInfo(Width, Height);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"Skia could not create a {Width}×{Height} surface.");
        Render(surface.Canvas);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var stream = File.Create(path);
        data.SaveTo(stream);
    }

    /// <summary>Renders the figure as an SVG file (text stays text, so labels and legends can be searched).</summary>
    public void SaveSvg(string path)
    {
        using (var stream = File.Create(path))
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, Height), stream))
        {
            Render(canvas);
        }

        // Skia writes the platform's line endings nowhere, but be sure: the files are \n only.
        string text = File.ReadAllText(path);
        if (text.Contains('\r', StringComparison.Ordinal))
        {
            File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal));
        }
    }

    private void Render(SKCanvas canvas)
    {
        lock (RenderLock)
        {
            RenderPanels(canvas);
        }
    }

    private void RenderPanels(SKCanvas canvas)
    {
        canvas.Clear(SKColors.White);
        if (Title is not null)
        {
            using var typeface = Figures.BoldTypeface();
            using var font = new SKFont(typeface, 22);
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(Title, Width / 2f, 30, SKTextAlign.Center, font, paint);
        }

        for (int k = 0; k < Panels.Count; k++)
        {
            int row = k / Columns, column = k % Columns;
            float left = column * PanelWidth, top = TitleHeight + row * PanelHeight;
            // A plot clears its canvas before drawing: the clip keeps that to its own panel.
            canvas.Save();
            canvas.ClipRect(new SKRect(left, top, left + PanelWidth, top + PanelHeight));
            Panels[k].Render(canvas, new PixelRect(left, left + PanelWidth, top + PanelHeight, top));
            canvas.Restore();
        }
    }
}

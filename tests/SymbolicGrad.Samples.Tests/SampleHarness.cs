using System.Text;
using SkiaSharp;
using Spectre.Console;

namespace SymbolicGrad.Samples.Tests;

/// <summary>What one in-process run of a sample produced.</summary>
/// <param name="ExitCode">The sample's exit code.</param>
/// <param name="Output">Everything it printed (plain text, no colours).</param>
/// <param name="Directory">The output folder it was given.</param>
/// <param name="Files">The files in that folder afterwards.</param>
public sealed record SampleOutput(int ExitCode, string Output, string Directory, IReadOnlyList<string> Files)
{
    /// <summary>The lines printed.</summary>
    public string[] Lines => Output.Split('\n');

    /// <summary>The cells of the first table row (a line starting with │) whose first cell is <paramref name="firstCell"/>, after <paramref name="after"/>.</summary>
    public string[] Row(string firstCell, string? after = null)
    {
        int start = after is null ? 0 : Output.IndexOf(after, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{after}' is not in the output:\n{Output}");
        foreach (string line in Output[start..].Split('\n'))
        {
            if (!line.StartsWith('│'))
            {
                continue;
            }

            var cells = line.Trim().Trim('│').Split('│').Select(c => c.Trim()).ToArray();
            if (cells[0] == firstCell)
            {
                return cells;
            }
        }

        Assert.Fail($"No table row starts with '{firstCell}' after '{after}':\n{Output}");
        return [];
    }
}

/// <summary>Runs samples in-process and checks what they wrote.</summary>
public static class SampleHarness
{
    /// <summary>Runs <paramref name="sample"/> with --quick into a fresh temporary folder, capturing its report.</summary>
    public static SampleOutput Run(Func<string[], IAnsiConsole, int> sample, string name, params string[] extraArgs)
    {
        // One folder per sample, emptied first: the figures of the last test run stay there to look at.
        string dir = Path.Combine(Path.GetTempPath(), "SymbolicGrad.Samples.Tests", name);
        if (System.IO.Directory.Exists(dir))
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }

        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 160;
        int exit = sample(["--quick", "--out", dir, .. extraArgs], console);
        var files = System.IO.Directory.Exists(dir) ? System.IO.Directory.GetFiles(dir).Order(StringComparer.Ordinal).ToArray() : [];
        return new SampleOutput(exit, writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), dir, files);
    }

    /// <summary>
    /// Asserts the PNG decodes, has at least the given size, and is not blank: the standard deviation of its
    /// luminance is above 12 (of 255) and at least 3% of its pixels are not near-white.
    /// </summary>
    public static void AssertPng(string path, int minWidth = 600, int minHeight = 400)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        using var bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.True(bitmap.Width >= minWidth && bitmap.Height >= minHeight, $"{Path.GetFileName(path)} is {bitmap.Width}×{bitmap.Height}, smaller than {minWidth}×{minHeight}");
        double sum = 0, sumSquares = 0;
        long inked = 0, count = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
        {
            for (int x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                double l = 0.2126 * c.Red + 0.7152 * c.Green + 0.0722 * c.Blue;
                sum += l;
                sumSquares += l * l;
                count++;
                if (l < 230)
                {
                    inked++;
                }
            }
        }

        double mean = sum / count;
        double sd = Math.Sqrt(Math.Max(0, sumSquares / count - mean * mean));
        Assert.True(sd > 12, $"{Path.GetFileName(path)} looks blank: luminance standard deviation {sd:F1}");
        Assert.True(inked > count * 0.03, $"{Path.GetFileName(path)} looks blank: only {100.0 * inked / count:F1}% of pixels are not white");
    }

    /// <summary>Asserts the SVG is an SVG document containing every one of <paramref name="texts"/> (series names, titles, labels).</summary>
    public static void AssertSvg(string path, params string[] texts)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        string svg = File.ReadAllText(path, Encoding.UTF8);
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", svg, StringComparison.Ordinal);
        foreach (string text in texts)
        {
            string escaped = System.Security.SecurityElement.Escape(text) ?? text;
            Assert.True(svg.Contains(text, StringComparison.Ordinal) || svg.Contains(escaped, StringComparison.Ordinal),
                $"{Path.GetFileName(path)} does not contain '{text}'");
        }
    }

    /// <summary>Asserts the run succeeded and wrote exactly the named figures, each as a good PNG and an SVG.</summary>
    public static void AssertFigures(SampleOutput output, params string[] names)
    {
        Assert.True(output.ExitCode == 0, $"exit code {output.ExitCode}:\n{output.Output}");
        var expected = names.SelectMany(n => new[] { n + ".png", n + ".svg" }).Order(StringComparer.Ordinal);
        Assert.Equal(expected, output.Files.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains(output.Directory, output.Output.Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        foreach (string name in names)
        {
            AssertPng(Path.Combine(output.Directory, name + ".png"));
        }
    }
}

using System.Reflection;

namespace SymbolicGrad.Explorer.Landscapes;

/// <summary>A built-in landscape: its generated objective and how the page shows it.</summary>
/// <param name="Id">The id used in requests.</param>
/// <param name="Title">The display name.</param>
/// <param name="Description">One sentence about its shape.</param>
/// <param name="Function">The generated objective (<c>NameObjective()</c>).</param>
/// <param name="Box">The default view.</param>
/// <param name="Start">The default start point.</param>
/// <param name="Minima">The known minima (for markers).</param>
/// <param name="LearningRate">A learning rate that works for gradient descent from the start.</param>
/// <param name="LogScale">Draw the colors on a log scale (steep walls, flat floors).</param>
public sealed record Landscape(
    string Id,
    string Title,
    string Description,
    DifferentiableFunction Function,
    Labs.Box Box,
    double[] Start,
    double[][] Minima,
    double LearningRate,
    bool LogScale)
{
    /// <summary>The C# of the landscape, as written in Landscapes.cs.</summary>
    public string Source => LandscapeCatalog.SourceOf(Id);
}

/// <summary>Every built-in landscape.</summary>
public static class LandscapeCatalog
{
    private static readonly Lazy<string> LandscapesSource = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Landscapes.cs")
            ?? throw new InvalidOperationException("The embedded Landscapes.cs is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    });

    /// <summary>The landscapes, in the order of the page's menu.</summary>
    public static IReadOnlyList<Landscape> All { get; } =
    [
        new("rosenbrock", "Rosenbrock", "A curved valley with a flat floor: easy to find, slow to follow.",
            Landscapes.RosenbrockObjective(), new(-2, 2, -1, 3), [-1.5, 2.0], [[1, 1]], 0.001, true),
        new("beale", "Beale", "Steep walls and flat plateaus; the minimum sits in a narrow arm.",
            Landscapes.BealeObjective(), new(-4.5, 4.5, -4.5, 4.5), [1.0, 1.4], [[3, 0.5]], 0.01, true),
        new("bowl", "Round bowl", "Every direction curves the same: the gradient points straight at the minimum.",
            Landscapes.BowlObjective(), new(-3, 3, -3, 3), [2.5, 2.0], [[0, 0]], 0.1, false),
        new("ravine", "Narrow ravine", "Curvature 20 times stronger across than along: gradient descent zig-zags.",
            Landscapes.RavineObjective(), new(-6, 6, -6, 6), [-5, 1], [[0, 0]], 0.4, false),
        new("saddle", "Saddle", "A saddle point at the origin between two minima: start near the ridge and watch who escapes.",
            Landscapes.SaddleObjective(), new(-2, 2, -2.5, 2.5), [1.8, 0.001], [[0, Math.Sqrt(2)], [0, -Math.Sqrt(2)]], 0.05, false),
        new("himmelblau", "Himmelblau", "Four minima of the same depth: where you end depends on where you start.",
            Landscapes.HimmelblauObjective(), new(-5, 5, -5, 5), [0.0, 0.0], [[3, 2], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]], 0.01, true),
        new("two-valleys", "Two valleys", "A shallow valley on the right, a deeper one on the left, a ridge between.",
            Landscapes.TwoValleysObjective(), new(-3, 3, -2.5, 2.5), [2.4, 1.5], [[-1.618838, 0], [1.342826, 0]], 0.05, false),
        new("regression", "Regression (MSE)", "The mean squared error of a line w·x + b over 64 data points, as a function of (w, b).",
            Regression.MseObjective(), new(-1, 5, -2, 4), [-0.5, 3.5], [[Regression.TrueSlope, Regression.TrueIntercept]], 0.1, false),
    ];

    /// <summary>The landscape with this id.</summary>
    /// <exception cref="ArgumentException">Unknown id.</exception>
    public static Landscape Get(string? id) =>
        All.FirstOrDefault(l => l.Id == id) ??
        throw new ArgumentException($"Unknown landscape '{id}'; use one of {string.Join(", ", All.Select(l => l.Id))}.");

    /// <summary>The region of Landscapes.cs for a landscape id (the regression's MSE is in Regression.cs and is given here in full).</summary>
    public static string SourceOf(string id)
    {
        if (id == "regression")
        {
            return """
                // The mean squared error of the line w·x + b over data held in fields
                // (the Explorer's data set has 64 seeded points; five are written out here).
                private static readonly double[] _xs = { -1.5, -0.5, 0.2, 0.9, 1.7 };
                private static readonly double[] _ys = { -2.1, 0.2, 1.3, 2.6, 4.5 };

                [Differentiable]
                public static double Mse(double w, double b)
                {
                    double sum = 0;
                    for (int i = 0; i < _xs.Length; i++)
                    {
                        double r = w * _xs[i] + b - _ys[i];
                        sum += r * r;
                    }

                    return sum / _xs.Length;
                }
                """;
        }

        string text = LandscapesSource.Value;
        string name = id switch
        {
            "two-valleys" => "TwoValleys",
            _ => char.ToUpperInvariant(id[0]) + id[1..],
        };
        int start = text.IndexOf("#region " + name + "\n", StringComparison.Ordinal);
        if (start < 0)
        {
            throw new ArgumentException($"No source for landscape '{id}'.");
        }

        start = text.IndexOf('\n', start) + 1;
        int end = text.IndexOf("#endregion", start, StringComparison.Ordinal);
        var lines = text[start..end].TrimEnd().Split('\n');
        return string.Join("\n", lines.Select(l => l.StartsWith("    ", StringComparison.Ordinal) ? l[4..] : l.TrimStart()));
    }
}

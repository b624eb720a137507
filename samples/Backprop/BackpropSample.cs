using System.Reflection;
using ScottPlot;
using Spectre.Console;
using Color = ScottPlot.Color;
using Panel = Spectre.Console.Panel;

namespace SymbolicGrad.Samples.Backprop;

/// <summary>
/// Backpropagation on a circuit you can hold in your head: f = (x + y)·z at (−2, 5, −4). The forward pass writes a
/// value on every wire; the backward pass writes ∂f/∂(that wire), starting from 1 at the output and multiplying by
/// each gate's local gradient (from the gates' own generated gradients). The add gate distributes, the multiply gate
/// switches, the max gate routes. The result agrees with the gradient the generator wrote for the whole circuit,
/// whose source is shown beside the drawing.
/// </summary>
public static class BackpropSample
{
    /// <summary>A wire of the circuit: the node it comes from, the value it carries and ∂f/∂value.</summary>
    /// <param name="Name">The node's name (x, y, q, f, …).</param>
    /// <param name="Gate">"input", "const", "+", "×" or "max".</param>
    /// <param name="Inputs">The indices of the gate's inputs (none for inputs and constants).</param>
    /// <param name="Value">The forward value.</param>
    /// <param name="Gradient">∂f/∂value, filled by the backward pass.</param>
    public sealed record Node(string Name, string Gate, int[] Inputs, double Value, double Gradient);

    /// <summary>
    /// Forward, then backward through a circuit given as gates in evaluation order. Each gate's value and local
    /// gradient come from the generated <c>AddGradient</c>, <c>MultiplyGradient</c> and <c>MaxGradient</c>; the backward
    /// pass multiplies them by the gradient arriving from above and adds into the inputs (the chain rule, fan-out included).
    /// </summary>
    public static IReadOnlyList<Node> Backpropagate(IReadOnlyList<(string Name, string Gate, int[] Inputs, double Value)> circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        if (circuit.Count == 0)
        {
            throw new ArgumentException("The circuit is empty.", nameof(circuit));
        }

        int n = circuit.Count;
        var values = new double[n];
        var local = new (double A, double B)[n];
        for (int k = 0; k < n; k++)
        {
            var (name, gate, inputs, value) = circuit[k];
            if (inputs.Any(i => i < 0 || i >= k))
            {
                throw new ArgumentException($"Gate {name} reads a node that is not computed before it.", nameof(circuit));
            }

            double a = inputs.Length > 0 ? values[inputs[0]] : 0, b = inputs.Length > 1 ? values[inputs[1]] : 0;
            double da = 0, db = 0;
            values[k] = gate switch
            {
                "input" or "const" => value,
                "+" => Losses.AddGradient(a, b, out da, out db),
                "×" => Losses.MultiplyGradient(a, b, out da, out db),
                "max" => Losses.MaxGradient(a, b, out da, out db),
                _ => throw new ArgumentException($"Unknown gate '{gate}' at {name}.", nameof(circuit)),
            };
            local[k] = (da, db);
        }

        var gradients = new double[n];
        gradients[n - 1] = 1; // ∂f/∂f
        for (int k = n - 1; k >= 0; k--)
        {
            var inputs = circuit[k].Inputs;
            if (inputs.Length == 2)
            {
                gradients[inputs[0]] += gradients[k] * local[k].A;
                gradients[inputs[1]] += gradients[k] * local[k].B;
            }
        }

        return circuit.Select((c, k) => new Node(c.Name, c.Gate, c.Inputs, values[k], gradients[k])).ToList();
    }

    /// <summary>f = (x + y)·z as gates: x, y, z, q = x + y, f = q·z.</summary>
    public static IReadOnlyList<Node> Circuit(double x, double y, double z) => Backpropagate(
    [
        ("x", "input", [], x), ("y", "input", [], y), ("z", "input", [], z),
        ("q", "+", [0, 1], 0), ("f", "×", [3, 2], 0),
    ]);

    /// <summary>f = 2·(x·y + max(z, w)) as gates.</summary>
    public static IReadOnlyList<Node> Gates(double x, double y, double z, double w) => Backpropagate(
    [
        ("x", "input", [], x), ("y", "input", [], y), ("z", "input", [], z), ("w", "input", [], w),
        ("xy", "×", [0, 1], 0), ("m", "max", [2, 3], 0), ("s", "+", [4, 5], 0), ("2", "const", [], 2), ("f", "×", [7, 6], 0),
    ]);

    /// <summary>Runs the sample (<c>--out DIR</c>, <c>--quick</c>).</summary>
    public static int Run(string[] args, IAnsiConsole? console = null) =>
        SampleRun.Execute("Backprop", "forward values, backward gradients, and the code the generator wrote", args, console, typeof(BackpropSample).Assembly, Run);

    private static void Run(SampleRun run)
    {
        run.Section("f = (x + y)·z at (x, y, z) = (−2, 5, −4)");
        var circuit = Circuit(-2, 5, -4);
        WireTable(run, circuit);
        double f = Losses.CircuitGradient(-2, 5, -4, out double dX, out double dY, out double dZ);
        run.Say($"The generated CircuitGradient(−2, 5, −4) returns f = {f} and (∂f/∂x, ∂f/∂y, ∂f/∂z) = ({dX}, {dY}, {dZ}): the same as the wires.");
        string source = GeneratedSource("CircuitGradient", out string where);
        run.Say($"The generated gradient ({where}):");
        run.Console.Write(new Panel(new Text(source)).Header("CircuitGradient, as generated").Border(BoxBorder.Rounded));

        run.Section("f = 2·(x·y + max(z, w)) at (3, −4, 2, −1): add distributes, multiply switches, max routes");
        var gates = Gates(3, -4, 2, -1);
        WireTable(run, gates);
        double g = Losses.GatesGradient(3, -4, 2, -1, out double gX, out double gY, out double gZ, out double gW);
        run.Say($"The generated GatesGradient returns f = {g} and ({gX}, {gY}, {gZ}, {gW}).");
        string gatesSource = GeneratedSource("GatesGradient", out _);

        run.Save(new Figure([CircuitPlot(circuit, CircuitLayout), CodePlot(source)], 2, 760, 620,
            "f = (x + y)·z at (−2, 5, −4): values forward, gradients backward; right: CircuitGradient as generated"), "circuit");
        run.Save(new Figure([CircuitPlot(gates, GatesLayout), CodePlot(gatesSource)], 2, 760, 620,
            "f = 2·(x·y + max(z, w)): add distributes, multiply switches, max routes; right: GatesGradient"), "gates");
    }

    private static void WireTable(SampleRun run, IReadOnlyList<Node> nodes)
    {
        var table = Report.Table("wire", "computed as", "value (forward)", "∂f/∂wire (backward)");
        foreach (var node in nodes)
        {
            string how = node.Gate switch
            {
                "input" => "input",
                "const" => "constant",
                "max" => $"max({nodes[node.Inputs[0]].Name}, {nodes[node.Inputs[1]].Name})",
                _ => $"{nodes[node.Inputs[0]].Name} {node.Gate} {nodes[node.Inputs[1]].Name}",
            };
            Report.Row(table, node.Name, how, Report.Sig(node.Value), Report.Sig(node.Gradient));
        }

        run.Console.Write(table);
    }

    /// <summary>
    /// The source of a generated gradient method, read from the files the compiler wrote for this sample
    /// (EmitCompilerGeneratedFiles, under obj/…/generated/), from its XML comment to its closing brace.
    /// </summary>
    public static string GeneratedSource(string method, out string where)
    {
        string? folder = typeof(BackpropSample).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "CompilerGeneratedFilesOutputPath")?.Value;
        if (folder is null || !Directory.Exists(folder))
        {
            where = "not found";
            return $"The generated files are not at {folder ?? "(unknown)"}: build the sample (dotnet build samples/Backprop) to see them.";
        }

        foreach (string file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string[] lines = File.ReadAllLines(file);
            int signature = Array.FindIndex(lines, l => l.Contains($" {method}(", StringComparison.Ordinal) && l.Contains("public", StringComparison.Ordinal));
            if (signature < 0)
            {
                continue;
            }

            int start = signature;
            while (start > 0 && (lines[start - 1].TrimStart().StartsWith("///", StringComparison.Ordinal) || lines[start - 1].TrimStart().StartsWith('[')))
            {
                start--;
            }

            int indent = lines[signature].Length - lines[signature].TrimStart().Length;
            int end = signature;
            while (end < lines.Length - 1 && !(lines[end].TrimEnd() == new string(' ', indent) + "}"))
            {
                end++;
            }

            where = Path.GetRelativePath(Path.GetFullPath(Path.Combine(folder, "..", "..", "..", "..")), file);
            // The XML comment is long; keep its formulas (the ∂ lines of <remarks>) and the method itself.
            var kept = lines[start..(end + 1)]
                .Where(l => !l.TrimStart().StartsWith("///", StringComparison.Ordinal) || (l.Contains('∂') && !l.Contains("<param", StringComparison.Ordinal)))
                .Where(l => !l.TrimStart().StartsWith("[global::System.CodeDom", StringComparison.Ordinal))
                .Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())
                .Select(l => l.TrimStart().StartsWith("///", StringComparison.Ordinal) ? System.Net.WebUtility.HtmlDecode(l) : l);
            return string.Join('\n', kept);
        }

        where = "not found";
        return $"No generated file in {folder} defines {method}.";
    }

    private static readonly Dictionary<string, (double X, double Y)> CircuitLayout = new()
    {
        ["x"] = (0, 4), ["y"] = (0, 2.4), ["z"] = (0, 0.6), ["q"] = (3.2, 3.2), ["f"] = (6.2, 1.9),
    };

    private static readonly Dictionary<string, (double X, double Y)> GatesLayout = new()
    {
        ["x"] = (0, 4.6), ["y"] = (0, 3.5), ["z"] = (0, 2.1), ["w"] = (0, 1.0), ["xy"] = (2.4, 4.05), ["m"] = (2.4, 1.55),
        ["s"] = (4.6, 2.8), ["2"] = (4.6, 0.8), ["f"] = (6.6, 1.8),
    };

    private static Plot CircuitPlot(IReadOnlyList<Node> nodes, Dictionary<string, (double X, double Y)> layout)
    {
        Figures.EnsureFonts();
        var plot = new Plot();
        plot.Axes.Frameless();
        plot.HideGrid();
        double right = layout.Values.Max(p => p.X) + 1.6;
        plot.Axes.SetLimits(-0.8, right, -0.2, 5.2);
        var green = Color.FromHex("#1a7f37");
        var red = Color.FromHex("#cf222e");

        void Wire((double X, double Y) from, (double X, double Y) to, Node carried, bool fromGate)
        {
            // Leave room for the labels and circles at both ends.
            double dx = to.X - from.X, dy = to.Y - from.Y, length = Math.Sqrt(dx * dx + dy * dy);
            double start = fromGate ? 0.38 : 0.3, stop = 0.42;
            var arrow = plot.Add.Arrow(from.X + dx * start / length, from.Y + dy * start / length, to.X - dx * stop / length, to.Y - dy * stop / length);
            arrow.ArrowLineColor = arrow.ArrowFillColor = Colors.Black.WithAlpha(0.75);
            arrow.ArrowWidth = 2;
            arrow.ArrowheadWidth = 12;
            arrow.ArrowheadLength = 12;
            double mx = from.X + dx * 0.5, my = from.Y + dy * 0.5;
            Label(plot, Report.Sig(carried.Value), mx, my, green, Alignment.LowerCenter, -4);
            Label(plot, Report.Sig(carried.Gradient), mx, my, red, Alignment.UpperCenter, 4);
        }

        foreach (var node in nodes)
        {
            var at = layout[node.Name];
            if (node.Gate is "input" or "const")
            {
                Label(plot, node.Gate == "const" ? node.Name : node.Name, at.X, at.Y, Colors.Black, Alignment.MiddleCenter, 0, 22, bold: true);
                continue;
            }

            var circle = plot.Add.Marker(at.X, at.Y, MarkerShape.FilledCircle, 54, Color.FromHex("#f0f4ff"));
            circle.MarkerLineColor = Colors.Black;
            var ring = plot.Add.Marker(at.X, at.Y, MarkerShape.OpenCircle, 54, Colors.Black);
            ring.MarkerLineWidth = 2;
            Label(plot, node.Gate, at.X, at.Y, Colors.Black, Alignment.MiddleCenter, 0, node.Gate == "max" ? 15 : 24, bold: true);
            foreach (int input in node.Inputs)
            {
                Wire(layout[nodes[input].Name], at, nodes[input], nodes[input].Gate is not ("input" or "const"));
            }
        }

        // The output wire, and the legend of colours.
        var output = nodes[^1];
        var end = layout[output.Name];
        Wire(end, (end.X + 1.5, end.Y), output, true);
        Label(plot, "f", end.X + 1.5, end.Y, Colors.Black, Alignment.MiddleLeft, 0, 22, bold: true);
        Label(plot, "green: value on the wire (forward)", -0.7, -0.05, green, Alignment.LowerLeft, 0, 14);
        Label(plot, "red: ∂f/∂(wire) (backward, from ∂f/∂f = 1)", -0.7, 0.3, red, Alignment.LowerLeft, 0, 14);
        return plot;
    }

    private static void Label(Plot plot, string text, double x, double y, Color colour, Alignment alignment, float offsetY, float size = 17, bool bold = true)
    {
        var label = plot.Add.Text(text, x, y);
        label.LabelFontColor = colour;
        label.LabelFontSize = size;
        label.LabelBold = bold;
        label.LabelAlignment = alignment;
        label.OffsetY = offsetY;
        label.LabelBackgroundColor = Colors.White.WithAlpha(alignment == Alignment.MiddleCenter ? 0 : 0.8);
    }

    /// <summary>Breaks a long line of code after a comma, continuing with an indent, so the code fits its panel.</summary>
    private static IEnumerable<string> Wrap(string line)
    {
        const int width = 74;
        string indent = new(' ', line.Length - line.TrimStart().Length);
        while (line.Length > width)
        {
            int cut = line.LastIndexOf(", ", width, StringComparison.Ordinal);
            if (cut <= indent.Length)
            {
                break;
            }

            yield return line[..(cut + 1)];
            line = indent + "        " + line[(cut + 2)..];
        }

        yield return line;
    }

    private static Plot CodePlot(string source)
    {
        Figures.EnsureFonts();
        var plot = new Plot();
        plot.Axes.Frameless();
        plot.HideGrid();
        plot.Axes.SetLimits(0, 1, 0, 1);
        var lines = source.Split('\n').SelectMany(Wrap).ToList();
        float size = lines.Count > 34 ? 11 : lines.Count > 24 ? 13 : 15;
        var text = plot.Add.Text(string.Join('\n', lines), 0.01, 0.99);
        text.LabelFontName = Figures.MonospaceFamily;
        text.LabelFontSize = size;
        text.LabelAlignment = Alignment.UpperLeft;
        text.LabelFontColor = Color.FromHex("#24292f");
        text.LabelBackgroundColor = Color.FromHex("#f6f8fa");
        text.LabelBorderColor = Color.FromHex("#d0d7de");
        text.LabelBorderWidth = 1;
        text.LabelPadding = 8;
        return plot;
    }
}

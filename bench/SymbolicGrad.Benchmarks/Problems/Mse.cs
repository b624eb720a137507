using SymbolicGrad.Benchmarks.Generated;
using SymbolicGrad.Benchmarks.Tape;
using SymbolicGrad.Benchmarks.Torch;
using static SymbolicGrad.Benchmarks.Tape.Tape;

namespace SymbolicGrad.Benchmarks.Problems;

/// <summary>The mean squared error of a line w·x + b over M points near y = 2x + 0.5 (seed 2), at (w, b) = (0.3, −0.2).</summary>
public struct MseProblem : IProblem<MseProblem>
{
    private double[] _x;
    private double[] _y;

    public static string Name => "MSE of a line";
    public static IReadOnlyList<string> Sizes { get; } = ["M = 1,000", "M = 1,000,000"];
    public static bool HasGenerated => true;
    public double[] Point { get; private init; }

    /// <summary>The data, for the data-parallel rows.</summary>
    internal readonly double[] X => _x;

    internal readonly double[] Y => _y;

    public static MseProblem Create(string size)
    {
        int m = size switch { "M = 1,000" => 1_000, "M = 1,000,000" => 1_000_000, _ => throw new ArgumentException(size) };
        var random = new Random(2);
        var x = new double[m];
        var y = new double[m];
        for (int i = 0; i < m; i++)
        {
            x[i] = ProblemHelpers.Uniform(random, -1, 1);
            y[i] = 2 * x[i] + 0.5 + 0.1 * ProblemHelpers.Normal(random);
        }

        return new MseProblem { Point = [0.3, -0.2], _x = x, _y = y };
    }

    public readonly TorchExport Torch() => new("mse", [new("w", []), new("b", [])],
        new Dictionary<string, TorchArray> { ["x"] = TorchArray.Of(_x), ["y"] = TorchArray.Of(_y) });

    /// <summary>The [Differentiable] source itself (Generated/Loops/Mse.cs).</summary>
    public readonly double Value(ReadOnlySpan<double> p) => Objectives.Mse(p[0], p[1], _x, _y);

    public readonly double Hand(ReadOnlySpan<double> p, Span<double> g)
    {
        double w = p[0];
        double b = p[1];
        double[] x = _x;
        double[] y = _y;
        double sum = 0;
        double sumR = 0;
        double sumRx = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i];
            double r = w * xi + b - y[i];
            sum += r * r;
            sumR += r;
            sumRx += r * xi;
        }

        double scale = 2.0 / x.Length;
        g[0] = scale * sumRx;
        g[1] = scale * sumR;
        return sum / x.Length;
    }

    public readonly double Generated(ReadOnlySpan<double> p, Span<double> g) =>
        Objectives.MseGradient(p[0], p[1], _x, _y, out g[0], out g[1]);

    public readonly double Tape(ReadOnlySpan<double> p, Span<double> g)
    {
        Begin();
        Var w = Input(p[0]);
        Var b = Input(p[1]);
        double[] x = _x;
        double[] y = _y;
        Var sum = 0.0;
        for (int i = 0; i < x.Length; i++)
        {
            Var r = w * x[i] + b - y[i];
            sum += r * r;
        }

        Var f = sum / x.Length;
        Gradient(f, g);
        return f.Value;
    }
}

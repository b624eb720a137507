using SymbolicGrad.Benchmarks.Generated;
using SymbolicGrad.Benchmarks.Tape;
using SymbolicGrad.Benchmarks.Torch;
using static SymbolicGrad.Benchmarks.Tape.Tape;

namespace SymbolicGrad.Benchmarks.Problems;

/// <summary>The N-dimensional Rosenbrock function at a point drawn uniformly from [−2, 2]ᴺ (seed 1).</summary>
public struct RosenbrockProblem : IProblem<RosenbrockProblem>
{
    private Var[] _vars;

    public static string Name => "Rosenbrock";
    public static IReadOnlyList<string> Sizes { get; } = ["N = 2", "N = 100", "N = 10,000"];
    public static bool HasGenerated => true;
    public double[] Point { get; private init; }

    public static RosenbrockProblem Create(string size)
    {
        int n = size switch { "N = 2" => 2, "N = 100" => 100, "N = 10,000" => 10_000, _ => throw new ArgumentException(size) };
        var random = new Random(1);
        var point = new double[n];
        for (int i = 0; i < n; i++)
        {
            point[i] = ProblemHelpers.Uniform(random, -2, 2);
        }

        return new RosenbrockProblem { Point = point, _vars = new Var[n] };
    }

    public readonly TorchExport Torch() => new("rosenbrock", [new("x", [Point.Length])]);

    /// <summary>The [Differentiable] source itself (Generated/Loops/Rosenbrock.cs).</summary>
    public readonly double Value(ReadOnlySpan<double> x) => Objectives.Rosenbrock(x);

    public readonly double Hand(ReadOnlySpan<double> x, Span<double> g)
    {
        double sum = 0;
        g.Clear();
        for (int i = 0; i < x.Length - 1; i++)
        {
            double xi = x[i];
            double a = x[i + 1] - xi * xi;
            double b = 1 - xi;
            sum += 100 * a * a + b * b;
            g[i] += -400 * a * xi - 2 * b;
            g[i + 1] += 200 * a;
        }

        return sum;
    }

    public readonly double Generated(ReadOnlySpan<double> x, Span<double> g) =>
        Objectives.RosenbrockGradient(x, g);

    public readonly double Tape(ReadOnlySpan<double> p, Span<double> g)
    {
        Begin();
        Var[] x = _vars;
        Inputs(p, x);
        Var sum = 0.0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            Var a = x[i + 1] - x[i] * x[i];
            Var b = 1 - x[i];
            sum += 100 * a * a + b * b;
        }

        Gradient(sum, g);
        return sum.Value;
    }
}

using SymbolicGrad.Benchmarks.Generated;
using SymbolicGrad.Benchmarks.Tape;
using SymbolicGrad.Benchmarks.Torch;
using static SymbolicGrad.Benchmarks.Tape.Tape;

namespace SymbolicGrad.Benchmarks.Problems;

// The small functions of the seed documents. Their [Differentiable] sources are in Generated/Seeds.cs, and the value-only
// contender is that same method.

/// <summary>(x − 3)² at x = 1.5.</summary>
public struct SquareProblem : IProblem<SquareProblem>
{
    public static string Name => "(x − 3)²";
    public static IReadOnlyList<string> Sizes { get; } = ["N = 1"];
    public static bool HasGenerated => true;
    public static SquareProblem Create(string size) => new() { Point = [1.5] };
    public double[] Point { get; private init; }

    public readonly TorchExport Torch() => TorchExport.Scalars0d("square", "x");

    public readonly double Value(ReadOnlySpan<double> p) => Objectives.Square(p[0]);

    public readonly double Hand(ReadOnlySpan<double> p, Span<double> g)
    {
        double t = p[0] - 3;
        g[0] = 2 * t;
        return t * t;
    }

    public readonly double Generated(ReadOnlySpan<double> p, Span<double> g) => Objectives.SquareGradient(p[0], out g[0]);

    public readonly double Tape(ReadOnlySpan<double> p, Span<double> g)
    {
        Begin();
        Var x = Input(p[0]);
        Var f = (x - 3) * (x - 3);
        Gradient(f, g);
        return f.Value;
    }
}

/// <summary>(x + y)·z at (1, 2, 3).</summary>
public struct SumTimesProblem : IProblem<SumTimesProblem>
{
    public static string Name => "(x + y)·z";
    public static IReadOnlyList<string> Sizes { get; } = ["N = 3"];
    public static bool HasGenerated => true;
    public static SumTimesProblem Create(string size) => new() { Point = [1.0, 2.0, 3.0] };
    public double[] Point { get; private init; }

    public readonly TorchExport Torch() => TorchExport.Scalars0d("sum_times", "x", "y", "z");

    public readonly double Value(ReadOnlySpan<double> p) => Objectives.SumTimes(p[0], p[1], p[2]);

    public readonly double Hand(ReadOnlySpan<double> p, Span<double> g)
    {
        double s = p[0] + p[1];
        g[0] = p[2];
        g[1] = p[2];
        g[2] = s;
        return s * p[2];
    }

    public readonly double Generated(ReadOnlySpan<double> p, Span<double> g) =>
        Objectives.SumTimesGradient(p[0], p[1], p[2], out g[0], out g[1], out g[2]);

    public readonly double Tape(ReadOnlySpan<double> p, Span<double> g)
    {
        Begin();
        Var x = Input(p[0]);
        Var y = Input(p[1]);
        Var z = Input(p[2]);
        Var f = (x + y) * z;
        Gradient(f, g);
        return f.Value;
    }
}

/// <summary>v0² + 3·v0·v1 at (2, −1).</summary>
public struct QuadraticProblem : IProblem<QuadraticProblem>
{
    public static string Name => "v0² + 3·v0·v1";
    public static IReadOnlyList<string> Sizes { get; } = ["N = 2"];
    public static bool HasGenerated => true;
    public static QuadraticProblem Create(string size) => new() { Point = [2.0, -1.0] };
    public double[] Point { get; private init; }

    public readonly TorchExport Torch() => TorchExport.Scalars0d("quadratic", "v0", "v1");

    public readonly double Value(ReadOnlySpan<double> p) => Objectives.Quadratic(p[0], p[1]);

    public readonly double Hand(ReadOnlySpan<double> p, Span<double> g)
    {
        double v0 = p[0];
        double v1 = p[1];
        g[0] = 2 * v0 + 3 * v1;
        g[1] = 3 * v0;
        return v0 * v0 + 3 * v0 * v1;
    }

    public readonly double Generated(ReadOnlySpan<double> p, Span<double> g) =>
        Objectives.QuadraticGradient(p[0], p[1], out g[0], out g[1]);

    public readonly double Tape(ReadOnlySpan<double> p, Span<double> g)
    {
        Begin();
        Var v0 = Input(p[0]);
        Var v1 = Input(p[1]);
        Var f = v0 * v0 + 3 * v0 * v1;
        Gradient(f, g);
        return f.Value;
    }
}

/// <summary>w² + 4·b² at (1, 2).</summary>
public struct BowlProblem : IProblem<BowlProblem>
{
    public static string Name => "w² + 4·b²";
    public static IReadOnlyList<string> Sizes { get; } = ["N = 2"];
    public static bool HasGenerated => true;
    public static BowlProblem Create(string size) => new() { Point = [1.0, 2.0] };
    public double[] Point { get; private init; }

    public readonly TorchExport Torch() => TorchExport.Scalars0d("bowl", "w", "b");

    public readonly double Value(ReadOnlySpan<double> p) => Objectives.Bowl(p[0], p[1]);

    public readonly double Hand(ReadOnlySpan<double> p, Span<double> g)
    {
        double w = p[0];
        double b = p[1];
        g[0] = 2 * w;
        g[1] = 8 * b;
        return w * w + 4 * b * b;
    }

    public readonly double Generated(ReadOnlySpan<double> p, Span<double> g) =>
        Objectives.BowlGradient(p[0], p[1], out g[0], out g[1]);

    public readonly double Tape(ReadOnlySpan<double> p, Span<double> g)
    {
        Begin();
        Var w = Input(p[0]);
        Var b = Input(p[1]);
        Var f = w * w + 4 * b * b;
        Gradient(f, g);
        return f.Value;
    }
}

/// <summary>The 2-D Rosenbrock function written with scalars, at (−1.2, 1).</summary>
public struct Rosenbrock2Problem : IProblem<Rosenbrock2Problem>
{
    public static string Name => "Rosenbrock, scalar (x, y)";
    public static IReadOnlyList<string> Sizes { get; } = ["N = 2"];
    public static bool HasGenerated => true;
    public static Rosenbrock2Problem Create(string size) => new() { Point = [-1.2, 1.0] };
    public double[] Point { get; private init; }

    public readonly TorchExport Torch() => TorchExport.Scalars0d("rosenbrock2", "x", "y");

    public readonly double Value(ReadOnlySpan<double> p) => Objectives.Rosenbrock2(p[0], p[1]);

    public readonly double Hand(ReadOnlySpan<double> p, Span<double> g)
    {
        double x = p[0];
        double a = p[1] - x * x;
        double b = 1 - x;
        g[0] = -400 * a * x - 2 * b;
        g[1] = 200 * a;
        return b * b + 100 * a * a;
    }

    public readonly double Generated(ReadOnlySpan<double> p, Span<double> g) =>
        Objectives.Rosenbrock2Gradient(p[0], p[1], out g[0], out g[1]);

    public readonly double Tape(ReadOnlySpan<double> p, Span<double> g)
    {
        Begin();
        Var x = Input(p[0]);
        Var y = Input(p[1]);
        Var f = (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
        Gradient(f, g);
        return f.Value;
    }
}

using SymbolicGrad.Benchmarks.Generated;
using SymbolicGrad.Benchmarks.Tape;
using SymbolicGrad.Benchmarks.Torch;
using static SymbolicGrad.Benchmarks.Tape.Tape;

namespace SymbolicGrad.Benchmarks.Problems;

/// <summary>
/// Logistic regression, d = 10 features, M = 1,000 rows: features standard normal, labels drawn from a true logistic
/// model (seed 3); evaluated at weights drawn N(0, 0.3²) and b = 0.1. Parameters packed as (w₀..w₉, b).
/// </summary>
public struct LogisticRegressionProblem : IProblem<LogisticRegressionProblem>
{
    private const int D = 10;
    private double[] _x;
    private double[] _y;
    private Var[] _vars;

    public static string Name => "logistic regression";
    public static IReadOnlyList<string> Sizes { get; } = ["d = 10, M = 1,000"];
    public static bool HasGenerated => true;
    public double[] Point { get; private init; }

    /// <summary>A larger data set of the same model, for the data-parallel rows only (not a row of the main table).</summary>
    internal const string LargeSize = "d = 10, M = 100,000";

    /// <summary>The data, for the data-parallel rows: M rows of d features, and the labels.</summary>
    internal readonly double[] X => _x;

    internal readonly double[] Y => _y;

    public static LogisticRegressionProblem Create(string size)
    {
        int m = size switch { "d = 10, M = 1,000" => 1_000, LargeSize => 100_000, _ => throw new ArgumentException(size) };
        var random = new Random(3);
        var truth = new double[D];
        for (int j = 0; j < D; j++)
        {
            truth[j] = ProblemHelpers.Normal(random);
        }

        var x = new double[m * D];
        var y = new double[m];
        for (int i = 0; i < m; i++)
        {
            double z = 0.2;
            for (int j = 0; j < D; j++)
            {
                x[i * D + j] = ProblemHelpers.Normal(random);
                z += truth[j] * x[i * D + j];
            }

            y[i] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }

        var point = new double[D + 1];
        for (int j = 0; j < D; j++)
        {
            point[j] = 0.3 * ProblemHelpers.Normal(random);
        }

        point[D] = 0.1;
        return new LogisticRegressionProblem { Point = point, _x = x, _y = y, _vars = new Var[D] };
    }

    public readonly TorchExport Torch() => new("logistic_regression", [new("w", [D]), new("b", [])],
        new Dictionary<string, TorchArray> { ["x"] = TorchArray.Of(_x, _y.Length, D), ["y"] = TorchArray.Of(_y) });

    public readonly double Value(ReadOnlySpan<double> p) => Objectives.LogisticRegression(p[..D], p[D], _x, _y);

    public readonly double Hand(ReadOnlySpan<double> parameters, Span<double> g)
    {
        ReadOnlySpan<double> w = parameters[..D];
        double b = parameters[D];
        double[] x = _x;
        double[] y = _y;
        int m = y.Length;
        g.Clear();
        Span<double> dW = g[..D];
        double dB = 0;
        double loss = 0;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<double> row = x.AsSpan(i * D, D);
            double z = b;
            for (int j = 0; j < D; j++)
            {
                z += w[j] * row[j];
            }

            double p = 1 / (1 + Math.Exp(-z));
            loss -= y[i] * Math.Log(p) + (1 - y[i]) * Math.Log(1 - p);

            // ∂loss/∂z = p − y for the sigmoid with cross-entropy
            double r = p - y[i];
            for (int j = 0; j < D; j++)
            {
                dW[j] += r * row[j];
            }

            dB += r;
        }

        double scale = 1.0 / m;
        for (int j = 0; j < D; j++)
        {
            dW[j] *= scale;
        }

        g[D] = dB * scale;
        return loss / m;
    }

    public readonly double Generated(ReadOnlySpan<double> p, Span<double> g) =>
        Objectives.LogisticRegressionGradient(p[..D], p[D], _x, _y, g[..D], out g[D]);

    public readonly double Tape(ReadOnlySpan<double> parameters, Span<double> g)
    {
        Begin();
        Var[] w = _vars;
        Inputs(parameters[..D], w);
        Var b = Input(parameters[D]);
        double[] x = _x;
        double[] y = _y;
        Var loss = 0.0;
        for (int i = 0; i < y.Length; i++)
        {
            Var z = b;
            for (int j = 0; j < D; j++)
            {
                z += w[j] * x[i * D + j];
            }

            Var p = 1 / (1 + VarMath.Exp(-z));
            loss -= y[i] * VarMath.Log(p) + (1 - y[i]) * VarMath.Log(1 - p);
        }

        Var f = loss / y.Length;
        Gradient(f, g);
        return f.Value;
    }
}

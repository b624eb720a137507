using SymbolicGrad.Benchmarks.Generated;
using SymbolicGrad.Benchmarks.Tape;
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

    public static LogisticRegressionProblem Create(string size)
    {
        const int m = 1_000;
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

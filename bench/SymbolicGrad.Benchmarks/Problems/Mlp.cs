using SymbolicGrad.Benchmarks.Generated;
using SymbolicGrad.Benchmarks.Tape;
using SymbolicGrad.Benchmarks.Torch;
using static SymbolicGrad.Benchmarks.Tape.Tape;

namespace SymbolicGrad.Benchmarks.Problems;

/// <summary>
/// A 4-16-1 network with a tanh hidden layer, mean squared error over M = 100 points (inputs standard normal,
/// targets a smooth function of them, seed 4), at weights drawn N(0, 0.5²). Parameters packed as
/// (w1: 16 rows of 4, b1: 16, w2: 16, b2): 97 in all.
/// </summary>
public struct MlpProblem : IProblem<MlpProblem>
{
    private const int InputSize = 4;
    private const int Hidden = 16;
    private const int W1 = 0;
    private const int B1 = Hidden * InputSize;
    private const int W2 = B1 + Hidden;
    private const int B2 = W2 + Hidden;
    private double[] _x;
    private double[] _y;
    private Var[] _vars;
    private Var[] _hidden;

    public static string Name => "MLP 4-16-1, tanh";
    public static IReadOnlyList<string> Sizes { get; } = ["M = 100"];
    public static bool HasGenerated => true;
    public double[] Point { get; private init; }

    public static MlpProblem Create(string size)
    {
        const int m = 100;
        var random = new Random(4);
        var x = new double[m * InputSize];
        var y = new double[m];
        for (int i = 0; i < m; i++)
        {
            for (int k = 0; k < InputSize; k++)
            {
                x[i * InputSize + k] = ProblemHelpers.Normal(random);
            }

            y[i] = Math.Sin(x[i * InputSize]) + 0.5 * x[i * InputSize + 1] * x[i * InputSize + 2] - 0.3 * x[i * InputSize + 3];
        }

        var point = new double[B2 + 1];
        for (int j = 0; j < point.Length; j++)
        {
            point[j] = 0.5 * ProblemHelpers.Normal(random);
        }

        return new MlpProblem { Point = point, _x = x, _y = y, _vars = new Var[B2 + 1], _hidden = new Var[Hidden] };
    }

    /// <summary>The data: M rows of 4 inputs, and M targets.</summary>
    public readonly (double[] X, double[] Y) Data => (_x, _y);

    public readonly TorchExport Torch() => new("mlp_tanh", [new("w1", [Hidden, InputSize]), new("b1", [Hidden]), new("w2", [Hidden]), new("b2", [])],
        new Dictionary<string, TorchArray> { ["x"] = TorchArray.Of(_x, _y.Length, InputSize), ["y"] = TorchArray.Of(_y) });

    /// <summary>2 flops per multiply-add: the two layers forward (16·4 + 16), and back (dW1: 16·4, dW2 and ∂h: 2·16), per example.</summary>
    public static double GradientFlops(string size) => 2.0 * 100 * (2 * Hidden * InputSize + 3 * Hidden);

    public readonly double Value(ReadOnlySpan<double> p) =>
        Objectives.Mlp(p[W1..B1], p[B1..W2], p[W2..B2], p[B2], _x, _y);

    public readonly double Hand(ReadOnlySpan<double> p, Span<double> g)
    {
        ReadOnlySpan<double> w1 = p[W1..B1];
        ReadOnlySpan<double> b1 = p[B1..W2];
        ReadOnlySpan<double> w2 = p[W2..B2];
        double b2 = p[B2];
        g.Clear();
        Span<double> dW1 = g[W1..B1];
        Span<double> dB1 = g[B1..W2];
        Span<double> dW2 = g[W2..B2];
        double dB2 = 0;
        double[] x = _x;
        double[] y = _y;
        int m = y.Length;
        double scale = 2.0 / m;
        Span<double> h = stackalloc double[Hidden];
        double loss = 0;
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<double> xi = x.AsSpan(i * InputSize, InputSize);
            double output = b2;
            for (int j = 0; j < Hidden; j++)
            {
                double a = b1[j];
                for (int k = 0; k < InputSize; k++)
                {
                    a += w1[j * InputSize + k] * xi[k];
                }

                h[j] = Math.Tanh(a);
                output += w2[j] * h[j];
            }

            double r = output - y[i];
            loss += r * r;

            // back through the output layer, then the tanh layer
            double dOut = scale * r;
            dB2 += dOut;
            for (int j = 0; j < Hidden; j++)
            {
                dW2[j] += dOut * h[j];
                double dA = dOut * w2[j] * (1 - h[j] * h[j]);
                dB1[j] += dA;
                for (int k = 0; k < InputSize; k++)
                {
                    dW1[j * InputSize + k] += dA * xi[k];
                }
            }
        }

        g[B2] = dB2;
        return loss / m;
    }

    public readonly double Generated(ReadOnlySpan<double> p, Span<double> g) =>
        Objectives.MlpGradient(p[W1..B1], p[B1..W2], p[W2..B2], p[B2], _x, _y, g[W1..B1], g[B1..W2], g[W2..B2], out g[B2]);

    public readonly double Tape(ReadOnlySpan<double> p, Span<double> g)
    {
        Begin();
        Var[] v = _vars;
        Inputs(p, v);
        Var[] h = _hidden;
        double[] x = _x;
        double[] y = _y;
        Var b2 = v[B2];
        Var loss = 0.0;
        for (int i = 0; i < y.Length; i++)
        {
            for (int j = 0; j < Hidden; j++)
            {
                Var a = v[B1 + j];
                for (int k = 0; k < InputSize; k++)
                {
                    a += v[W1 + j * InputSize + k] * x[i * InputSize + k];
                }

                h[j] = VarMath.Tanh(a);
            }

            Var output = b2;
            for (int j = 0; j < Hidden; j++)
            {
                output += v[W2 + j] * h[j];
            }

            Var r = output - y[i];
            loss += r * r;
        }

        Var f = loss / y.Length;
        Gradient(f, g);
        return f.Value;
    }
}

using SymbolicGrad.Benchmarks.Generated;
using SymbolicGrad.Benchmarks.Torch;

namespace SymbolicGrad.Benchmarks.Problems;

/// <summary>
/// A 784-128-10 network (tanh hidden layer, softmax cross-entropy) on a batch of 256 MNIST-shaped examples: inputs
/// U(0, 1), labels uniform over the 10 classes (seed 6); weights N(0, 1/fan-in), biases N(0, 0.1²). Parameters packed
/// as (w1: 128 rows of 784, b1: 128, w2: 10 rows of 128, b2: 10): 101,770 in all. No tape contender: it would record
/// about 10⁸ nodes (several GB).
/// </summary>
public struct SoftmaxMlpProblem : IProblem<SoftmaxMlpProblem>
{
    private const int Inputs = 784;
    private const int Hidden = 128;
    private const int Classes = 10;
    private const int Batch = 256;
    private const int W1 = 0;
    private const int B1 = Hidden * Inputs;
    private const int W2 = B1 + Hidden;
    private const int B2 = W2 + Classes * Hidden;
    private const int Count = B2 + Classes;
    private double[] _x;
    private int[] _labels;
    private double[] _h;
    private double[] _dh;
    private bool _reassociate;

    public static string Name => "MLP 784-128-10, softmax CE";
    public static IReadOnlyList<string> Sizes { get; } = ["batch 256", "batch 256, Reassociate"];
    public static bool HasGenerated => true;
    public static bool HasTape => false;
    public double[] Point { get; private init; }

    /// <summary>2 flops per multiply-add: both layers forward (784·128 + 128·10), then dW1 (784·128), dW2 and ∂h (2·128·10), per example.</summary>
    public static double GradientFlops(string size) => 2.0 * Batch * (2 * Inputs * Hidden + 3 * Hidden * Classes);

    public static SoftmaxMlpProblem Create(string size)
    {
        if (size is not ("batch 256" or "batch 256, Reassociate"))
        {
            throw new ArgumentException(size);
        }

        var random = new Random(6);
        var x = new double[Batch * Inputs];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.NextDouble();
        }

        var labels = new int[Batch];
        for (int i = 0; i < Batch; i++)
        {
            labels[i] = random.Next(Classes);
        }

        var point = new double[Count];
        for (int i = W1; i < B1; i++)
        {
            point[i] = ProblemHelpers.Normal(random) / Math.Sqrt(Inputs);
        }

        for (int i = B1; i < W2; i++)
        {
            point[i] = 0.1 * ProblemHelpers.Normal(random);
        }

        for (int i = W2; i < B2; i++)
        {
            point[i] = ProblemHelpers.Normal(random) / Math.Sqrt(Hidden);
        }

        for (int i = B2; i < Count; i++)
        {
            point[i] = 0.1 * ProblemHelpers.Normal(random);
        }

        return new SoftmaxMlpProblem { Point = point, _x = x, _labels = labels, _h = new double[Hidden], _dh = new double[Hidden], _reassociate = size.EndsWith("Reassociate", StringComparison.Ordinal) };
    }

    public readonly TorchExport Torch() =>
        new("softmax_mlp", [new("w1", [Hidden, Inputs]), new("b1", [Hidden]), new("w2", [Classes, Hidden]), new("b2", [Classes])],
            new Dictionary<string, TorchArray> { ["x"] = TorchArray.Of(_x, Batch, Inputs), ["labels"] = TorchArray.Of(_labels) });

    public readonly double Value(ReadOnlySpan<double> p) =>
        Objectives.SoftmaxMlp(p[W1..B1], p[B1..W2], p[W2..B2], p[B2..], _x, _labels);

    /// <summary>
    /// Backpropagation per example, in plain loops: the forward pass keeps h; ∂loss/∂z = softmax(z) − onehot(label),
    /// scaled by 1/M up front; then dW2 += ∂z·hᵀ, ∂h = W2ᵀ∂z, ∂a = ∂h·(1 − h²), dW1 += ∂a·xᵀ.
    /// </summary>
    public readonly double Hand(ReadOnlySpan<double> p, Span<double> g)
    {
        ReadOnlySpan<double> w1 = p[W1..B1];
        ReadOnlySpan<double> b1 = p[B1..W2];
        ReadOnlySpan<double> w2 = p[W2..B2];
        ReadOnlySpan<double> b2 = p[B2..];
        g.Clear();
        Span<double> dW1 = g[W1..B1];
        Span<double> dB1 = g[B1..W2];
        Span<double> dW2 = g[W2..B2];
        Span<double> dB2 = g[B2..];
        Span<double> h = _h;
        Span<double> dh = _dh;
        Span<double> z = stackalloc double[Classes];
        double scale = 1.0 / Batch;
        double loss = 0;
        for (int i = 0; i < Batch; i++)
        {
            ReadOnlySpan<double> xi = _x.AsSpan(i * Inputs, Inputs);
            for (int j = 0; j < Hidden; j++)
            {
                ReadOnlySpan<double> row = w1.Slice(j * Inputs, Inputs);
                double a = b1[j];
                for (int k = 0; k < Inputs; k++)
                {
                    a += row[k] * xi[k];
                }

                h[j] = Math.Tanh(a);
            }

            double max = double.NegativeInfinity;
            for (int c = 0; c < Classes; c++)
            {
                ReadOnlySpan<double> row = w2.Slice(c * Hidden, Hidden);
                double s = b2[c];
                for (int j = 0; j < Hidden; j++)
                {
                    s += row[j] * h[j];
                }

                z[c] = s;
                max = Math.Max(max, s);
            }

            double sumExp = 0;
            for (int c = 0; c < Classes; c++)
            {
                sumExp += Math.Exp(z[c] - max);
            }

            double lse = Math.Log(sumExp) + max;
            int label = _labels[i];
            loss += lse - z[label];

            // back through the output layer
            dh.Clear();
            for (int c = 0; c < Classes; c++)
            {
                double dz = scale * (Math.Exp(z[c] - lse) - (c == label ? 1 : 0));
                dB2[c] += dz;
                ReadOnlySpan<double> row = w2.Slice(c * Hidden, Hidden);
                Span<double> dRow = dW2.Slice(c * Hidden, Hidden);
                for (int j = 0; j < Hidden; j++)
                {
                    dRow[j] += dz * h[j];
                    dh[j] += dz * row[j];
                }
            }

            // back through the tanh layer
            for (int j = 0; j < Hidden; j++)
            {
                double da = dh[j] * (1 - h[j] * h[j]);
                dB1[j] += da;
                Span<double> dRow = dW1.Slice(j * Inputs, Inputs);
                for (int k = 0; k < Inputs; k++)
                {
                    dRow[k] += da * xi[k];
                }
            }
        }

        return loss / Batch;
    }

    /// <summary>The natural loops' gradient; for the size "batch 256, Reassociate", the same loops with Reassociate = true.</summary>
    public readonly double Generated(ReadOnlySpan<double> p, Span<double> g) => _reassociate
        ? Objectives.SoftmaxMlpReassociatedGradient(p[W1..B1], p[B1..W2], p[W2..B2], p[B2..], _x, _labels, g[W1..B1], g[B1..W2], g[W2..B2], g[B2..])
        : Objectives.SoftmaxMlpGradient(p[W1..B1], p[B1..W2], p[W2..B2], p[B2..], _x, _labels, g[W1..B1], g[B1..W2], g[W2..B2], g[B2..]);

    public readonly double Tape(ReadOnlySpan<double> p, Span<double> g) =>
        throw new NotSupportedException($"{Name}: no tape contender (about 10⁸ nodes a call).");
}

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// The first drafts of the rt-ml red-team pass (issue #11): ML code written from the README and docs/*.md alone, the way a
/// C# developer learning how models train writes it. Each exact draft carries a Probe class whose methods check its
/// gradients (and Hessians where Hessian = true) against centered differences and its training runs for a falling
/// loss; each refused draft lists the SG errors it must get, at their constructs. See MlFirstDraftTests.
/// </summary>
internal static class MlFirstDrafts
{
    /// <summary>Helpers the probes call: a failed check returns or throws text with FAIL in it.</summary>
    public const string Kit = """
using System;
using System.Linq;
using SymbolicGrad;
public static class Kit
{
    public static readonly GradientCheckOptions Tight = new() { Richardson = true, AbsoluteTolerance = 1e-7, RelativeTolerance = 1e-6 };
    public static string G(DifferentiableFunction f, double[] x)
    {
        var r = GradientCheck.Check(f, x, Tight);
        return r.Passed ? $"grad ok ({f.Dimension})" : "GRAD FAIL\n" + r;
    }
    public static string H(DifferentiableFunction f, double[] x)
    {
        string g = G(f, x);
        var r = GradientCheck.CheckHessian(f, x);
        return g + (r.Passed ? "; hess ok" : "; HESS FAIL\n" + r);
    }
    /// <summary>Throws unless the loss went down to below <paramref name="fraction"/> of where it started.</summary>
    public static void Down(double before, double after, double fraction)
    {
        if (!(after < fraction * before)) throw new Exception($"FAIL: the loss went from {before} to {after}");
    }
    public static double[] Rand(int n, int seed = 1, double scale = 0.5)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 2 - 1) * scale).ToArray();
    }
}
""";
    public const string Activations = """
using System;
using SymbolicGrad;

public static partial class Act
{
    static double Relu(double z) => Math.Max(0, z);
    static double Leaky(double z, double a = 0.01) => z > 0 ? z : a * z;
    static double Gelu(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
    static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));
    static double Swish(double x) => x * Sigmoid(x);
    static double Elu(double x, double alpha = 1.0) => x >= 0 ? x : alpha * (Math.Exp(x) - 1);
    static double Selu(double x)
    {
        const double alpha = 1.6732632423543772, scale = 1.0507009873554805;
        return scale * (x > 0 ? x : alpha * (Math.Exp(x) - 1));
    }
    static double Mish(double x) => x * Math.Tanh(Math.Log(1 + Math.Exp(x)));

    [Differentiable(Hessian = true)]
    public static double Net(double[] w, [NoDerivative] double[] x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double z = w[i] * x[i] + w[x.Length];
            s += Relu(z) + Leaky(z) + Gelu(z) + Softplus(z) + Sigmoid(z) + Swish(z) + Elu(z) + Selu(z) + Mish(z);
        }
        return s * s / x.Length;
    }
}

public static class Probe
{
    public static string A()
    {
        var x = new[] { 0.3, -1.2, 2.0, 0.7 };
        var f = Act.NetObjective(5, x);
        return Kit.H(f, new[] { 0.4, 0.5, -0.3, 1.1, 0.2 });
    }
}
""";
    public const string SoftmaxCrossEntropyFocal = """
using System;
using System.Linq;
using SymbolicGrad;

public static partial class Cls
{
    static double[] Softmax(double[] z)
    {
        double max = z.Max();
        var e = new double[z.Length];
        double sum = 0;
        for (int i = 0; i < z.Length; i++) { e[i] = Math.Exp(z[i] - max); sum += e[i]; }
        for (int i = 0; i < z.Length; i++) e[i] /= sum;
        return e;
    }

    static double LogSumExp(double[] z)
    {
        double m = double.NegativeInfinity;
        foreach (var v in z) if (v > m) m = v;
        double s = 0;
        foreach (var v in z) s += Math.Exp(v - m);
        return m + Math.Log(s);
    }

    // W is classes x features, row-major
    [Differentiable(Hessian = true)]
    public static double CrossEntropy(double[] W, double[] b, [NoDerivative] double[][] xs, [NoDerivative] int[] labels)
    {
        int k = b.Length;
        int d = xs[0].Length;
        double loss = 0;
        for (int n = 0; n < xs.Length; n++)
        {
            var logits = new double[k];
            for (int c = 0; c < k; c++)
            {
                logits[c] = b[c];
                for (int j = 0; j < d; j++) logits[c] += W[c * d + j] * xs[n][j];
            }
            var p = Softmax(logits);
            loss -= Math.Log(p[labels[n]] + 1e-12);
        }
        return loss / xs.Length;
    }

    [Differentiable]
    public static double LogSoftmaxCE(double[,] W, [NoDerivative] double[][] xs, [NoDerivative] int[] labels, [NoDerivative] double smoothing)
    {
        int k = W.GetLength(0);
        double total = 0;
        for (int n = 0; n < xs.Length; n++)
        {
            double[] z = new double[k];
            for (int c = 0; c < k; c++)
                for (int j = 0; j < W.GetLength(1); j++)
                    z[c] += W[c, j] * xs[n][j];
            double lse = LogSumExp(z);
            for (int c = 0; c < k; c++)
            {
                double target = c == labels[n] ? 1 - smoothing + smoothing / k : smoothing / k;
                total += -target * (z[c] - lse);
            }
        }
        return total / xs.Length;
    }

    [Differentiable]
    public static double Focal(double[] w, [NoDerivative] double[][] xs, [NoDerivative] int[] y, [NoDerivative] double gamma = 2.0)
    {
        double loss = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double z = 0;
            for (int j = 0; j < w.Length; j++) z += w[j] * xs[i][j];
            double p = 1 / (1 + Math.Exp(-z));
            double pt = y[i] == 1 ? p : 1 - p;
            loss += -Math.Pow(1 - pt, gamma) * Math.Log(pt);
        }
        return loss / xs.Length;
    }
}

public static class Probe
{
    static double[][] Xs = { new[] { 0.5, -1.0, 0.2 }, new[] { -0.3, 0.8, 1.5 }, new[] { 1.2, 0.1, -0.7 }, new[] { 0.0, 0.4, 0.9 } };
    static int[] L = { 0, 2, 1, 2 };
    public static string Ce() => Kit.H(Cls.CrossEntropyObjective(9, 3, Xs, L), Kit.Rand(12));
    public static string LogSm() => Kit.G(Cls.LogSoftmaxCEObjective(3, 3, Xs, L, 0.1), Kit.Rand(9));
    public static string Focal() => Kit.G(Cls.FocalObjective(3, Xs, new[] { 1, 0, 1, 0 }, 2.0), Kit.Rand(3));
}
""";
    public const string MlpModelTraining = """
using System;
using System.Linq;
using SymbolicGrad;
using SymbolicGrad.Optimizers;

public partial class Mlp
{
    [Trainable] public double[][] W1;
    [Trainable] public double[] B1;
    [Trainable] public double[] W2;
    [Trainable] public double B2;
    public double L2 = 1e-3;

    public Mlp(int inputs, int hidden, int seed)
    {
        var rng = new Random(seed);
        W1 = new double[hidden][];
        for (int j = 0; j < hidden; j++) { W1[j] = new double[inputs]; for (int k = 0; k < inputs; k++) W1[j][k] = rng.NextDouble() - 0.5; }
        B1 = new double[hidden];
        W2 = Enumerable.Range(0, hidden).Select(_ => rng.NextDouble() - 0.5).ToArray();
    }

    double[] Hidden(double[] x)
    {
        var h = new double[B1.Length];
        for (int j = 0; j < h.Length; j++)
        {
            double a = B1[j];
            for (int k = 0; k < x.Length; k++) a += W1[j][k] * x[k];
            h[j] = Math.Tanh(a);
        }
        return h;
    }

    public double Predict(double[] x)
    {
        var h = Hidden(x);
        double o = B2;
        for (int j = 0; j < h.Length; j++) o += W2[j] * h[j];
        return o;
    }

    [Differentiable]
    public double Loss([NoDerivative] double[][] xs, [NoDerivative] double[] ys)
    {
        double loss = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double e = Predict(xs[i]) - ys[i];
            loss += e * e;
        }
        double reg = 0;
        foreach (var row in W1) foreach (var v in row) reg += v * v;
        reg += W2.Sum(v => v * v);
        return loss / xs.Length + L2 * reg;
    }

    [Differentiable]
    public double ExampleLoss([NoDerivative] double[] x, [NoDerivative] double y)
    {
        double e = Predict(x) - y;
        return 0.5 * e * e;
    }
}

public static class Probe
{
    static (double[][] xs, double[] ys) Data()
    {
        var rng = new Random(3);
        var xs = new double[40][]; var ys = new double[40];
        for (int i = 0; i < 40; i++) { xs[i] = new[] { rng.NextDouble() * 2 - 1, rng.NextDouble() * 2 - 1 }; ys[i] = Math.Sin(2 * xs[i][0]) + xs[i][1] * xs[i][1]; }
        return (xs, ys);
    }
    public static string Grad()
    {
        var (xs, ys) = Data();
        var m = new Mlp(2, 5, 1);
        var f = m.LossObjective(xs, ys);
        var x0 = new double[f.Dimension];
        // read current params by evaluating? use random point
        return Kit.G(f, Kit.Rand(f.Dimension, 4));
    }
    public static string TrainAdam()
    {
        var (xs, ys) = Data();
        var m = new Mlp(2, 5, 1);
        var f = m.LossObjective(xs, ys);
        var x0 = new double[f.Dimension];
        var g = new double[f.Dimension];
        // start from the model's weights: pack manually
        int p = 0;
        foreach (var r in m.W1) foreach (var v in r) x0[p++] = v;
        foreach (var v in m.B1) x0[p++] = v;
        foreach (var v in m.W2) x0[p++] = v;
        x0[p++] = m.B2;
        double first = f.Value(x0);
        var fit = Trainer.Minimize(f, x0, new Adam(0.02), new TrainingOptions { MaxEpochs = 500 });
        Kit.Down(first, fit.Loss, 0.1); if (m.W2[0] != fit.Parameters[15]) throw new Exception("FAIL: the model does not hold the trained weights"); return $"loss {first:F4} -> {fit.Loss:F4}";
    }
    public static string TrainPerExample()
    {
        var (xs, ys) = Data();
        var m = new Mlp(2, 5, 1);
        var data = TrainingData.FromExamples(xs.Select((x, i) => m.ExampleLossObjective(x, ys[i])));
        var x0 = Kit.Rand(21, 9);
        double before = xs.Select((x, i) => m.ExampleLossObjective(x, ys[i]).Value(x0)).Average();
        var fit = Trainer.Train(data, x0, new Sgd(0.05, momentum: 0.9), new TrainingOptions { Batching = Batching.MiniBatch(8), MaxEpochs = 100 });
        Kit.Down(before, fit.Loss, 0.5); return $"loss -> {fit.Loss:F4} ({fit.StopReason})";
    }
}
""";
    public const string Convolutions = """
using System;
using SymbolicGrad;

public static partial class Conv
{
    static double[] Conv1d(double[] x, double[] k, double bias, int stride, int pad)
    {
        int outLen = (x.Length + 2 * pad - k.Length) / stride + 1;
        var y = new double[outLen];
        for (int o = 0; o < outLen; o++)
        {
            double s = bias;
            for (int j = 0; j < k.Length; j++)
            {
                int idx = o * stride + j - pad;
                if (idx >= 0 && idx < x.Length) s += k[j] * x[idx];
            }
            y[o] = Math.Max(0.0, s);
        }
        return y;
    }

    [Differentiable(Hessian = true)]
    public static double Conv1dLoss(double[] kernel, double bias, [NoDerivative] double[] signal, [NoDerivative] double[] target)
    {
        var y = Conv1d(signal, kernel, bias, 2, 1);
        double loss = 0;
        for (int i = 0; i < y.Length; i++) loss += (y[i] - target[i]) * (y[i] - target[i]);
        return loss;
    }

    [Differentiable]
    public static double Conv2d(double[,] kernel, double[] bias, [NoDerivative] double[,] image, [NoDerivative] int stride, [NoDerivative] int padding)
    {
        int H = image.GetLength(0), W = image.GetLength(1);
        int kh = kernel.GetLength(0), kw = kernel.GetLength(1);
        int oh = (H + 2 * padding - kh) / stride + 1;
        int ow = (W + 2 * padding - kw) / stride + 1;
        var feat = new double[oh, ow];
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                double s = bias[0];
                for (int u = 0; u < kh; u++)
                    for (int v = 0; v < kw; v++)
                    {
                        int r = i * stride + u - padding, c = j * stride + v - padding;
                        if (r < 0 || r >= H || c < 0 || c >= W) continue;
                        s += kernel[u, v] * image[r, c];
                    }
                feat[i, j] = s > 0 ? s : 0.1 * s;
            }
        // 2x2 max pool
        double total = 0;
        for (int i = 0; i + 1 < oh; i += 2)
            for (int j = 0; j + 1 < ow; j += 2)
            {
                double m = feat[i, j];
                m = Math.Max(m, feat[i + 1, j]);
                m = Math.Max(m, feat[i, j + 1]);
                m = Math.Max(m, feat[i + 1, j + 1]);
                total += m * m;
            }
        return total + bias[1] * bias[1];
    }

    // channels: input [C][H*W], kernels flat
    [Differentiable]
    public static double MultiChannel(double[] w, [NoDerivative] double[][] input, [NoDerivative] int size, [NoDerivative] int outChannels)
    {
        int inC = input.Length, k = 3;
        double loss = 0;
        for (int oc = 0; oc < outChannels; oc++)
        {
            var map = new double[size * size];
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    double acc = 0;
                    for (int ic = 0; ic < inC; ic++)
                        for (int dy = -1; dy <= 1; dy++)
                            for (int dx = -1; dx <= 1; dx++)
                            {
                                int yy = y + dy, xx = x + dx;
                                if (yy < 0 || yy >= size || xx < 0 || xx >= size) continue;
                                acc += w[((oc * inC + ic) * k + (dy + 1)) * k + (dx + 1)] * input[ic][yy * size + xx];
                            }
                    map[y * size + x] = Math.Tanh(acc);
                }
            // global average pool
            double avg = 0;
            foreach (var v in map) avg += v;
            avg /= map.Length;
            loss += (avg - 0.1 * oc) * (avg - 0.1 * oc);
        }
        return loss;
    }
}

public static class Probe
{
    public static string C1() => Kit.H(Conv.Conv1dLossObjective(3, new[] { 0.5, -1, 2, 0.3, 1.1, -0.4, 0.9 }, new[] { 0.1, 0.2, 0.3, 0.4 }), new[] { 0.3, -0.2, 0.6, 0.05 });
    public static string C2()
    {
        var img = new double[6, 6];
        for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) img[i, j] = Math.Sin(i * 1.3 + j * 0.7);
        return Kit.G(Conv.Conv2dObjective(3, 3, 2, img, 1, 1), Kit.Rand(11, 5)) + " | stride2 " + Kit.G(Conv.Conv2dObjective(3, 3, 2, img, 2, 1), Kit.Rand(11, 6));
    }
    public static string Mc()
    {
        var input = new[] { Kit.Rand(16, 1, 1), Kit.Rand(16, 2, 1) };
        return Kit.G(Conv.MultiChannelObjective(2 * 2 * 9, input, 4, 2), Kit.Rand(36, 3));
    }
}
""";
    public const string Attention = """
using System;
using SymbolicGrad;

public static partial class Attn
{
    static void Softmax(Span<double> row)
    {
        double m = double.MinValue;
        for (int i = 0; i < row.Length; i++) m = Math.Max(m, row[i]);
        double s = 0;
        for (int i = 0; i < row.Length; i++) { row[i] = Math.Exp(row[i] - m); s += row[i]; }
        for (int i = 0; i < row.Length; i++) row[i] /= s;
    }

    static double[,] MatMul(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), k = a.GetLength(1), m = b.GetLength(1);
        var c = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                double s = 0;
                for (int t = 0; t < k; t++) s += a[i, t] * b[t, j];
                c[i, j] = s;
            }
        return c;
    }

    [Differentiable]
    public static double SelfAttention(double[,] Wq, double[,] Wk, double[,] Wv, [NoDerivative] double[,] X, [NoDerivative] bool causal)
    {
        var Q = MatMul(X, Wq);
        var K = MatMul(X, Wk);
        var V = MatMul(X, Wv);
        int T = X.GetLength(0), d = Wq.GetLength(1);
        double scale = 1.0 / Math.Sqrt(d);
        double loss = 0;
        for (int i = 0; i < T; i++)
        {
            var scores = new double[T];
            for (int j = 0; j < T; j++)
            {
                if (causal && j > i) { scores[j] = double.NegativeInfinity; continue; }
                double s = 0;
                for (int c = 0; c < d; c++) s += Q[i, c] * K[j, c];
                scores[j] = s * scale;
            }
            Softmax(scores);
            for (int c = 0; c < V.GetLength(1); c++)
            {
                double o = 0;
                for (int j = 0; j < T; j++) o += scores[j] * V[j, c];
                loss += o * o;
            }
        }
        return loss;
    }

    [Differentiable]
    public static double JaggedAttention(double[][] q, double[][] k, double[][] v, [NoDerivative] int[] mask)
    {
        int T = q.Length;
        double total = 0;
        for (int i = 0; i < T; i++)
        {
            double[] w = new double[T];
            double max = double.NegativeInfinity;
            for (int j = 0; j < T; j++)
            {
                w[j] = mask[j] == 0 ? -1e9 : Dot(q[i], k[j]) / Math.Sqrt(q[i].Length);
                if (w[j] > max) max = w[j];
            }
            double z = 0;
            for (int j = 0; j < T; j++) { w[j] = Math.Exp(w[j] - max); z += w[j]; }
            for (int c = 0; c < v[0].Length; c++)
            {
                double o = 0;
                for (int j = 0; j < T; j++) o += w[j] / z * v[j][c];
                total += Math.Sin(o);
            }
        }
        return total;
    }

    static double Dot(double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }
}

public static class Probe
{
    public static string Sa()
    {
        var X = new double[3, 2] { { 0.5, -1 }, { 0.3, 0.8 }, { -0.6, 0.1 } };
        return Kit.G(Attn.SelfAttentionObjective(2, 2, 2, 2, 2, 2, X, false), Kit.Rand(12)) + " | causal " + Kit.G(Attn.SelfAttentionObjective(2, 2, 2, 2, 2, 2, X, true), Kit.Rand(12, 2));
    }
    public static string Ja() => Kit.G(Attn.JaggedAttentionObjective(3, 2, 3, 2, 3, 2, new[] { 1, 1, 0 }), Kit.Rand(18));
}
""";
    public const string Normalization = """
using System;
using System.Linq;
using SymbolicGrad;

public static partial class Norms
{
    static double[] LayerNorm(double[] x, double[] gamma, double[] beta, double eps = 1e-5)
    {
        double mean = x.Average();
        double var = x.Select(v => (v - mean) * (v - mean)).Average();
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = gamma[i] * (x[i] - mean) / Math.Sqrt(var + eps) + beta[i];
        return y;
    }

    [Differentiable(Hessian = true)]
    public static double LnLoss(double[] gamma, double[] beta, double[] w, [NoDerivative] double[][] xs)
    {
        double loss = 0;
        foreach (var x in xs)
        {
            var h = new double[x.Length];
            for (int i = 0; i < x.Length; i++) h[i] = w[i] * x[i];
            var y = LayerNorm(h, gamma, beta);
            for (int i = 0; i < y.Length; i++) loss += y[i] * y[i] * (i + 1);
        }
        return loss;
    }

    // batch norm over a batch: xs[n][f]
    [Differentiable]
    public static double BatchNorm(double[] w, double[] gamma, double[] beta, [NoDerivative] double[,] x, [NoDerivative] double[] y)
    {
        int n = x.GetLength(0), f = x.GetLength(1);
        var z = new double[n, f];
        for (int i = 0; i < n; i++) for (int j = 0; j < f; j++) z[i, j] = w[j] * x[i, j];
        var mu = new double[f];
        var sigma2 = new double[f];
        for (int j = 0; j < f; j++)
        {
            for (int i = 0; i < n; i++) mu[j] += z[i, j];
            mu[j] /= n;
            for (int i = 0; i < n; i++) sigma2[j] += Math.Pow(z[i, j] - mu[j], 2);
            sigma2[j] /= n;
        }
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            double o = 0;
            for (int j = 0; j < f; j++)
            {
                double zh = (z[i, j] - mu[j]) / Math.Sqrt(sigma2[j] + 1e-5);
                o += gamma[j] * zh + beta[j];
            }
            loss += (o - y[i]) * (o - y[i]);
        }
        return loss / n;
    }

    // RMSNorm with a span
    [Differentiable]
    public static double RmsNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> g)
    {
        double ms = 0;
        foreach (var v in x) ms += v * v;
        ms /= x.Length;
        double inv = 1 / Math.Sqrt(ms + 1e-6);
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += Math.Exp(-(g[i] * x[i] * inv));
        return s;
    }
}

public static class Probe
{
    public static string Ln() => Kit.H(Norms.LnLossObjective(3, 3, 3, new[] { new[] { 0.5, -1.0, 2.0 }, new[] { 0.1, 0.3, -0.2 } }), Kit.Rand(9, 2, 1));
    public static string Bn()
    {
        var x = new double[4, 3] { { 1, 2, 0.5 }, { -0.3, 0.4, 1 }, { 0.7, -1, 0.2 }, { 0.2, 0.1, -0.9 } };
        return Kit.G(Norms.BatchNormObjective(3, 3, 3, x, new[] { 1.0, 0, -1, 0.5 }), Kit.Rand(9, 7, 1));
    }
    public static string Rms() => Kit.G(Norms.RmsNormObjective(4, 4), Kit.Rand(8, 3, 1));
}
""";
    public const string RecurrentCells = """
using System;
using SymbolicGrad;

public static partial class Rnn
{
    static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Differentiable]
    public static double Elman(double[,] Wxh, double[,] Whh, double[] bh, double[] Why, [NoDerivative] double[][] xs, [NoDerivative] double[] ys)
    {
        int H = bh.Length;
        var h = new double[H];
        double loss = 0;
        for (int t = 0; t < xs.Length; t++)
        {
            var hNew = new double[H];
            for (int i = 0; i < H; i++)
            {
                double a = bh[i];
                for (int j = 0; j < xs[t].Length; j++) a += Wxh[i, j] * xs[t][j];
                for (int j = 0; j < H; j++) a += Whh[i, j] * h[j];
                hNew[i] = Math.Tanh(a);
            }
            h = hNew;
            double y = 0;
            for (int i = 0; i < H; i++) y += Why[i] * h[i];
            loss += (y - ys[t]) * (y - ys[t]);
        }
        return loss;
    }

    [Differentiable]
    public static double Gru(double[] Wz, double[] Uz, double[] Wr, double[] Ur, double[] Wh, double[] Uh, [NoDerivative] double[] xs)
    {
        int H = Wz.Length;
        double[] h = new double[H];
        for (int t = 0; t < xs.Length; t++)
        {
            double[] next = new double[H];
            for (int i = 0; i < H; i++)
            {
                double z = Sigmoid(Wz[i] * xs[t] + Uz[i] * h[i]);
                double r = Sigmoid(Wr[i] * xs[t] + Ur[i] * h[i]);
                double cand = Math.Tanh(Wh[i] * xs[t] + Uh[i] * (r * h[i]));
                next[i] = (1 - z) * h[i] + z * cand;
            }
            h = next;
        }
        double s = 0;
        for (int i = 0; i < H; i++) s += h[i] * h[i];
        return s;
    }

    // LSTM with state arrays updated in place
    [Differentiable]
    public static double Lstm(double[][] W, double[] b, [NoDerivative] double[][] seq)
    {
        int H = b.Length / 4;
        var h = new double[H];
        var c = new double[H];
        double loss = 0;
        foreach (var x in seq)
        {
            var gates = new double[4 * H];
            for (int g = 0; g < 4 * H; g++)
            {
                double a = b[g];
                for (int j = 0; j < x.Length; j++) a += W[g][j] * x[j];
                for (int j = 0; j < H; j++) a += W[g][x.Length + j] * h[j];
                gates[g] = a;
            }
            for (int k = 0; k < H; k++)
            {
                double ig = Sigmoid(gates[k]), fg = Sigmoid(gates[H + k]), og = Sigmoid(gates[2 * H + k]), gg = Math.Tanh(gates[3 * H + k]);
                c[k] = fg * c[k] + ig * gg;
                h[k] = og * Math.Tanh(c[k]);
            }
            loss += h[0];
        }
        return loss;
    }
}

public static class Probe
{
    public static string El()
    {
        var xs = new[] { new[] { 0.5, -0.2 }, new[] { 0.1, 0.9 }, new[] { -0.7, 0.3 }, new[] { 0.2, 0.2 } };
        return Kit.G(Rnn.ElmanObjective(3, 2, 3, 3, 3, 3, xs, new[] { 0.1, -0.2, 0.3, 0.0 }), Kit.Rand(21, 4));
    }
    public static string Gru() => Kit.G(Rnn.GruObjective(3, 3, 3, 3, 3, 3, new[] { 0.5, -1, 0.3, 0.8, 1.2 }), Kit.Rand(18, 5, 1));
    public static string Lstm()
    {
        var seq = new[] { new[] { 0.5, -0.2 }, new[] { 0.1, 0.9 }, new[] { -0.7, 0.3 } };
        return Kit.G(Rnn.LstmObjective(8, 4, 8, seq), Kit.Rand(40, 6, 1));
    }
}
""";
    public const string TiedEmbeddingsLanguageModel = """
using System;
using System.Linq;
using SymbolicGrad;

public partial class LanguageModel
{
    [Trainable] public double[,] Embedding;      // vocab x dim, tied with output
    [Trainable] public double[] OutBias;
    [Trainable] public double[,] Proj;
    public int Dim => Embedding.GetLength(1);

    public LanguageModel(int vocab, int dim)
    {
        var rng = new Random(1);
        Embedding = new double[vocab, dim];
        for (int i = 0; i < vocab; i++) for (int j = 0; j < dim; j++) Embedding[i, j] = rng.NextDouble() - 0.5;
        OutBias = new double[vocab];
        Proj = new double[dim, dim];
        for (int i = 0; i < dim; i++) Proj[i, i] = 1;
    }

    [Differentiable]
    public double NextTokenLoss([NoDerivative] int[] tokens, [NoDerivative] double[] dropoutMask)
    {
        int V = Embedding.GetLength(0);
        double loss = 0;
        for (int t = 0; t + 1 < tokens.Length; t++)
        {
            // embed
            var e = new double[Dim];
            for (int j = 0; j < Dim; j++) e[j] = Embedding[tokens[t], j] * dropoutMask[j] / 0.8;
            // residual projection
            var h = new double[Dim];
            for (int i = 0; i < Dim; i++)
            {
                double a = 0;
                for (int j = 0; j < Dim; j++) a += Proj[i, j] * e[j];
                h[i] = e[i] + Math.Max(0, a);
            }
            // tied output layer
            var logits = new double[V];
            for (int v = 0; v < V; v++)
            {
                logits[v] = OutBias[v];
                for (int j = 0; j < Dim; j++) logits[v] += Embedding[v, j] * h[j];
            }
            double max = logits.Max();
            double lse = max + Math.Log(logits.Sum(z => Math.Exp(z - max)));
            loss += lse - logits[tokens[t + 1]];
        }
        return loss / (tokens.Length - 1);
    }
}

public static partial class Bag
{
    [Differentiable]
    public static double EmbeddingBag(double[][] table, double[] w, [NoDerivative] int[][] sentences, [NoDerivative] double[] labels)
    {
        double loss = 0;
        for (int s = 0; s < sentences.Length; s++)
        {
            var avg = new double[table[0].Length];
            foreach (int tok in sentences[s])
                for (int j = 0; j < avg.Length; j++) avg[j] += table[tok][j] / sentences[s].Length;
            double z = 0;
            for (int j = 0; j < avg.Length; j++) z += w[j] * avg[j];
            // hinge
            loss += Math.Max(0, 1 - labels[s] * z);
            // plus logistic
            loss += Math.Log(1 + Math.Exp(-labels[s] * z));
        }
        return loss;
    }
}

public static class Probe
{
    public static string Lm()
    {
        var m = new LanguageModel(5, 3);
        var f = m.NextTokenLossObjective(new[] { 0, 3, 1, 4, 3, 2 }, new[] { 1.0, 0.0, 1.0 });
        return Kit.G(f, Kit.Rand(f.Dimension, 2, 1)) + " " + string.Join(",", f.ParameterNames.Take(2));
    }
    public static string Bag1()
    {
        var table = new double[4][]; for (int i = 0; i < 4; i++) table[i] = new double[3];
        var f = Bag.EmbeddingBagObjective(4, 3, 3, new[] { new[] { 0, 1 }, new[] { 2, 3, 3 }, new[] { 1 } }, new[] { 1.0, -1, 1 });
        return Kit.G(f, Kit.Rand(15, 8, 1));
    }
}
""";
    public const string Losses = """
using System;
using System.Linq;
using SymbolicGrad;

public static partial class Losses
{
    [Differentiable(Hessian = true)]
    public static double Huber(double[] w, [NoDerivative] double[] x, [NoDerivative] double[] y, [NoDerivative] double delta = 1.0)
    {
        double loss = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = w[0] + w[1] * x[i] - y[i];
            double a = Math.Abs(r);
            loss += a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
        }
        return loss;
    }

    [Differentiable]
    public static double ElasticNet(double[] w, [NoDerivative] double[,] X, [NoDerivative] double[] y, [NoDerivative] double l1, [NoDerivative] double l2)
    {
        double mse = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double pred = 0;
            for (int j = 0; j < w.Length; j++) pred += X[i, j] * w[j];
            mse += Math.Pow(pred - y[i], 2);
        }
        mse /= y.Length;
        return mse + l1 * w.Sum(Math.Abs) + l2 * w.Select(v => v * v).Sum();
    }

    [Differentiable]
    public static double SquaredHinge(double[] w, double b, [NoDerivative] double[][] X, [NoDerivative] int[] y)
    {
        double total = 0;
        for (int i = 0; i < X.Length; i++)
        {
            double margin = y[i] * (X[i].Zip(w, (a, c) => a * c).Sum() + b);
            double h = Math.Max(0.0, 1.0 - margin);
            total += h * h;
        }
        return total / X.Length + 0.5 * w.Sum(v => v * v);
    }

    [Differentiable]
    public static double Kl(double[] logitsP, [NoDerivative] double[] q)
    {
        double m = logitsP.Max();
        double z = logitsP.Sum(v => Math.Exp(v - m));
        double kl = 0;
        for (int i = 0; i < q.Length; i++)
        {
            double logp = logitsP[i] - m - Math.Log(z);
            if (q[i] > 0) kl += q[i] * (Math.Log(q[i]) - logp);
        }
        return kl;
    }

    [Differentiable]
    public static double BceWithLogits(double[] w, [NoDerivative] double[][] xs, [NoDerivative] bool[] ys, [NoDerivative] double posWeight)
    {
        double loss = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double z = 0;
            for (int j = 0; j < w.Length; j++) z += w[j] * xs[i][j];
            // stable: max(z,0) - z*y + log(1+exp(-|z|))
            double y = ys[i] ? 1.0 : 0.0;
            double l = Math.Max(z, 0) - z * y + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            loss += ys[i] ? posWeight * l : l;
        }
        return loss / xs.Length;
    }

    [Differentiable]
    public static double Quantile(double[] w, [NoDerivative] double[] x, [NoDerivative] double[] y, [NoDerivative] double tau)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = y[i] - (w[0] + w[1] * x[i]);
            s += e >= 0 ? tau * e : (tau - 1) * e;
        }
        return s;
    }

    [Differentiable]
    public static double Triplet(double[] emb, [NoDerivative] int[] anchors, [NoDerivative] int[] pos, [NoDerivative] int[] neg, [NoDerivative] int dim)
    {
        double loss = 0;
        for (int t = 0; t < anchors.Length; t++)
        {
            double dp = 0, dn = 0;
            for (int k = 0; k < dim; k++)
            {
                double a = emb[anchors[t] * dim + k];
                dp += Math.Pow(a - emb[pos[t] * dim + k], 2);
                dn += Math.Pow(a - emb[neg[t] * dim + k], 2);
            }
            loss += Math.Max(Math.Sqrt(dp + 1e-9) - Math.Sqrt(dn + 1e-9) + 0.5, 0);
        }
        return loss;
    }
}

public static class Probe
{
    public static string Hub() => Kit.H(Losses.HuberObjective(2, new[] { 0.0, 1, 2, 3 }, new[] { 0.5, 1.1, 4.0, 2.5 }, 1.0), new[] { 0.3, 0.7 });
    public static string En()
    {
        var X = new double[3, 2] { { 1, 2 }, { 0.5, -1 }, { 2, 0.3 } };
        return Kit.G(Losses.ElasticNetObjective(2, X, new[] { 1.0, 0.2, 2 }, 0.1, 0.01), new[] { 0.3, -0.7 });
    }
    public static string Sh() => Kit.G(Losses.SquaredHingeObjective(2, new[] { new[] { 1.0, 2 }, new[] { -0.5, 0.3 }, new[] { 0.1, -2.0 } }, new[] { 1, -1, -1 }), new[] { 0.3, -0.2, 0.1 });
    public static string Kl() => Kit.G(Losses.KlObjective(3, new[] { 0.2, 0.0, 0.8 }), new[] { 0.3, -0.2, 0.1 });
    public static string Bce() => Kit.G(Losses.BceWithLogitsObjective(2, new[] { new[] { 1.0, 2 }, new[] { -0.5, 0.3 } }, new[] { true, false }, 3.0), new[] { 0.3, -0.2 });
    public static string Q() => Kit.G(Losses.QuantileObjective(2, new[] { 0.0, 1, 2, 3 }, new[] { 0.5, 1.1, 4.0, 2.5 }, 0.9), new[] { 0.33, 0.71 });
    public static string Tri() => Kit.G(Losses.TripletObjective(8, new[] { 0, 1 }, new[] { 1, 2 }, new[] { 2, 3 }, 2), Kit.Rand(8, 4, 1));
}
""";
    public const string TrainableInBaseClass = """
using System;
using SymbolicGrad;
public class BaseModel
{
    [Trainable] public double[] W = new double[2];
    [Trainable] public double B;
}
public partial class Derived : BaseModel
{
    [Trainable] public double C;
    [Differentiable] public double Loss([NoDerivative] double x) => (W[0] * x + W[1] + B) * (C * x + B);
}
public static class Probe { public static string A() { var m = new Derived(); var f = m.LossObjective(2.0); return Kit.G(f, Kit.Rand(f.Dimension, 3)) + " " + string.Join(",", f.ParameterNames); } }
""";
    public const string DeepNetPerLayerJagged = """
using System;
using System.Collections.Generic;
using SymbolicGrad;

public partial class DeepNet
{
    // per-layer weights, layer l maps sizes[l] -> sizes[l+1]
    [Trainable] public double[][] W;
    [Trainable] public double[][] B;
    public int[] Sizes;

    public DeepNet(params int[] sizes)
    {
        Sizes = sizes;
        var rng = new Random(42);
        W = new double[sizes.Length - 1][];
        B = new double[sizes.Length - 1][];
        for (int l = 0; l < W.Length; l++)
        {
            W[l] = new double[sizes[l] * sizes[l + 1]];
            for (int i = 0; i < W[l].Length; i++) W[l][i] = (rng.NextDouble() - 0.5) * Math.Sqrt(2.0 / sizes[l]);
            B[l] = new double[sizes[l + 1]];
        }
    }

    double[] Forward(double[] x)
    {
        double[] a = x;
        for (int l = 0; l < W.Length; l++)
        {
            int nIn = Sizes[l], nOut = Sizes[l + 1];
            var z = new double[nOut];
            for (int j = 0; j < nOut; j++)
            {
                double s = B[l][j];
                for (int k = 0; k < nIn; k++) s += W[l][j * nIn + k] * a[k];
                z[j] = l == W.Length - 1 ? s : Math.Max(0.01 * s, s);   // leaky relu except last
            }
            a = z;
        }
        return a;
    }

    [Differentiable(Hessian = true)]
    public double Loss([NoDerivative] double[][] xs, [NoDerivative] double[][] ys)
    {
        double total = 0;
        for (int n = 0; n < xs.Length; n++)
        {
            var o = Forward(xs[n]);
            for (int j = 0; j < o.Length; j++) total += 0.5 * (o[j] - ys[n][j]) * (o[j] - ys[n][j]);
        }
        return total / xs.Length;
    }
}

public static class Probe
{
    static double[][] Xs = { new[] { 0.5, -1.0 }, new[] { 0.3, 0.8 }, new[] { -0.2, 0.1 } };
    static double[][] Ys = { new[] { 1.0 }, new[] { -0.5 }, new[] { 0.2 } };
    public static string G()
    {
        var m = new DeepNet(2, 4, 3, 1);
        var f = m.LossObjective(Xs, Ys);
        return Kit.H(f, Kit.Rand(f.Dimension, 11, 0.8)) + " dim " + f.Dimension;
    }
    public static string Train()
    {
        var m = new DeepNet(2, 4, 3, 1);
        var f = m.LossObjective(Xs, Ys);
        var x = new double[f.Dimension];
        // pack the model by hand
        int p = 0;
        foreach (var r in m.W) foreach (var v in r) x[p++] = v;
        foreach (var r in m.B) foreach (var v in r) x[p++] = v;
        double before = f.Value(x);
        var adam = new SymbolicGrad.Optimizers.Adam(0.01);
        var g = new double[x.Length];
        double loss = 0;
        for (int it = 0; it < 300; it++) { loss = f.ValueAndGradient(x, g); adam.Step(x, g); }
        var lb = SymbolicGrad.Optimizers.Optimize.Minimize(f, x);
        Kit.Down(before, loss, 0.1); if (!lb.Success) throw new Exception("FAIL: " + lb.Message); return $"{before:F4} -> {loss:F4}; minimize {lb.Success} {lb.Value:E2} ; newton: " + SymbolicGrad.Optimizers.Optimize.Minimize(f, Kit.Rand(f.Dimension, 2, 0.5), new SymbolicGrad.Optimizers.MinimizeOptions { Method = SymbolicGrad.Optimizers.MinimizeMethod.NewtonCg }).Message;
    }
}
""";
    public const string FloatAndGenericModels = """
using System;
using SymbolicGrad;

public partial class FloatNet
{
    [Trainable] public float[] W = { 0.1f, -0.2f, 0.3f, 0.05f };
    [Trainable] public float Bias;

    [Differentiable]
    public float Loss([NoDerivative] float[][] xs, [NoDerivative] float[] ys)
    {
        float loss = 0f;
        for (int i = 0; i < xs.Length; i++)
        {
            float z = Bias;
            for (int j = 0; j < W.Length; j++) z += W[j] * xs[i][j];
            float p = 1f / (1f + MathF.Exp(-z));
            loss -= ys[i] * MathF.Log(p + 1e-7f) + (1 - ys[i]) * MathF.Log(1 - p + 1e-7f);
        }
        return loss / xs.Length;
    }
}

public static partial class Gen
{
    [Differentiable(Hessian = true)]
    public static T Mse<T>(T[] w, [NoDerivative] T[] x, [NoDerivative] T[] y) where T : System.Numerics.IFloatingPointIeee754<T>
    {
        T s = T.Zero;
        for (int i = 0; i < x.Length; i++)
        {
            T r = w[0] * x[i] + w[1] - y[i];
            s += r * r;
        }
        return s / T.CreateChecked(x.Length);
    }
}

public static class Probe
{
    public static string F()
    {
        var m = new FloatNet();
        var f = m.LossObjective(new[] { new[] { 1f, 2f, 0.5f, -1f }, new[] { -0.3f, 0.1f, 1f, 2f } }, new[] { 1f, 0f });
        var r = SymbolicGrad.GradientCheck.Check(f, new[] { 0.1, -0.2, 0.3, 0.05, 0.1 });
        return (r.Passed ? "float grad ok" : "FLOAT FAIL " + r);
    }
    public static string Gm() => Kit.H(Gen.MseObjective(2, new[] { 0.0, 1, 2 }, new[] { 1.0, 2.9, 5.2 }), new[] { 0.5, 0.5 });
}
""";
    public const string MisuseAndTraining = """
using System;
using System.Linq;
using SymbolicGrad;
using SymbolicGrad.Optimizers;

public static partial class Reg
{
    [Differentiable]
    public static double Mse(double[] w, double b, [NoDerivative] double[][] xs, [NoDerivative] double[] ys)
    {
        double s = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double p = b;
            for (int j = 0; j < w.Length; j++) p += w[j] * xs[i][j];
            s += (p - ys[i]) * (p - ys[i]);
        }
        return s / xs.Length;
    }
}

public static class Probe
{
    static double[][] Xs = { new[] { 1.0, 2 }, new[] { 0.5, -1 }, new[] { 2.0, 0.3 } };
    static double[] Ys = { 1.0, 0.2, 2 };
    static string Try(Func<object> a) { try { return "no throw: " + a(); } catch (Exception e) { return e.GetType().Name + ": " + e.Message.Split('\n')[0]; } }
    public static string WrongPointLength() => Try(() => Reg.MseObjective(2, Xs, Ys).ValueAndGradient(new double[2], new double[2]));
    public static string WrongGradLength() => Try(() => Reg.MseObjective(2, Xs, Ys).ValueAndGradient(new double[3], new double[2]));
    public static string DirectWrongGrad() => Try(() => Reg.MseGradient(new double[2], 0, Xs, Ys, new double[3], out _));
    public static string NegLen() => Try(() => Reg.MseObjective(-1, Xs, Ys));
    public static string NullData() => Try(() => Reg.MseObjective(2, null!, Ys));
    public static string ShortRow() => Try(() => Reg.MseObjective(3, Xs, Ys).Value(new double[4]));
    public static string NaNStart() => Try(() => Trainer.Minimize(Reg.MseObjective(2, Xs, Ys), new[] { double.NaN, 0, 0 }, new Adam(0.1), new TrainingOptions { MaxEpochs = 10 }).StopReason);
    public static string NaNCheck() => Try(() => GradientCheck.Check(Reg.MseObjective(2, Xs, Ys), new[] { double.NaN, 0, 0 }).Passed);
    public static string WrongX0() => Try(() => Trainer.Minimize(Reg.MseObjective(2, Xs, Ys), new[] { 0.0, 0 }, new Adam(0.1), new TrainingOptions { MaxEpochs = 10 }).StopReason);
    public static string Diverge() => Try(() => { var r = Trainer.Minimize(Reg.MseObjective(2, Xs, Ys), new[] { 0.0, 0, 0 }, new Sgd(10), new TrainingOptions { MaxEpochs = 100 }); return r.StopReason + " " + r.Loss; });
    public static string NaNData() => Try(() => { var r = Trainer.Minimize(Reg.MseObjective(2, new[] { new[] { double.NaN, 1.0 } }, new[] { 1.0 }), new[] { 0.0, 0, 0 }, new Adam(0.1), new TrainingOptions { MaxEpochs = 10 }); return r.StopReason + " " + r.Loss; });
    public static string MinimizeNaN() => Try(() => { var r = Reg.MseObjective(2, new[] { new[] { double.NaN, 1.0 } }, new[] { 1.0 }).Minimize(new[] { 0.0, 0, 0 }); return r.Success + " " + r.Message; });
    public static string Good()
    {
        var f = Reg.MseObjective(2, Xs, Ys);
        var r = Trainer.Minimize(f, new[] { 0.0, 0, 0 }, new Adam(0.05), new TrainingOptions { MaxEpochs = 2000, Schedule = Schedule.CosineAnnealing(0.05, tMax: 2000) });
        var data = TrainingData.FromExamples(Enumerable.Range(0, 3).Select(i => Reg.MseObjective(2, new[] { Xs[i] }, new[] { Ys[i] })));
        var t = Trainer.Train(data, new[] { 0.0, 0, 0 }, new AdamW(0.05), new TrainingOptions { Batching = Batching.MiniBatch(2), MaxEpochs = 300 });
        Kit.Down(f.Value(new double[3]), r.Loss, 1e-6); Kit.Down(f.Value(new double[3]), t.Loss, 0.01); return $"{r.Loss:E2} {r.StopReason}; train {t.Loss:E2} {t.StopReason}";
    }
}
""";
    public const string LoggingTheLoss = """
using System;
using SymbolicGrad;
public static partial class L
{
    [Differentiable]
    public static double Loss(double[] w, [NoDerivative] double[] x, [NoDerivative] double[] y)
    {
        double loss = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = w[0] * x[i] + w[1] - y[i];
            loss += r * r;
        }
        Console.WriteLine($"loss = {loss:F4}");
        return loss;
    }
}
public static class Probe { public static string A() => Kit.G(L.LossObjective(2, new[] { 1.0, 2 }, new[] { 0.5, 1 }), new[] { 0.1, 0.2 }); }
""";
    public const string InPlaceHelpers = """
using System;
using SymbolicGrad;
public static partial class InPlace
{
    static void SoftmaxInPlace(double[] z)
    {
        double m = z[0];
        for (int i = 1; i < z.Length; i++) m = Math.Max(m, z[i]);
        double s = 0;
        for (int i = 0; i < z.Length; i++) { z[i] = Math.Exp(z[i] - m); s += z[i]; }
        for (int i = 0; i < z.Length; i++) z[i] /= s;
    }
    static void ReluInPlace(Span<double> h) { for (int i = 0; i < h.Length; i++) if (h[i] < 0) h[i] = 0; }

    [Differentiable(Hessian = true)]
    public static double GaussSeidel(double[] W, [NoDerivative] double[] x, [NoDerivative] int steps)
    {
        int n = x.Length;
        var h = (double[])x.Clone();
        for (int s = 0; s < steps; s++)
            for (int j = 0; j < n; j++)
            {
                double acc = 0;
                for (int k = 0; k < n; k++) acc += W[j * n + k] * h[k];
                h[j] = h[j] + 0.5 * Math.Tanh(acc);   // residual, reads the updated entries
            }
        SoftmaxInPlace(h);
        return -Math.Log(h[0]);
    }

    [Differentiable]
    public static double Scratch(double[] w, [NoDerivative] double[] x)
    {
        Span<double> h = stackalloc double[4];
        double loss = 0;
        for (int t = 0; t < x.Length; t++)
        {
            for (int i = 0; i < h.Length; i++) h[i] = w[i] * x[t] + w[4 + i];
            ReluInPlace(h);
            double o = 0;
            for (int i = 0; i < h.Length; i++) o += h[i] * w[8 + i];
            loss += (o - 1) * (o - 1);
        }
        return loss;
    }

    [Differentiable]
    public static double CopyLayers(double[] w, [NoDerivative] double[] x)
    {
        var a = new double[3];
        var b = new double[3];
        Array.Copy(x, a, 3);
        for (int l = 0; l < 4; l++)
        {
            for (int j = 0; j < 3; j++) b[j] = Math.Tanh(w[l * 3 + j] * a[j] + a[(j + 1) % 3]);
            b.CopyTo(a, 0);
        }
        return a[0] + a[1] * a[2];
    }
}
public static class Probe
{
    public static string Gs() => Kit.H(InPlace.GaussSeidelObjective(9, new[] { 0.5, -1, 0.3 }, 2), Kit.Rand(9, 3, 1));
    public static string Sc() => Kit.G(InPlace.ScratchObjective(12, new[] { 0.5, -1, 0.3, 2 }), Kit.Rand(12, 3, 1));
    public static string Cl() => Kit.G(InPlace.CopyLayersObjective(12, new[] { 0.5, -1, 0.3 }), Kit.Rand(12, 4, 1));
}
""";
    public const string ModelCombination = """
using System;
using System.Linq;
using System.Numerics.Tensors;
using SymbolicGrad;

public partial class Combo
{
    [Trainable] public double[,] Wq = new double[2, 2];
    [Trainable] public double[][] Rows = { new double[2], new double[2] };
    [Trainable] public double[] Flat = new double[6];
    [Trainable] public double[] Pos = new double[2];
    [Trainable] public double[] Neg = new double[2];
    [Trainable] public double Temperature { get; set; } = 1.0;

    static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }
    static double[,] MatMul(double[,] a, double[,] b)
    {
        var c = new double[a.GetLength(0), b.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++) for (int j = 0; j < b.GetLength(1); j++) for (int k = 0; k < a.GetLength(1); k++) c[i, j] += a[i, k] * b[k, j];
        return c;
    }

    [Differentiable(Hessian = true)]
    public double Loss([NoDerivative] double[,] X, [NoDerivative] int[] y)
    {
        var Q = MatMul(X, Wq);
        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            ReadOnlySpan<double> row = Rows[i % 2];
            double[] w = y[i] > 0 ? Pos : Neg;
            double z = Dot(row, new[] { Q[i, 0], Q[i, 1] }) + w.Zip(new[] { X[i, 0], X[i, 1] }, (a, b) => a * b).Sum();
            z += Dot(Flat.AsSpan(2 * (i % 3), 2), new[] { X[i, 0], X[i, 1] });
            Func<double, double> act = v => Math.Log(1 + Math.Exp(-v / Temperature));
            loss += act(z);
        }
        double Penalty() => Flat.Sum(v => v * v) + Rows.Sum(r => r.Sum(v => v * v));
        return loss / y.Length + 0.01 * Penalty();
    }
}

public static class Probe
{
    public static string A()
    {
        var m = new Combo();
        var X = new double[4, 2] { { 1, 2 }, { 0.5, -1 }, { 2, 0.3 }, { -0.4, 0.8 } };
        var f = m.LossObjective(X, new[] { 1, 0, 1, 0 });
        return Kit.H(f, Kit.Rand(f.Dimension, 5, 0.7).Select((v, i) => i == f.Dimension - 1 ? 1.3 : v).ToArray()) + " " + string.Join(",", f.ParameterNames);
    }
}
""";
    public const string LanguageFeatures = """
using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicGrad;

public enum Activation { Relu, Tanh, Sigmoid, Gelu }
public record Example(double[] Features, int Label);
public record struct Point(double X, double Y);

public static partial class Lang
{
    static double[] Apply(double[] h, Func<double, double> f)
    {
        var r = new double[h.Length];
        for (int i = 0; i < h.Length; i++) r[i] = f(h[i]);
        return r;
    }
    static double Act(double z, Activation a) => a switch
    {
        Activation.Relu => Math.Max(0, z),
        Activation.Tanh => Math.Tanh(z),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-z)),
        _ => 0.5 * z * (1 + Math.Tanh(0.7978845608 * (z + 0.044715 * z * z * z))),
    };
    static (double value, double[] probs) SoftmaxCe(double[] z, int label)
    {
        double m = z.Max();
        var e = z.Select(v => Math.Exp(v - m)).ToArray();
        double s = e.Sum();
        var p = e.Select(v => v / s).ToArray();
        return (-Math.Log(p[label]), p);
    }

    [Differentiable]
    public static double Higher(double[] w, [NoDerivative] double[] x) => Apply(Apply(w.Zip(x, (a, b) => a * b).ToArray(), Math.Tanh), v => v * v).Sum();

    [Differentiable]
    public static double EnumAct(double[] w, [NoDerivative] double[] x, [NoDerivative] Activation a)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += Act(w[i] * x[i] + w[x.Length], a);
        return s;
    }

    [Differentiable]
    public static double Records(double[] W, [NoDerivative] Example[] data)
    {
        double loss = 0;
        foreach (var ex in data)
        {
            var z = new double[3];
            for (int c = 0; c < 3; c++) for (int j = 0; j < ex.Features.Length; j++) z[c] += W[c * ex.Features.Length + j] * ex.Features[j];
            var (l, probs) = SoftmaxCe(z, ex.Label);
            loss += l + 0.0 * probs[0];
        }
        return loss / data.Length;
    }

    [Differentiable]
    public static double ListData(double[] w, [NoDerivative] List<Point> pts)
    {
        double s = 0;
        foreach (var p in pts) s += Math.Pow(w[0] * p.X + w[1] - p.Y, 2);
        return s / pts.Count;
    }

    [Differentiable]
    public static double RangeSelect(double[] w, [NoDerivative] double[] x) =>
        Enumerable.Range(0, x.Length).Select(i => w[i] * x[i]).Sum() + x.Select((v, i) => v * w[i] * w[i]).Sum();

    [Differentiable]
    public static double ZipTuples(double[] w, [NoDerivative] double[] xs, [NoDerivative] double[] ys)
    {
        double s = 0;
        foreach (var (xi, yi) in xs.Zip(ys)) s += Math.Pow(w[0] * xi + w[1] - yi, 2);
        return s;
    }

    [Differentiable]
    public static double DictEmb(double[] w, [NoDerivative] Dictionary<string, double[]> emb, [NoDerivative] string[] words)
    {
        double s = 0;
        foreach (var word in words)
        {
            var e = emb[word];
            double z = 0;
            for (int j = 0; j < e.Length; j++) z += w[j] * e[j];
            s += Math.Log(1 + Math.Exp(z));
        }
        return s;
    }

    [Differentiable]
    public static double ReadOnlyListData(double[] w, [NoDerivative] IReadOnlyList<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Count; i++) s += w[i % w.Length] * x[i];
        return s * s;
    }
}

public static class Probe
{
    public static string Hi() => Kit.G(Lang.HigherObjective(3, new[] { 0.5, -1, 2 }), Kit.Rand(3, 1, 1));
    public static string En() => string.Join(" | ", Enum.GetValues<Activation>().Select(a => a + ":" + Kit.G(Lang.EnumActObjective(3, new[] { 0.5, -1 }, a), Kit.Rand(3, 2, 1))));
    public static string Rec() => Kit.G(Lang.RecordsObjective(6, new[] { new Example(new[] { 1.0, 2 }, 0), new Example(new[] { -1.0, 0.5 }, 2) }), Kit.Rand(6, 3, 1));
    public static string Li() => Kit.G(Lang.ListDataObjective(2, new List<Point> { new(1, 2), new(2, 3.5) }), Kit.Rand(2, 3, 1));
    public static string Ra() => Kit.G(Lang.RangeSelectObjective(3, new[] { 0.5, -1, 2 }), Kit.Rand(3, 1, 1));
    public static string Zi() => Kit.G(Lang.ZipTuplesObjective(2, new[] { 0.5, -1, 2 }, new[] { 1.0, 0, 3 }), Kit.Rand(2, 1, 1));
    public static string Di() => Kit.G(Lang.DictEmbObjective(2, new Dictionary<string, double[]> { ["a"] = new[] { 1.0, 2 }, ["b"] = new[] { -1.0, 0.3 } }, new[] { "a", "b", "a" }), Kit.Rand(2, 1, 1));
    public static string Ro() => Kit.G(Lang.ReadOnlyListDataObjective(2, new[] { 1.0, 2, 3 }), Kit.Rand(2, 1, 1));
}
""";
    public const string ListsOfExamples = """
using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicGrad;
public record struct Point(double X, double Y);
public record Sample(double X, double Y);
public record struct Obs(double X, double Y) { public double Predict(double w) => w * X; public double Sq => X * X; }
public struct Nested { public (double A, double B) Pair; public double[] Extra; }
public static partial class Lists
{
    [Differentiable] public static double K(double[] w, [NoDerivative] List<Obs> xs) { double s = 0; foreach (var o in xs) s += Math.Pow(o.Predict(w[0]) - o.Y, 2) + w[0] * o.Sq; return s; }
    [Differentiable] public static double L(double[] w, [NoDerivative] List<Nested> xs) { double s = 0; for (int i = 0; i < xs.Count; i++) s += w[0] * xs[i].Extra[0] + w[0] * w[0] * xs[i].Extra[1]; return s; }
    [Differentiable] public static double M(double[] w, [NoDerivative] List<(double X, double Y)> xs) { double s = 0; foreach (var (x, y) in xs) s += Math.Pow(w[0] * x - y, 2); var (a, b) = xs[0]; return s + a * w[0] * b; }
    [Differentiable] public static double N(double[] w, [NoDerivative] Obs[] xs) { double s = 0; foreach (var o in xs) s += Math.Pow(o.Predict(w[0]) - o.Y, 2) + w[0] * o.Sq; return s; }
    [Differentiable] public static double A(double[] w, [NoDerivative] List<double> xs) { double s = 0; foreach (var x in xs) s += w[0] * x * x; return s; }
    [Differentiable] public static double B(double[] w, [NoDerivative] List<double[]> xs) { double s = 0; foreach (var x in xs) s += w[0] * x[0]; return s; }
    [Differentiable] public static double C(double[] w, [NoDerivative] List<(double X, double Y)> xs) { double s = 0; foreach (var p in xs) s += Math.Pow(w[0] * p.X - p.Y, 2); return s; }
    [Differentiable] public static double D(double[] w, [NoDerivative] List<Point> xs) { double s = 0; for (int i = 0; i < xs.Count; i++) s += Math.Pow(w[0] * xs[i].X - xs[i].Y, 2); return s; }
    [Differentiable] public static double E(double[] w, [NoDerivative] List<Sample> xs) { double s = 0; foreach (var p in xs) s += Math.Pow(w[0] * p.X - p.Y, 2); return s; }
    [Differentiable] public static double F(double[] w, [NoDerivative] Point[] xs) { double s = 0; foreach (var p in xs) s += Math.Pow(w[0] * p.X - p.Y, 2); return s; }
    [Differentiable] public static double G(double[] w, [NoDerivative] List<Point> xs) { double s = 0; foreach (var p in xs) s += Math.Pow(w[0] * p.X - p.Y, 2); return s; }
    [Differentiable] public static double H(double[] w, [NoDerivative] List<Point> xs) => xs.Sum(p => Math.Pow(w[0] * p.X - p.Y, 2));
    [Differentiable] public static double J(double[] w, [NoDerivative] Sample[] xs) { double s = 0; foreach (var p in xs) s += Math.Pow(w[0] * p.X - p.Y, 2); return s; }
}
public static class Probe
{
    public static string Run()
    {
        var pts = new List<Point> { new(1, 2), new(2, 3.5) };
        var w = new[] { 0.7 };
        return string.Join(" | ", new[] {
            Kit.G(Lists.AObjective(1, new List<double> { 1, 2 }), w),
            Kit.G(Lists.BObjective(1, new List<double[]> { new[] { 1.0 } }), w),
            Kit.G(Lists.CObjective(1, new List<(double, double)> { (1, 2) }), w),
            Kit.G(Lists.DObjective(1, pts), w),
            Kit.G(Lists.EObjective(1, new List<Sample> { new(1, 2) }), w),
            Kit.G(Lists.FObjective(1, pts.ToArray()), w),
            Kit.G(Lists.GObjective(1, pts), w),
            Kit.G(Lists.HObjective(1, pts), w),
            "K=" + Lists.KGradient(w, new List<Obs> { new(1, 2), new(3, 1) }, new double[1]) + " " + Kit.G(Lists.KObjective(1, new List<Obs> { new(1, 2), new(3, 1) }), w),
            Kit.G(Lists.LObjective(1, new List<Nested> { new() { Pair = (2, 3), Extra = new[] { 1.0, 5 } } }), w),
            Kit.G(Lists.MObjective(1, new List<(double, double)> { (1, 2), (3, 1) }), w),
            "N=" + Lists.NGradient(w, new Obs[] { new(1, 2), new(3, 1) }, new double[1]),
            Kit.G(Lists.JObjective(1, new[] { new Sample(1, 2) }), w) });
    }
}
""";
    public const string CopiesOfDataStructs = """
using System;
using System.Linq;
using System.Collections.Generic;
using SymbolicGrad;
public struct In { public double X; public double Y; }
public struct Out { public In Inner; public double Z; }
public record struct Obs(double X, double Y);
public class Holder { public In P; public In[] Arr = new In[2]; }
public static partial class LM
{
    [Differentiable] public static double T(double[] w, [NoDerivative] (double A, double B)[] xs) { var t = xs[1]; t.A = w[0] * 3; t.Item2 += w[0]; return t.A * t.B; }
    [Differentiable] public static double R(double[] w, [NoDerivative] Obs[] xs) { var q = xs[1]; q.X = w[0] * 3; q.Y += w[0]; return q.X * q.Y; }
    [Differentiable] public static double N(double[] w, [NoDerivative] Out[] xs) { var o = xs[0]; o.Inner.X = w[0] * 3; o.Z *= w[0]; return o.Inner.X * o.Inner.Y + o.Z; }
    [Differentiable] public static double L(double[] w, [NoDerivative] List<In> xs) { var p = xs[1]; p.Y = w[0] * 3; return p.X * p.Y; }
    [Differentiable] public static double F(double[] w, [NoDerivative] In[] xs) { In p = default; p = xs[1]; p.X = w[0] * w[0]; return p.X * p.Y; }
    [Differentiable] public static double Loop(double[] w, [NoDerivative] In[] xs) { double s = 0; foreach (var e in xs) { var p = e; p.X *= w[0]; s += p.X * p.Y; } return s; }
    [Differentiable] public static double Ref(double[] w, [NoDerivative] In[] xs) { var p = xs[0]; ref var r = ref p; r.X = w[0]; return p.X * p.Y; }
}
public static class Probe
{
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return e.GetType().Name + " " + e.Message; } }
    public static string Run()
    {
        var ins = new[] { new In { X = 1, Y = 2 }, new In { X = 3, Y = -1 } };
        var w = new[] { 0.7 };
        return string.Join(" | ", new Func<string>[] {
            () => "T " + Kit.G(LM.TObjective(1, new[] { (1.0, 2.0), (3.0, -1.0) }), w),
            () => "R " + Kit.G(LM.RObjective(1, new[] { new Obs(1, 2), new Obs(3, -1) }), w),
            () => "N " + Kit.G(LM.NObjective(1, new[] { new Out { Inner = ins[1], Z = 5 } }), w),
            () => "L " + Kit.G(LM.LObjective(1, new List<In>(ins)), w),
            () => "F " + Kit.G(LM.FObjective(1, ins), w),
            () => "Loop " + Kit.G(LM.LoopObjective(1, ins), w),
            () => "Ref " + Kit.G(LM.RefObjective(1, ins), w),
        }.Select(Try));
    }
}
""";
    public const string RecommenderVaeContrastive = """
using System;
using System.Linq;
using SymbolicGrad;

public partial class Recommender
{
    [Trainable] public double[,] U;
    [Trainable] public double[,] V;
    [Trainable] public double[] UserBias;
    [Trainable] public double[] ItemBias;
    [Trainable] public double GlobalBias;
    public double Lambda = 0.05;
    public Recommender(int users, int items, int k)
    {
        var rng = new Random(0);
        U = new double[users, k]; V = new double[items, k];
        for (int i = 0; i < users; i++) for (int j = 0; j < k; j++) U[i, j] = 0.1 * (rng.NextDouble() - 0.5);
        for (int i = 0; i < items; i++) for (int j = 0; j < k; j++) V[i, j] = 0.1 * (rng.NextDouble() - 0.5);
        UserBias = new double[users]; ItemBias = new double[items];
    }

    [Differentiable]
    public double Loss([NoDerivative] (int User, int Item, double Rating)[] ratings)
    {
        double loss = 0;
        foreach (var (u, i, r) in ratings)
        {
            double pred = GlobalBias + UserBias[u] + ItemBias[i];
            for (int f = 0; f < U.GetLength(1); f++) pred += U[u, f] * V[i, f];
            loss += (pred - r) * (pred - r);
        }
        double reg = 0;
        foreach (var v in U) reg += v * v;
        foreach (var v in V) reg += v * v;
        return loss / ratings.Length + Lambda * reg;
    }
}

public static partial class Gen
{
    // VAE: encoder gives mu, logvar; eps is data
    [Differentiable]
    public static double Vae(double[] enc, double[] dec, [NoDerivative] double[] x, [NoDerivative] double[] eps)
    {
        int d = x.Length, z = eps.Length;
        var mu = new double[z]; var logvar = new double[z];
        for (int j = 0; j < z; j++)
            for (int k = 0; k < d; k++) { mu[j] += enc[j * d + k] * x[k]; logvar[j] += enc[(z + j) * d + k] * x[k]; }
        var sample = new double[z];
        for (int j = 0; j < z; j++) sample[j] = mu[j] + Math.Exp(0.5 * logvar[j]) * eps[j];
        double recon = 0;
        for (int k = 0; k < d; k++)
        {
            double xh = 0;
            for (int j = 0; j < z; j++) xh += dec[k * z + j] * sample[j];
            double p = 1 / (1 + Math.Exp(-xh));
            recon -= x[k] * Math.Log(p) + (1 - x[k]) * Math.Log(1 - p);
        }
        double kl = -0.5 * Enumerable.Range(0, z).Sum(j => 1 + logvar[j] - mu[j] * mu[j] - Math.Exp(logvar[j]));
        return recon + kl;
    }

    // InfoNCE with cosine similarity
    [Differentiable]
    public static double InfoNce(double[][] a, double[][] b, [NoDerivative] double tau)
    {
        int n = a.Length;
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            var sims = new double[n];
            for (int j = 0; j < n; j++)
            {
                double dot = 0, na = 0, nb = 0;
                for (int k = 0; k < a[i].Length; k++) { dot += a[i][k] * b[j][k]; na += a[i][k] * a[i][k]; nb += b[j][k] * b[j][k]; }
                sims[j] = dot / (Math.Sqrt(na) * Math.Sqrt(nb) + 1e-8) / tau;
            }
            double max = sims.Max();
            double lse = Math.Log(sims.Select(s => Math.Exp(s - max)).Sum()) + max;
            loss += lse - sims[i];
        }
        return loss / n;
    }

    // REINFORCE
    [Differentiable]
    public static double PolicyGradient(double[,] theta, [NoDerivative] double[][] states, [NoDerivative] int[] actions, [NoDerivative] double[] returns)
    {
        double baseline = returns.Average();
        double loss = 0;
        for (int t = 0; t < states.Length; t++)
        {
            int A = theta.GetLength(0);
            var logits = new double[A];
            for (int a = 0; a < A; a++) for (int k = 0; k < states[t].Length; k++) logits[a] += theta[a, k] * states[t][k];
            double m = logits.Max();
            double logZ = m + Math.Log(logits.Sum(l => Math.Exp(l - m)));
            loss -= (logits[actions[t]] - logZ) * (returns[t] - baseline);
        }
        return loss;
    }

    // word2vec skip-gram negative sampling
    [Differentiable]
    public static double Sgns(double[][] inEmb, double[][] outEmb, [NoDerivative] int[] centers, [NoDerivative] int[] contexts, [NoDerivative] int[][] negatives)
    {
        static double LogSigmoid(double x) => -Math.Log(1 + Math.Exp(-x));
        double loss = 0;
        for (int p = 0; p < centers.Length; p++)
        {
            var c = inEmb[centers[p]];
            var o = outEmb[contexts[p]];
            loss -= LogSigmoid(c.Zip(o, (x, y) => x * y).Sum());
            foreach (int n in negatives[p])
            {
                double dot = 0;
                for (int k = 0; k < c.Length; k++) dot += c[k] * outEmb[n][k];
                loss -= LogSigmoid(-dot);
            }
        }
        return loss;
    }

    // tied autoencoder
    [Differentiable(Hessian = true)]
    public static double TiedAe(double[,] W, double[] bh, double[] bo, [NoDerivative] double[][] xs)
    {
        int h = W.GetLength(0), d = W.GetLength(1);
        double loss = 0;
        foreach (var x in xs)
        {
            var code = new double[h];
            for (int i = 0; i < h; i++) { double s = bh[i]; for (int k = 0; k < d; k++) s += W[i, k] * x[k]; code[i] = Math.Tanh(s); }
            for (int k = 0; k < d; k++)
            {
                double r = bo[k];
                for (int i = 0; i < h; i++) r += W[i, k] * code[i];
                loss += (r - x[k]) * (r - x[k]);
            }
        }
        return loss;
    }

    // dropout with a seeded Random inside
    [Differentiable]
    public static double Dropout(double[] w, [NoDerivative] double[] x, [NoDerivative] int seed, [NoDerivative] double p)
    {
        var rng = new Random(seed);
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double keep = rng.NextDouble() < p ? 0.0 : 1.0 / (1 - p);
            s += Math.Tanh(w[i] * x[i]) * keep;
        }
        return s * s;
    }
}

public static class Probe
{
    public static string Rec()
    {
        var m = new Recommender(3, 4, 2);
        var f = m.LossObjective(new[] { (0, 1, 4.0), (1, 2, 3.0), (2, 3, 5.0), (0, 0, 1.0) });
        var g = Kit.G(f, Kit.Rand(f.Dimension, 2, 0.5));
        var fit = SymbolicGrad.Optimizers.Trainer.Minimize(f, new double[f.Dimension].Select((_, i) => 0.01 * i).ToArray(), new SymbolicGrad.Optimizers.Adam(0.05), new SymbolicGrad.Optimizers.TrainingOptions { MaxEpochs = 300 });
        Kit.Down(f.Value(new double[f.Dimension].Select((_, i) => 0.01 * i).ToArray()), fit.Loss, 0.1); return g + $" trained {fit.Loss:F4} model global {m.GlobalBias:F3}";
    }
    public static string Vae() => Kit.G(Gen.VaeObjective(12, 6, new[] { 1.0, 0, 1 }, new[] { 0.3, -0.5 }), Kit.Rand(18, 3, 0.5));
    public static string Nce() => Kit.G(Gen.InfoNceObjective(3, 2, 3, 2, 0.5), Kit.Rand(12, 4, 1));
    public static string Pg() => Kit.G(Gen.PolicyGradientObjective(3, 2, new[] { new[] { 1.0, 0.5 }, new[] { -0.3, 2 } }, new[] { 2, 0 }, new[] { 1.0, -0.5 }), Kit.Rand(6, 4, 1));
    public static string Sg() => Kit.G(Gen.SgnsObjective(4, 2, 4, 2, new[] { 0, 1 }, new[] { 2, 3 }, new[] { new[] { 1, 3 }, new[] { 0 } }), Kit.Rand(16, 4, 1));
    public static string Ae() => Kit.H(Gen.TiedAeObjective(2, 3, 2, 3, new[] { new[] { 1.0, 0.5, -1 }, new[] { 0.2, 0.1, 0.3 } }), Kit.Rand(11, 4, 1));
    public static string Do() => Kit.G(Gen.DropoutObjective(4, new[] { 1.0, 0.5, -1, 2 }, 7, 0.5), Kit.Rand(4, 4, 1));
}
""";
    public const string ModelOverloadsAndRecords = """
using System;
using System.Linq;
using SymbolicGrad;

public partial class Lin
{
    [Trainable] public double[] Weights { get; set; } = { 0.1, 0.2 };
    [Trainable] public double Bias { get; private set; }

    [Differentiable]
    public double Predict([NoDerivative] double[] x) => Weights.Zip(x, (w, v) => w * v).Sum() + Bias;

    [Differentiable]
    public double Loss([NoDerivative] double[] x, [NoDerivative] double y) => Math.Pow(Predict(x) - y, 2);

    [Differentiable]
    public double Loss([NoDerivative] double[][] xs, [NoDerivative] double[] ys)
    {
        double s = 0;
        for (int i = 0; i < xs.Length; i++) s += Loss(xs[i], ys[i]);
        return s / xs.Length;
    }

    [Differentiable]
    public double Tempered(double temperature, [NoDerivative] double[] x) => Math.Exp(Predict(x) / temperature);

    static double Dense(double[] w, double b, double[] x) { double s = b; for (int i = 0; i < x.Length; i++) s += w[i] * x[i]; return s; }

    [Differentiable]
    public double ViaStatic([NoDerivative] double[] x) => Math.Tanh(Dense(Weights, Bias, x));
}

public partial record RecModel
{
    [Trainable] public double A { get; set; }
    [Trainable] public double[] B { get; set; } = new double[2];
    [Differentiable] public double Loss([NoDerivative] double x) => Math.Pow(A * x + B[0] - B[1] * x * x, 2);
}

public static partial class Outer
{
    public sealed partial class Inner
    {
        [Trainable] internal double[] W = new double[3];
        [Differentiable] internal double Loss([NoDerivative] double[] x) { double s = 0; for (int i = 0; i < 3; i++) s += Math.Exp(W[i] * x[i]); return Math.Log(s); }
    }
}

public static class Probe
{
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return e.GetType().Name + " " + e.Message; } }
    public static string Run()
    {
        var m = new Lin();
        var xs = new[] { new[] { 1.0, 2 }, new[] { -0.5, 0.3 } };
        var ys = new[] { 0.5, -1 };
        return string.Join(" | ", new Func<string>[] {
            () => "one " + Kit.G(m.LossObjective(xs[0], ys[0]), new[] { 0.3, -0.2, 0.1 }),
            () => "all " + Kit.G(m.LossObjective(xs, ys), new[] { 0.3, -0.2, 0.1 }),
            () => "temp " + Kit.G(m.TemperedObjective(xs[0]), new[] { 1.5, 0.3, -0.2, 0.1 }) + " names " + string.Join(",", m.TemperedObjective(xs[0]).ParameterNames),
            () => "static " + Kit.G(m.ViaStaticObjective(xs[0]), new[] { 0.3, -0.2, 0.1 }),
            () => "rec " + Kit.G(new RecModel().LossObjective(1.5), new[] { 0.3, -0.2, 0.1 }),
            () => "inner " + Kit.G(new Outer.Inner().LossObjective(new[] { 1.0, 2, 3 }), new[] { 0.3, -0.2, 0.1 }),
            () => { var mm = new Lin(); var f = mm.LossObjective(xs, ys); mm.Weights = new double[3]; return "replaced: " + Try(() => f.Value(new double[3]).ToString()); },
            () => { var mm = new Lin(); var f = mm.LossObjective(xs, ys); var fit = SymbolicGrad.Optimizers.Trainer.Minimize(f, new double[3], new SymbolicGrad.Optimizers.Adam(0.1), new() { MaxEpochs = 200 }); if (mm.Weights[0] != fit.Parameters[0] || mm.Bias != fit.Parameters[2]) throw new Exception("FAIL: model not trained in place"); Kit.Down(f.Value(new double[3]), fit.Loss, 0.01); return $"train {fit.Loss:F4}"; },
        }.Select(Try));
    }
}
""";
    public const string ControlFlow = """
using System;
using SymbolicGrad;
public static partial class Ctl
{
    const int Eos = 0, Pad = -1;

    [Differentiable]
    public static double SeqLoss(double[] emb, double[] wh, [NoDerivative] int[][] batch, [NoDerivative] int dim)
    {
        double total = 0;
        int count = 0;
        foreach (var seq in batch)
        {
            var h = new double[dim];
            for (int t = 0; t < seq.Length; t++)
            {
                if (seq[t] == Pad) continue;
                if (seq[t] == Eos) break;
                var next = new double[dim];
                for (int j = 0; j < dim; j++)
                    next[j] = Math.Tanh(emb[seq[t] * dim + j] + wh[j] * h[j]);
                h = next;
                count++;
            }
            for (int j = 0; j < dim; j++) total += h[j] * h[j];
        }
        return count == 0 ? 0 : total / count;
    }

    // fixed point: z = tanh(w*z + x), iterate until converged
    [Differentiable]
    public static double Deq(double[] w, [NoDerivative] double[] x)
    {
        double loss = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double z = 0, delta;
            int it = 0;
            do
            {
                double zNew = Math.Tanh(w[0] * z + w[1] * x[i]);
                delta = Math.Abs(zNew - z);
                z = zNew;
                it++;
            } while (delta > 1e-13 && it < 500);
            loss += (z - 0.3) * (z - 0.3);
        }
        return loss;
    }

    // Newton's method for a root inside the loss: solve y^3 + a*y = b
    [Differentiable]
    public static double ImplicitSolve(double a, double b)
    {
        double y = 1;
        for (int k = 0; k < 50; k++)
        {
            double f = y * y * y + a * y - b;
            if (Math.Abs(f) < 1e-15) break;
            y -= f / (3 * y * y + a);
        }
        return y * y;
    }

    // early return for an empty batch
    [Differentiable]
    public static double Guarded(double[] w, [NoDerivative] double[][] xs)
    {
        if (xs.Length == 0) return 0;
        double best = double.MaxValue;
        foreach (var x in xs)
        {
            double d = 0;
            for (int j = 0; j < x.Length; j++) d += (w[j] - x[j]) * (w[j] - x[j]);
            if (d < best) best = d;
            if (best < 1e-12) return 0;
        }
        return best;
    }

    // while with a data condition and a counter
    [Differentiable]
    public static double Beam(double[] logits, [NoDerivative] int steps)
    {
        int k = 0;
        double s = 0;
        var probs = new double[logits.Length];
        while (k < steps)
        {
            double m = double.NegativeInfinity;
            foreach (var l in logits) m = Math.Max(m, l + k * 0.1);
            double z = 0;
            for (int i = 0; i < logits.Length; i++) { probs[i] = Math.Exp(logits[i] + k * 0.1 - m); z += probs[i]; }
            s += Math.Log(z) + m;
            k++;
        }
        return s + probs[0];
    }
}
public static class Probe
{
    public static string Seq() => Kit.G(Ctl.SeqLossObjective(8, 2, new[] { new[] { 1, 2, -1, 3, 0, 2 }, new[] { -1, 3, 3 }, new[] { 0 } }, 2), Kit.Rand(10, 3, 1));
    public static string Deq() => Kit.G(Ctl.DeqObjective(2, new[] { 0.5, -1, 2 }), new[] { 0.4, 0.7 });
    public static string Imp() => Kit.G(Ctl.ImplicitSolveObjective(), new[] { 1.5, 2.0 }) + " H? ";
    public static string Gu() => Kit.G(Ctl.GuardedObjective(3, new[] { new[] { 1.0, 2, 3 }, new[] { 0.5, 0.1, -1 } }), new[] { 0.3, 0.2, -0.5 }) + " empty " + Ctl.GuardedObjective(3, new double[0][]).ValueAndGradient(new double[3], new double[3]);
    public static string Be() => Kit.G(Ctl.BeamObjective(3, 4), new[] { 0.3, 0.2, -0.5 });
}
""";
    public const string Casts = """
using System;
using SymbolicGrad;
public static partial class Casts
{
    [Differentiable(Hessian = true)]
    public static double Mixed(double[] w, [NoDerivative] float[] x, [NoDerivative] float[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float pred = (float)(w[0] * x[i] + w[1]);
            s += (pred - y[i]) * (pred - y[i]);
        }
        return s;
    }

    [Differentiable]
    public static double Bucket(double[] w, [NoDerivative] double[] table)
    {
        int idx = (int)Math.Clamp(w[0] * 4, 0, table.Length - 1);
        return table[idx] * w[1] + w[0] * w[0];
    }

    [Differentiable]
    public static double Quant(double[] w)
    {
        double q = Math.Round(w[0] * 8) / 8;          // straight-through would be user's choice; here derivative 0
        return q * w[1] + w[0] * w[1];
    }

    [Differentiable]
    public static float Half(float[] w, [NoDerivative] float[] x)
    {
        float s = 0;
        for (int i = 0; i < x.Length; i++) s += MathF.Tanh(w[i] * x[i]);
        return s * s;
    }
}
public static class Probe
{
    public static string M2() { var f = Casts.MixedObjective(2, new[] { 1f, 2f, 3f }, new[] { 0.5f, 1f, 2.5f }); var r = GradientCheck.Check(f, new[] { 0.3, 0.1 }); return $"rounding {f.RoundingUnit} default passed {r.Passed}\n{r}"; }
    public static string B() { try { return Kit.G(Casts.BucketObjective(2, new[] { 1.0, 2, 3, 4 }), new[] { 0.3, 0.1 }); } catch (Exception e) { return e.Message; } }
    public static string Q() => Kit.G(Casts.QuantObjective(2), new[] { 0.33, 0.1 });
    public static string H() { var f = Casts.HalfObjective(3, new[] { 1f, 2f, 3f }); return GradientCheck.Check(f, new[] { 0.3, 0.1, -0.2 }).Passed ? "float ok" : "FLOAT FAIL"; }
}
public static class Probe2
{
}
""";
    public const string TrainingLoops = """
using System;
using System.Linq;
using SymbolicGrad;
using SymbolicGrad.Optimizers;

public partial class Logistic
{
    [Trainable] public double[] W = new double[2];
    [Trainable] public double B;

    [Differentiable]
    public double Loss([NoDerivative] double[] x, [NoDerivative] int y)
    {
        double z = B;
        for (int j = 0; j < W.Length; j++) z += W[j] * x[j];
        return Math.Log(1 + Math.Exp(z)) - y * z + 1e-3 * (W[0] * W[0] + W[1] * W[1]);
    }

    [Differentiable]
    public double BatchLoss([NoDerivative] double[][] xs, [NoDerivative] int[] ys)
    {
        double s = 0;
        for (int i = 0; i < xs.Length; i++) s += Loss(xs[i], ys[i]);
        return s / xs.Length;
    }
}

public static class Probe
{
    static (double[][] xs, int[] ys) Make(int n, int seed)
    {
        var rng = new Random(seed);
        var xs = new double[n][]; var ys = new int[n];
        for (int i = 0; i < n; i++) { xs[i] = new[] { rng.NextDouble() * 4 - 2, rng.NextDouble() * 4 - 2 }; ys[i] = xs[i][0] + 0.5 * xs[i][1] + 0.3 * (rng.NextDouble() - 0.5) > 0 ? 1 : 0; }
        return (xs, ys);
    }
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return "THREW " + e.GetType().Name + " " + e.Message; } }
    public static string Run()
    {
        var (xs, ys) = Make(200, 1);
        var (vx, vy) = Make(50, 2);
        var model = new Logistic();
        var data = TrainingData.FromExamples(xs.Select((x, i) => model.LossObjective(x, ys[i])));
        var validation = model.BatchLossObjective(vx, vy);
        return string.Join("\n  ", new Func<string>[] {
            () => { var r = Trainer.Train(data, new double[3], new Sgd(0.1, momentum: 0.9), new TrainingOptions { Batching = Batching.MiniBatch(16), ShuffleSeed = 42, MaxEpochs = 30, Clip = GradientClip.ByGlobalNorm(1.0), EarlyStopping = new EarlyStopping(validation.Value, Patience: 5), MaxDegreeOfParallelism = 2, Schedule = Schedule.CosineAnnealing(0.1, tMax: 30 * 13) }); Kit.Down(Math.Log(2), r.Loss, 0.5); return $"train {r.StopReason} loss {r.Loss:F4} epochs {r.Epochs} W {string.Join(",", r.Parameters.Select(v => v.ToString("F2")))}"; },
            () => { var lr = LearningRateFinder.Run(data, new double[3], () => new Sgd(momentum: 0.9), minLearningRate: 1e-6, maxLearningRate: 10, steps: 100); return $"lr steepest {lr.SteepestLearningRate:G3} explosion {lr.ExplosionLearningRate}"; },
            () => { var best = MultiStart.Minimize(model.BatchLossObjective(xs, ys), lowerBounds: new[] { -3.0, -3, -3 }, upperBounds: new[] { 3.0, 3, 3 }, starts: 4, seed: 1); Kit.Down(Math.Log(2), best.Best.Loss, 0.5); return $"multistart {best.Best.Loss:F4}"; },
            () => { var r = model.BatchLossObjective(xs, ys).Minimize(new double[3], new MinimizeOptions { Method = MinimizeMethod.Newton }); if (!r.Success) throw new Exception("FAIL: " + r.Message); return $"newton: {r.Message}"; },
            () => { var opt = new Adam(0.05); var f = model.BatchLossObjective(xs, ys); var x = new double[3]; var g = new double[3]; double first = f.ValueAndGradient(x, g), last = 0; for (int k = 0; k < 200; k++) { last = f.ValueAndGradient(x, g); opt.Step(x, g); } Kit.Down(first, last, 0.5); return $"manual adam {first:F4} -> {last:F4}"; },
        }.Select(Try));
    }
}
""";
    public const string TensorHelpers = """
using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicGrad;

static class T
{
    public static double[] MatVec(double[] W, double[] x, int rows)
    {
        int cols = x.Length;
        var y = new double[rows];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) y[r] += W[r * cols + c] * x[c];
        return y;
    }
    public static double[] ConcatArr(double[] a, double[] b) { var r = new double[a.Length + b.Length]; a.CopyTo(r, 0); b.CopyTo(r, a.Length); return r; }
    public static double[] Add(double[] a, double[] b) => a.Zip(b, (u, v) => u + v).ToArray();
    public static double[] Relu(double[] a) => a.Select(v => Math.Max(0, v)).ToArray();
    public static double[] Map(double[] a, Func<double, double> f) { var r = new double[a.Length]; for (int i = 0; i < a.Length; i++) r[i] = f(a[i]); return r; }
    public static (double[] H, double[] C) LstmStep(double[] W, double[] x, double[] h, double[] c)
    {
        int n = h.Length;
        var hx = ConcatArr(h, x);
        var g = MatVec(W, hx, 4 * n);
        var hn = new double[n]; var cn = new double[n];
        for (int k = 0; k < n; k++)
        {
            double i = 1 / (1 + Math.Exp(-g[k])), f = 1 / (1 + Math.Exp(-g[n + k])), o = 1 / (1 + Math.Exp(-g[2 * n + k]));
            cn[k] = f * c[k] + i * Math.Tanh(g[3 * n + k]);
            hn[k] = o * Math.Tanh(cn[k]);
        }
        return (hn, cn);
    }
}

public static partial class Nets
{
    [Differentiable]
    public static double Chain(double[] W1, double[] b1, double[] W2, double[] b2, [NoDerivative] double[] x, [NoDerivative] double y)
    {
        var h = T.Relu(T.Add(T.MatVec(W1, x, b1.Length), b1));
        var o = T.Add(T.MatVec(W2, h, b2.Length), b2);
        return Math.Pow(o[0] - y, 2);
    }

    [Differentiable]
    public static double Activations(double[][] W, [NoDerivative] double[] x, [NoDerivative] int[] sizes)
    {
        var acts = new double[sizes.Length][];
        acts[0] = x;
        for (int l = 0; l + 1 < sizes.Length; l++)
            acts[l + 1] = T.Map(T.MatVec(W[l], acts[l], sizes[l + 1]), Math.Tanh);
        return acts[^1].Sum(v => v * v);
    }

    [Differentiable]
    public static double Lstm(double[] W, [NoDerivative] double[][] seq, [NoDerivative] int hidden)
    {
        double[] h = new double[hidden], c = new double[hidden];
        double loss = 0;
        foreach (var x in seq)
        {
            (h, c) = T.LstmStep(W, x, h, c);
            loss += h.Sum();
        }
        return loss;
    }

    [Differentiable]
    public static double LstmVar(double[] W, [NoDerivative] double[][] seq, [NoDerivative] int hidden)
    {
        double[] h = new double[hidden], c = new double[hidden];
        double loss = 0;
        foreach (var x in seq)
        {
            var step = T.LstmStep(W, x, h, c);
            h = step.H; c = step.C;
            loss += h.Sum();
        }
        return loss;
    }
}

public static class Probe
{
    public static string Ch() => Kit.G(Nets.ChainObjective(6, 3, 3, 1, new[] { 0.5, -1.0 }, 0.7), Kit.Rand(13, 2, 1));
    public static string Ac() => Kit.G(Nets.ActivationsObjective(new[] { 6, 6 }, new[] { 0.5, -1.0 }, new[] { 2, 3, 2 }), Kit.Rand(12, 2, 1));
    public static string Ls() => Kit.G(Nets.LstmObjective(4 * 2 * 3, new[] { new[] { 0.5 }, new[] { -1.0 }, new[] { 0.3 } }, 2), Kit.Rand(24, 2, 1));
    public static string Lv() => Kit.G(Nets.LstmVarObjective(4 * 2 * 3, new[] { new[] { 0.5 }, new[] { -1.0 }, new[] { 0.3 } }, 2), Kit.Rand(24, 2, 1));
}
""";
    public const string ActivationList = """
using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicGrad;

static class T
{
    public static double[] MatVec(double[] W, double[] x, int rows)
    {
        int cols = x.Length;
        var y = new double[rows];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) y[r] += W[r * cols + c] * x[c];
        return y;
    }
    public static double[] ConcatArr(double[] a, double[] b) { var r = new double[a.Length + b.Length]; a.CopyTo(r, 0); b.CopyTo(r, a.Length); return r; }
    public static double[] Add(double[] a, double[] b) => a.Zip(b, (u, v) => u + v).ToArray();
    public static double[] Relu(double[] a) => a.Select(v => Math.Max(0, v)).ToArray();
    public static double[] Map(double[] a, Func<double, double> f) { var r = new double[a.Length]; for (int i = 0; i < a.Length; i++) r[i] = f(a[i]); return r; }
    public static (double[] H, double[] C) LstmStep(double[] W, double[] x, double[] h, double[] c)
    {
        int n = h.Length;
        var hx = ConcatArr(h, x);
        var g = MatVec(W, hx, 4 * n);
        var hn = new double[n]; var cn = new double[n];
        for (int k = 0; k < n; k++)
        {
            double i = 1 / (1 + Math.Exp(-g[k])), f = 1 / (1 + Math.Exp(-g[n + k])), o = 1 / (1 + Math.Exp(-g[2 * n + k]));
            cn[k] = f * c[k] + i * Math.Tanh(g[3 * n + k]);
            hn[k] = o * Math.Tanh(cn[k]);
        }
        return (hn, cn);
    }
}

public static partial class Nets
{
    [Differentiable(Hessian = true)]
    public static double Activations(double[][] W, [NoDerivative] double[] x, [NoDerivative] int[] sizes)
    {
        var acts = new double[sizes.Length][];
        acts[0] = x;
        for (int l = 0; l + 1 < sizes.Length; l++)
            acts[l + 1] = T.Map(T.MatVec(W[l], acts[l], sizes[l + 1]), Math.Tanh);
        return acts[^1].Sum(v => v * v);
    }
}
public static class Probe { public static string Ac() => Kit.H(Nets.ActivationsObjective(new[] { 6, 6 }, new[] { 0.5, -1.0 }, new[] { 2, 3, 2 }), Kit.Rand(12, 2, 1)); }
""";
    public const string PerExampleActivations = """
using System;
using System.Linq;
using SymbolicGrad;
public static partial class Rows
{
    [Differentiable(Hessian = true)]
    public static double B(double[][] W, [NoDerivative] double[][] xs)
    {
        double total = 0;
        foreach (var x in xs)
        {
            var acts = new double[W.Length + 1][];
            acts[0] = x;
            for (int l = 0; l < W.Length; l++)
            {
                var z = new double[acts[l].Length];
                for (int j = 0; j < z.Length; j++) z[j] = Math.Tanh(W[l][j] * acts[l][j] + acts[l][(j + 1) % z.Length]);
                acts[l + 1] = z;
            }
            total += acts[W.Length].Sum();
        }
        return total;
    }
}
public static class Probe { public static string Run() => Kit.H(Rows.BObjective(new[] { 2, 2 }, new[] { new[] { 0.5, -1.0 }, new[] { 2.0, 3 } }), new[] { 0.3, 0.2, 0.7, -0.4 }); }
""";
    public const string BackpropThroughTime = """
using System;
using System.Linq;
using SymbolicGrad;
public static partial class Bptt
{
    [Differentiable(Hessian = true)]
    public static double States(double[] Wx, double[] Wh, [NoDerivative] double[] h0, [NoDerivative] double[][] xs)
    {
        int H = h0.Length, T = xs.Length;
        var h = new double[T + 1][];
        h[0] = h0.ToArray();
        for (int t = 0; t < T; t++)
        {
            h[t + 1] = new double[H];
            for (int i = 0; i < H; i++)
            {
                double a = 0;
                for (int j = 0; j < xs[t].Length; j++) a += Wx[i * xs[t].Length + j] * xs[t][j];
                for (int j = 0; j < H; j++) a += Wh[i * H + j] * h[t][j];
                h[t + 1][i] = Math.Tanh(a);
            }
        }
        double loss = 0;
        for (int t = 1; t <= T; t++) loss += h[t].Sum() * 0.5;
        return loss;
    }

    [Differentiable]
    public static double LearnedInit(double[] Wh, double[] h0, [NoDerivative] int T)
    {
        int H = h0.Length;
        var h = new double[T + 1][];
        h[0] = h0.ToArray();
        for (int t = 0; t < T; t++)
        {
            h[t + 1] = new double[H];
            for (int i = 0; i < H; i++) { double a = 0; for (int j = 0; j < H; j++) a += Wh[i * H + j] * h[t][j]; h[t + 1][i] = Math.Tanh(a + 0.1); }
        }
        return h[T].Sum(v => v * v);
    }

    [Differentiable(Hessian = true)]
    public static double Residual(double[] W, [NoDerivative] double[] x, [NoDerivative] int layers)
    {
        double[] h = x;
        for (int l = 0; l < layers; l++)
        {
            var f = new double[h.Length];
            for (int i = 0; i < h.Length; i++) f[i] = Math.Tanh(W[l * h.Length + i] * h[(i + 1) % h.Length]);
            var next = new double[h.Length];
            for (int i = 0; i < h.Length; i++) next[i] = h[i] + f[i];
            h = next;
        }
        return h.Sum(v => v * v);
    }
}
public static class Probe
{
    public static string St() => Kit.H(Bptt.StatesObjective(4, 4, new[] { 0.1, -0.2 }, new[] { new[] { 0.5, 1.0 }, new[] { -0.3, 0.2 }, new[] { 1.0, -1.0 } }), Kit.Rand(8, 1, 1));
    public static string Li() => Kit.G(Bptt.LearnedInitObjective(4, 2, 3), Kit.Rand(6, 1, 1));
    public static string Re() => Kit.H(Bptt.ResidualObjective(6, new[] { 0.5, 1.0, -0.7 }, 2), Kit.Rand(6, 1, 1));
}
""";
    public const string NestedDataStructs = """
using System;
using System.Linq;
using SymbolicGrad;
public struct Pt { public double X; public double Y; public double Norm => Math.Sqrt(X * X + Y * Y); }
public class Example { public Pt Pos; public (double A, double B) Pair { get; set; } public double Label; }
public struct Out { public Pt Inner; public double Z; }
public static partial class N
{
    static readonly Pt Origin = new Pt { X = 1, Y = 2 };
    [Differentiable(Hessian = true)] public static double A(double[] w, [NoDerivative] Example[] exs) { double s = 0; foreach (var e in exs) s += Math.Pow(w[0] * e.Pos.X + w[1] * e.Pos.Y + e.Pair.A - e.Label, 2) + w[0] * e.Pos.Norm; return s; }
    [Differentiable(Hessian = true)] public static double B(double[] w, [NoDerivative] Out[] xs) { double s = 0; foreach (var o in xs) s += w[0] * o.Inner.X * o.Inner.Y + w[1] * w[1] * o.Z + o.Inner.Norm * w[0]; return s; }
    [Differentiable(Hessian = true)] public static double C(double[] w) => (w[0] - Origin.X) * (w[0] - Origin.X) + (w[1] - Origin.Y) * w[1] * Origin.Norm;
    [Differentiable(Hessian = true)] public static double D(double[] w, [NoDerivative] Example ex) { var p = ex.Pos; p.X += w[0]; var (a, b) = ex.Pair; return p.X * p.Y * a + b * w[1]; }
}
public static class Probe
{
    public static string Run()
    {
        var exs = new[] { new Example { Pos = new Pt { X = 1, Y = 2 }, Pair = (0.5, 1), Label = 3 }, new Example { Pos = new Pt { X = -1, Y = 0.5 }, Pair = (-0.5, 2), Label = -1 } };
        var w = new[] { 0.3, -0.7 };
        return Kit.H(N.AObjective(2, exs), w) + " | " + Kit.H(N.BObjective(2, new[] { new Out { Inner = new Pt { X = 2, Y = 3 }, Z = 4 } }), w) + " | " + Kit.H(N.CObjective(2), w) + " | " + Kit.H(N.DObjective(2, exs[0]), w) + " D=" + N.D(w, exs[0]) + " vs " + N.DGradient(w, exs[0], new double[2]);
    }
}
""";
    public const string InputRowsFromFieldsAndObjects = """
using System;
using System.Linq;
using SymbolicGrad;
public class Holder { public double[] X = { 0.5, -1.5 }; }
public static partial class R2
{
    public static readonly double[] Inputs = { 0.5, -1.5 };
    static double[] Layer(double[] w, double[] a) { var z = new double[a.Length]; for (int j = 0; j < a.Length; j++) z[j] = Math.Tanh(w[j] * a[j]); return z; }
    [Differentiable(Hessian = true)] public static double Field(double[][] W)
    {
        var acts = new double[W.Length + 1][];
        acts[0] = Inputs;
        for (int l = 0; l < W.Length; l++) acts[l + 1] = Layer(W[l], acts[l]);
        return acts[^1].Sum(v => v * v);
    }
    [Differentiable(Hessian = true)] public static double Obj(double[][] W, [NoDerivative] Holder h)
    {
        var acts = new double[W.Length + 1][];
        acts[0] = h.X;
        for (int l = 0; l < W.Length; l++) acts[l + 1] = Layer(W[l], acts[l]);
        return acts[^1].Sum(v => v * v);
    }
    [Differentiable(Hessian = true)] public static double Ternary(double[][] W, [NoDerivative] double[] x)
    {
        var acts = new double[W.Length + 1][];
        for (int l = 0; l <= W.Length; l++) acts[l] = l == 0 ? x : Layer(W[l - 1], acts[l - 1]);
        return acts[^1].Sum(v => v * v);
    }
    [Differentiable(Hessian = true)] public static double Init(double[][] W, [NoDerivative] double[] x)
    {
        var acts = new double[][] { x, new double[2], new double[2] };
        for (int l = 0; l < W.Length; l++) acts[l + 1] = Layer(W[l], acts[l]);
        return acts[^1].Sum(v => v * v);
    }
    [Differentiable(Hessian = true)] public static double Copied(double[][] W, [NoDerivative] double[][] xs)
    {
        var acts = new double[W.Length + 1][];
        acts[0] = xs[1].ToArray();
        for (int l = 0; l < W.Length; l++) acts[l + 1] = Layer(W[l], acts[l]);
        return acts[^1].Sum(v => v * v);
    }
}
public static class Probe
{
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return "THREW " + e.GetType().Name + " " + e.Message; } }
    static double[] P = { 0.8, 0.3, -0.6, 1.1 };
    public static string Run() => string.Join(" | ", new Func<string>[] {
        () => "Field " + Kit.H(R2.FieldObjective(new[] { 2, 2 }), P),
        () => "Obj " + Kit.H(R2.ObjObjective(new[] { 2, 2 }, new Holder()), P),
        () => "Ternary " + Kit.H(R2.TernaryObjective(new[] { 2, 2 }, new[] { 0.5, -1.5 }), P),
        () => "Init " + Kit.H(R2.InitObjective(new[] { 2, 2 }, new[] { 0.5, -1.5 }), P),
        () => "Copied " + Kit.H(R2.CopiedObjective(new[] { 2, 2 }, new[] { new[] { 1.0, 2 }, new[] { 0.5, -1.5 } }), P),
    }.Select(Try));
}
""";
    public const string StructLocalsWithArrays = """
using System;
using System.Linq;
using SymbolicGrad;
public struct DenseLayer
{
    public double[] W; public double B;
    public double Forward(double[] x) { double s = B; for (int i = 0; i < x.Length; i++) s += W[i] * x[i]; return Math.Tanh(s); }
}
public record struct Pair(double[] A, double[] B);
public static partial class SL
{
    [Differentiable(Hessian = true)] public static double A(double[] w, double b, [NoDerivative] double[] x) { var layer = new DenseLayer { W = w, B = b }; return layer.Forward(x) * layer.W[0]; }
    [Differentiable(Hessian = true)] public static double B(double[] w, [NoDerivative] double[] x)
    {
        var layer = new DenseLayer { W = new double[x.Length], B = w[0] };
        for (int i = 0; i < x.Length; i++) layer.W[i] = w[i] * w[i];
        return layer.Forward(x);
    }
    [Differentiable(Hessian = true)] public static double C(double[] u, double[] v)
    {
        var p = new Pair(u, v);
        var (a, b) = p;
        return a.Zip(b, (s, t) => s * t).Sum() + p.A[0] * p.B[1];
    }
    [Differentiable(Hessian = true)] public static double D(double[] w, [NoDerivative] double[] x)
    {
        var layers = (First: new DenseLayer { W = w, B = 0.1 }, Second: new DenseLayer { W = w.Select(v => v * 2).ToArray(), B = -0.2 });
        return layers.First.Forward(x) + layers.Second.Forward(x);
    }
}
public static class Probe
{
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return "THREW " + e.GetType().Name + " " + e.Message; } }
    public static string Run() => string.Join(" | ", new Func<string>[] {
        () => "A " + Kit.H(SL.AObjective(2, new[] { 0.5, -1.0 }), new[] { 0.3, 0.2, 0.1 }),
        () => "B " + Kit.H(SL.BObjective(2, new[] { 0.5, -1.0 }), new[] { 0.3, 0.2 }),
        () => "C " + Kit.H(SL.CObjective(2, 2), new[] { 0.3, 0.2, -0.4, 0.6 }),
        () => "D " + Kit.H(SL.DObjective(2, new[] { 0.5, -1.0 }), new[] { 0.3, 0.2 }),
    }.Select(Try));
}
""";
    public const string FlatParameterVector = """
using System;
using SymbolicGrad;
public static partial class Flat
{
    [Differentiable(Hessian = true)]
    public static double Mlp(ReadOnlySpan<double> theta, [NoDerivative] double[] x, [NoDerivative] int[] sizes, [NoDerivative] double y)
    {
        double[] a = x;
        int offset = 0;
        for (int l = 0; l + 1 < sizes.Length; l++)
        {
            int nIn = sizes[l], nOut = sizes[l + 1];
            var W = theta.Slice(offset, nIn * nOut);
            offset += nIn * nOut;
            var b = theta.Slice(offset, nOut);
            offset += nOut;
            var z = new double[nOut];
            for (int j = 0; j < nOut; j++)
            {
                double s = b[j];
                for (int k = 0; k < nIn; k++) s += W[j * nIn + k] * a[k];
                z[j] = l + 2 < sizes.Length ? Math.Tanh(s) : s;
            }
            a = z;
        }
        return 0.5 * (a[0] - y) * (a[0] - y);
    }

    [Differentiable]
    public static double MlpArray(double[] theta, [NoDerivative] double[] x, [NoDerivative] int[] sizes, [NoDerivative] double y)
    {
        double[] a = x;
        int offset = 0;
        for (int l = 0; l + 1 < sizes.Length; l++)
        {
            int nIn = sizes[l], nOut = sizes[l + 1];
            var z = new double[nOut];
            for (int j = 0; j < nOut; j++)
            {
                double s = theta[offset + nIn * nOut + j];
                for (int k = 0; k < nIn; k++) s += theta[offset + j * nIn + k] * a[k];
                z[j] = Math.Tanh(s);
            }
            offset += nIn * nOut + nOut;
            a = z;
        }
        return 0.5 * (a[0] - y) * (a[0] - y);
    }
}
public static class Probe
{
    public static string A() => Kit.H(Flat.MlpObjective(9 + 4, new[] { 0.5, -1.0 }, new[] { 2, 3, 1 }, 0.3), Kit.Rand(13, 3, 1));
    public static string B() => Kit.G(Flat.MlpArrayObjective(13, new[] { 0.5, -1.0 }, new[] { 2, 3, 1 }, 0.3), Kit.Rand(13, 3, 1));
}
""";
    public const string NewerLinq = """
using System;
using System.Linq;
using SymbolicGrad;
public static partial class Lq
{
    [Differentiable(Hessian = true)] public static double A(double[] w, [NoDerivative] double[] x) { double s = 0; foreach (var (wi, xi) in w.Zip(x)) s += wi * xi * wi; return s; }
    [Differentiable(Hessian = true)] public static double B(double[] w, [NoDerivative] double[] x) { double s = 0; for (int i = 0; i < w.Length; i++) s += w[i] * x[i] * w[i]; return s; }
    [Differentiable(Hessian = true)] public static double C(double[] w) => w.Take(2).Sum(v => v * v) + w.Skip(1).Sum(Math.Abs) + Math.Sqrt(w.Sum(v => v * v));
    [Differentiable(Hessian = true)] public static double D(double[] w, [NoDerivative] double[] x, [NoDerivative] double[] y) => w.Zip(x, y).Sum(t => t.First * t.Second - t.Third);
    [Differentiable(Hessian = true)] public static double D2(double[] w, [NoDerivative] double[] x, [NoDerivative] double[] y) { double s = 0; foreach (var (a, b, c) in w.Zip(x, y)) s += a * a * b - c * a; return s; }
    [Differentiable(Hessian = true)] public static double Ix(double[] w, [NoDerivative] double[] x) { double s = 0; foreach (var (i, v) in w.Index()) s += v * x[i] * v * (i + 1); return s + w.Index().Sum(p => p.Index * p.Item); }
    [Differentiable(Hessian = true)] public static double Ix2(double[] w) { double s = 0; foreach (var (i, v) in w.Select(u => u * u).Index()) s += v * (i + 1); return s; }
    [Differentiable(Hessian = true)] public static double E(double[] w) => w.Aggregate(1.0, (acc, v) => acc * (1 + v * v));
    [Differentiable(Hessian = true)] public static double F(double[] w) => w[0] * w[1];
    [Differentiable(Hessian = true)] public static double G(double[] w) => w.Select((v, i) => (i + 1) * v * v).Max();
    [Differentiable(Hessian = true)] public static double H(double[] w, [NoDerivative] int[] idx) => idx.Select(i => w[i]).Sum(v => v * v);
    [Differentiable(Hessian = true)] public static double I(double[] w) => w.Where((v, i) => i % 2 == 0).Sum(v => v * v * v);
}
public static class Probe
{
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return "THREW " + e.GetType().Name + " " + e.Message; } }
    static double[] W = { 0.3, -0.7, 0.5, 1.1 };
    public static string Run() => string.Join(" | ", new Func<string>[] {
        () => "A " + Kit.H(Lq.AObjective(4, new[] { 1.0, 2, 3, 4 }), W),
        () => "B " + Kit.H(Lq.BObjective(4, new[] { 1.0, 2, 3, 4 }), W),
        () => "C " + Kit.H(Lq.CObjective(4), W),
        () => "D " + Kit.H(Lq.DObjective(4, new[] { 1.0, 2, 3, 4 }, new[] { 1.0, 0, 1, 0 }), W),
        () => "D2 " + Kit.H(Lq.D2Objective(4, new[] { 1.0, 2, 3, 4 }, new[] { 1.0, 0, 1 }), W),
        () => "Ix " + Kit.H(Lq.IxObjective(4, new[] { 1.0, 2, 3, 4 }), W),
        () => "Ix2 " + Kit.H(Lq.Ix2Objective(4), W),
        () => "E " + Kit.H(Lq.EObjective(4), W),
        () => "G " + Kit.H(Lq.GObjective(4), W),
        () => "H " + Kit.H(Lq.HObjective(4, new[] { 0, 2, 2, 3 }), W),
        () => "I " + Kit.H(Lq.IObjective(4), W),
    }.Select(Try));
}
""";
    public const string Spreads = """
using System;
using System.Linq;
using System.Runtime.CompilerServices;
using SymbolicGrad;
public static partial class Sx
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static double Sig(double z) => 1 / (1 + Math.Exp(-z));
    [Differentiable(Hessian = true)] public static double Spread(double[] h, [NoDerivative] double[] x) { double[] hx = [.. h, .. x]; double s = 0; for (int i = 0; i < hx.Length; i++) s += Sig(hx[i]) * (i + 1); return s; }
    [Differentiable(Hessian = true)] public static double Spread2(double[] h, double[] g) { double[] hx = [.. h, 1.0, .. g.Select(v => v * v).ToArray(), .. g]; return hx.Sum(v => v * v); }
    [Differentiable(Hessian = true)] public static double Switch(double[] w, [NoDerivative] int mode)
    {
        double[] act = mode switch { 0 => w.Select(Math.Tanh).ToArray(), 1 => w.Select(Sig).ToArray(), _ => w };
        return act.Sum(v => v * v);
    }
    [Differentiable(Hessian = true)] public static double Ctor(double[] w) { var t = new ValueTuple<double, double>(w[0] * w[1], w[2]); (double, double) u = new(w[1], 2.0); var z = new (double, double)[0]; return t.Item1 * t.Item2 + u.Item1 * u.Item2 * w[0]; }
    [Differentiable(Hessian = true)] public static double TargetNew(double[] w) { double[] h = new double[w.Length]; (double a, double b) t = new(); for (int i = 0; i < w.Length; i++) h[i] = w[i] * w[i]; t = (h[0], h[^1]); return t.a * t.b + (h is not null ? h.Sum() : 0); }
}
public static class Probe
{
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return "THREW " + e.GetType().Name + " " + e.Message; } }
    static double[] W = { 0.3, -0.7, 0.5 };
    public static string Run() => string.Join(" | ", new Func<string>[] {
        () => "Spread " + Kit.H(Sx.SpreadObjective(3, new[] { 1.0, 2 }), W),
        () => "Spread2 " + Kit.H(Sx.Spread2Objective(3, 2), new[] { 0.3, -0.7, 0.5, 0.2, 0.9 }) + " " + Sx.Spread2(new[] { 0.3, -0.7, 0.5 }, new[] { 0.2, 0.9 }),
        () => "Switch " + string.Join(",", new[] { 0, 1, 2 }.Select(m => Kit.H(Sx.SwitchObjective(3, m), W))),
        () => "Ctor " + Kit.H(Sx.CtorObjective(3), W),
        () => "TN " + Kit.H(Sx.TargetNewObjective(3), W),
    }.Select(Try));
}
""";
    public const string SwitchAndTupleSyntax = """
using System;
using System.Linq;
using System.Runtime.CompilerServices;
using SymbolicGrad;
public static partial class Sx
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static double Sig(double z) => 1 / (1 + Math.Exp(-z));
    [Differentiable(Hessian = true)] public static double Switch(double[] w, [NoDerivative] int mode)
    {
        double[] act = mode switch { 0 => w.Select(Math.Tanh).ToArray(), 1 => w.Select(Sig).ToArray(), _ => w };
        return act.Sum(v => v * v);
    }
    [Differentiable(Hessian = true)] public static double Ctor(double[] w) { var t = new ValueTuple<double, double>(w[0] * w[1], w[2]); (double, double) u = new(w[1], 2.0); var z = new (double, double)[0]; return t.Item1 * t.Item2 + u.Item1 * u.Item2 * w[0]; }
    [Differentiable(Hessian = true)] public static double TargetNew(double[] w) { double[] h = new double[w.Length]; (double a, double b) t = new(); for (int i = 0; i < w.Length; i++) h[i] = w[i] * w[i]; t = (h[0], h[^1]); return t.a * t.b + (h is not null ? h.Sum() : 0); }
}
public static class Probe
{
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return "THREW " + e.GetType().Name + " " + e.Message; } }
    static double[] W = { 0.3, -0.7, 0.5 };
    public static string Run() => string.Join(" | ", new Func<string>[] {
        () => "Switch " + string.Join(",", new[] { 0, 1, 2 }.Select(m => Kit.H(Sx.SwitchObjective(3, m), W))),
        () => "Ctor " + Kit.H(Sx.CtorObjective(3), W),
        () => "TN " + Kit.H(Sx.TargetNewObjective(3), W),
    }.Select(Try));
}
""";
    public const string HelpersTuplesPatterns = """
using System;
using System.Diagnostics;
using System.Linq;
using SymbolicGrad;
public struct Params { public double W; public double B; }
public static partial class Sy
{
    static (double Mean, double Std) Stats(double[] v) { double m = v.Average(); double s = Math.Sqrt(v.Select(u => (u - m) * (u - m)).Average() + 1e-8); return (m, s); }
    static void StatsOut(double[] v, out double m, out double s) { (m, s) = Stats(v); }
    [Differentiable(Hessian = true)] public static double A(double[] w)
    {
        const double Eps = 1e-8;
        ArgumentNullException.ThrowIfNull(w);
        Debug.Assert(w.Length >= 3);
        var (mu, sigma) = Stats(w);
        StatsOut(w, out var m2, out var s2);
        (double W, double B) p = default;
        var q = default(Params);
        q.W = w[0]; p.B = w[1];
        double? best = null;
        foreach (var v in w) best = best is null ? v : Math.Max(best.Value, v);
        double r = w is [var a, var b, ..] ? a * b : 0;
        switch (w[2])
        {
            case > 0: r += w[2] * w[2]; break;
            case < 0: r -= w[2]; break;
            default: break;
        }
        if (double.IsNaN(r)) throw new ArgumentException($"bad value {w[0]}");
        return mu * sigma + m2 * s2 + q.W * p.B + (best ?? 0) + r + Eps;
    }
    [Differentiable(Hessian = true)] public static double B(double[] w)
    {
        var pairs = new (double V, double Wt)[] { (w[0], 1), (w[1], 2), (w[2], 3) };
        double s = 0;
        foreach (var (v, wt) in pairs) s += v * v * wt;
        var arr = new double[3];
        checked { for (int i = 0; i < 3; i++) arr[i] = pairs[i].V * pairs[i].Wt; }
        return s + arr.Max() + Stats(arr).Std;
    }
}
public static class Probe
{
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return "THREW " + e.GetType().Name + " " + e.Message; } }
    public static string Run() => string.Join(" | ", new Func<string>[] {
        () => "A " + Kit.H(Sy.AObjective(3), new[] { 0.3, -0.7, 0.5 }) + " " + Kit.H(Sy.AObjective(3), new[] { 0.3, -0.7, -0.5 }),
        () => "B " + Kit.H(Sy.BObjective(3), new[] { 0.3, -0.7, 0.5 }),
    }.Select(Try));
}
""";
    public const string JacobianAndLeastSquares = """
using System;
using System.Linq;
using SymbolicGrad;
public static partial class J
{
    [Differentiable]
    public static void Decay(double[] p, [NoDerivative] double[] t, [NoDerivative] double[] y, Span<double> r)
    {
        for (int i = 0; i < t.Length; i++) r[i] = p[0] * Math.Exp(-p[1] * t[i]) - y[i];
    }
    public static string CallSpan(double[] p, double[] t, double[] y, double[] big, int ro, int jo) { DecayJacobian(p, t, y, big.AsSpan(ro, 4), big.AsSpan(jo, 8)); return "done"; }
    public static string Call(double[] p, double[] t, double[] y, double[] r, double[] jac) { DecayJacobian(p, t, y, r, jac); return string.Join(",", r.Select(v => v.ToString("F3"))); }
}
public partial class Fit
{
    [Trainable] public double[] P = { 1.0, 0.1 };
    [Differentiable]
    public void Residuals([NoDerivative] double[] t, [NoDerivative] double[] y, Span<double> r)
    {
        for (int i = 0; i < t.Length; i++) r[i] = P[0] * Math.Exp(-P[1] * t[i]) - y[i];
    }
}
public static class Probe
{
    static string Try(Func<string> f) { try { return "no throw: " + f(); } catch (Exception e) { return e.GetType().Name + ": " + e.Message; } }
    public static string Run()
    {
        var t = new[] { 0.0, 1, 2, 3 }; var y = new[] { 2.0, 1.2, 0.7, 0.45 };
        var p = new[] { 1.0, 0.3 };
        var big = new double[12];
        return string.Join("\n  ", new Func<string>[] {
            () => J.Call(p, t, y, new double[4], new double[8]),
            () => J.CallSpan(p, t, y, big, 0, 2),
            () => J.CallSpan(new[] { 1.0, 0.3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, t, y, new double[12], 0, 4),
            () => J.Call(p, t, y, p, new double[8]),
            () => J.Call(p, t, y, new double[4], t.Concat(t).ToArray()) ,
            () => { var r = new SymbolicGrad.Optimizers.LevenbergMarquardt().Minimize(J.DecayLeastSquares(2, t, y, rLength: 4), new[] { 1.0, 0.1 }); return $"LM {r.X[0]:F3} {r.X[1]:F3}"; },
            () => { var m = new Fit(); var ls = m.ResidualsLeastSquares(t, y, rLength: 4); var r = new SymbolicGrad.Optimizers.LevenbergMarquardt().Minimize(ls, new[] { 1.0, 0.1 }); return $"model LM {r.X[0]:F3} {r.X[1]:F3} model {m.P[0]:F3}"; },
        }.Select(Try));
    }
}
""";
    public const string InitOnlyTrainable = """
using System;
using SymbolicGrad;
public partial class M
{
    [Trainable] public double[] W { get; init; } = new double[2];
    [Trainable] public double B { get; init; }
    [Differentiable] public double Loss([NoDerivative] double x) => (W[0] * x + W[1] + B) * (W[0] * x + B);
}
public static class Probe { public static string A() { var m = new M(); var f = m.LossObjective(2.0); return Kit.G(f, new[] { 0.1, 0.2, 0.3 }) + $" B={m.B}"; } }
""";
    public const string ReadonlyTrainable = """
using System;
using SymbolicGrad;
public partial class M
{
    [Trainable] public readonly double[] W = new double[2];
    [Trainable] public readonly double B;
    [Differentiable] public double Loss([NoDerivative] double x) => (W[0] * x + W[1] + B) * (W[0] * x + B);
}
public static class Probe { public static string A() { var m = new M(); var f = m.LossObjective(2.0); return Kit.G(f, new[] { 0.1, 0.2, 0.3 }) + $" B={m.B}"; } }
""";
    public const string StructModel = """
using System;
using SymbolicGrad;
public partial struct M
{
    [Trainable] public double A;
    [Trainable] public double B;
    [Differentiable] public double Loss([NoDerivative] double x, [NoDerivative] double y) => (A * x + B - y) * (A * x + B - y);
}
public static class Probe { public static string A() { var m = new M(); var f = m.LossObjective(2.0, 1.0); var r = Kit.G(f, new[] { 0.1, 0.2 }); var fit = SymbolicGrad.Optimizers.Trainer.Minimize(f, new[] { 0.0, 0.0 }, new SymbolicGrad.Optimizers.Adam(0.1), new SymbolicGrad.Optimizers.TrainingOptions { MaxEpochs = 100 }); return r + $" after train: m.A={m.A} fit={fit.Parameters[0]}"; } }
""";
    public const string StaticTrainable = """
using System;
using SymbolicGrad;
public static partial class Global
{
    [Trainable] public static double[] W = new double[2];
    [Trainable] public static double B;
    [Differentiable] public static double Loss([NoDerivative] double x) => (W[0] * x + W[1] + B) * (W[0] * x + B);
}
public static class Probe { public static string A() { var f = Global.LossObjective(2.0); return Kit.G(f, Kit.Rand(f.Dimension, 3)) + " " + string.Join(",", f.ParameterNames); } }
""";
    public const string LayerObjectsAsTrainable = """
using System;
using SymbolicGrad;
public class Dense
{
    public double[] W; public double[] B; public int In, Out;
    public Dense(int i, int o) { In = i; Out = o; W = new double[i * o]; B = new double[o]; }
    public double[] Forward(double[] x)
    {
        var y = new double[Out];
        for (int j = 0; j < Out; j++) { double a = B[j]; for (int k = 0; k < In; k++) a += W[j * In + k] * x[k]; y[j] = Math.Tanh(a); }
        return y;
    }
}
public partial class Net
{
    [Trainable] public Dense L1 = new Dense(2, 3);
    [Trainable] public Dense L2 = new Dense(3, 1);
    [Differentiable] public double Loss([NoDerivative] double[] x, [NoDerivative] double y) { var o = L2.Forward(L1.Forward(x)); return (o[0] - y) * (o[0] - y); }
}
public static class Probe { public static string A() { var m = new Net(); var f = m.LossObjective(new[] { 1.0, 2 }, 0.5); return Kit.G(f, Kit.Rand(f.Dimension, 3)); } }
""";
    public const string LayerObjectsWithoutTrainable = """
using System;
using SymbolicGrad;
public class Dense
{
    public double[] W; public double[] B; public int In, Out;
    public Dense(int i, int o) { In = i; Out = o; W = new double[i * o]; B = new double[o]; }
}
public partial class Net
{
    public Dense[] Layers = { new Dense(2, 3), new Dense(3, 1) };
    [Differentiable] public double Loss([NoDerivative] double[] x, [NoDerivative] double y)
    {
        double[] a = x;
        foreach (var l in Layers)
        {
            var z = new double[l.Out];
            for (int j = 0; j < l.Out; j++) { double s = l.B[j]; for (int k = 0; k < l.In; k++) s += l.W[j * l.In + k] * a[k]; z[j] = Math.Tanh(s); }
            a = z;
        }
        return (a[0] - y) * (a[0] - y);
    }
}
public static class Probe { public static string A() { var m = new Net(); return "compiled; objective " + m.LossObjective(new[] { 1.0, 2 }, 0.5).Dimension; } }
""";
    public const string BatchNormRunningStatistics = """
using System;
using SymbolicGrad;
public partial class BnModel
{
    [Trainable] public double[] Gamma = { 1.0, 1.0 };
    [Trainable] public double[] Beta = { 0.0, 0.0 };
    public double[] RunningMean = new double[2];
    public double[] RunningVar = { 1.0, 1.0 };
    public double LastLoss;
    public int Calls;

    [Differentiable]
    public double Loss([NoDerivative] double[][] batch)
    {
        Calls++;
        int n = batch.Length, f = Gamma.Length;
        double loss = 0;
        for (int j = 0; j < f; j++)
        {
            double mu = 0, v = 0;
            for (int i = 0; i < n; i++) mu += batch[i][j];
            mu /= n;
            for (int i = 0; i < n; i++) v += (batch[i][j] - mu) * (batch[i][j] - mu);
            v /= n;
            RunningMean[j] = 0.9 * RunningMean[j] + 0.1 * mu;
            RunningVar[j] = 0.9 * RunningVar[j] + 0.1 * v;
            for (int i = 0; i < n; i++)
            {
                double y = Gamma[j] * (batch[i][j] - mu) / Math.Sqrt(v + 1e-5) + Beta[j];
                loss += Math.Pow(y - 1, 2);
            }
        }
        LastLoss = loss;
        return loss;
    }
}
public static class Probe { public static string A() { var m = new BnModel(); var f = m.LossObjective(new[] { new[] { 1.0, 2 }, new[] { 0.5, -1 }, new[] { 2.0, 0.3 } }); return Kit.G(f, new[] { 1.1, 0.9, 0.1, -0.1 }) + $" calls {m.Calls} rm {m.RunningMean[0]} last {m.LastLoss}"; } }
""";
    public const string SortingAndArgmax = """
using System;
using System.Linq;
using SymbolicGrad;
public static partial class Robust
{
    [Differentiable]
    public static double MedianAbsResidual(double[] w, [NoDerivative] double[] x, [NoDerivative] double[] y)
    {
        var r = new double[x.Length];
        for (int i = 0; i < x.Length; i++) r[i] = Math.Abs(w[0] * x[i] + w[1] - y[i]);
        Array.Sort(r);
        return r[r.Length / 2];
    }

    [Differentiable]
    public static double ArgmaxPool(double[] w, [NoDerivative] double[] x)
    {
        var z = new double[x.Length];
        for (int i = 0; i < x.Length; i++) z[i] = w[i] * x[i];
        int best = 0;
        for (int i = 1; i < z.Length; i++) if (z[i] > z[best]) best = i;
        return z[best] * z[best] + Array.IndexOf(z, z.Max());
    }

    [Differentiable]
    public static double TopK(double[] scores, [NoDerivative] int k)
    {
        var s = scores.OrderByDescending(v => v).Take(k).ToArray();
        return s.Sum();
    }

    [Differentiable]
    public static double HardestNegatives(double[] w, [NoDerivative] double[] x)
    {
        var losses = new double[x.Length];
        for (int i = 0; i < x.Length; i++) losses[i] = Math.Exp(w[0] * x[i]);
        var copy = (double[])losses.Clone();
        Array.Sort(copy);
        Array.Reverse(copy);
        double s = 0;
        for (int i = 0; i < 2; i++) s += copy[i];
        return s;
    }
}
public static class Probe
{
    public static string M() => Kit.G(Robust.MedianAbsResidualObjective(2, new[] { 1.0, 2, 3, 4, 5 }, new[] { 1.1, 1.9, 3.5, 3.8, 5.6 }), new[] { 0.9, 0.15 });
    public static string A() => Kit.G(Robust.ArgmaxPoolObjective(3, new[] { 1.0, 2, 3 }), new[] { 0.9, 0.15, 0.4 });
    public static string T() => Kit.G(Robust.TopKObjective(4, 2), new[] { 0.9, 0.15, 0.4, 1.2 });
    public static string H() => Kit.G(Robust.HardestNegativesObjective(1, new[] { 1.0, 2, -3 }), new[] { 0.5 });
}
""";
    public const string WriteIntoDataElement = """
using System;
using SymbolicGrad;
public struct In { public double X; public double Y; }
public static partial class LM
{
    [Differentiable] public static double A(double[] w, [NoDerivative] In[] xs) { xs[1].X = w[0] * 3; return xs[1].X * xs[1].Y; }
    [Differentiable] public static double B(double[] w, [NoDerivative] (double A, double B)[] xs) { xs[1].A = w[0] * 3; return xs[1].A * xs[1].B; }
}
""";
    public const string MutatingMethodsAndDataObjects = """
using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicGrad;
public struct In { public double X; public double Y; public void Scale(double k) { X *= k; Y += k; } public In Scaled(double k) => new In { X = X * k, Y = Y }; }
public class Ex { public double[] F = new double[2]; public In P; public double Label; }
public static partial class LM
{
    [Differentiable] public static double A(double[] w, [NoDerivative] In[] xs) { var p = xs[1]; p.Scale(w[0]); return p.X * p.Y; }
    [Differentiable] public static double B(double[] w, [NoDerivative] In[] xs) { var p = xs[1].Scaled(w[0]); return p.X * p.Y; }
    [Differentiable] public static double C(double[] w, [NoDerivative] List<In> xs) { double s = 0; foreach (var e in xs) { var p = e; p.Scale(w[0]); s += p.X * p.Y; } return s; }
    [Differentiable] public static double D(double[] w, [NoDerivative] Ex ex) { ex.F[0] = w[0]; return ex.F[0] * ex.F[1]; }
    [Differentiable] public static double E(double[] w, [NoDerivative] Ex[] exs) { double s = 0; foreach (var ex in exs) s += w[0] * ex.F[0] + w[1] * ex.Label; return s * s; }
    [Differentiable] public static double G(double[] w, [NoDerivative] In[] xs) { var p = xs[1]; p.X += w[0]; p.Y = p.X * 2; return p.X * p.Y; }
    [Differentiable] public static double H(double[] w, [NoDerivative] In[] xs) { var p = xs[0]; var q = p; q.X = w[0]; return p.X * q.X; }
    [Differentiable] public static double I(double[] w, [NoDerivative] In[] xs) { var arr = new double[2]; var p = xs[1]; arr[0] = p.X; p.X = w[0]; arr[1] = p.X; return arr[0] * arr[1]; }
}
public static class Probe
{
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return e.GetType().Name + " " + e.Message; } }
    public static string Run()
    {
        var ins = new[] { new In { X = 1, Y = 2 }, new In { X = 3, Y = -1 } };
        var w = new[] { 0.7 };
        return string.Join(" | ", new Func<string>[] {
            () => "A " + Kit.G(LM.AObjective(1, ins), w),
            () => "B " + Kit.G(LM.BObjective(1, ins), w),
            () => "C " + Kit.G(LM.CObjective(1, ins.ToList()), w),
            () => "E " + Kit.G(LM.EObjective(2, new[] { new Ex { F = new[] { 1.0, 2 }, Label = 3 } }), new[] { 0.7, 0.2 }),
            () => "G " + Kit.G(LM.GObjective(1, ins), w),
            () => "H " + Kit.G(LM.HObjective(1, ins), w),
            () => "I " + Kit.G(LM.IObjective(1, ins), w),
        }.Select(Try));
    }
}
""";
    public const string InterfacesAndDelegates = """
using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicGrad;
public class Sample
{
    public double[] Features { get; }
    public double Target { get; }
    public Sample(double[] f, double t) { Features = f; Target = t; }
    public double Dot(double[] w) { double s = 0; for (int i = 0; i < Features.Length; i++) s += w[i] * Features[i]; return s; }
    public double Residual(double[] w, double b) => Dot(w) + b - Target;
    public double FeatureNorm => Math.Sqrt(Features.Sum(v => v * v));
}
public record Labeled(double[] X, int Y) { public double Scale => 1.0 / X.Length; }
public interface IActivation { double Apply(double z); }
public sealed class Tanh : IActivation { public double Apply(double z) => Math.Tanh(z); }
public static class Ext { public static double DotWith(this double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; } }
public static partial class DC
{
    [Differentiable] public static double A(double[] w, double b, [NoDerivative] Sample[] data) => data.Sum(s => Math.Pow(s.Residual(w, b), 2)) / data.Length;
    [Differentiable] public static double B(double[] w, [NoDerivative] List<Labeled> data) { double s = 0; foreach (var d in data) s += Math.Log(1 + Math.Exp(-(2 * d.Y - 1) * d.X.DotWith(w))) * d.Scale; return s; }
    [Differentiable] public static double C(double[] w, [NoDerivative] Sample[] data) { double s = 0; foreach (var d in data) s += w[0] * d.FeatureNorm + w.DotWith(d.Features); return s * s; }
    [Differentiable] public static double D(double[] w, [NoDerivative] Sample[] data, [NoDerivative] IActivation act) { double s = 0; foreach (var d in data) s += act.Apply(d.Dot(w)); return s; }
    [Differentiable] public static double E(double[] w, [NoDerivative] Sample[] data, [NoDerivative] Tanh act) { double s = 0; foreach (var d in data) s += act.Apply(d.Dot(w)); return s; }
    [Differentiable] public static double F(double[] w, [NoDerivative] Sample[] data, [NoDerivative] Func<double, double> act) { double s = 0; foreach (var d in data) s += act(d.Dot(w)); return s; }
}
public static class Probe
{
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return e.GetType().Name + " " + e.Message; } }
    public static string Run()
    {
        var data = new[] { new Sample(new[] { 1.0, 2 }, 0.5), new Sample(new[] { -0.5, 0.3 }, -1) };
        var w = new[] { 0.3, -0.2 };
        return string.Join(" | ", new Func<string>[] {
            () => "A " + Kit.G(DC.AObjective(2, data), new[] { 0.3, -0.2, 0.1 }),
            () => "B " + Kit.G(DC.BObjective(2, new List<Labeled> { new(new[] { 1.0, 2 }, 1), new(new[] { -1.0, 0.5 }, 0) }), w),
            () => "C " + Kit.G(DC.CObjective(2, data), w),
            () => "E " + Kit.G(DC.EObjective(2, data, new Tanh()), w),
        }.Select(Try));
    }
}
""";
    public const string ListOfActivationsAndConcat = """
using System;
using System.Collections.Generic;
using System.Linq;
using SymbolicGrad;

static class T
{
    public static double[] MatVec(double[] W, double[] x, int rows)
    {
        int cols = x.Length;
        var y = new double[rows];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) y[r] += W[r * cols + c] * x[c];
        return y;
    }
    public static double[] Add(double[] a, double[] b) => a.Zip(b, (u, v) => u + v).ToArray();
    public static double[] Relu(double[] a) => a.Select(v => Math.Max(0, v)).ToArray();
    public static double[] Map(double[] a, Func<double, double> f) { var r = new double[a.Length]; for (int i = 0; i < a.Length; i++) r[i] = f(a[i]); return r; }
    public static (double[] H, double[] C) LstmStep(double[] W, double[] x, double[] h, double[] c)
    {
        int n = h.Length;
        var hx = h.Concat(x).ToArray();
        var g = MatVec(W, hx, 4 * n);
        var hn = new double[n]; var cn = new double[n];
        for (int k = 0; k < n; k++)
        {
            double i = 1 / (1 + Math.Exp(-g[k])), f = 1 / (1 + Math.Exp(-g[n + k])), o = 1 / (1 + Math.Exp(-g[2 * n + k]));
            cn[k] = f * c[k] + i * Math.Tanh(g[3 * n + k]);
            hn[k] = o * Math.Tanh(cn[k]);
        }
        return (hn, cn);
    }
}

public static partial class Nets
{
    [Differentiable(Hessian = true)]
    public static double Chain(double[] W1, double[] b1, double[] W2, double[] b2, [NoDerivative] double[] x, [NoDerivative] double y)
    {
        var h = T.Relu(T.Add(T.MatVec(W1, x, b1.Length), b1));
        var o = T.Add(T.MatVec(W2, h, b2.Length), b2);
        return Math.Pow(o[0] - y, 2);
    }

    [Differentiable(Hessian = true)]
    public static double Activations(double[][] W, [NoDerivative] double[] x, [NoDerivative] int[] sizes)
    {
        var acts = new double[sizes.Length][];
        acts[0] = x;
        for (int l = 0; l + 1 < sizes.Length; l++)
            acts[l + 1] = T.Map(T.MatVec(W[l], acts[l], sizes[l + 1]), Math.Tanh);
        return acts[^1].Sum(v => v * v);
    }

    [Differentiable(Hessian = true)]
    public static double ListActs(double[][] W, [NoDerivative] double[] x, [NoDerivative] int[] sizes)
    {
        var acts = new List<double[]> { x };
        for (int l = 0; l + 1 < sizes.Length; l++)
            acts.Add(T.Map(T.MatVec(W[l], acts[l], sizes[l + 1]), Math.Tanh));
        return acts[^1].Sum(v => v * v);
    }

    [Differentiable(Hessian = true)]
    public static double Lstm(double[] W, [NoDerivative] double[][] seq, [NoDerivative] int hidden)
    {
        double[] h = new double[hidden], c = new double[hidden];
        double loss = 0;
        foreach (var x in seq)
        {
            (h, c) = T.LstmStep(W, x, h, c);
            loss += h.Sum();
        }
        return loss;
    }

    [Differentiable(Hessian = true)]
    public static double LstmVar(double[] W, [NoDerivative] double[][] seq, [NoDerivative] int hidden)
    {
        double[] h = new double[hidden], c = new double[hidden];
        double loss = 0;
        foreach (var x in seq)
        {
            var step = T.LstmStep(W, x, h, c);
            h = step.H; c = step.C;
            loss += h.Sum();
        }
        return loss;
    }
}

public static class Probe
{
    public static string Ch() => Kit.H(Nets.ChainObjective(6, 3, 3, 1, new[] { 0.5, -1.0 }, 0.7), Kit.Rand(13, 2, 1));
    public static string Ac() => Kit.H(Nets.ActivationsObjective(new[] { 6, 6 }, new[] { 0.5, -1.0 }, new[] { 2, 3, 2 }), Kit.Rand(12, 2, 1));
    public static string Li() => Kit.H(Nets.ListActsObjective(new[] { 6, 6 }, new[] { 0.5, -1.0 }, new[] { 2, 3, 2 }), Kit.Rand(12, 2, 1));
    public static string Ls() => Kit.H(Nets.LstmObjective(4 * 2 * 3, new[] { new[] { 0.5 }, new[] { -1.0 }, new[] { 0.3 } }, 2), Kit.Rand(24, 2, 1));
    public static string Lv() => Kit.H(Nets.LstmVarObjective(4 * 2 * 3, new[] { new[] { 0.5 }, new[] { -1.0 }, new[] { 0.3 } }, 2), Kit.Rand(24, 2, 1));
}
""";
    public const string SpreadOfAQuery = """
using System;
using System.Linq;
using System.Runtime.CompilerServices;
using SymbolicGrad;
public static partial class Sx
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static double Sig(double z) => 1 / (1 + Math.Exp(-z));
    [Differentiable(Hessian = true)] public static double Spread(double[] h, [NoDerivative] double[] x) { double[] hx = [.. h, .. x]; double s = 0; for (int i = 0; i < hx.Length; i++) s += Sig(hx[i]) * (i + 1); return s; }
    [Differentiable(Hessian = true)] public static double Spread2(double[] h, double[] g) { double[] hx = [.. h, 1.0, .. g.Select(v => v * v)]; return hx.Sum(v => v * v); }
    [Differentiable(Hessian = true)] public static double Switch(double[] w, [NoDerivative] int mode)
    {
        double[] act = mode switch { 0 => w.Select(Math.Tanh).ToArray(), 1 => w.Select(Sig).ToArray(), _ => w };
        return act.Sum(v => v * v);
    }
    [Differentiable(Hessian = true)] public static double Ctor(double[] w) { var t = new ValueTuple<double, double>(w[0] * w[1], w[2]); (double, double) u = new(w[1], 2.0); var z = new (double, double)[0]; return t.Item1 * t.Item2 + u.Item1 * u.Item2 * w[0]; }
    [Differentiable(Hessian = true)] public static double TargetNew(double[] w) { double[] h = new double[w.Length]; (double a, double b) t = new(); for (int i = 0; i < w.Length; i++) h[i] = w[i] * w[i]; t = (h[0], h[^1]); return t.a * t.b + (h is not null ? h.Sum() : 0); }
}
public static class Probe
{
    static string Try(Func<string> f) { try { return f(); } catch (Exception e) { return "THREW " + e.GetType().Name + " " + e.Message; } }
    static double[] W = { 0.3, -0.7, 0.5 };
    public static string Run() => string.Join(" | ", new Func<string>[] {
        () => "Spread " + Kit.H(Sx.SpreadObjective(3, new[] { 1.0, 2 }), W),
        () => "Spread2 " + Kit.H(Sx.Spread2Objective(3, 2), new[] { 0.3, -0.7, 0.5, 0.2, 0.9 }),
        () => "Switch " + string.Join(",", new[] { 0, 1, 2 }.Select(m => Kit.H(Sx.SwitchObjective(3, m), W))),
        () => "Ctor " + Kit.H(Sx.CtorObjective(3), W),
        () => "TN " + Kit.H(Sx.TargetNewObjective(3), W),
    }.Select(Try));
}
""";
    public const string DifferentiatedStructWithArrays = """
using System;
using SymbolicGrad;
public record struct RLayer(double[] W, double B);
public struct Outer { public Inner I; public double C; }
public struct Inner { public double[] V; }
public static partial class SP
{
    [Differentiable] public static double T((double[] W, double B) d, [NoDerivative] double[] x) { double s = d.B; for (int i = 0; i < x.Length; i++) s += d.W[i] * x[i]; return Math.Tanh(s); }
    [Differentiable] public static double R(RLayer d, [NoDerivative] double[] x) { double s = d.B; for (int i = 0; i < x.Length; i++) s += d.W[i] * x[i]; return Math.Tanh(s); }
    [Differentiable] public static double N(Outer o) => o.C * o.I.V[0];
    [Differentiable] public static double D(double w, [NoDerivative] RLayer d) => w * d.W[0] + d.B;
}
public static class Probe { public static string Run() => Kit.G(SP.DObjective(new RLayer(new[] { 2.0 }, 1)), new[] { 0.5 }); }
""";
    public const string UserSimd = """
using System;
using System.Numerics;
using SymbolicGrad;
public static partial class Simd
{
    [Differentiable]
    public static double VecDot(double[] w, [NoDerivative] double[] x)
    {
        var acc = Vector<double>.Zero;
        int i = 0;
        for (; i <= w.Length - Vector<double>.Count; i += Vector<double>.Count)
            acc += new Vector<double>(w, i) * new Vector<double>(x, i);
        double s = Vector.Dot(acc, Vector<double>.One);
        for (; i < w.Length; i++) s += w[i] * x[i];
        return s * s;
    }
    [Differentiable]
    public static double Fma(double[] w, [NoDerivative] double[] x)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++) s = Math.FusedMultiplyAdd(w[i], x[i], s);
        return Math.Log(1 + s * s);
    }
}
public static class Probe { public static string F() => Kit.G(Simd.FmaObjective(3, new[] { 1.0, 2, 3 }), new[] { 0.3, 0.1, -0.2 }); }
""";
    public static readonly string[] Exact = { nameof(Activations), nameof(SoftmaxCrossEntropyFocal), nameof(MlpModelTraining), nameof(Convolutions), nameof(Attention), nameof(Normalization), nameof(RecurrentCells), nameof(TiedEmbeddingsLanguageModel), nameof(Losses), nameof(TrainableInBaseClass), nameof(DeepNetPerLayerJagged), nameof(FloatAndGenericModels), nameof(MisuseAndTraining), nameof(LoggingTheLoss), nameof(InPlaceHelpers), nameof(ModelCombination), nameof(LanguageFeatures), nameof(ListsOfExamples), nameof(CopiesOfDataStructs), nameof(RecommenderVaeContrastive), nameof(ModelOverloadsAndRecords), nameof(ControlFlow), nameof(Casts), nameof(TrainingLoops), nameof(TensorHelpers), nameof(ActivationList), nameof(PerExampleActivations), nameof(BackpropThroughTime), nameof(NestedDataStructs), nameof(InputRowsFromFieldsAndObjects), nameof(StructLocalsWithArrays), nameof(FlatParameterVector), nameof(NewerLinq), nameof(Spreads), nameof(SwitchAndTupleSyntax), nameof(HelpersTuplesPatterns), nameof(JacobianAndLeastSquares), nameof(SpreadOfAQuery), nameof(ListOfActivationsAndConcat) };

    /// <summary>Each refused draft's errors: the SG id and the text of the node it is reported at.</summary>
    public static readonly (string Name, (string Id, string Node)[] Errors)[] Refused =
    {
        (nameof(InitOnlyTrainable), new[] { ("SG0032", "B") }),
        (nameof(ReadonlyTrainable), new[] { ("SG0032", "B") }),
        (nameof(StructModel), new[] { ("SG0032", "A"), ("SG0032", "B") }),
        (nameof(StaticTrainable), new[] { ("SG0032", "W"), ("SG0032", "B") }),
        (nameof(LayerObjectsAsTrainable), new[] { ("SG0032", "L1"), ("SG0032", "L2") }),
        (nameof(LayerObjectsWithoutTrainable), new[] { ("SG0022", "Loss") }),
        (nameof(BatchNormRunningStatistics), new[] { ("SG0018", "Calls"), ("SG0018", "LastLoss"), ("SG0018", "RunningMean[j]"), ("SG0018", "RunningVar[j]") }),
        // Array.IndexOf(z, z.Max()) is a step function since stop 31 (an index, derivative zero): ArgmaxPool is exact (MlFirstDraftTests.ArgmaxPoolIsExact).
        (nameof(SortingAndArgmax), new[] { ("SG0015", "Array.Sort(r)"), ("SG0015", "Array.Sort(copy)") }),
        (nameof(WriteIntoDataElement), new[] { ("SG0018", "xs[1].X"), ("SG0018", "xs[1].A") }),
        (nameof(MutatingMethodsAndDataObjects), new[] { ("SG0018", "ex.F[0]") }),
        (nameof(InterfacesAndDelegates), new[] { ("SG0020", "act.Apply(d.Dot(w))"), ("SG0014", "act(d.Dot(w))") }),
        (nameof(DifferentiatedStructWithArrays), new[] { ("SG0006", "d"), ("SG0006", "d"), ("SG0006", "o") }),
        (nameof(UserSimd), new[] { ("SG0017", "new Vector<double>(w, i) * new Vector<double>(x, i)"), ("SG0017", "acc += new Vector<double>(w, i) * new Vector<double>(x, i)") }),
    };
}

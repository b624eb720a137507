using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// <c>double[,]</c> and jagged <c>double[][]</c> as differentiated parameters (#9): the gradient is an output of the
/// parameter's shape (<c>double[,] dW</c>, <c>double[][] dW</c>), checked at entry; NameObjective packs the matrix
/// row-major and takes its shape (rows and columns; each row's length for jagged, or rows and columns). Every gradient
/// is compared with a closed form (or a hand-written backpropagation) and with numeric differences.
/// </summary>
public class MatrixParameterTests
{
    private const string Source = """
        // A linear layer, sum over j of (W x - y)_j squared.
        [Differentiable]
        public static double Linear(double[,] W, [NoDerivative] double[] x, [NoDerivative] double[] y)
        {
            double loss = 0;
            for (int j = 0; j < W.GetLength(0); j++)
            {
                double s = 0;
                for (int k = 0; k < W.GetLength(1); k++) s += W[j, k] * x[k];
                loss += (s - y[j]) * (s - y[j]);
            }

            return loss;
        }

        // The same layer with jagged weights: rows read by W[j][k] and through an alias of the row.
        [Differentiable]
        public static double LinearJagged(double[][] W, [NoDerivative] double[] x, [NoDerivative] double[] y)
        {
            double loss = 0;
            for (int j = 0; j < W.Length; j++)
            {
                double[] row = W[j];
                double s = 0;
                for (int k = 0; k < row.Length; k++) s += row[k] * x[k];
                loss += (s - y[j]) * (s - y[j]);
            }

            return loss + 0 * W[0][0];
        }

        // A 2-layer MLP with per-layer weights W[l] (rows of different lengths) and biases b[l].
        [Differentiable]
        public static double Mlp(double[][] W, double[][] b, [NoDerivative] double[] x, [NoDerivative] double target, [NoDerivative] int hidden)
        {
            int d = x.Length;
            var h = new double[hidden];
            for (int j = 0; j < hidden; j++)
            {
                double z = b[0][j];
                for (int k = 0; k < d; k++) z += W[0][j * d + k] * x[k];
                h[j] = Math.Tanh(z);
            }

            double o = b[1][0];
            for (int j = 0; j < hidden; j++) o += W[1][j] * h[j];
            return 0.5 * (o - target) * (o - target);
        }

        // The same network as a loop over the layers: the activations start as the data x, then hold each layer's output.
        [Differentiable(Hessian = true)]
        public static double MlpLayers(double[][] W, double[][] b, [NoDerivative] double[] x, [NoDerivative] double target)
        {
            double[] a = x;
            for (int l = 0; l < W.Length; l++)
            {
                var next = new double[b[l].Length];
                for (int j = 0; j < next.Length; j++)
                {
                    double z = b[l][j];
                    for (int k = 0; k < a.Length; k++) z += W[l][j * a.Length + k] * a[k];
                    next[j] = l < W.Length - 1 ? Math.Tanh(z) : z;
                }

                a = next;
            }

            return 0.5 * (a[0] - target) * (a[0] - target);
        }

        // ADBench-like GMM: means[k][d], log-weights alphas[k]; sum over points of log sum_k exp(alpha_k - |x - mu_k|^2 / 2).
        [Differentiable]
        public static double Gmm(double[][] means, double[] alphas, [NoDerivative] double[][] xs)
        {
            double total = 0;
            foreach (var x in xs)
            {
                var lse = new double[means.Length];
                double m = double.NegativeInfinity;
                for (int k = 0; k < means.Length; k++)
                {
                    double d2 = 0;
                    for (int d = 0; d < x.Length; d++)
                    {
                        double t = x[d] - means[k][d];
                        d2 += t * t;
                    }

                    lse[k] = alphas[k] - 0.5 * d2;
                    m = Math.Max(m, lse[k]);
                }

                double s = 0;
                for (int k = 0; k < means.Length; k++) s += Math.Exp(lse[k] - m);
                total += m + Math.Log(s);
            }

            return total;
        }

        static double Dot(double[] a, double[] b)
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
            return s;
        }

        static double SumOfSquares(double[,] m)
        {
            double s = 0;
            for (int i = 0; i < m.GetLength(0); i++)
                for (int j = 0; j < m.GetLength(1); j++) s += m[i, j] * m[i, j];
            return s;
        }

        [Differentiable]
        public static double Corner(double[][] W, double[,] V) => W[0][0] * V[0, 1] + W.Sum(r => r.Sum());

        // Rows to a plain helper, foreach over rows, the matrix to a plain helper and to a [Differentiable] one.
        [Differentiable]
        public static double Helpers(double[][] W, double[,] V, [NoDerivative] double[] x)
        {
            double s = 0;
            foreach (var row in W) s += Dot(row, x) * Dot(row, x);
            return s + SumOfSquares(V) + Corner(W, V) + V.Length * W.Length;
        }

        // The advice of SG0018 for a jagged parameter, followed: a shallow copy whose row is replaced.
        [Differentiable]
        public static double ReplacedRow(double[][] W, double t)
        {
            var copy = (double[][])W.Clone();
            copy[0] = new[] { t, 2 * t };
            return copy[0][1] * copy[1][0] + copy[1][1] * W[0][0];
        }

        [Differentiable]
        public static float Single(float[,] W, float[][] U) => W[0, 1] * W[1, 0] + U[1][0] * U[0][0] * W[0, 0];

        // Second order: f = sum_j exp(s_j) with s_j = b + sum_k W[j, k] x_k.
        [Differentiable(Hessian = true)]
        public static double ExpLayer(double[,] W, double b, [NoDerivative] double[] x)
        {
            double f = 0;
            for (int j = 0; j < W.GetLength(0); j++)
            {
                double s = b;
                for (int k = 0; k < W.GetLength(1); k++) s += W[j, k] * x[k];
                f += Math.Exp(s);
            }

            return f;
        }

        [Differentiable(Hessian = true)]
        public static double ExpLayerJagged(double[][] W, double b, [NoDerivative] double[] x)
        {
            double f = 0;
            foreach (var row in W)
            {
                double s = b;
                for (int k = 0; k < row.Length; k++) s += row[k] * x[k];
                f += Math.Exp(s);
            }

            return f;
        }

        // Reads the local matrices support, on parameters.
        [Differentiable]
        public static double Elements(double[,] V)
        {
            double s = 0;
            foreach (double v in V) s += v * v * v;
            return s;
        }

        [Differentiable]
        public static double RowSpans(double[][] W)
        {
            ReadOnlySpan<double> r = W[1];
            var s = W[0].AsSpan(1);
            return r[0] * s[1] + r.Length;
        }

        [Differentiable]
        public static double Repointed(double[][] W)
        {
            double[] cur = W[0];
            double acc = 0;
            for (int l = 1; l < W.Length; l++)
            {
                acc += cur[0] * W[l][1];
                cur = W[l];
            }

            return acc + cur[1];
        }

        [Differentiable]
        public static double Chosen(double[][] W, [NoDerivative] bool first)
        {
            var r = first ? W[0] : W[1];
            return r[0] * r[1];
        }

        [Differentiable]
        public static double RowsToLocal(double[][] W)
        {
            var rows = new double[W.Length][];
            for (int i = 0; i < W.Length; i++) rows[i] = W[i];
            return rows[1][0] * rows[0][1];
        }

        // The advice of SG0018 for a rectangular parameter, followed.
        [Differentiable]
        public static double Copied(double[,] W)
        {
            var c = (double[,])W.Clone();
            c[0, 0] = 3;
            return c[0, 0] * c[0, 1] + c[1, 1];
        }

        [Differentiable]
        public static T Generic<T>(T[,] W) where T : System.Numerics.IFloatingPointIeee754<T> => W[0, 0] * W[1, 1] - W[0, 1];

        [Differentiable]
        public static double Nullable(double[][]? W) => W is null ? 0 : W[0][0] * W[0][0];

        // Both kinds together, an 'in' matrix and a nullable jagged one, with second derivatives and as residuals.
        [Differentiable(Hessian = true)]
        public static double Both(in double[,] W, double[][]? U) => W[0, 1] * W[1, 0] * (U is null ? 1 : U[0][0] * U[0][0]);

        [Differentiable]
        public static void BothResiduals(double[,] W, double[][] U, Span<double> r)
        {
            r[0] = W[0, 1] * U[0][0];
            r[1] = W[1, 1] * W[1, 1];
        }

        [Differentiable(Hessian = true)]
        public static float SingleHessian(float[,] W, float[][] U) => W[0, 1] * W[1, 0] * U[0][0];

        [Differentiable] public static double RowDot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
            return s;
        }

        [Differentiable]
        public static double EarlyReturn(double[][] W, [NoDerivative] double t)
        {
            foreach (var row in W)
            {
                if (row[0] > t) return row[0] * row[1];
            }

            return W[0][1] * W[1][1];
        }

        [Differentiable]
        public static double Switch(double[,] W, [NoDerivative] int k) => k switch { 0 => W[0, 0] * W[1, 1], 1 => Math.Sin(W[0, 1]), _ => W.Length * W[1, 0] * W[1, 0] };

        [Differentiable]
        public static double Linq(double[][] W) => W.Select(r => r.Sum(v => v * v)).Sum() + W.Max(r => r[0]);

        [Differentiable]
        public static double LocalFunctionAndLambda(double[,] W, double[][] U)
        {
            double At(int i, int j) => W[i, j] * U[i][j];
            Func<int, double> row = i => U[i].Sum();
            return At(0, 1) + At(1, 0) * row(1);
        }

        [Differentiable]
        public static double ChooseMatrix(double[,] A, double[,] B, [NoDerivative] bool first)
        {
            var M = first ? A : B;
            return M[0, 0] * M[1, 1] + A[0, 1];
        }

        [Differentiable]
        public static double RowToDifferentiableHelper(double[][] W) => RowDot(W[0], W[1]) + RowDot(W[1].AsSpan(1), W[0].AsSpan(0, 1));

        [Differentiable]
        public static double TupleOfRows(double[][] W)
        {
            var (a, b) = (W[0], W[1]);
            return a[0] * b[1] - a[1] * b[0];
        }

        [Differentiable]
        public static double ListPattern(double[][] W) => W[0] is [var first, .., var last] ? first * last * W[1][0] : 0;

        [Differentiable]
        public static double WhileOverRows(double[][] W)
        {
            int i = 0;
            double s = 1;
            while (i < W.Length && W[i][0] > -5)
            {
                s *= W[i][0] + W[i][1];
                i++;
            }

            return s;
        }

        static double[] Pick(double[][] m, int i) => m[i];

        [Differentiable]
        public static double RowsUnderBranches(double[][] W, double[,] V, [NoDerivative] bool[] use)
        {
            double s = 0;
            for (int j = 0; j < W.Length; j++)
            {
                if (use[j])
                {
                    var row = Pick(W, j);
                    s += row[0] * row[1] * V[j, 1];
                }
                else
                {
                    s -= V[j, 0] * V[j, 0];
                }
            }

            return s;
        }

        [Differentiable]
        public static double NullableRows(double[]?[] W) => W[0]![0] * W[1]![1];

        // A vector-valued method: r_j = tanh(sum_k W[j][k] x_k).
        [Differentiable]
        public static void Residuals(double[][] W, [NoDerivative] double[] x, Span<double> r)
        {
            for (int j = 0; j < W.Length; j++)
            {
                double s = 0;
                for (int k = 0; k < x.Length; k++) s += W[j][k] * x[k];
                r[j] = Math.Tanh(s);
            }
        }
        """;

    private static readonly Lazy<Type> Compiled = new(() => Expect.Compiles("using System.Linq;\n" + Harness.InClass(Source)).GetType("Demo.C")!);

    private static readonly double[] X = { 0.5, -1.25, 2.0, 0.75 };
    private static readonly double[] Y = { 0.3, -0.2, 1.1 };

    private static MethodInfo Method(string name, int parameters) =>
        Compiled.Value.GetMethods().Single(m => m.Name == name && m.GetParameters().Length == parameters);

    private static object? Call(string name, params object?[] args)
    {
        try
        {
            return Method(name, args.Length).Invoke(null, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static DifferentiableFunction Objective(string name, params object?[] args) => (DifferentiableFunction)Call(name + "Objective", args)!;

    private static double[,] Rect(int rows, int columns, int seed)
    {
        var m = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                m[i, j] = Math.Sin(seed + 1.7 * i + 0.9 * j) * 0.8;
            }
        }

        return m;
    }

    private static double[][] Jagged(int[] lengths, int seed) =>
        lengths.Select((n, i) => Enumerable.Range(0, n).Select(j => Math.Cos(seed + 1.3 * i + 0.7 * j) * 0.8).ToArray()).ToArray();

    private static double[] Flatten(double[,] m) => m.Cast<double>().ToArray();

    private static double[] Flatten(double[][] m) => m.SelectMany(r => r).ToArray();

    private static void Near(double expected, double actual, string what, double tolerance = 1e-12) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * (1 + Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    private static void Passes(DifferentiableFunction f, double[] point)
    {
        var check = GradientCheck.Check(f, point, Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }

    [Fact]
    public void RectangularLinearLayer_GradientIsTheClosedForm()
    {
        var w = Rect(3, 4, 1);
        var dW = new double[3, 4];
        double value = (double)Call("LinearGradient", w, X, Y, dW)!;
        Near((double)Call("Linear", w, X, Y)!, value, "value", 0);
        for (int j = 0; j < 3; j++)
        {
            double r = -Y[j];
            for (int k = 0; k < 4; k++) r += w[j, k] * X[k];
            for (int k = 0; k < 4; k++) Near(2 * r * X[k], dW[j, k], $"dW[{j},{k}]");
        }

        // Called again, the output is overwritten, not added to.
        Call("LinearGradient", w, X, Y, dW);
        double r0 = -Y[0];
        for (int k = 0; k < 4; k++) r0 += w[0, k] * X[k];
        Near(2 * r0 * X[1], dW[0, 1], "dW[0,1] on the second call");
    }

    [Fact]
    public void RectangularLinearLayer_ObjectivePacksRowMajor()
    {
        var w = Rect(3, 4, 1);
        var f = Objective("Linear", 3, 4, X, Y);
        Assert.Equal(12, f.Dimension);
        Assert.Equal("W[0,0]", f.ParameterNames[0]);
        Assert.Equal("W[1,2]", f.ParameterNames[6]);
        var g = new double[12];
        double value = f.ValueAndGradient(Flatten(w), g);
        var dW = new double[3, 4];
        Near((double)Call("LinearGradient", w, X, Y, dW)!, value, "value", 0);
        Assert.Equal(Flatten(dW), g);
        Passes(f, Flatten(w));
    }

    [Fact]
    public void JaggedLinearLayer_GradientIsTheClosedForm()
    {
        var w = Jagged(new[] { 4, 4, 4 }, 2);
        var dW = new[] { new double[4], new double[4], new double[4] };
        double value = (double)Call("LinearJaggedGradient", w, X, Y, dW)!;
        Near((double)Call("LinearJagged", w, X, Y)!, value, "value", 0);
        for (int j = 0; j < 3; j++)
        {
            double r = -Y[j];
            for (int k = 0; k < 4; k++) r += w[j][k] * X[k];
            for (int k = 0; k < 4; k++) Near(2 * r * X[k], dW[j][k], $"dW[{j}][{k}]");
        }
    }

    [Fact]
    public void JaggedLinearLayer_BothObjectivesAgreeWithTheGradient()
    {
        var w = Jagged(new[] { 4, 4, 4 }, 2);
        var byLengths = Objective("LinearJagged", new[] { 4, 4, 4 }, X, Y);
        var byShape = Objective("LinearJagged", 3, 4, X, Y);
        Assert.Equal(12, byLengths.Dimension);
        Assert.Equal(12, byShape.Dimension);
        Assert.Equal("W[1][2]", byShape.ParameterNames[6]);
        Assert.Equal(byLengths.ParameterNames, byShape.ParameterNames);
        var g = new double[12];
        byShape.ValueAndGradient(Flatten(w), g);
        var dW = new[] { new double[4], new double[4], new double[4] };
        Call("LinearJaggedGradient", w, X, Y, dW);
        Assert.Equal(Flatten(dW), g);
        Passes(byLengths, Flatten(w));
        Passes(byShape, Flatten(w));
    }

    [Fact]
    public void TwoLayerMlpWithPerLayerWeights_MatchesBackpropagation()
    {
        const int hidden = 3;
        var x = new[] { 0.4, -0.9 };
        double target = 0.25;
        var w = Jagged(new[] { hidden * 2, hidden }, 3);
        var b = Jagged(new[] { hidden, 1 }, 4);

        // Backpropagation by hand.
        var h = new double[hidden];
        double o = b[1][0];
        for (int j = 0; j < hidden; j++)
        {
            double z = b[0][j] + w[0][j * 2] * x[0] + w[0][j * 2 + 1] * x[1];
            h[j] = Math.Tanh(z);
            o += w[1][j] * h[j];
        }

        double dO = o - target;
        var dW = new[] { new double[hidden * 2], new double[hidden] };
        var dB = new[] { new double[hidden], new double[1] };
        double value = (double)Call("MlpGradient", w, b, x, target, hidden, dW, dB)!;
        Near(0.5 * dO * dO, value, "value");
        Near(dO, dB[1][0], "dB[1][0]");
        for (int j = 0; j < hidden; j++)
        {
            Near(dO * h[j], dW[1][j], $"dW[1][{j}]");
            double dZ = dO * w[1][j] * (1 - h[j] * h[j]);
            Near(dZ, dB[0][j], $"dB[0][{j}]");
            Near(dZ * x[0], dW[0][j * 2], $"dW[0][{j * 2}]");
            Near(dZ * x[1], dW[0][j * 2 + 1], $"dW[0][{j * 2 + 1}]");
        }

        var f = Objective("Mlp", new[] { hidden * 2, hidden }, new[] { hidden, 1 }, x, target, hidden);
        Assert.Equal(hidden * 3 + hidden + 1, f.Dimension);
        Assert.Equal("W[1][0]", f.ParameterNames[hidden * 2]);
        Assert.Equal("b[1][0]", f.ParameterNames[^1]);
        Passes(f, Flatten(w).Concat(Flatten(b)).ToArray());
    }

    [Fact]
    public void MlpAsALoopOverLayers_IsTheSameNetwork()
    {
        // The activations variable holds the data first, then differentiated arrays (its first adjoint is a sink).
        const int hidden = 3;
        var x = new[] { 0.4, -0.9 };
        var point = Flatten(Jagged(new[] { hidden * 2, hidden }, 3)).Concat(Flatten(Jagged(new[] { hidden, 1 }, 4))).ToArray();
        var layers = Objective("MlpLayers", new[] { hidden * 2, hidden }, new[] { hidden, 1 }, x, 0.25);
        var explicitLayers = Objective("Mlp", new[] { hidden * 2, hidden }, new[] { hidden, 1 }, x, 0.25, hidden);
        var g1 = new double[point.Length];
        var g2 = new double[point.Length];
        Near(explicitLayers.ValueAndGradient(point, g2), layers.ValueAndGradient(point, g1), "value");
        for (int i = 0; i < point.Length; i++) Near(g2[i], g1[i], layers.ParameterNames[i], 1e-13);
        Passes(layers, point);
        var hessian = GradientCheck.CheckHessian(layers, point, Expect.Tight);
        Assert.True(hessian.Passed, hessian.ToString());
    }

    [Fact]
    public void GmmMeans_GradientIsTheSoftmaxWeightedResidual()
    {
        var means = Jagged(new[] { 3, 3 }, 5);
        var alphas = new[] { 0.2, -0.4 };
        var xs = new[] { new[] { 0.5, 0.1, -0.3 }, new[] { -0.6, 0.9, 0.2 }, new[] { 0.0, -0.4, 0.7 } };
        // dAlphas is a Span<double>, which reflection cannot pass: the gradient is read through the objective.
        var f = Objective("Gmm", 2, 3, 2, xs);
        Assert.Equal(8, f.Dimension);
        var g = new double[8];
        f.ValueAndGradient(Flatten(means).Concat(alphas).ToArray(), g);
        var expectedMeans = new[] { new double[3], new double[3] };
        var expectedAlphas = new double[2];
        foreach (var x in xs)
        {
            var l = new double[2];
            for (int k = 0; k < 2; k++)
            {
                double d2 = 0;
                for (int d = 0; d < 3; d++) d2 += (x[d] - means[k][d]) * (x[d] - means[k][d]);
                l[k] = alphas[k] - 0.5 * d2;
            }

            double z = Math.Exp(l[0]) + Math.Exp(l[1]);
            for (int k = 0; k < 2; k++)
            {
                double p = Math.Exp(l[k]) / z;
                expectedAlphas[k] += p;
                for (int d = 0; d < 3; d++) expectedMeans[k][d] += p * (x[d] - means[k][d]);
            }
        }

        for (int k = 0; k < 2; k++)
        {
            Near(expectedAlphas[k], g[6 + k], $"dAlphas[{k}]");
            for (int d = 0; d < 3; d++) Near(expectedMeans[k][d], g[k * 3 + d], $"dMeans[{k}][{d}]");
        }

        Passes(f, Flatten(means).Concat(alphas).ToArray());
    }

    [Fact]
    public void MatricesPassedToHelpers_GradientIsTheClosedForm()
    {
        var w = Jagged(new[] { 4, 4 }, 6);
        var v = Rect(2, 3, 7);
        var dW = new[] { new double[4], new double[4] };
        var dV = new double[2, 3];
        double value = (double)Call("HelpersGradient", w, v, X, dW, dV)!;
        Near((double)Call("Helpers", w, v, X)!, value, "value", 0);
        for (int j = 0; j < 2; j++)
        {
            double s = 0;
            for (int k = 0; k < 4; k++) s += w[j][k] * X[k];
            for (int k = 0; k < 4; k++)
            {
                double expected = 2 * s * X[k] + 1 + (j == 0 && k == 0 ? v[0, 1] : 0);
                Near(expected, dW[j][k], $"dW[{j}][{k}]");
            }
        }

        for (int i = 0; i < 2; i++)
        {
            for (int k = 0; k < 3; k++) Near(2 * v[i, k] + (i == 0 && k == 1 ? w[0][0] : 0), dV[i, k], $"dV[{i},{k}]");
        }

        Passes(Objective("Helpers", new[] { 4, 4 }, 2, 3, X), Flatten(w).Concat(Flatten(v)).ToArray());
    }

    [Fact]
    public void ShallowCopyWithAReplacedRow_GradientIsTheClosedForm()
    {
        var w = new[] { new[] { 0.5, 1.5 }, new[] { -1.0, 2.0 } };
        var dW = new[] { new double[2], new double[2] };
        double value = (double)Call("ReplacedRowGradient", w, 0.75, dW, null)!;
        Near(2 * 0.75 * -1.0 + 2.0 * 0.5, value, "value");

        // f = 2t W[1][0] + W[1][1] W[0][0]: the replaced row of the copy is not W's.
        var f = Objective("ReplacedRow", new[] { 2, 2 });
        var g = new double[5];
        f.ValueAndGradient(new[] { 0.5, 1.5, -1.0, 2.0, 0.75 }, g);
        Assert.Equal(new[] { 2.0, 0, 1.5, 0.5, -2.0 }, g);
        Passes(f, new[] { 0.5, 1.5, -1.0, 2.0, 0.75 });
    }

    [Fact]
    public void FloatMatrices_GetFloatGradients()
    {
        var w = new float[,] { { 0.5f, 1.5f }, { -1.0f, 2.0f } };
        var u = new[] { new[] { 3.0f }, new[] { -2.0f } };
        var dW = new float[2, 2];
        var dU = new[] { new float[1], new float[1] };
        Call("SingleGradient", w, u, dW, dU);
        Assert.Equal(new float[,] { { -6.0f, -1.0f }, { 1.5f, 0 } }, dW);
        Assert.Equal(-1.0f, dU[0][0]);
        Assert.Equal(1.5f, dU[1][0]);
        var f = Objective("Single", 2, 2, new[] { 1, 1 });
        var g = new double[6];
        f.ValueAndGradient(new[] { 0.5, 1.5, -1.0, 2.0, 3.0, -2.0 }, g);
        Assert.Equal(new[] { -6.0, -1.0, 1.5, 0, -1.0, 1.5 }, g);
    }

    [Fact]
    public void HessianOfARectangularMatrix_IsTheClosedForm() => CheckExpLayer("ExpLayer", Rect(2, 3, 8), jagged: false);

    [Fact]
    public void HessianOfAJaggedMatrix_IsTheClosedForm() => CheckExpLayer("ExpLayerJagged", Rect(2, 3, 8), jagged: true);

    private static void CheckExpLayer(string name, double[,] w, bool jagged)
    {
        var x = new[] { 0.3, -0.7, 0.4 };
        double b = 0.1;
        var f = jagged ? Objective(name, new[] { 3, 3 }, x) : Objective(name, 2, 3, x);
        Assert.True(f.HasHessian);
        var point = Flatten(w).Append(b).ToArray();

        // H[(j,k),(j,l)] = e^{s_j} x_k x_l, H[(j,k),b] = e^{s_j} x_k, H[b,b] = sum_j e^{s_j}.
        int n = 7;
        var expected = new double[n * n];
        for (int j = 0; j < 2; j++)
        {
            double e = Math.Exp(b + w[j, 0] * x[0] + w[j, 1] * x[1] + w[j, 2] * x[2]);
            for (int k = 0; k < 3; k++)
            {
                for (int l = 0; l < 3; l++) expected[(j * 3 + k) * n + j * 3 + l] = e * x[k] * x[l];
                expected[(j * 3 + k) * n + 6] = e * x[k];
                expected[6 * n + j * 3 + k] = e * x[k];
            }

            expected[6 * n + 6] += e;
        }

        var h = new double[n * n];
        f.Hessian(point, h);
        for (int i = 0; i < n * n; i++) Near(expected[i], h[i], $"H[{i / n},{i % n}]", 1e-12);

        var check = GradientCheck.CheckHessian(f, point, Expect.Tight);
        Assert.True(check.Passed, check.ToString());

        // The generated product called directly: matrices in, matrices out.
        var v = Rect(2, 3, 9);
        const double vb = -0.35;
        var hv = new double[n];
        f.HessianVectorProduct(point, Flatten(v).Append(vb).ToArray(), hv);
        object direction = jagged ? ToJagged(v) : v;
        object gradient = jagged ? ToJagged(new double[2, 3]) : new double[2, 3];
        object product = jagged ? ToJagged(new double[2, 3]) : new double[2, 3];
        object input = jagged ? ToJagged(w) : w;
        var args = new object?[] { input, b, x, direction, vb, gradient, null, product, null };
        double value = (double)Method(name + "HessianVectorProduct", 9).Invoke(null, args)!;
        Near(f.Value(point), value, "value", 0);
        var flat = jagged ? Flatten((double[][])product) : Flatten((double[,])product);
        for (int i = 0; i < 6; i++) Near(hv[i], flat[i], $"hvW[{i}]", 0);
        Near(hv[6], (double)args[8]!, "hvB", 0);
    }

    private static double[][] ToJagged(double[,] m) =>
        Enumerable.Range(0, m.GetLength(0)).Select(i => Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j]).ToArray()).ToArray();

    [Fact]
    public void JacobianOfAJaggedMatrix_IsTheClosedForm()
    {
        var x = new[] { 0.3, -0.7, 0.4 };
        var w = Jagged(new[] { 3, 3 }, 10);
        var byShape = (LeastSquaresFunction)Call("ResidualsLeastSquares", 2, 3, x, 2)!;
        var byLengths = (LeastSquaresFunction)Call("ResidualsLeastSquares", new[] { 3, 3 }, x, 2)!;
        Assert.Equal(6, byShape.Dimension);
        Assert.Equal(byShape.ParameterNames, byLengths.ParameterNames);
        var r = new double[2];
        var jacobian = new double[12];
        byShape.Jacobian(Flatten(w), r, jacobian);
        for (int j = 0; j < 2; j++)
        {
            double t = Math.Tanh(w[j][0] * x[0] + w[j][1] * x[1] + w[j][2] * x[2]);
            Near(t, r[j], $"r[{j}]");
            for (int i = 0; i < 2; i++)
            {
                for (int k = 0; k < 3; k++) Near(i == j ? (1 - t * t) * x[k] : 0, jacobian[j * 6 + i * 3 + k], $"J[{j}, W[{i}][{k}]]");
            }
        }

        var check = GradientCheck.CheckJacobian(byLengths, Flatten(w), Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }

    /// <summary>The objective's gradient at <paramref name="point"/> is <paramref name="expected"/>, and numeric differences agree.</summary>
    private static void GradientIs(DifferentiableFunction f, double[] point, params double[] expected)
    {
        var g = new double[f.Dimension];
        f.ValueAndGradient(point, g);
        Assert.Equal(expected.Length, g.Length);
        for (int i = 0; i < g.Length; i++) Near(expected[i], g[i], f.ParameterNames[i]);
        Passes(f, point);
    }

    [Fact]
    public void ForeachOverTheElementsOfARectangularMatrix() =>
        GradientIs(Objective("Elements", 2, 2), new[] { 0.5, -1.0, 2.0, 1.5 }, 0.75, 3.0, 12.0, 6.75);

    [Fact]
    public void RowsAsSpansAndSlices() =>
        GradientIs(Objective("RowSpans", new[] { 3, 2 }), new[] { 0.5, -1.0, 2.0, 1.5, 0.25 }, 0, 0, 1.5, 2.0, 0);

    [Fact]
    public void ARowVariableThatALoopRepoints() =>
        GradientIs(Objective("Repointed", 3, 2), new[] { 0.5, -1.0, 2.0, 1.5, 0.25, -0.75 }, 1.5, 0, -0.75, 0.5, 0, 3.0);

    [Fact]
    public void ARowChosenByACondition()
    {
        GradientIs(Objective("Chosen", 2, 2, false), new[] { 0.5, -1.0, 2.0, 1.5 }, 0, 0, 1.5, 2.0);
        GradientIs(Objective("Chosen", 2, 2, true), new[] { 0.5, -1.0, 2.0, 1.5 }, -1.0, 0.5, 0, 0);
    }

    [Fact]
    public void RowsStoredInALocalJaggedArray() =>
        GradientIs(Objective("RowsToLocal", 2, 2), new[] { 0.5, -1.0, 2.0, 1.5 }, 0, 2.0, -1.0, 0);

    [Fact]
    public void ACloneOfARectangularParameter() =>
        GradientIs(Objective("Copied", 2, 2), new[] { 0.5, -1.0, 2.0, 1.5 }, 0, 3.0, 0, 1.0);

    [Fact]
    public void AGenericMatrix() =>
        GradientIs(Objective("Generic", 2, 2), new[] { 0.5, -1.0, 2.0, 1.5 }, 1.5, -1.0, 0, 0.5);

    [Fact]
    public void ANullableJaggedParameter()
    {
        Assert.Equal(0.0, Call("NullableGradient", null, null));
        var dW = new[] { new double[1] };
        Assert.Equal(2.25, Call("NullableGradient", new[] { new[] { 1.5 } }, dW));
        Assert.Equal(3.0, dW[0][0]);
        Assert.Equal("dW", Assert.Throws<ArgumentNullException>(() => Call("NullableGradient", new[] { new[] { 1.5 } }, null)).ParamName);
    }

    [Fact]
    public void BothKindsTogether_SecondOrderAndResiduals()
    {
        // f = W01 W10 U00²: H has W01-W10 = U00², W01-U00 = 2 W10 U00, W10-U00 = 2 W01 U00, U00-U00 = 2 W01 W10.
        var point = new[] { 0.5, -1.0, 2.0, 1.5, 0.75 };
        var f = Objective("Both", 2, 2, new[] { 1 });
        GradientIs(f, point, 0, 2.0 * 0.5625, -1.0 * 0.5625, 0, 2 * -1.0 * 2.0 * 0.75);
        var h = new double[25];
        f.Hessian(point, h);
        Near(0.5625, h[1 * 5 + 2], "H[W01, W10]");
        Near(2 * 2.0 * 0.75, h[1 * 5 + 4], "H[W01, U00]");
        Near(2 * -1.0 * 0.75, h[2 * 5 + 4], "H[W10, U00]");
        Near(2 * -1.0 * 2.0, h[4 * 5 + 4], "H[U00, U00]");
        Near(0, h[0], "H[W00, W00]");
        var hessian = GradientCheck.CheckHessian(f, point, Expect.Tight);
        Assert.True(hessian.Passed, hessian.ToString());

        // r = (W01 U00, W11²).
        var residuals = (LeastSquaresFunction)Call("BothResidualsLeastSquares", 2, 2, new[] { 1 }, 2)!;
        var r = new double[2];
        var jacobian = new double[10];
        residuals.Jacobian(point, r, jacobian);
        Assert.Equal(new[] { -0.75, 2.25 }, r);
        Assert.Equal(new[] { 0, 0.75, 0, 0, -1.0, 0, 0, 0, 3.0, 0 }, jacobian);
        var check = GradientCheck.CheckJacobian((LeastSquaresFunction)Call("BothResidualsLeastSquares", 2, 2, 1, 1, 2)!, point, Expect.Tight);
        Assert.True(check.Passed, check.ToString());

        // float matrices with second derivatives: the product of three, in float.
        var single = Objective("SingleHessian", 2, 2, new[] { 1 });
        var hs = new double[25];
        single.Hessian(point, hs);
        Near(0.75, hs[1 * 5 + 2], "float H[W01, W10]", 1e-7);
        Near(2.0, hs[1 * 5 + 4], "float H[W01, U00]", 1e-7);
        Near(-1.0, hs[2 * 5 + 4], "float H[W10, U00]", 1e-7);
    }

    public static TheoryData<string, object[]> MoreCode() => new()
    {
        { "EarlyReturn", new object[] { new[] { 2, 2 }, 0.0 } },
        { "EarlyReturn", new object[] { new[] { 2, 2 }, 5.0 } },
        { "Switch", new object[] { 2, 2, 0 } },
        { "Switch", new object[] { 2, 2, 1 } },
        { "Switch", new object[] { 2, 2, 2 } },
        { "Linq", new object[] { new[] { 2, 2 } } },
        { "LocalFunctionAndLambda", new object[] { 2, 2, new[] { 2, 2 } } },
        { "ChooseMatrix", new object[] { 2, 2, 2, 2, true } },
        { "ChooseMatrix", new object[] { 2, 2, 2, 2, false } },
        { "RowToDifferentiableHelper", new object[] { new[] { 2, 2 } } },
        { "TupleOfRows", new object[] { new[] { 2, 2 } } },
        { "ListPattern", new object[] { new[] { 2, 2 } } },
        { "WhileOverRows", new object[] { new[] { 2, 2 } } },
        { "NullableRows", new object[] { new[] { 2, 2 } } },
        { "RowsUnderBranches", new object[] { new[] { 2, 2 }, 2, 2, new[] { true, false } } },
        { "RowsUnderBranches", new object[] { new[] { 2, 2 }, 2, 2, new[] { false, true } } },
    };

    /// <summary>Control flow, LINQ, local functions, lambdas, tuples, patterns and helpers over matrix parameters: numeric differences.</summary>
    [Theory]
    [MemberData(nameof(MoreCode))]
    public void MoreCodeOverMatrixParameters(string name, object[] args)
    {
        var f = Objective(name, args);
        var point = new[] { 0.5, -1.25, 2.0, 1.5, -0.75, 0.25, 1.1, -0.4 }.Take(f.Dimension).ToArray();
        var g = new double[f.Dimension];
        f.ValueAndGradient(point, g);
        Assert.Contains(g, v => v != 0);
        Passes(f, point);
    }

    private const string DenseModel = """
        public partial class Dense
        {
            [Trainable] private double[,] _w = { { 0.5, -1.0 }, { 2.0, 0.25 } };
            [Trainable] public double[] Bias { get; set; } = { 0.1, -0.2 };
            [Trainable] private double[][] _v = { new[] { 0.3, 0.7 }, new[] { -0.4 } };

            [Differentiable(Hessian = true)]
            public double Loss([NoDerivative] double[] x)
            {
                double f = _v[0][1] * _v[1][0];
                for (int j = 0; j < _w.GetLength(0); j++)
                {
                    double s = Bias[j];
                    for (int k = 0; k < x.Length; k++) s += _w[j, k] * x[k];
                    f += s * s;
                }

                return f;
            }
        }
        """;

    /// <summary>[Trainable] double[,] and double[][] members of a model class: packed in the objective's vector and trained in place.</summary>
    [Fact]
    public void TrainableMatrixMembers()
    {
        var type = Expect.Compiles(Harness.Usings + "namespace Demo;\n" + DenseModel).GetType("Demo.Dense")!;
        var model = Activator.CreateInstance(type)!;
        var x = new[] { 1.5, -0.5 };
        var f = (DifferentiableFunction)type.GetMethod("LossObjective")!.Invoke(model, new object[] { x })!;
        Assert.Equal(9, f.Dimension);
        Assert.True(f.HasHessian);

        // (w, Bias, v) at a new point: f = v01 v10 + sum_j (Bias_j + w_j . x)^2.
        var point = new[] { 0.25, 0.75, -1.0, 0.5, 0.3, -0.1, 0.6, -0.2, 1.2 };
        var expected = new double[9];
        for (int j = 0; j < 2; j++)
        {
            double s = point[4 + j] + point[2 * j] * x[0] + point[2 * j + 1] * x[1];
            expected[2 * j] = 2 * s * x[0];
            expected[2 * j + 1] = 2 * s * x[1];
            expected[4 + j] = 2 * s;
        }

        expected[7] = point[8];
        expected[8] = point[7];
        GradientIs(f, point, expected);

        // The model holds the vector it was last evaluated at: its own Loss gives the objective's value.
        Assert.Equal(f.Value(point), (double)type.GetMethod("Loss")!.Invoke(model, new object[] { x })!);
        var hessian = GradientCheck.CheckHessian(f, point, Expect.Tight);
        Assert.True(hessian.Passed, hessian.ToString());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Entry checks: the outputs' shapes, and no output sharing memory with an input or another output.

    [Fact]
    public void RectangularOutputOfTheWrongShape_Throws()
    {
        var w = Rect(3, 4, 1);
        var e = Assert.Throws<ArgumentException>(() => Call("LinearGradient", w, X, Y, new double[4, 3]));
        Assert.Equal("dW", e.ParamName);
        Assert.Contains("dW is 4×3 but W is 3×4", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => Call("LinearGradient", w, X, Y, null));
        var same = Assert.Throws<ArgumentException>(() => Call("LinearGradient", w, X, Y, w));
        Assert.Contains("dW overlaps W", same.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JaggedOutputOfTheWrongShape_Throws()
    {
        var w = Jagged(new[] { 4, 4, 4 }, 2);
        var rows = Assert.Throws<ArgumentException>(() => Call("LinearJaggedGradient", w, X, Y, new[] { new double[4], new double[4] }));
        Assert.Contains("dW has 2 rows but W has 3", rows.Message, StringComparison.Ordinal);
        var length = Assert.Throws<ArgumentException>(() => Call("LinearJaggedGradient", w, X, Y, new[] { new double[4], new double[3], new double[4] }));
        Assert.Contains("dW[1] has length 3 but W[1] has length 4", length.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ArgumentException>(() => Call("LinearJaggedGradient", w, X, Y, new[] { new double[4], null, new double[4] }));
        Assert.Contains("dW[1] is null", missing.Message, StringComparison.Ordinal);
        Assert.Equal("dW", Assert.Throws<ArgumentNullException>(() => Call("LinearJaggedGradient", w, X, Y, null)).ParamName);
    }

    [Fact]
    public void JaggedOutputSharingMemory_Throws()
    {
        var w = Jagged(new[] { 4, 4, 4 }, 2);
        var row = new double[4];
        var shared = Assert.Throws<ArgumentException>(() => Call("LinearJaggedGradient", w, X, Y, new[] { new double[4], row, row }));
        Assert.Contains("dW[1] and dW[2] are the same array", shared.Message, StringComparison.Ordinal);
        var input = Assert.Throws<ArgumentException>(() => Call("LinearJaggedGradient", w, X, Y, new[] { new double[4], w[0], new double[4] }));
        Assert.Contains("dW overlaps W", input.Message, StringComparison.Ordinal);
        var x = (double[])X.Clone();
        var data = Assert.Throws<ArgumentException>(() => Call("LinearJaggedGradient", w, x, Y, new[] { new double[4], new double[4], x }));
        Assert.Contains("dW overlaps x", data.Message, StringComparison.Ordinal);

        // Two outputs sharing a row.
        var layers = Jagged(new[] { 4, 2 }, 12);
        var biases = Jagged(new[] { 2, 1 }, 13);
        var both = new double[2];
        var twice = Assert.Throws<ArgumentException>(() => Call("MlpGradient", layers, biases, new[] { 0.4, -0.9 }, 0.25, 2, new[] { new double[4], both }, new[] { both, new double[1] }));
        Assert.Contains("dW overlaps dB", twice.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Data matrices are inputs too: an output that is a row of a [NoDerivative] double[][] (or lies in a [NoDerivative]
    /// double[,]) would be cleared at entry and then read as data. Found by a red-team pass: the gradient method returned
    /// another value than the method, silently; now ArgumentException naming both.
    /// </summary>
    [Fact]
    public void OutputSharingMemoryWithDataMatrices_Throws()
    {
        const string members = """
            [Differentiable] public static double JagData(double[] w, [NoDerivative] double[][] xs)
            {
                double s = 0;
                foreach (var x in xs) { double a = 0; for (int k = 0; k < w.Length; k++) a += w[k] * x[k]; s += Math.Tanh(a); }
                return s;
            }

            [Differentiable] public static double RectData(double[] w, [NoDerivative] double[,] xs)
            {
                double s = 0;
                for (int i = 0; i < xs.GetLength(0); i++) { double a = 0; for (int k = 0; k < w.Length; k++) a += w[k] * xs[i, k]; s += Math.Tanh(a); }
                return s;
            }
            """;
        var type = Expect.Compiles(Harness.InClass(members)).GetType("Demo.C")!;
        var jagValue = type.GetMethod("JagData")!.CreateDelegate<Func<double[], double[][], double>>();
        var jagGradient = type.GetMethod("JagDataGradient")!.CreateDelegate<JaggedGradient>();
        var rectGradient = type.GetMethod("RectDataGradient")!.CreateDelegate<RectGradient>();

        double[] w = { 0.3, -0.2, 0.5 };
        double[][] jagged = { new[] { 1.0, 2, 3 }, new[] { 0.5, 0.1, 0.2 } };
        var shared = Assert.Throws<ArgumentException>(() => jagGradient(w, jagged, jagged[1]));
        Assert.Contains("dW overlaps xs", shared.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { 0.5, 0.1, 0.2 }, jagged[1]);

        // A distinct output: the method's value, and the rows untouched.
        var dW = new double[3];
        Assert.Equal(jagValue(w, jagged), jagGradient(w, jagged, dW));
        Assert.Equal(new[] { 1.0, 2, 3 }, jagged[0]);

        var rect = new double[2, 3] { { 1, 2, 3 }, { 0.5, 0.1, 0.2 } };
        var rectCase = Assert.Throws<ArgumentException>(() => rectGradient(w, rect, System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref rect[0, 0], 6).Slice(3, 3)));
        Assert.Contains("dW overlaps xs", rectCase.Message, StringComparison.Ordinal);
    }

    private delegate double JaggedGradient(double[] w, double[][] xs, Span<double> dW);

    private delegate double RectGradient(double[] w, double[,] xs, Span<double> dW);

    [Fact]
    public void ManyRows_AreCheckedWithASet()
    {
        // Above the pairwise limit the runtime checks rows with a set: the same answers.
        var lengths = Enumerable.Repeat(4, 300).ToArray();
        var w = Jagged(lengths, 11);
        var y = Enumerable.Range(0, 300).Select(i => 0.01 * i).ToArray();
        var dW = lengths.Select(n => new double[n]).ToArray();
        Call("LinearJaggedGradient", w, X, y, dW);
        dW[299] = dW[17];
        var shared = Assert.Throws<ArgumentException>(() => Call("LinearJaggedGradient", w, X, y, dW));
        Assert.Contains("dW[17] and dW[299] are the same array", shared.Message, StringComparison.Ordinal);
        dW[299] = w[250];
        Assert.Contains("dW overlaps W", Assert.Throws<ArgumentException>(() => Call("LinearJaggedGradient", w, X, y, dW)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ObjectiveShapes_AreChecked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Objective("Linear", -1, 4, X, Y));
        Assert.Throws<ArgumentOutOfRangeException>(() => Objective("LinearJagged", new[] { 4, -4 }, X, Y));
        Assert.Throws<ArgumentNullException>(() => Objective("LinearJagged", null, X, Y));

        // The row lengths are copied when the function is made.
        var lengths = new[] { 4, 4, 4 };
        var f = Objective("LinearJagged", lengths, X, Y);
        lengths[0] = 1;
        Assert.Equal(12, f.Dimension);
        Passes(f, Flatten(Jagged(new[] { 4, 4, 4 }, 2)));
    }
}

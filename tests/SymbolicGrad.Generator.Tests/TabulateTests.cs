using System.Reflection;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Dense layers over a batch as matrix products (issue #11): the sums <c>a = b[j]; for k: a += w[j·n + k]·x[i·n + k]</c>
/// inside loops over examples and units are filled ahead, a block of examples at a time, by DotTable.Fill. Checked
/// here: the shapes that are filled ahead (starts, biases, operand orders, loop orders, offsets computed in the outer
/// loop, several blocks, float) and those that are not, each against the same method's gradient without kernels
/// ([Differentiable(Vectorize = false)]) to the last bit, and against centered differences.
/// </summary>
public class TabulateTests
{
    private static (Assembly Assembly, string Vectorized) Build(string signature, string body)
    {
        string members = "    [Differentiable] public static double F" + signature + "\n" + body + "\n\n" +
            "    [Differentiable(Vectorize = false)] public static double FLoops" + signature + "\n" + body;
        var run = Harness.Run(Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        Assert.DoesNotContain("DotTable", run.Sources.Single(s => s.Key.Contains("C.FLoops.", StringComparison.Ordinal)).Value);
        return (run.Load(), run.Sources.Single(s => s.Key.Contains("C.F.", StringComparison.Ordinal)).Value);
    }

    private static DifferentiableFunction Objective(Assembly assembly, string name, params object[] data) =>
        (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, data)!;

    private static double[] Data(int n, int seed)
    {
        var r = new Random(seed);
        var p = new double[n];
        for (int i = 0; i < n; i++)
        {
            // Mixed magnitudes: a change in the order of the additions would show in the last bits.
            p[i] = ((r.NextDouble() * 2) - 1) * Math.Pow(10, r.Next(-2, 2));
        }

        return p;
    }

    private static void SameBitsAndChecked(DifferentiableFunction f, DifferentiableFunction loops, double[] point)
    {
        var g1 = new double[point.Length];
        var g2 = new double[point.Length];
        double v1 = f.ValueAndGradient(point, g1);
        double v2 = loops.ValueAndGradient(point, g2);
        Assert.Equal(BitConverter.DoubleToInt64Bits(v2), BitConverter.DoubleToInt64Bits(v1));
        for (int i = 0; i < point.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(g1[i]) == BitConverter.DoubleToInt64Bits(g2[i]), $"component {i}: table {g1[i]:R}, loops {g2[i]:R}");
        }

        var check = GradientCheck.Check(f, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }

    /// <summary>Bodies of F(w, b, x) with m examples of n inputs and `hidden` units (w: hidden × n, b: hidden + 1).</summary>
    public static TheoryData<string, bool> Shapes => new()
    {
        // The first draft: bias start, weights times data.
        { "for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < n; k++) a += w[j * n + k] * x[i * n + k]; loss += Math.Tanh(a); }", true },
        // Data times weights, a start of zero, the sum used twice.
        { "for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) { double a = 0; for (int k = 0; k < n; k++) { a += x[i * n + k] * w[j * n + k]; } loss += a * a + Math.Sin(a); }", true },
        // A bias one place on, rows from offsets computed in the outer loop, the coefficient on the left.
        { "for (int i = 0; i < m; i++) { int row = n * i; for (int j = 0; j < hidden; j++) { double a = b[j + 1]; int wr = j * n; for (int k = 0; k < n; k++) a += w[wr + k] * x[row + k]; loss += Math.Log(1 + a * a); } }", true },
        // Units outside, examples inside: the table follows the loops, not the names.
        { "for (int j = 0; j < hidden; j++) for (int i = 0; i < m; i++) { double a = b[j]; for (int k = 0; k < n; k++) a += w[j * n + k] * x[i * n + k]; loss += Math.Tanh(a) * (i + 1); }", true },
        // Loops that start past zero, a sum over part of each row.
        { "for (int i = 1; i < m; i++) for (int j = 1; j < hidden; j++) { double a = b[0]; for (int k = 1; k < n; k++) a += w[j * n + k] * x[i * n + k]; loss += Math.Exp(-a * a); }", true },
        // Offsets subtracted: rows that start one place back.
        { "for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 1; k < n; k++) a += w[j * n + k - 1] * x[i * n - 1 + k]; loss += Math.Tanh(a); }", true },
        // The same data row for every example (stride zero).
        { "for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < n; k++) a += w[j * n + k] * x[k]; loss += Math.Tanh(a + i); }", true },
        // Two parameters (both fixed while the loops run): filled ahead too.
        { "for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < n; k++) a += w[j * n + k] * w[k]; loss += Math.Tanh(a) * x[i]; }", true },
        // A local array the outer loop rewrites (the previous layer's output): a loop.
        { "var h = new double[n]; for (int i = 0; i < m; i++) { for (int k = 0; k < n; k++) h[k] = x[i * n + k] * 2; for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < n; k++) a += w[j * n + k] * h[k]; loss += Math.Tanh(a); } }", false },
        // Not a plain sum: a subtraction; a break; an operand on both indexes: loops.
        { "for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < n; k++) a -= w[j * n + k] * x[i * n + k]; loss += Math.Tanh(a); }", false },
        { "for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < n; k++) { if (x[i * n + k] > 0.9) break; a += w[j * n + k] * x[i * n + k]; } loss += Math.Tanh(a); }", false },
        { "for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < n; k++) a += w[j * n + k] * x[i + j + k]; loss += Math.Tanh(a); }", false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DenseSumsAreFilledAheadWithTheLoopsBits(string loops, bool filled)
    {
        string body = "    {\n        int hidden = b.Length - 1;\n        int n = w.Length / hidden;\n        int m = x.Length / n;\n        double loss = 0;\n        " + loops + "\n        return loss;\n    }";
        var (assembly, text) = Build("(ReadOnlySpan<double> w, ReadOnlySpan<double> b, [NoDerivative] double[] x)", body);
        Assert.Equal(filled, text.Contains("global::SymbolicGrad.Internal.DotTable.Fill<double>(", StringComparison.Ordinal));

        // 70 examples: two blocks of 64 and 6 (BlockRows(5) = 64); 5 units, 7 inputs.
        foreach (var (m, hidden, n) in new[] { (70, 5, 7), (3, 9, 18), (1, 1, 1) })
        {
            var x = Data((m * n) + n, m + hidden + n);
            var point = Data((hidden * n) + hidden + 1, (hidden * 31) + n);
            SameBitsAndChecked(Objective(assembly, "F", hidden * n, hidden + 1, x), Objective(assembly, "FLoops", hidden * n, hidden + 1, x), point);
        }
    }

    /// <summary>
    /// Many units: a block holds fewer examples (BlockRows(3000) = 20), so 45 examples take three fills; float sums;
    /// and a data array too short for the loops throws IndexOutOfRangeException, as the method does.
    /// </summary>
    [Fact]
    public void WideLayersFloatsAndShortDataKeepTheLoopsBehaviour()
    {
        string body = "    {\n        int hidden = b.Length;\n        int n = w.Length / hidden;\n        double loss = 0;\n        for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < n; k++) a += w[j * n + k] * x[i * n + k]; loss += Math.Tanh(a); }\n        return loss;\n    }";
        var (assembly, text) = Build("(ReadOnlySpan<double> w, ReadOnlySpan<double> b, [NoDerivative] double[] x, int m)", body);
        Assert.Contains("DotTable.Fill<double>(", text);
        const int hidden = 3000, n = 2, examples = 45;
        var x = Data(examples * n, 5);
        var point = Data((hidden * n) + hidden, 6);
        var f = Objective(assembly, "F", hidden * n, hidden, x, examples);
        var g1 = new double[point.Length];
        var g2 = new double[point.Length];
        Assert.Equal(BitConverter.DoubleToInt64Bits(Objective(assembly, "FLoops", hidden * n, hidden, x, examples).ValueAndGradient(point, g2)), BitConverter.DoubleToInt64Bits(f.ValueAndGradient(point, g1)));
        Assert.Equal(g2, g1);

        // One example more than the data holds: the method throws; so does its gradient, with a message.
        var tooMany = Objective(assembly, "F", hidden * n, hidden, x, examples + 1);
        Assert.Throws<IndexOutOfRangeException>(() => tooMany.Value(point));
        var ex = Assert.Throws<IndexOutOfRangeException>(() => tooMany.ValueAndGradient(point, g1));
        Assert.Contains("array of length 90", ex.Message);

        string floatBody = body.Replace("double loss", "float loss", StringComparison.Ordinal).Replace("double a", "float a", StringComparison.Ordinal).Replace("Math.Tanh(a)", "MathF.Tanh(a)", StringComparison.Ordinal);
        string members = "    [Differentiable] public static float F(ReadOnlySpan<float> w, ReadOnlySpan<float> b, [NoDerivative] float[] x, int m)\n" + floatBody + "\n\n" +
            "    [Differentiable(Vectorize = false)] public static float FLoops(ReadOnlySpan<float> w, ReadOnlySpan<float> b, [NoDerivative] float[] x, int m)\n" + floatBody + "\n\n" +
            "    public static float[] Both(float[] w, float[] b, float[] x, int m, bool loops)\n    {\n        var g = new float[w.Length + b.Length + 1];\n" +
            "        g[^1] = loops ? FLoopsGradient(w, b, x, m, g.AsSpan(0, w.Length), g.AsSpan(w.Length, b.Length)) : FGradient(w, b, x, m, g.AsSpan(0, w.Length), g.AsSpan(w.Length, b.Length));\n        return g;\n    }";
        var run = Harness.Run(Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty && run.CompilationProblems.Count == 0, string.Join("\n", run.GeneratorDiagnostics) + string.Join("\n", run.CompilationProblems));
        Assert.Contains("DotTable.Fill<float>(", run.Sources.Single(s => s.Key.Contains("C.F.", StringComparison.Ordinal)).Value);
        var both = run.Load().GetType("Demo.C")!.GetMethod("Both")!;
        const int fh = 7, fn = 19, fm = 9;
        var fw = Data(fh * fn, 1).Select(v => (float)v).ToArray();
        var fb = Data(fh, 2).Select(v => (float)v).ToArray();
        var fx = Data(fm * fn, 3).Select(v => (float)v).ToArray();
        var tabled = (float[])both.Invoke(null, new object[] { fw, fb, fx, fm, false })!;
        var plain = (float[])both.Invoke(null, new object[] { fw, fb, fx, fm, true })!;
        Assert.Equal(plain.Select(BitConverter.SingleToInt32Bits), tabled.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>
    /// double[,] weights and data, m[row, k]: read through the matrices' flat views once their rows and columns are
    /// checked; the same bits as the loops, and a sum that runs past the last column throws as the method does.
    /// </summary>
    [Theory]
    [InlineData("for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < n; k++) a += w[j, k] * x[i, k]; loss += Math.Tanh(a); }", 0)]
    [InlineData("for (int i = 0; i < m; i++) for (int j = 1; j < hidden; j++) { double a = 0; for (int k = 1; k < n; k++) a += x[i, k - 1] * w[j - 1, k]; loss += a * a; }", 0)]
    [InlineData("for (int i = 0; i < m; i++) for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < n + extra; k++) a += w[j, k] * x[i, k]; loss += Math.Tanh(a); }", 1)]
    public void MatricesAreFilledAheadWithTheLoopsBits(string loops, int extra)
    {
        string body = "    {\n        int hidden = w.GetLength(0);\n        int n = w.GetLength(1);\n        int m = x.GetLength(0);\n        double loss = 0;\n        " + loops + "\n        return loss;\n    }";
        var (assembly, text) = Build("(double[,] w, ReadOnlySpan<double> b, [NoDerivative] double[,] x, int extra)", body);
        Assert.Contains("DotTable.CheckMatrix(", text);
        Assert.Contains("DotTable.Fill<double>(", text);
        const int hidden = 5, n = 19, examples = 70;
        var x = new double[examples, n];
        var data = Data(examples * n, 17);
        Buffer.BlockCopy(data, 0, x, 0, data.Length * sizeof(double));
        var point = Data((hidden * n) + hidden, 18);
        var f = Objective(assembly, "F", hidden, n, hidden, x, extra);
        var loopsForm = Objective(assembly, "FLoops", hidden, n, hidden, x, extra);
        if (extra == 0)
        {
            SameBitsAndChecked(f, loopsForm, point);
            return;
        }

        // One column past the end: the method throws; the gradient too, naming the columns.
        Assert.Throws<IndexOutOfRangeException>(() => f.Value(point));
        var ex = Assert.Throws<IndexOutOfRangeException>(() => f.ValueAndGradient(point, new double[point.Length]));
        Assert.Contains("columns [0, 20) of a matrix with 19 columns", ex.Message);
    }

    /// <summary>
    /// Jagged data, x[i][k]: the rows a block reads are copied side by side, checked as x[row][column] would be; the
    /// same bits as the loops. Rows of their own length (k &lt; xi.Length) keep the loop. A short row and a null row throw
    /// what the method throws.
    /// </summary>
    [Theory]
    [InlineData("for (int i = 0; i < x.Length; i++) for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < n; k++) a += w[j * n + k] * x[i][k]; loss += Math.Tanh(a); }", true)]
    [InlineData("for (int i = 0; i < x.Length; i++) { var xi = x[i]; for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 1; k < n; k++) a += xi[k - 1] * w[j * n + k]; loss += a * a; } }", true)]
    [InlineData("for (int i = 0; i < x.Length; i++) { var xi = x[i]; for (int j = 0; j < hidden; j++) { double a = b[j]; for (int k = 0; k < xi.Length; k++) a += w[j * n + k] * xi[k]; loss += Math.Tanh(a); } }", false)]
    public void JaggedDataIsFilledAheadWithTheLoopsBits(string loops, bool filled)
    {
        string body = "    {\n        int hidden = b.Length;\n        int n = w.Length / hidden;\n        double loss = 0;\n        " + loops + "\n        return loss;\n    }";
        var (assembly, text) = Build("(ReadOnlySpan<double> w, ReadOnlySpan<double> b, [NoDerivative] double[][] x)", body);
        Assert.Equal(filled, text.Contains("DotTable.Gather<double>(", StringComparison.Ordinal));
        const int hidden = 6, n = 21, examples = 67;
        var data = Data(examples * n, 21);
        var x = Enumerable.Range(0, examples).Select(i => data.AsSpan(i * n, n).ToArray()).ToArray();
        var point = Data((hidden * n) + hidden, 22);
        SameBitsAndChecked(Objective(assembly, "F", hidden * n, hidden, x), Objective(assembly, "FLoops", hidden * n, hidden, x), point);

        // A short row (where the loops read n terms of every row) and a null row: the method's exception, from the
        // gradient too.
        var shortRow = (double[][])x.Clone();
        shortRow[40] = new double[n - 2];
        var withShort = Objective(assembly, "F", hidden * n, hidden, shortRow);
        if (filled)
        {
            Assert.Throws<IndexOutOfRangeException>(() => withShort.Value(point));
            Assert.Throws<IndexOutOfRangeException>(() => withShort.ValueAndGradient(point, new double[point.Length]));
        }

        var nullRow = (double[][])x.Clone();
        nullRow[65] = null!;
        var withNull = Objective(assembly, "F", hidden * n, hidden, nullRow);
        Assert.Throws<NullReferenceException>(() => withNull.Value(point));
        Assert.Throws<NullReferenceException>(() => withNull.ValueAndGradient(point, new double[point.Length]));
    }
}

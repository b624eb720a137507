using System.Reflection;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// SIMD kernels in generated gradients (issue #11): which loops become kernel calls, and that a gradient with them is
/// the same to the last bit as the same method's gradient without them ([Differentiable(Vectorize = false)]), and right
/// (numeric differences, closed forms).
/// </summary>
public class VectorizeTests
{
    /// <summary>The same body twice: F (kernels allowed) and FLoops (Vectorize = false); the generated text of both.</summary>
    private static (Assembly Assembly, string Vectorized, string Loops) Build(string signature, string body)
    {
        string members = "    [Differentiable] public static double F" + signature + "\n" + body + "\n\n" +
            "    [Differentiable(Vectorize = false)] public static double FLoops" + signature + "\n" + body;
        var run = Harness.Run(Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        string Of(string name) => run.Sources.Single(s => s.Key.Contains("C." + name + ".", StringComparison.Ordinal)).Value;
        return (run.Load(), Of("F"), Of("FLoops"));
    }

    private static DifferentiableFunction Objective(Assembly assembly, string name, params object[] data) =>
        (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, data)!;

    private static int Count(string text, string what)
    {
        int n = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + 1, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    /// <summary>Value and gradient of both versions at the point: identical bits; and a tight numeric check.</summary>
    private static double[] SameBitsAndChecked(DifferentiableFunction vectorized, DifferentiableFunction loops, double[] point)
    {
        var g1 = new double[point.Length];
        var g2 = new double[point.Length];
        double v1 = vectorized.ValueAndGradient(point, g1);
        double v2 = loops.ValueAndGradient(point, g2);
        Assert.Equal(BitConverter.DoubleToInt64Bits(v2), BitConverter.DoubleToInt64Bits(v1));
        for (int i = 0; i < point.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(g1[i]) == BitConverter.DoubleToInt64Bits(g2[i]), $"component {i}: kernels {g1[i]:R}, loops {g2[i]:R}");
        }

        var check = GradientCheck.Check(vectorized, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        return g1;
    }

    private static double[] Point(int n, int seed)
    {
        var r = new Random(seed);
        var p = new double[n];
        for (int i = 0; i < n; i++)
        {
            p[i] = r.NextDouble() * 2 - 1;
        }

        return p;
    }

    /// <summary>
    /// A layer: Σⱼ tanh(Σₖ Wⱼₖ xₖ). The reverse of the inner loop adds x·ā into a row of dW and W·ā into dX: two
    /// kernels; the result is the closed form ∂/∂Wⱼₖ = (1 − hⱼ²) xₖ, ∂/∂xₖ = Σⱼ (1 − hⱼ²) Wⱼₖ.
    /// </summary>
    [Theory]
    [InlineData(3, 5)]
    [InlineData(4, 19)]
    [InlineData(2, 1)]
    public void TheAdjointOfADotProductIsTwoKernels(int rows, int n)
    {
        var (assembly, vectorized, loops) = Build(
            "(ReadOnlySpan<double> w, ReadOnlySpan<double> x)",
            "    {\n        int n = x.Length;\n        double loss = 0;\n        for (int j = 0; j < w.Length / n; j++)\n        {\n            double a = 0;\n            for (int k = 0; k < n; k++)\n            {\n                a += w[j * n + k] * x[k];\n            }\n\n            loss += Math.Tanh(a);\n        }\n\n        return loss;\n    }");
        Assert.Equal(2, Count(vectorized, "Kernels.AddScaled("));
        Assert.Equal(0, Count(loops, "Kernels."));
        Assert.Contains("vectorized: ", vectorized);

        var point = Point(rows * n + n, rows * 100 + n);
        var g = SameBitsAndChecked(Objective(assembly, "F", rows * n, n), Objective(assembly, "FLoops", rows * n, n), point);
        var w = point.AsSpan(0, rows * n);
        var x = point.AsSpan(rows * n, n);
        for (int j = 0; j < rows; j++)
        {
            double a = 0;
            for (int k = 0; k < n; k++)
            {
                a += w[j * n + k] * x[k];
            }

            double d = 1 - (Math.Tanh(a) * Math.Tanh(a));
            for (int k = 0; k < n; k++)
            {
                Assert.Equal(d * x[k], g[j * n + k], 12);
            }
        }
    }

    /// <summary>
    /// The same layer with jagged weights, a row at a time (double[] row = W[j], #9): the reverse adds x·ā into the row
    /// dW[j] of the caller's output
    /// (its rows are distinct and share no memory with the inputs, checked at entry) with a kernel, and W[j]·ā into dX.
    /// Two rows of dW written by one loop (W[j] and W[j + 1] read together) may be one row: that loop stays a loop.
    /// </summary>
    [Theory]
    [InlineData(3, 5)]
    [InlineData(4, 19)]
    public void TheRowsOfAJaggedGradientAreWrittenByKernels(int rows, int n)
    {
        var (assembly, vectorized, loops) = Build(
            "(double[][] W, ReadOnlySpan<double> x)",
            "    {\n        double loss = 0;\n        for (int j = 0; j < W.Length; j++)\n        {\n            double[] row = W[j];\n            double a = 0;\n            for (int k = 0; k < x.Length; k++) a += row[k] * x[k];\n            loss += Math.Tanh(a);\n        }\n\n        for (int j = 0; j + 1 < W.Length; j++)\n        {\n            double b = 0;\n            for (int k = 0; k < x.Length; k++) b += W[j][k] * W[j + 1][k];\n            loss += 0.25 * b;\n        }\n\n        return loss;\n    }");
        Assert.Equal(2, Count(vectorized, "Kernels.AddScaled("));
        Assert.Equal(0, Count(loops, "Kernels."));

        var point = Point(rows * n + n, rows * 10 + n);
        // The overload that takes rows and columns (the other takes each row's length).
        DifferentiableFunction ByShape(string name) => (DifferentiableFunction)assembly.GetType("Demo.C")!
            .GetMethod(name + "Objective", new[] { typeof(int), typeof(int), typeof(int) })!.Invoke(null, new object[] { rows, n, n })!;
        var g = SameBitsAndChecked(ByShape("F"), ByShape("FLoops"), point);
        for (int j = 0; j < rows; j++)
        {
            double a = 0;
            for (int k = 0; k < n; k++)
            {
                a += point[j * n + k] * point[rows * n + k];
            }

            double d = 1 - (Math.Tanh(a) * Math.Tanh(a));
            for (int k = 0; k < n; k++)
            {
                double neighbours = (j > 0 ? point[(j - 1) * n + k] : 0) + (j + 1 < rows ? point[(j + 1) * n + k] : 0);
                Assert.Equal(d * point[rows * n + k] + 0.25 * neighbours, g[j * n + k], 12);
            }
        }
    }

    /// <summary>
    /// The same layer with a double[,] W[j, k] (#9): the reverse adds x·ā into row j of dW, a span of the row
    /// (MatrixArguments.Row), with a kernel, and W[j, ·]·ā into dX with another. Two rows of dW written by one loop
    /// (W[j, k] and W[j + 1, k] read together) may be one row: that loop stays a loop.
    /// </summary>
    [Theory]
    [InlineData(3, 5)]
    [InlineData(4, 19)]
    public void TheRowsOfARectangularGradientAreWrittenByKernels(int rows, int n)
    {
        var (assembly, vectorized, loops) = Build(
            "(double[,] W, ReadOnlySpan<double> x)",
            "    {\n        double loss = 0;\n        for (int j = 0; j < W.GetLength(0); j++)\n        {\n            double a = 0;\n            for (int k = 0; k < x.Length; k++) a += W[j, k] * x[k];\n            loss += Math.Tanh(a);\n        }\n\n        for (int j = 0; j + 1 < W.GetLength(0); j++)\n        {\n            double b = 0;\n            for (int k = 0; k < W.GetLength(1); k++) b += W[j, k] * W[j + 1, k];\n            loss += 0.25 * b;\n        }\n\n        return loss;\n    }");
        Assert.Equal(2, Count(vectorized, "Kernels.AddScaled("));
        Assert.Equal(2, Count(vectorized, "MatrixArguments.Row("));
        Assert.Equal(0, Count(loops, "Kernels."));

        var point = Point(rows * n + n, rows * 10 + n + 1);
        var g = SameBitsAndChecked(Objective(assembly, "F", rows, n, n), Objective(assembly, "FLoops", rows, n, n), point);
        for (int j = 0; j < rows; j++)
        {
            double a = 0;
            for (int k = 0; k < n; k++)
            {
                a += point[j * n + k] * point[rows * n + k];
            }

            double d = 1 - (Math.Tanh(a) * Math.Tanh(a));
            for (int k = 0; k < n; k++)
            {
                double neighbours = (j > 0 ? point[(j - 1) * n + k] : 0) + (j + 1 < rows ? point[(j + 1) * n + k] : 0);
                Assert.Equal(d * point[rows * n + k] + 0.25 * neighbours, g[j * n + k], 12);
            }
        }
    }

    /// <summary>
    /// Products and sums into arrays the method created, a loop counting down, a loop starting at an offset and a
    /// constant added to every element (the adjoint of a sum): kernels where the shapes allow, the same bits. (The
    /// result squares the sum, so that the sum's loop keeps a separate reverse loop for the kernels instead of being fused.)
    /// </summary>
    [Fact]
    public void LocalArraysOffsetsAndCountdownsKeepTheirBits()
    {
        var (assembly, vectorized, loops) = Build(
            "(double[] a, double[] b, double s)",
            "    {\n        int n = a.Length;\n        var h = new double[n];\n        for (int k = n - 1; k >= 0; k--)\n        {\n            h[k] = a[k] * b[k] * s;\n        }\n\n" +
            "        double total = 0;\n        for (int k = 1; k < n; k++)\n        {\n            total += h[k] * a[k - 1] + b[k];\n        }\n\n        return total * total + h[0] * h[0];\n    }");
        Assert.True(Count(vectorized, "Kernels.") >= 2, vectorized);
        Assert.Equal(0, Count(loops, "Kernels."));
        foreach (int n in new[] { 1, 2, 9, 40 })
        {
            var point = Point(2 * n + 1, n);
            SameBitsAndChecked(Objective(assembly, "F", n, n), Objective(assembly, "FLoops", n, n), point);
        }
    }

    /// <summary>
    /// Two views of one parameter that overlap (x[..^1] and x[1..]): their adjoints are views of one output, so the
    /// loop's two stores add into the same elements and stay a loop. ∂/∂xᵢ = xᵢ₋₁ + xᵢ₊₁.
    /// </summary>
    [Fact]
    public void OverlappingViewsOfOneParameterStayALoop()
    {
        var (assembly, vectorized, _) = Build(
            "(double[] x)",
            "    {\n        ReadOnlySpan<double> a = x.AsSpan(0, x.Length - 1);\n        ReadOnlySpan<double> b = x.AsSpan(1);\n        double s = 0;\n        for (int k = 0; k < a.Length; k++)\n        {\n            s += a[k] * b[k];\n        }\n\n        return s;\n    }");
        Assert.Equal(0, Count(vectorized, "Kernels."));
        var point = Point(7, 3);
        var g = SameBitsAndChecked(Objective(assembly, "F", 7), Objective(assembly, "FLoops", 7), point);
        for (int i = 0; i < 7; i++)
        {
            double expected = (i > 0 ? point[i - 1] : 0) + (i < 6 ? point[i + 1] : 0);
            Assert.Equal(expected, g[i], 14);
        }
    }

    /// <summary>
    /// The GMM's triangular update, q[j] += L[li] · c[i] with li++ beside j, written as the method computes it: the
    /// forward sweep's inner loop becomes one AddScaled kernel (an update in place, with the running offset as its
    /// start); the same bits as without kernels, and exact.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]
    public void UpdatesInPlaceWithARunningOffsetAreKernels(int d)
    {
        var (assembly, vectorized, loops) = Build(
            "(double[] c, double[] l)",
            "    {\n        int d = c.Length;\n        var q = new double[d];\n        for (int i = 0; i < d; i++)\n        {\n            q[i] = c[i];\n        }\n\n        int li = 0;\n" +
            "        for (int i = 0; i < d; i++)\n        {\n            for (int j = i + 1; j < d; j++)\n            {\n                q[j] += l[li] * c[i];\n                li++;\n            }\n        }\n\n" +
            "        double s = 0;\n        for (int j = 0; j < d; j++)\n        {\n            s += q[j] * q[j];\n        }\n\n        return s;\n    }");
        Assert.Contains("Kernels.AddScaled(", vectorized);
        Assert.Equal(0, Count(loops, "Kernels."));
        int size = d * (d - 1) / 2;
        var point = Point(d + size, d);
        SameBitsAndChecked(Objective(assembly, "F", d, size), Objective(assembly, "FLoops", d, size), point);
    }

    /// <summary>A loop that reads what it writes (a running sum) or whose reverse pops stays a loop.</summary>
    [Fact]
    public void LoopsWithDependencesStayLoops()
    {
        var (assembly, vectorized, _) = Build(
            "(double[] x)",
            "    {\n        var c = new double[x.Length];\n        c[0] = x[0];\n        for (int k = 1; k < x.Length; k++)\n        {\n            c[k] = c[k - 1] * 0.5 + Math.Sin(x[k]);\n        }\n\n        double s = 0;\n        for (int k = 0; k < c.Length; k++)\n        {\n            s += c[k] * c[k];\n        }\n\n        return s;\n    }");
        Assert.DoesNotContain("Kernels.AddScaled(cBar", vectorized);
        var point = Point(6, 5);
        SameBitsAndChecked(Objective(assembly, "F", 6), Objective(assembly, "FLoops", 6), point);
    }

    /// <summary>
    /// Reassociate = true: the layer's dot products and a plain sum become Dot and Sum kernels in the forward sweep too;
    /// the value and gradient then differ from the loops only by rounding, and match the closed form.
    /// </summary>
    [Theory]
    [InlineData(3, 33)]
    [InlineData(5, 8)]
    public void ReassociatedSumsAreDotAndSumKernels(int rows, int n)
    {
        string signature = "(ReadOnlySpan<double> w, [NoDerivative] double[] x)";
        string body = "    {\n        int n = x.Length;\n        double loss = 0;\n        for (int j = 0; j < w.Length / n; j++)\n        {\n            double a = 0;\n            for (int k = 0; k < n; k++)\n            {\n                a += w[j * n + k] * x[k];\n            }\n\n            double b = 0;\n            for (int k = 0; k < n; k++)\n            {\n                b += w[j * n + k];\n            }\n\n            loss += Math.Tanh(a) + b * b;\n        }\n\n        return loss;\n    }";
        string members = "    [Differentiable(Reassociate = true)] public static double F" + signature + "\n" + body + "\n\n    [Differentiable] public static double FLoops" + signature + "\n" + body;
        var run = Harness.Run(Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        string vectorized = run.Sources.Single(s => s.Key.Contains("C.F.", StringComparison.Ordinal)).Value;
        string loops = run.Sources.Single(s => s.Key.Contains("C.FLoops.", StringComparison.Ordinal)).Value;
        Assert.Equal(1, Count(vectorized, "Kernels.Dot("));
        Assert.Equal(1, Count(vectorized, "Kernels.Sum("));
        Assert.Equal(0, Count(loops, "Kernels.Dot(") + Count(loops, "Kernels.Sum("));

        var assembly = run.Load();
        var r = new Random(rows * n);
        var x = Enumerable.Range(0, n).Select(_ => r.NextDouble() - 0.5).ToArray();
        var point = Point(rows * n, n);
        var f = Objective(assembly, "F", rows * n, x);
        var g = new double[point.Length];
        var gLoops = new double[point.Length];
        double value = f.ValueAndGradient(point, g);
        double valueLoops = Objective(assembly, "FLoops", rows * n, x).ValueAndGradient(point, gLoops);
        Assert.Equal(valueLoops, value, 12);
        for (int j = 0; j < rows; j++)
        {
            double a = 0, b = 0;
            for (int k = 0; k < n; k++)
            {
                a += point[j * n + k] * x[k];
                b += point[j * n + k];
            }

            for (int k = 0; k < n; k++)
            {
                double expected = (1 - (Math.Tanh(a) * Math.Tanh(a))) * x[k] + 2 * b;
                Assert.Equal(expected, g[j * n + k], 12);
                Assert.Equal(gLoops[j * n + k], g[j * n + k], 12);
            }
        }

        var check = GradientCheck.Check(f, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }

    /// <summary>
    /// Reassociate = true, the reverse sweep's sums: y = (I + L)·c with L strictly lower triangular, stored column by
    /// column (the GMM's Q(x − μ)), f = ‖y‖². The reverse of the triangle's inner loop adds L·ȳ into the adjoint of cᵢ
    /// (a sum the reverse sweep keeps in a variable) beside the element-wise ∂L: with Reassociate both become one
    /// AddScaledDot kernel (one pass over ȳ); the result is the closed form ∂f/∂Lⱼᵢ = 2yⱼcᵢ, ∂f/∂cᵢ = 2yᵢ + Σⱼ 2yⱼLⱼᵢ, and
    /// the plain loops' gradient to rounding. d = 3 takes the kernels' short path, d = 40 TensorPrimitives.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    public void ReassociatedReverseSumsAreDotKernels(int d)
    {
        string signature = "(ReadOnlySpan<double> c, ReadOnlySpan<double> lower)";
        string body = "    {\n        int d = c.Length;\n        Span<double> y = stackalloc double[d];\n        for (int i = 0; i < d; i++)\n        {\n            y[i] = c[i];\n        }\n\n" +
            "        int li = 0;\n        for (int i = 0; i < d; i++)\n        {\n            for (int j = i + 1; j < d; j++)\n            {\n                y[j] += lower[li] * c[i];\n                li++;\n            }\n        }\n\n" +
            "        double s = 0;\n        for (int i = 0; i < d; i++)\n        {\n            s += y[i] * y[i];\n        }\n\n        return s;\n    }";
        string members = "    [Differentiable(Reassociate = true)] public static double F" + signature + "\n" + body + "\n\n    [Differentiable] public static double FLoops" + signature + "\n" + body;
        var run = Harness.Run(Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        string vectorized = run.Sources.Single(s => s.Key.Contains("C.F.", StringComparison.Ordinal)).Value;
        string loops = run.Sources.Single(s => s.Key.Contains("C.FLoops.", StringComparison.Ordinal)).Value;
        string reverse = vectorized[vectorized.IndexOf("// reverse sweep", StringComparison.Ordinal)..];
        Assert.Equal(1, Count(reverse, "Kernels.AddScaledDot("));
        Assert.Equal(0, Count(loops, "Kernels.AddScaledDot(") + Count(loops, "Kernels.Dot("));

        var assembly = run.Load();
        int m = d * (d - 1) / 2;
        var point = Point(d + m, d);
        var f = Objective(assembly, "F", d, m);
        var g = new double[point.Length];
        var gLoops = new double[point.Length];
        double value = f.ValueAndGradient(point, g);
        double valueLoops = Objective(assembly, "FLoops", d, m).ValueAndGradient(point, gLoops);
        Assert.Equal(valueLoops, value, 12);

        var c = point[..d];
        var lower = point[d..];
        var y = (double[])c.Clone();
        int at = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = i + 1; j < d; j++)
            {
                y[j] += lower[at++] * c[i];
            }
        }

        var expected = new double[point.Length];
        at = 0;
        for (int i = 0; i < d; i++)
        {
            expected[i] += 2 * y[i];
            for (int j = i + 1; j < d; j++)
            {
                expected[i] += 2 * y[j] * lower[at];
                expected[d + at] = 2 * y[j] * c[i];
                at++;
            }
        }

        for (int i = 0; i < point.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - g[i]) <= 1e-12 * (1 + Math.Abs(expected[i])), $"component {i}: {g[i]:R}, closed form {expected[i]:R}");
            Assert.True(Math.Abs(gLoops[i] - g[i]) <= 1e-12 * (1 + Math.Abs(gLoops[i])), $"component {i}: {g[i]:R}, loops {gLoops[i]:R}");
        }

        var check = GradientCheck.Check(f, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }

    /// <summary>
    /// TensorPrimitives.Dot, Sum and SumOfSquares written by the user: the generated gradient calls the same
    /// TensorPrimitives sums in its forward sweep (its value is the method's, bit for bit) and vector kernels in its
    /// reverse; the gradient is the closed form. Other TensorPrimitives members fed parameters are SG0015 at the call,
    /// with advice naming the three.
    /// </summary>
    [Theory]
    [InlineData(3, 21)]
    [InlineData(2, 4)]
    public void TensorPrimitivesSumsAreDifferentiatedAndKeepTheirBits(int rows, int n)
    {
        string members = "    [Differentiable] public static double F(ReadOnlySpan<double> w, ReadOnlySpan<double> b, [NoDerivative] double[] x)\n    {\n        int n = x.Length;\n        double loss = 0;\n" +
            "        for (int j = 0; j < b.Length; j++)\n        {\n            double a = b[j] + System.Numerics.Tensors.TensorPrimitives.Dot(w.Slice(j * n, n), x);\n            loss += Math.Tanh(a);\n        }\n\n" +
            "        return loss + 0.5 * System.Numerics.Tensors.TensorPrimitives.SumOfSquares(w) + System.Numerics.Tensors.TensorPrimitives.Sum(b);\n    }\n\n" +
            "    public static bool SameValue(double[] w, double[] b, double[] x) => BitConverter.DoubleToInt64Bits(F(w, b, x)) == BitConverter.DoubleToInt64Bits(FGradient(w, b, x, new double[w.Length], new double[b.Length]));";
        var run = Harness.Run(Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        string code = run.Sources.Single(s => s.Key.Contains("C.F.", StringComparison.Ordinal)).Value;
        Assert.Equal(1, Count(code, "Kernels.TensorDot("));
        Assert.Equal(1, Count(code, "Kernels.SumOfSquares("));
        Assert.Equal(1, Count(code, "Kernels.Sum("));
        Assert.True(Count(code, "Kernels.AddScaled(") >= 1, code);

        var assembly = run.Load();
        var r = new Random(rows + n);
        var x = Enumerable.Range(0, n).Select(_ => r.NextDouble() - 0.5).ToArray();
        var point = Point(rows * n + rows, rows * n);
        Assert.True((bool)assembly.GetType("Demo.C")!.GetMethod("SameValue")!.Invoke(null, new object[] { point[..(rows * n)], point[(rows * n)..], x })!);
        var f = Objective(assembly, "F", rows * n, rows, x);
        var g = new double[point.Length];
        f.ValueAndGradient(point, g);
        for (int j = 0; j < rows; j++)
        {
            double a = point[rows * n + j];
            for (int k = 0; k < n; k++)
            {
                a += point[j * n + k] * x[k];
            }

            double d = 1 - (Math.Tanh(a) * Math.Tanh(a));
            Assert.Equal(d + 1, g[rows * n + j], 12);
            for (int k = 0; k < n; k++)
            {
                Assert.Equal(d * x[k] + point[j * n + k], g[j * n + k], 12);
            }
        }

        var check = GradientCheck.Check(f, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }

    /// <summary>
    /// TensorPrimitives.Dot(w, w) (its reverse adds into dW twice, so the loop was fused with its reverse and left a plain
    /// loop) and Dot(h, w) + Dot(h, h) of a local array rewritten in a loop: the gradient's value is the method's, bit for
    /// bit, at many lengths (red-team F, stop 33: the last bits differed). (The tangent and the Hessian-vector product
    /// compute these sums as loops in order, documented; their values are checked to a few ulps.)
    /// </summary>
    [Fact]
    public void TensorPrimitivesValuesKeepTheirBitsWhereTheirReverseIsNotAKernel()
    {
        string members = """
                [Differentiable(Hessian = true)] public static double F(double[] w) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(w, w);

                [Differentiable(Hessian = true)]
                public static double G(double[] w, [NoDerivative] double[] x)
                {
                    var h = new double[w.Length];
                    double s = 0;
                    for (int k = 0; k < 3; k++)
                    {
                        for (int i = 0; i < h.Length; i++) h[i] = Math.Tanh(w[i] * x[i] + k);
                        s += System.Numerics.Tensors.TensorPrimitives.Dot<double>(h, w) + System.Numerics.Tensors.TensorPrimitives.Dot<double>(h, h);
                    }

                    return s;
                }

                public static double[] Values(double[] w, double[] x)
                {
                    var g = new double[w.Length];
                    var v = new double[w.Length];
                    var hv = new double[w.Length];
                    return new[]
                    {
                        F(w), FGradient(w, g), FTangent(w, v, out _), FHessianVectorProduct(w, v, g, hv),
                        G(w, x), GGradient(w, x, g), GTangent(w, x, v, out _), GHessianVectorProduct(w, x, v, g, hv),
                    };
                }
            """;
        var assembly = KnownBugs.Expect.Compiles(Harness.InClass(members));
        var values = assembly.GetType("Demo.C")!.GetMethod("Values")!;
        var r = new Random(33);
        foreach (int n in new[] { 7, 17, 33, 64, 101 })
        {
            for (int trial = 0; trial < 20; trial++)
            {
                var w = Enumerable.Range(0, n).Select(_ => r.NextDouble() * 2 - 1).ToArray();
                var x = Enumerable.Range(0, n).Select(_ => r.NextDouble() * 2 - 1).ToArray();
                var v = (double[])values.Invoke(null, new object[] { w, x })!;
                Assert.True(BitConverter.DoubleToInt64Bits(v[0]) == BitConverter.DoubleToInt64Bits(v[1]), $"F, n = {n}: {v[1]:R} vs {v[0]:R}");
                Assert.True(BitConverter.DoubleToInt64Bits(v[4]) == BitConverter.DoubleToInt64Bits(v[5]), $"G, n = {n}: {v[5]:R} vs {v[4]:R}");
                for (int k = 2; k < 4; k++)
                {
                    Assert.True(Math.Abs(v[k] - v[0]) <= 1e-13 * Math.Max(1, Math.Abs(v[0])), $"F, n = {n}, value {k}: {v[k]:R} vs {v[0]:R}");
                    Assert.True(Math.Abs(v[4 + k] - v[4]) <= 1e-13 * Math.Max(1, Math.Abs(v[4])), $"G, n = {n}, value {k}: {v[4 + k]:R} vs {v[4]:R}");
                }
            }
        }
    }

    [Fact]
    public void OtherTensorPrimitivesOfParametersAreSG0015WithAdvice()
    {
        var run = Harness.Run(Harness.InClass("    [Differentiable] public static double F(ReadOnlySpan<double> w) => System.Numerics.Tensors.TensorPrimitives.Norm(w);\n" +
            "    [Differentiable] public static double G(ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> x) => System.Numerics.Tensors.TensorPrimitives.Norm(x) * w[0];"));
        var d = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SG0015", d.Id);
        Assert.Contains("Dot, Sum and SumOfSquares", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("TensorPrimitives.Norm(w)", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>float: the float kernels, the same bits as the float loops.</summary>
    [Fact]
    public void FloatLoopsUseTheFloatKernels()
    {
        string body = "    {\n        int n = x.Length;\n        float loss = 0;\n        for (int j = 0; j < w.Length / n; j++)\n        {\n            float a = 0;\n            for (int k = 0; k < n; k++)\n            {\n                a += w[j * n + k] * x[k];\n            }\n\n            loss += a * a;\n        }\n\n        return loss;\n    }";
        string members = "    [Differentiable] public static float F(float[] w, [NoDerivative] float[] x)\n" + body + "\n\n" +
            "    [Differentiable(Vectorize = false)] public static float FLoops(float[] w, [NoDerivative] float[] x)\n" + body + "\n\n" +
            "    public static bool Same(float[] w, float[] x)\n    {\n        var d1 = new float[w.Length];\n        var d2 = new float[w.Length];\n        float v1 = FGradient(w, x, d1);\n        float v2 = FLoopsGradient(w, x, d2);\n" +
            "        if (BitConverter.SingleToInt32Bits(v1) != BitConverter.SingleToInt32Bits(v2)) return false;\n        for (int i = 0; i < w.Length; i++) if (BitConverter.SingleToInt32Bits(d1[i]) != BitConverter.SingleToInt32Bits(d2[i]) || d1[i] == 0) return false;\n        return true;\n    }";
        var run = Harness.Run(Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        Assert.Contains("Kernels.AddScaled(", run.Sources.Single(s => s.Key.Contains("C.F.", StringComparison.Ordinal)).Value);
        var same = run.Load().GetType("Demo.C")!.GetMethod("Same")!;
        var r = new Random(11);
        var w = Enumerable.Range(0, 3 * 17).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        var x = Enumerable.Range(0, 17).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        Assert.True((bool)same.Invoke(null, new object[] { w, x })!);
    }
}

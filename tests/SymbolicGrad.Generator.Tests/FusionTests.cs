namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Which loops run their reverse inside the forward loop (accumulate-only, seeds known before the loop) and which
/// keep a separate reverse loop. Exactness of both is checked by the runtime catalog and the random programs.
/// </summary>
public class FusionTests
{
    private static string Gradient(string body)
    {
        var run = Harness.Run(Harness.InClass(body));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
        string all = string.Concat(run.Sources.Values);
        int start = all.IndexOf("Gradient(", StringComparison.Ordinal);
        int end = all.IndexOf("Objective(", start, StringComparison.Ordinal);
        return all.Substring(start, end - start);
    }

    /// <summary>A reverse loop in the reverse sweep (inner loops of a fused loop keep theirs, inside it).</summary>
    private static bool HasReverseLoop(string code)
    {
        int reverse = code.IndexOf("// reverse sweep:", StringComparison.Ordinal);
        return reverse >= 0 && code.IndexOf("for (int k", reverse, StringComparison.Ordinal) >= 0;
    }

    [Theory]
    [InlineData("    [Differentiable] public static double F(double w, double b, [NoDerivative] double[] x, [NoDerivative] double[] y)\n    {\n        double sum = 0;\n        for (int i = 0; i < x.Length; i++)\n        {\n            double r = w * x[i] + b - y[i];\n            sum += r * r;\n        }\n\n        return sum / x.Length;\n    }")]
    [InlineData("    [Differentiable] public static double F(ReadOnlySpan<double> w, [NoDerivative] double[] x, int n)\n    {\n        double loss = 0;\n        for (int i = 0; i < n; i++)\n        {\n            double z = 0;\n            for (int j = 0; j < w.Length; j++)\n            {\n                z += w[j] * x[i * w.Length + j];\n            }\n\n            loss -= Math.Log(1 / (1 + Math.Exp(-z)));\n        }\n\n        return loss / n + 0.1 * w[0] * w[0];\n    }")]
    [InlineData("    [Differentiable] public static double F(ReadOnlySpan<double> x)\n    {\n        double s = 0;\n        for (int i = 0; i < x.Length - 1; i++)\n        {\n            double a = x[i + 1] - x[i] * x[i];\n            s += 100 * a * a + (1 - x[i]) * (1 - x[i]);\n        }\n\n        return s;\n    }")]
    public void AccumulatingLoopsWithSeedsKnownBeforeThemRunTheirReverseInside(string body)
    {
        string code = Gradient(body);
        Assert.Contains("its reverse runs inside it", code);
        Assert.False(HasReverseLoop(code), code);
        Assert.DoesNotContain("ValueStack", code);
    }

    [Fact]
    public void ALoopWithAScratchArrayItWritesInFullBeforeReadingIsFused()
    {
        // A hidden layer rewritten for every example: private to the iteration. Its inner loops keep their own
        // reverse loops (and stacks), inside the fused loop.
        string code = Gradient("    [Differentiable] public static double F(ReadOnlySpan<double> w, [NoDerivative] double[] x, [NoDerivative] double[] y)\n    {\n        Span<double> h = stackalloc double[w.Length];\n        double loss = 0;\n        for (int i = 0; i < y.Length; i++)\n        {\n            for (int j = 0; j < w.Length; j++)\n            {\n                h[j] = Math.Tanh(w[j] * x[i]);\n            }\n\n            double o = 0;\n            for (int j = 0; j < h.Length; j++)\n            {\n                o += h[j] * h[j];\n            }\n\n            loss += (o - y[i]) * (o - y[i]);\n        }\n\n        return loss / y.Length;\n    }");
        Assert.Contains("its reverse runs inside it", code);
        Assert.False(HasReverseLoop(code), code);
    }

    /// <summary>
    /// A mixture's log-likelihood as a first draft writes it: per point, per component, a scratch array of centered
    /// coordinates written in full and then read, a scratch array of the components' terms, then a log-sum-exp. Both
    /// scratch arrays are private to a point, so the loop over points runs its reverse inside it, and the inner loops'
    /// trip counts are computed again instead of stored. Against the closed form ∂F/∂m[j,e] = Σᵢ wᵢⱼ (xᵢₑ − mⱼₑ), wᵢⱼ
    /// the softmax over j of the terms.
    /// </summary>
    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    [InlineData(1, 4)]
    public void AMixtureWithScratchArraysPerPointIsFusedAndExact(int d, int k)
    {
        string body = "    [Differentiable] public static double F(ReadOnlySpan<double> m, [NoDerivative] double[] x, int d)\n    {\n" +
            "        int k = m.Length / d;\n        int n = x.Length / d;\n        Span<double> c = stackalloc double[d];\n        Span<double> t = stackalloc double[k];\n        double total = 0;\n" +
            "        for (int i = 0; i < n; i++)\n        {\n            for (int j = 0; j < k; j++)\n            {\n" +
            "                for (int e = 0; e < d; e++)\n                {\n                    c[e] = x[i * d + e] - m[j * d + e];\n                }\n\n" +
            "                double q = 0;\n                for (int e = 0; e < d; e++)\n                {\n                    q += c[e] * c[e];\n                }\n\n" +
            "                t[j] = -0.5 * q;\n            }\n\n            double s = 0;\n            for (int j = 0; j < k; j++)\n            {\n                s += Math.Exp(t[j]);\n            }\n\n" +
            "            total += Math.Log(s);\n        }\n\n        return total;\n    }";
        string code = Gradient(body);
        Assert.Contains("its reverse runs inside it", code);
        Assert.DoesNotContain("ValueStack<int>", code);

        var random = new Random(11 * d + k);
        int n = 5;
        var x = Enumerable.Range(0, n * d).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var m = Enumerable.Range(0, k * d).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var expected = new double[k * d];
        for (int i = 0; i < n; i++)
        {
            var terms = new double[k];
            for (int j = 0; j < k; j++)
            {
                for (int e = 0; e < d; e++)
                {
                    terms[j] -= 0.5 * (x[i * d + e] - m[j * d + e]) * (x[i * d + e] - m[j * d + e]);
                }
            }

            double sum = terms.Sum(Math.Exp);
            for (int j = 0; j < k; j++)
            {
                for (int e = 0; e < d; e++)
                {
                    expected[j * d + e] += Math.Exp(terms[j]) / sum * (x[i * d + e] - m[j * d + e]);
                }
            }
        }

        KnownBugs.Expect.Gradient(body, "F", m, expected, k * d, x, d);
    }

    /// <summary>
    /// Fused loops against closed forms: an accumulator that also gets adjoint from after the loop (w·w), a seed computed
    /// from a value after the loop (1/n), a counted loop not starting at zero, and an inner loop inside the fused one.
    /// </summary>
    [Theory]
    [InlineData(0.7, 1)]
    [InlineData(-1.3, 3)]
    public void FusedLoopsGiveExactGradients(double w, int start)
    {
        string body = "    [Differentiable] public static double F(double w, double b, [NoDerivative] double[] x, [NoDerivative] int start)\n    {\n        double s = 0;\n" +
            "        for (int i = start; i < x.Length; i += 2)\n        {\n            double r = w * x[i] + b;\n            double q = 0;\n            for (int j = 0; j < 3; j++) q += r * j;\n            s += r * q;\n        }\n\n        return s / x.Length + w * w * b;\n    }";
        string code = Gradient(body);
        Assert.Contains("its reverse runs inside it", code);
        double[] x = { 0.5, -1.0, 2.0, 0.25, 1.5, -0.75 };
        double b = 0.4;

        // s = Σ 3 r², r = w x_i + b over i = start, start + 2, ...: ∂/∂w = Σ 6 r x_i / n + 2 w b, ∂/∂b = Σ 6 r / n + w².
        double dw = 0, db = 0;
        for (int i = start; i < x.Length; i += 2)
        {
            double r = w * x[i] + b;
            dw += 6 * r * x[i] / x.Length;
            db += 6 * r / x.Length;
        }

        dw += 2 * w * b;
        db += w * w;
        KnownBugs.Expect.Gradient(body, "F", new[] { w, b }, new[] { dw, db }, x, start);
    }

    /// <summary>
    /// Scratch arrays in shapes near the line between private to an iteration and not: a full write under a branch, an
    /// array computed from another, a full write then a partial overwrite, full writes inside an inner loop with a read
    /// after it, a scratch array also read after the loop. Fused or not, each gradient matches centered differences.
    /// </summary>
    [Theory]
    [InlineData("if (x[i] > 0)\n            {\n                for (int j = 0; j < 3; j++) h[j] = w[j] * x[i];\n            }\n\n            s += h[0] * h[1] + h[2];")]
    [InlineData("for (int j = 0; j < 3; j++) h[j] = Math.Sin(w[j] * x[i]);\n            for (int j = 0; j < 3; j++) g[j] = h[j] * h[(j + 1) % 3];\n            s += g[0] + g[1] * g[2];")]
    [InlineData("for (int j = 0; j < 3; j++) h[j] = w[j] * x[i];\n            h[1] = h[0] * h[2];\n            s += h[1] * h[1] + h[0];")]
    [InlineData("for (int k = 0; k < 2; k++)\n            {\n                for (int j = 0; j < 3; j++) h[j] = w[j] * x[i] + k;\n                s += h[0] * h[k];\n            }\n\n            s += h[2] * w[0];")]
    [InlineData("for (int j = 0; j < 3; j++) g[j] = Math.Tanh(w[j] + x[i]);\n            s += g[0] * g[2];\n            h[i % 3] += g[1];")]
    public void ScratchArraysNearThePrivacyLineGiveExactGradients(string loopBody)
    {
        string members = "    [Differentiable] public static double F(ReadOnlySpan<double> w, [NoDerivative] double[] x)\n    {\n" +
            "        Span<double> h = stackalloc double[3];\n        Span<double> g = stackalloc double[3];\n        double s = 0;\n" +
            "        for (int i = 0; i < x.Length; i++)\n        {\n            " + loopBody + "\n        }\n\n        return s + h[0] * h[1];\n    }";
        var assembly = KnownBugs.Expect.Compiles(Harness.InClass(members));
        double[] x = { 0.7, -0.4, 1.3, 0.2, -1.1 };
        var f = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod("FObjective")!.Invoke(null, new object[] { 3, x })!;
        foreach (var point in new[] { new[] { 0.3, -0.8, 0.5 }, new[] { -1.2, 0.4, 0.9 } })
        {
            var check = GradientCheck.Check(f, point, KnownBugs.Expect.Tight);
            Assert.True(check.Passed, check.ToString());
        }
    }

    private const string OverwrittenAfter = "    [Differentiable] public static double F(ReadOnlySpan<double> x)\n    {\n        Span<double> h = stackalloc double[2];\n        h[0] = x[0];\n        h[1] = x[2];\n        double s = 0;\n        for (int i = 0; i < x.Length; i++)\n        {\n            s += h[i % 2] * x[i];\n        }\n\n        h[0] = 2 * x[1];\n        return s + h[0];\n    }";

    /// <summary>For four points F = x₀x₀ + x₂x₁ + x₀x₂ + x₂x₃ + 2x₁.</summary>
    [Fact]
    public void ALocalArrayOverwrittenAfterTheLoopKeepsItsAdjointsApart()
    {
        double[] x = { 0.7, -1.2, 0.4, 2.5 };
        KnownBugs.Expect.Gradient(OverwrittenAfter, "F", x, new[] { 2 * x[0] + x[2], x[2] + 2, x[1] + x[0] + x[3], x[2] }, x.Length);
    }

    [Theory]
    // The seed 1/s needs the loop's result.
    [InlineData("    [Differentiable] public static double F(ReadOnlySpan<double> z)\n    {\n        double s = 0;\n        for (int i = 0; i < z.Length; i++)\n        {\n            s += Math.Exp(z[i]);\n        }\n\n        return Math.Log(s);\n    }")]
    // Overwritten state: the adjoint changes from one iteration to the next.
    [InlineData("    [Differentiable] public static double F(ReadOnlySpan<double> c, double x)\n    {\n        double p = 0;\n        for (int i = c.Length - 1; i >= 0; i--)\n        {\n            p = p * x + c[i];\n        }\n\n        return p;\n    }")]
    // A break.
    [InlineData("    [Differentiable] public static double F(ReadOnlySpan<double> x)\n    {\n        double s = 0;\n        for (int i = 0; i < x.Length; i++)\n        {\n            if (x[i] > 5) break;\n            s += x[i] * x[i];\n        }\n\n        return s;\n    }")]
    // A local array written inside the loop (a write takes its element's adjoint; later iterations may read it).
    [InlineData("    [Differentiable] public static double F(ReadOnlySpan<double> x)\n    {\n        Span<double> h = stackalloc double[2];\n        double s = 0;\n        for (int i = 0; i < x.Length; i++)\n        {\n            h[i % 2] = Math.Tanh(x[i] + h[(i + 1) % 2]);\n            s += h[i % 2];\n        }\n\n        return s;\n    }")]
    // Inside an if: the seed and the reverse belong to that branch.
    [InlineData("    [Differentiable] public static double F(ReadOnlySpan<double> x, double a)\n    {\n        if (a > 0)\n        {\n            double s = 0;\n            for (int i = 0; i < x.Length; i++)\n            {\n                s += a * x[i] * x[i];\n            }\n\n            return s;\n        }\n\n        return a;\n    }")]
    // A scratch array read by a later iteration before it is rewritten.
    [InlineData("    [Differentiable] public static double F(ReadOnlySpan<double> x)\n    {\n        Span<double> h = stackalloc double[3];\n        double s = 0;\n        for (int i = 0; i < x.Length; i++)\n        {\n            s += h[0] * x[i];\n            for (int j = 0; j < h.Length; j++)\n            {\n                h[j] = Math.Sin(x[i] + j);\n            }\n        }\n\n        return s;\n    }")]
    // Only part of the scratch array is written before it is read.
    [InlineData("    [Differentiable] public static double F(ReadOnlySpan<double> x)\n    {\n        Span<double> h = stackalloc double[3];\n        double s = 0;\n        for (int i = 0; i < x.Length; i++)\n        {\n            for (int j = 0; j < 2; j++)\n            {\n                h[j] = Math.Sin(x[i] + j);\n            }\n\n            s += h[2] * x[i] + h[0];\n            h[2] = x[i];\n        }\n\n        return s;\n    }")]
    // The scratch array is read after the loop.
    [InlineData("    [Differentiable] public static double F(ReadOnlySpan<double> x)\n    {\n        Span<double> h = stackalloc double[2];\n        double s = 0;\n        for (int i = 0; i < x.Length; i++)\n        {\n            for (int j = 0; j < h.Length; j++)\n            {\n                h[j] = Math.Sin(x[i] * j);\n            }\n\n            s += h[1];\n        }\n\n        return s + h[1];\n    }")]
    // A local array the loop reads and the code after it overwrites: the overwrite's reverse takes the adjoint first.
    [InlineData(OverwrittenAfter)]
    public void OtherLoopsKeepASeparateReverseLoop(string body)
    {
        string code = Gradient(body);
        Assert.DoesNotContain("its reverse runs inside it", code);
        Assert.True(HasReverseLoop(code), code);
    }
}

using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// What the generator rewrites in the method before differentiating it, so that loops store less (issue #11): int
/// variables advancing by a fixed step recomputed from the iteration number, reads of elements just written, reads an
/// inner loop does not change moved before it under the loop's entry condition. Each against closed forms, numeric
/// differences, the value of the method bit for bit, and the exceptions the method throws.
/// </summary>
public class PrimalRewriteTests
{
    /// <summary>
    /// A packed lower triangle walked with a running offset (li++, li += 2) beside the loop index, as the GMM does:
    /// F = Σ_{i&lt;j} L[li]·c_i·c_j with c = x; ∂/∂L[li] = x_i x_j, ∂/∂x_m = Σ over pairs containing m of L·(the other).
    /// </summary>
    [Theory]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(1, 1)]
    public void RunningOffsetsBesideTheIndexAreRecomputed(int d, int step)
    {
        string members = "    [Differentiable] public static double F(double[] x, double[] l, [NoDerivative] int step)\n    {\n        int d = x.Length;\n        int li = 0;\n        double s = 0;\n" +
            "        for (int i = 0; i < d; i++)\n        {\n            for (int j = i + 1; j < d; j++)\n            {\n                s += l[li] * x[i] * x[j];\n                li += step;\n            }\n        }\n\n        return s;\n    }";
        int pairs = d * (d - 1) / 2;
        int size = Math.Max(1, (pairs - 1) * step + 1);
        var r = new Random(d * 10 + step);
        var point = Enumerable.Range(0, d + size).Select(_ => r.NextDouble() * 2 - 1).ToArray();
        var expected = new double[d + size];
        int at = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = i + 1; j < d; j++)
            {
                double lv = point[d + at];
                expected[d + at] += point[i] * point[j];
                expected[i] += lv * point[j];
                expected[j] += lv * point[i];
                at += step;
            }
        }

        Expect.Gradient(members, "F", point, expected, d, size, step);
    }

    /// <summary>
    /// The GMM's shape: c[i] written, then read in an inner loop that writes only q; F = Σ_j q_j² with
    /// q_j = x_j + Σ_{i&lt;j} w·c_i, c = 2x. Against numeric differences, at sizes where the last inner loop runs zero times.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public void ReadsAnInnerLoopDoesNotChangeAreExact(int d)
    {
        string members = "    [Differentiable] public static double F(double[] x, double w)\n    {\n        int d = x.Length;\n        var c = new double[d];\n        var q = new double[d];\n" +
            "        for (int i = 0; i < d; i++)\n        {\n            c[i] = 2 * x[i];\n            q[i] = x[i] + c[i] * 0.0;\n        }\n\n" +
            "        for (int i = 0; i < d; i++)\n        {\n            for (int j = i + 1; j < d; j++)\n            {\n                q[j] += w * c[i];\n            }\n        }\n\n" +
            "        double s = 0;\n        for (int j = 0; j < d; j++)\n        {\n            s += q[j] * q[j];\n        }\n\n        return s;\n    }";
        var r = new Random(d);
        var point = Enumerable.Range(0, d + 1).Select(_ => r.NextDouble() * 2 - 1).ToArray();
        var x = point[..d];
        double w = point[d];
        var q = new double[d];
        for (int j = 0; j < d; j++)
        {
            q[j] = x[j];
            for (int i = 0; i < j; i++)
            {
                q[j] += w * 2 * x[i];
            }
        }

        var expected = new double[d + 1];
        for (int j = 0; j < d; j++)
        {
            expected[j] += 2 * q[j];
            for (int i = 0; i < j; i++)
            {
                expected[i] += 2 * q[j] * w * 2;
                expected[d] += 2 * q[j] * 2 * x[i];
            }
        }

        Expect.Gradient(members, "F", point, expected, d);
    }

    /// <summary>
    /// A read that would throw, in a loop that does not run: the method returns, so must the gradient (the read moved
    /// before the loop only under the loop's entry condition). With m &gt; 0 both throw IndexOutOfRangeException.
    /// </summary>
    [Fact]
    public void AMovedReadThrowsOnlyWhenTheLoopRuns()
    {
        string members = "    [Differentiable] public static double F(double[] x, [NoDerivative] int idx, [NoDerivative] int m)\n    {\n        double s = x[0];\n" +
            "        for (int j = 0; j < m; j++)\n        {\n            s += x[idx] * j;\n        }\n\n        return s * s;\n    }\n" +
            "    public static double G(double[] x, int idx, int m) => FGradient(x, idx, m, new double[x.Length]);";
        var run = Harness.Run(Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        var g = run.Load().GetType("Demo.C")!.GetMethod("G")!;
        var x = new[] { 1.5, 2.0 };
        Assert.Equal(2.25, (double)g.Invoke(null, new object[] { x, 7, 0 })!);
        var thrown = Assert.Throws<TargetInvocationException>(() => g.Invoke(null, new object[] { x, 7, 3 }));
        Assert.IsType<IndexOutOfRangeException>(thrown.InnerException);
        Expect.Gradient(members, "F", new[] { 1.5, 2.0 }, new[] { 2 * (1.5 + 6.0), 2 * (1.5 + 6.0) * 3 }, 2, 1, 3);
    }

    /// <summary>An element read right after it is written, and an inner loop that writes the array it reads (no move): exact.</summary>
    [Fact]
    public void ReadsOfWrittenElementsAndLoopsThatWriteWhatTheyReadAreExact()
    {
        string members = "    [Differentiable] public static double F(double[] x)\n    {\n        int n = x.Length;\n        var c = new double[n];\n        double s = 0;\n" +
            "        for (int i = 0; i < n; i++)\n        {\n            c[i] = x[i] * x[i];\n            s += c[i] * c[i];\n            for (int j = 0; j < n; j++)\n            {\n                c[0] += c[i] * 0.5;\n            }\n        }\n\n        return s + c[0];\n    }";
        var x = new[] { 0.3, -1.2, 0.8 };
        int n = x.Length;

        // c[0] ends as x0² + Σ_i n·0.5·c_i(at step i), where c_0 at step 0 is itself growing: compute by forward differences of a closed loop.
        double Value(double[] v)
        {
            var c = new double[n];
            double s = 0;
            for (int i = 0; i < n; i++)
            {
                c[i] = v[i] * v[i];
                s += c[i] * c[i];
                for (int j = 0; j < n; j++)
                {
                    c[0] += c[i] * 0.5;
                }
            }

            return s + c[0];
        }

        var expected = new double[n];
        for (int m = 0; m < n; m++)
        {
            // Exact derivative of a polynomial by a complex-step-free symmetric difference of a quartic: h small and Richardson.
            double h = 1e-3;
            var p = (double[])x.Clone();
            var q = (double[])x.Clone();
            var p2 = (double[])x.Clone();
            var q2 = (double[])x.Clone();
            p[m] += h;
            q[m] -= h;
            p2[m] += 2 * h;
            q2[m] -= 2 * h;
            expected[m] = (8 * (Value(p) - Value(q)) - (Value(p2) - Value(q2))) / (12 * h);
        }

        Expect.Gradient(members, "F", x, expected, n);
    }
}

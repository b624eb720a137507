using System.Reflection;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Deferred outer products (issue #11): a dense layer over data, whose reverse adds x[i]·ḡ into every row of dW for
/// every example, records those additions and runs them together at the end (DeferredAddScaled). Checked here: which
/// gradients defer (only where nothing else can touch the rows or the data before the end), that a deferring gradient
/// has the bits of the same method's gradient without kernels ([Differentiable(Vectorize = false)]), and that it is
/// right (centered differences and the closed form).
/// </summary>
public class DeferTests
{
    private const string Layer = """
            {
                int hidden = b.Length;
                int n = w.Length / hidden;
                int m = x.Length / n;
                double loss = 0;
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < hidden; j++)
                    {
                        double a = b[j];
                        for (int k = 0; k < n; k++)
                        {
                            a += w[j * n + k] * x[i * n + k];
                        }

                        double h = Math.Tanh(a);
                        loss += h * h;
                    }
                }
            """;

    private static (Assembly Assembly, string Vectorized, string Loops) Build(string signature, string body, string helpers = "")
    {
        string members = "    [Differentiable] public static double F" + signature + "\n" + body + "\n\n" +
            "    [Differentiable(Vectorize = false)] public static double FLoops" + signature + "\n" + body + "\n\n" + helpers;
        var run = Harness.Run(Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        string Of(string name) => run.Sources.Single(s => s.Key.Contains("C." + name + ".", StringComparison.Ordinal)).Value;
        return (run.Load(), Of("F"), Of("FLoops"));
    }

    private static DifferentiableFunction Objective(Assembly assembly, string name, params object[] data) =>
        (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, data)!;

    private static double[] Point(int n, int seed)
    {
        var r = new Random(seed);
        var p = new double[n];
        for (int i = 0; i < n; i++)
        {
            p[i] = (r.NextDouble() * 2) - 1;
        }

        return p;
    }

    /// <summary>Value and gradient of both versions: identical bits; and the numeric check.</summary>
    private static double[] SameBitsAndChecked(DifferentiableFunction deferred, DifferentiableFunction loops, double[] point)
    {
        var g1 = new double[point.Length];
        var g2 = new double[point.Length];
        double v1 = deferred.ValueAndGradient(point, g1);
        double v2 = loops.ValueAndGradient(point, g2);
        Assert.Equal(BitConverter.DoubleToInt64Bits(v2), BitConverter.DoubleToInt64Bits(v1));
        for (int i = 0; i < point.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(g1[i]) == BitConverter.DoubleToInt64Bits(g2[i]), $"component {i}: deferred {g1[i]:R}, loops {g2[i]:R}");
        }

        var check = GradientCheck.Check(deferred, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        return g1;
    }

    /// <summary>
    /// Σᵢ Σⱼ tanh(bⱼ + Σₖ Wⱼₖ xᵢₖ)²: ∂/∂Wⱼₖ = Σᵢ 2 hᵢⱼ (1 − hᵢⱼ²) xᵢₖ. Row counts around the runtime's groups of four,
    /// row lengths around its vector chunks (with tails); a second call reuses the pooled recorder.
    /// </summary>
    [Theory]
    [InlineData(5, 4, 16)]
    [InlineData(7, 6, 19)]
    [InlineData(3, 9, 33)]
    [InlineData(1, 3, 5)]
    public void ADenseLayerOverDataDefersItsOuterProducts(int examples, int hidden, int n)
    {
        var (assembly, deferred, loops) = Build("(ReadOnlySpan<double> w, ReadOnlySpan<double> b, [NoDerivative] double[] x)", Layer + "\n        return loss;\n    }");
        Assert.Contains("new global::SymbolicGrad.Internal.DeferredAddScaled<double>()", deferred);
        Assert.Contains(".Flush(dW, x);", deferred);
        Assert.DoesNotContain("Deferred", loops);

        var x = Point(examples * n, 7 * examples + n);
        var point = Point((hidden * n) + hidden, (hidden * 100) + n);
        var f = Objective(assembly, "F", hidden * n, hidden, x);
        var g = SameBitsAndChecked(f, Objective(assembly, "FLoops", hidden * n, hidden, x), point);
        SameBitsAndChecked(f, Objective(assembly, "FLoops", hidden * n, hidden, x), point);

        for (int j = 0; j < hidden; j++)
        {
            for (int k = 0; k < n; k++)
            {
                double expected = 0;
                for (int i = 0; i < examples; i++)
                {
                    double a = point[(hidden * n) + j];
                    for (int q = 0; q < n; q++)
                    {
                        a += point[(j * n) + q] * x[(i * n) + q];
                    }

                    double h = Math.Tanh(a);
                    expected += 2 * h * (1 - (h * h)) * x[(i * n) + k];
                }

                Assert.Equal(expected, g[(j * n) + k], 11);
            }
        }
    }

    /// <summary>
    /// Where a deferral could change a value or an order it stays a call: dW also written by another statement (a
    /// penalty on w[0]); a call the generator cannot see into that receives a data array (GC.KeepAlive of a second
    /// [NoDerivative] array, which the caller may have passed as x too: any such call may write it); a layer in one loop
    /// only (nothing to group). Each still has the bits of its loop form.
    /// </summary>
    [Theory]
    [InlineData("penalty")]
    [InlineData("calls out")]
    [InlineData("one loop")]
    public void WhereAnythingElseTouchesTheRowsOrTheDataNothingIsDeferred(string shape)
    {
        string signature = "(ReadOnlySpan<double> w, ReadOnlySpan<double> b, [NoDerivative] double[] x, [NoDerivative] double[] scratch)";
        string body = shape switch
        {
            "penalty" => Layer + "\n        return loss + w[0] * w[0];\n    }",
            "calls out" => Layer.Replace("double h = Math.Tanh(a);", "GC.KeepAlive(scratch);\n                double h = Math.Tanh(a);", StringComparison.Ordinal) + "\n        return loss;\n    }",
            _ => """
                {
                    int hidden = b.Length;
                    int n = w.Length / hidden;
                    double loss = 0;
                    for (int j = 0; j < hidden; j++)
                    {
                        double a = b[j];
                        for (int k = 0; k < n; k++)
                        {
                            a += w[j * n + k] * x[k];
                        }

                        loss += Math.Tanh(a);
                    }

                    return loss;
                }
                """,
        };
        var (assembly, deferred, _) = Build(signature, body);
        Assert.DoesNotContain("Deferred", deferred);
        Assert.Contains("Kernels.AddScaled(dW,", deferred);

        const int examples = 4, hidden = 5, n = 9;
        var x = Point(examples * n, 3);
        var point = Point((hidden * n) + hidden, 4);
        SameBitsAndChecked(Objective(assembly, "F", hidden * n, hidden, x, new double[1]), Objective(assembly, "FLoops", hidden * n, hidden, x, new double[1]), point);
    }
}

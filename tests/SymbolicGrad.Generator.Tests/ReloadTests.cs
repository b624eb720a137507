using System.Reflection;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Values read again instead of stored (issue #11): once fusion puts a loop's reverse right after it, a reverse that
/// needs <c>h[j]</c> of an array the method created reads it again instead of popping what the loop pushed, as long
/// as nothing can write h in between. Checked: which loops read again (counting up, counting down, an offset, nested in
/// a loop over classes), that a write into h in between keeps the push, and that both give the same bits as each other
/// and agree with centered differences.
/// </summary>
public class ReloadTests
{
    /// <summary>Two layers over examples: h = tanh(W1 x + b1), then z_c = Σⱼ W2[c, j] h[j] per class (the loop as given); loss Σ z².</summary>
    private static string Body(string classLoop, string afterClasses) => $$"""
            {
                int hidden = b1.Length;
                int n = w1.Length / hidden;
                int classes = w2.Length / hidden;
                int m = x.Length / n;
                var h = new double[hidden];
                double loss = 0;
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < hidden; j++)
                    {
                        double a = b1[j];
                        for (int k = 0; k < n; k++)
                        {
                            a += w1[j * n + k] * x[i * n + k];
                        }

                        h[j] = Math.Tanh(a);
                    }

                    double e = 0;
                    for (int c = 0; c < classes; c++)
                    {
                        double s = 0;
                        {{classLoop}}
                        e += s * s;
                    }

                    loss += e;

                    {{afterClasses}}
                }

                return loss;
            }
        """;

    public static TheoryData<string> ClassLoops => new()
    {
        "for (int j = 0; j < hidden; j++) s += w2[c * hidden + j] * h[j];",
        "for (int j = hidden - 1; j >= 0; j--) s += w2[c * hidden + j] * h[j];",
        "for (int j = 1; j <= hidden; j++) s += w2[c * hidden + j - 1] * h[j - 1];",
        "for (int j = 0; j < hidden - 1; j++) s += w2[c * hidden + j] * h[1 + j];",
    };

    [Theory]
    [MemberData(nameof(ClassLoops))]
    public void AClassLoopReadsTheHiddenValuesAgain(string classLoop)
    {
        string signature = "(ReadOnlySpan<double> w1, ReadOnlySpan<double> b1, ReadOnlySpan<double> w2, [NoDerivative] double[] x)";
        string members = "    [Differentiable] public static double F" + signature + "\n" + Body(classLoop, string.Empty) + "\n\n" +
            "    [Differentiable] public static double Kept" + signature + "\n" + Body(classLoop, "h[0] = h[0] * 1.0;");
        var run = Harness.Run(Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        string Of(string name) => run.Sources.Single(s => s.Key.Contains("C." + name + ".", StringComparison.Ordinal)).Value;

        // Pushes per example: the hidden values once (for tanh's derivative), and per class only where kept.
        int Pushes(string text) => text.Split("values.Push(").Length - 1;
        Assert.True(Pushes(Of("Kept")) > Pushes(Of("F")), "F pushes " + Pushes(Of("F")) + ", Kept " + Pushes(Of("Kept")));

        const int hidden = 6, n = 5, classes = 3, examples = 4;
        var x = new double[examples * n];
        var r = new Random(classLoop.Length);
        for (int q = 0; q < x.Length; q++)
        {
            x[q] = r.NextDouble() - 0.5;
        }

        var point = new double[(hidden * n) + hidden + (classes * hidden)];
        for (int q = 0; q < point.Length; q++)
        {
            point[q] = r.NextDouble() - 0.5;
        }

        var type = run.Load().GetType("Demo.C")!;
        DifferentiableFunction Objective(string name) => (DifferentiableFunction)type.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, new object[] { hidden * n, hidden, classes * hidden, x })!;
        var g1 = new double[point.Length];
        var g2 = new double[point.Length];
        Assert.Equal(BitConverter.DoubleToInt64Bits(Objective("Kept").ValueAndGradient(point, g2)), BitConverter.DoubleToInt64Bits(Objective("F").ValueAndGradient(point, g1)));
        Assert.Equal(g2.Select(BitConverter.DoubleToInt64Bits), g1.Select(BitConverter.DoubleToInt64Bits));
        var check = GradientCheck.Check(Objective("F"), point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }
}

using System.Reflection;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Running offsets (issue #11): an int a nested loop advances (li++ in for (j = i + 1; j < d; j++), the packed lower
/// triangle of ADBench's GMM) is no longer stored for the reverse of the loop around it. Its value in iteration k is
/// taken back from the next iteration's, minus step × the nested loop's trip count, starting from its value after the
/// loop. Checked on each shape against a twin whose advance is behind a branch (which keeps the stored value): fewer
/// int pushes, the same bits, and agreement with centered differences.
/// </summary>
public class RunningOffsetTests
{
    private const string Advance = "li += STEP;";
    private const string Kept = "if (j >= -1) li += STEP;";

    /// <summary>Loop shapes over q[j] += icf[li] * c[i]: the offset's advance is ADVANCE; the values read are icf[li].</summary>
    public static TheoryData<string, int> Shapes => new()
    {
        // The packed lower triangle, as ADBench writes it.
        { "int li = 0; for (int i = 0; i < d; i++) { for (int j = i + 1; j < d; j++) { q[j] += icf[li] * c[i]; ADVANCE } }", 1 },
        // The inner loop counting down, the outer loop counting down.
        { "int li = 0; for (int i = 0; i < d; i++) { for (int j = d - 1; j > i; j--) { q[j] += icf[li] * c[i]; ADVANCE } }", 1 },
        { "int li = 0; for (int i = d - 1; i >= 0; i--) { for (int j = i + 1; j < d; j++) { q[j] += icf[li] * c[i]; ADVANCE } }", 1 },
        // A step of 2 (two values per entry), and a full square (the advance is d in every iteration).
        { "int li = 0; for (int i = 0; i < d; i++) { for (int j = i + 1; j < d; j++) { q[j] += icf[li] * c[i] + icf[li + 1] * q[i]; ADVANCE } }", 2 },
        { "int li = 1; for (int i = 0; i < d; i++) { for (int j = 0; j < d; j++) { q[j] += Math.Sin(icf[li - 1]) * c[i]; ADVANCE } }", 1 },
        // Inside a loop over components, restarting at each one; and under a branch.
        { "for (int m = 0; m < 3; m++) { int li = m * d * d; for (int i = 0; i < d; i++) { for (int j = i + 1; j < d; j++) { q[j] += icf[li] * c[i] * q[i]; ADVANCE } } }", 1 },
        { "if (d > 1) { int li = 2; for (int i = 0; i < d; i++) { for (int j = i + 1; j < d; j++) { q[j] += icf[li] * icf[li] * c[i]; ADVANCE } } }", 1 },
    };

    private static string Method(string name, string shape, string advance, int step) =>
        "    [Differentiable] public static double " + name + "(ReadOnlySpan<double> icf, [NoDerivative] double[] c, int d)\n" +
        "    {\n        var q = new double[d];\n        for (int j = 0; j < d; j++) q[j] = c[j];\n        " +
        shape.Replace("ADVANCE", advance.Replace("STEP", step.ToString(System.Globalization.CultureInfo.InvariantCulture)), StringComparison.Ordinal) +
        "\n        double s = 0;\n        for (int j = 0; j < d; j++) s += q[j] * q[j];\n        return s;\n    }\n";

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TheOffsetIsTakenBackInsteadOfStored(string shape, int step)
    {
        var run = Harness.Run(Harness.InClass(Method("F", shape, Advance, step) + "\n" + Method("Kept", shape, Kept, step)));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        string Of(string name) => run.Sources.Single(s => s.Key.Contains("C." + name + ".", StringComparison.Ordinal)).Value;
        int IntPushes(string text) => text.Split("ints.Push").Length - 1;
        Assert.True(IntPushes(Of("F")) <= IntPushes(Of("Kept")), "F pushes " + IntPushes(Of("F")) + " ints, Kept " + IntPushes(Of("Kept")));

        // The reverse takes the offset back (li(k) = li(k + 1) − step·trips); the twin pops it instead.
        const string takenBack = @"int li\d* = li\d* - [^;]+;";
        Assert.Matches(takenBack, Of("F"));
        Assert.DoesNotMatch(takenBack, Of("Kept"));
        ReservePushesTests.CheckReservations(Of("F"));

        var type = run.Load().GetType("Demo.C")!;
        foreach (int d in new[] { 1, 2, 5 })
        {
            var r = new Random((shape.Length * 31) + d);
            var c = Enumerable.Range(0, d).Select(_ => r.NextDouble() - 0.5).ToArray();
            var point = Enumerable.Range(0, (3 * d * d) + 4).Select(_ => (r.NextDouble() - 0.5) * 0.8).ToArray();
            DifferentiableFunction Objective(string name) => (DifferentiableFunction)type.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!
                .Invoke(null, new object[] { point.Length, c, d })!;
            var g1 = new double[point.Length];
            var g2 = new double[point.Length];
            double v1 = Objective("F").ValueAndGradient(point, g1);
            double v2 = Objective("Kept").ValueAndGradient(point, g2);
            Assert.Equal(BitConverter.DoubleToInt64Bits(v2), BitConverter.DoubleToInt64Bits(v1));
            Assert.Equal(g2.Select(BitConverter.DoubleToInt64Bits), g1.Select(BitConverter.DoubleToInt64Bits));
            var check = GradientCheck.Check(Objective("F"), point, KnownBugs.Expect.Tight);
            Assert.True(check.Passed, "d = " + d + ": " + check);
        }
    }

    /// <summary>Loops that can stop early or skip the rest of an iteration: the offset is not taken back, and stays exact.</summary>
    public static TheoryData<string> Irregular => new()
    {
        "int li = 0; for (int i = 0; i < d; i++) { if (c[i] > 0.45) break; for (int j = i + 1; j < d; j++) { q[j] += icf[li] * c[i]; li++; } }",
        "int li = 0; for (int i = 0; i < d; i++) { if (c[i] > 0.2) continue; for (int j = i + 1; j < d; j++) { q[j] += icf[li] * c[i]; li++; } }",
        "int li = 0; for (int i = 0; i < d; i++) { for (int j = i + 1; j < d; j++) { if (q[j] > 2) break; q[j] += icf[li] * c[i]; li++; } }",
        "int li = 0; for (int i = 0; i < d; i++) { for (int j = i + 1; j < d; j++) { q[j] += icf[li] * c[i]; li++; } li += i; }",
    };

    [Theory]
    [MemberData(nameof(Irregular))]
    public void OffsetsOfLoopsThatStopEarlyStayExact(string shape)
    {
        var run = Harness.Run(Harness.InClass(Method("F", shape, string.Empty, 1)));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        ReservePushesTests.CheckReservations(run.Sources.Single(s => s.Key.Contains("C.F.", StringComparison.Ordinal)).Value);
        var type = run.Load().GetType("Demo.C")!;
        foreach (int d in new[] { 2, 6 })
        {
            var r = new Random((shape.Length * 17) + d);
            var c = Enumerable.Range(0, d).Select(_ => r.NextDouble()).ToArray();
            var point = Enumerable.Range(0, (d * d) + 4).Select(_ => r.NextDouble() - 0.5).ToArray();
            var objective = (DifferentiableFunction)type.GetMethod("FObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object[] { point.Length, c, d })!;
            var check = GradientCheck.Check(objective, point, KnownBugs.Expect.Tight);
            Assert.True(check.Passed, "d = " + d + ": " + check);
        }
    }
}

namespace SymbolicGrad.Generator.Tests;

/// <summary>Where generated loop gradients size their storage from the trip count, and where they may not.</summary>
public class StorageTests
{
    private static string Generate(string body)
    {
        var run = Harness.Run(Harness.InClass(body));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
        return string.Concat(run.Sources.Values);
    }

    // A logistic map: x is overwritten each iteration and its old value is pushed.
    private const string Counted = "    [Differentiable] public static double F(double x, double r, int n)\n    {\n        for (int i = LOOP)\n        {\n            x = r * x * (1 - x);\n        }\n\n        return x;\n    }";

    [Theory]
    [InlineData("0; i < n; i++", "LoopTrips.Count(0, n, 1, false), 1)")]
    [InlineData("1; i <= n; i += 2", "LoopTrips.Count(1, n, 2, true), 1)")]
    [InlineData("n; i > 0; i--", "LoopTrips.Count(n, 0, -1, false), 1)")]
    [InlineData("n; 0 <= i; i -= 3", "LoopTrips.Count(n, 0, -3, true), 1)")]
    public void CountedLoopsReserveTheirTripCount(string header, string expected)
    {
        string code = Generate(Counted.Replace("LOOP", header));
        Assert.Contains(".Reserve(global::SymbolicGrad.Internal." + expected, code);
    }

    [Theory]
    [InlineData("    [Differentiable] public static double F(double x, double r, int n)\n    {\n        for (int i = 0; i < n; i++)\n        {\n            if (x > 10) break;\n            x = r * x * (1 - x);\n        }\n\n        return x;\n    }")]
    [InlineData("    [Differentiable] public static double F(double x, double r, int n)\n    {\n        for (int i = 0; i < n; i++)\n        {\n            x = r * x * (1 - x);\n            n = n - (i % 2);\n        }\n\n        return x;\n    }")]
    public void LoopsWithoutAKnownTripCountGrowTheirStorageInstead(string body)
    {
        string code = Generate(body);
        Assert.Contains(".Push(", code);
        Assert.DoesNotContain(".Reserve(", code);
    }

    [Fact]
    public void AWhileLoopWithACounterIsCountedToo()
    {
        // int i = 0; while (i < n) { ...; i++; } is the counted loop written out: its trip count is known on entry.
        string code = Generate("    [Differentiable] public static double F(double x, double r, int n)\n    {\n        int i = 0;\n        while (i < n)\n        {\n            x = r * x * (1 - x);\n            i++;\n        }\n\n        return x;\n    }");
        Assert.Contains(".Reserve(global::SymbolicGrad.Internal.LoopTrips.Count(0, n, 1, false), 1)", code);
    }

    [Fact]
    public void NestedLoopsReserveBeforeEachLoopThatPushes()
    {
        string code = Generate("    [Differentiable] public static double F(double x, double r, int n, int m)\n    {\n        for (int i = 0; i < n; i++)\n        {\n            for (int j = 0; j < m; j++)\n            {\n                x = r * x * (1 - x);\n            }\n\n            x = Math.Sin(x);\n        }\n\n        return x;\n    }");
        // The outer loop reserves its own push per iteration once; the inner loop, which nothing nested in it pushes
        // from, reserves its m pushes at every entry and then pushes without a check (no call inside it). The outer
        // loop's own push stays checked: the inner loop's pushes come between. The inner trip count is computed again.
        Assert.Contains("values.Reserve(global::SymbolicGrad.Internal.LoopTrips.Count(0, n, 1, false), 1);", code);
        Assert.Contains("values.Reserve(global::SymbolicGrad.Internal.LoopTrips.Count(0, m, 1, false), 1);", code);
        Assert.Equal(2, code.Split(".Reserve(").Length - 1);
        Assert.Equal(1, code.Split(".PushReserved(").Length - 1);
        Assert.Equal(1, code.Split(".Push(").Length - 1);
        int reserve = code.IndexOf("LoopTrips.Count(0, m, 1, false), 1);", StringComparison.Ordinal);
        int inner = code.IndexOf("for (int j = 0; j < m; j++)", StringComparison.Ordinal);
        int reserved = code.IndexOf(".PushReserved(", StringComparison.Ordinal);
        Assert.True(reserve < inner && inner < reserved, code);
        Assert.Contains("= (int)global::SymbolicGrad.Internal.LoopTrips.Count(0, m, 1, false);", code);
        Assert.DoesNotContain("ints.", code);
    }
}

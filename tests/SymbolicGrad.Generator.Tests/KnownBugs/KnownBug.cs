using System.Reflection;
using Microsoft.CodeAnalysis;

namespace SymbolicGrad.Generator.Tests.KnownBugs;

/// <summary>
/// A test of a known generator bug: skipped with "generator bug: ..." so the suite stays green until the generator is
/// fixed, and run when SYMBOLICGRAD_KNOWN_BUGS=run (then it fails while the bug is there):
/// <c>SYMBOLICGRAD_KNOWN_BUGS=run dotnet test tests/SymbolicGrad.Generator.Tests --filter "FullyQualifiedName~KnownBugs"</c>.
/// A known-bug test that passes under that variable is fixed: replace the attribute with [Fact].
/// </summary>
public sealed class KnownBugFactAttribute : FactAttribute
{
    public KnownBugFactAttribute(string bug)
    {
        if (!Run)
        {
            Skip = "generator bug: " + bug;
        }
    }

    public static bool Run => Environment.GetEnvironmentVariable("SYMBOLICGRAD_KNOWN_BUGS") == "run";
}

/// <summary>The Theory equivalent of <see cref="KnownBugFactAttribute"/>.</summary>
public sealed class KnownBugTheoryAttribute : TheoryAttribute
{
    public KnownBugTheoryAttribute(string bug)
    {
        if (!KnownBugFactAttribute.Run)
        {
            Skip = "generator bug: " + bug;
        }
    }
}

/// <summary>What a reproduction expects: the generated gradient, compiled without a warning, equal to a closed form and to numeric differences.</summary>
public static class Expect
{
    public static readonly GradientCheckOptions Tight = new() { Richardson = true, AbsoluteTolerance = 1e-7, RelativeTolerance = 1e-6 };

    /// <summary>Compiles <paramref name="source"/> with the generator, with no SG diagnostic and no warning or error anywhere.</summary>
    public static Assembly Compiles(string source)
    {
        var run = Harness.Run(source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, "the compilation reported:\n" + string.Join("\n", run.CompilationProblems));
        return run.Load();
    }

    /// <summary>
    /// The objective <c>Demo.C.{method}Objective(dataArguments)</c> has the gradient <paramref name="expected"/> at
    /// <paramref name="point"/> (a closed form, to 1e-10 relative) and passes a tight numeric gradient check there.
    /// </summary>
    public static void Gradient(string members, string method, double[] point, double[] expected, params object?[] dataArguments)
    {
        var assembly = Compiles(InClass(members));
        var objective = assembly.GetType("Demo.C")!.GetMethod(method + "Objective", BindingFlags.Public | BindingFlags.Static);
        Assert.True(objective is not null, $"no {method}Objective was generated");
        Check((DifferentiableFunction)objective.Invoke(null, dataArguments)!, point, expected);
    }

    /// <summary>
    /// <see cref="Harness.InClass"/>, with leading <c>using</c> lines of <paramref name="members"/> (such as
    /// <c>using System.Linq;</c>, which the harness does not add) put before the namespace.
    /// </summary>
    public static string InClass(string members)
    {
        var lines = members.Split('\n');
        int usings = 0;
        while (usings < lines.Length && lines[usings].TrimStart().StartsWith("using ", StringComparison.Ordinal))
        {
            usings++;
        }

        return string.Concat(lines.Take(usings).Select(l => l.Trim() + "\n")) + Harness.InClass(string.Join('\n', lines.Skip(usings)));
    }

    private static void Check(DifferentiableFunction f, double[] point, double[] expected)
    {
        var g = new double[f.Dimension];
        f.ValueAndGradient(point, g);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(g[i] - expected[i]) <= 1e-10 * (1 + Math.Abs(expected[i])),
                $"component {i} ({f.ParameterNames[i]}): generated {g[i]:R}, expected {expected[i]:R}");
        }

        var check = GradientCheck.Check(f, point, Tight);
        Assert.True(check.Passed, check.ToString());
    }

    /// <summary>The same check for the function returned by <c>Demo.C.{factory}()</c> (for data the test cannot construct: types of the compiled source).</summary>
    public static void GradientOf(string members, string factory, double[] point, double[] expected)
    {
        var assembly = Compiles(InClass(members));
        var make = assembly.GetType("Demo.C")!.GetMethod(factory, BindingFlags.Public | BindingFlags.Static)!;
        Check((DifferentiableFunction)make.Invoke(null, null)!, point, expected);
    }

    /// <summary>Exactly one diagnostic <paramref name="id"/>, an error at the node marked [| |], whose message contains each of <paramref name="says"/>.</summary>
    public static void Refused(string markedMembers, string id, params string[] says)
    {
        string marked = Harness.InClass(markedMembers);
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        Assert.True(start >= 0 && end >= start, "mark the expected node with [| |]");
        var run = Harness.Run(marked.Replace("[|", string.Empty).Replace("|]", string.Empty));
        var all = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.True(all.Count == 1 && all[0].Id == id, $"expected exactly one {id}, got:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.Equal(DiagnosticSeverity.Error, all[0].Severity);
        Assert.Equal(start, all[0].Location.SourceSpan.Start);
        Assert.Equal(end, all[0].Location.SourceSpan.End);
        foreach (var s in says)
        {
            Assert.Contains(s, all[0].GetMessage(), StringComparison.Ordinal);
        }
    }
}

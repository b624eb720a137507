using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>
/// Issue 8 §2–§3: generated files have short, unique hint names (EmitCompilerGeneratedFiles must not fail with
/// CS0016 "path too long", and no two names may collide, even on a case-insensitive file system), and the output is
/// deterministic: the same input gives the same files, byte for byte.
/// </summary>
public class HintNameTests
{
    /// <summary>A hint name becomes obj/.../generated/SymbolicGrad.Generator/SymbolicGrad.Generator.DifferentiableGenerator/&lt;hint&gt;: keep it well under the path limit.</summary>
    public const int MaxHintLength = 100;

    private static GeneratorRun Run(params string[] sources) => Harness.Run(sources);

    /// <summary>Every file is generated, names are short, unique ignoring case, and nothing crashed.</summary>
    private static IReadOnlyList<string> AssertGoodNames(GeneratorRun run, int expectedFiles)
    {
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "CS8785");
        Assert.All(run.Result.Results, r => Assert.Null(r.Exception));
        var names = run.Result.Results.SelectMany(r => r.GeneratedSources).Select(s => s.HintName).ToList();
        Assert.True(names.Count == expectedFiles, $"expected {expectedFiles} generated files, got {names.Count}: {string.Join(", ", names)}; diagnostics: {string.Join("\n", run.GeneratorDiagnostics)}");
        foreach (var name in names)
        {
            Assert.True(name.Length < MaxHintLength, $"hint name of {name.Length} characters (at most {MaxHintLength - 1}): {name}");
            Assert.Matches("^[A-Za-z0-9_.]+\\.g\\.cs$", name);
        }

        var clashes = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(clashes.Count == 0, "hint names equal ignoring case: " + string.Join(", ", clashes));
        var problems = run.CompilationProblems;
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        return names;
    }

    private static CSharpCompilation CompilationOf(IEnumerable<(string Text, string Path)> files) =>
        CSharpCompilation.Create(
            "GeneratorTest",
            files.Select(f => CSharpSyntaxTree.ParseText(Microsoft.CodeAnalysis.Text.SourceText.From(f.Text, System.Text.Encoding.UTF8), Harness.ParseOptions, path: f.Path)),
            Harness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    [Fact]
    public void ThirtyFiveDoublesInTheGlobalNamespace()
    {
        string parameters = string.Join(", ", Enumerable.Range(0, 35).Select(i => "double parameterNumber" + i.ToString(CultureInfo.InvariantCulture)));
        string body = string.Join(" + ", Enumerable.Range(0, 35).Select(i => "parameterNumber" + i.ToString(CultureInfo.InvariantCulture)));
        AssertGoodNames(Run(Harness.Usings + "public static partial class Losses\n{\n    [Differentiable] public static double Loss(" + parameters + ") => " + body + ";\n}\n"), 1);
    }

    [Fact]
    public void EightSpansInANamespace()
    {
        string parameters = string.Join(", ", Enumerable.Range(0, 8).Select(i => "ReadOnlySpan<double> weightsOfLayerNumber" + i.ToString(CultureInfo.InvariantCulture)));
        string body = string.Join(" + ", Enumerable.Range(0, 8).Select(i => "weightsOfLayerNumber" + i.ToString(CultureInfo.InvariantCulture) + "[0]"));
        AssertGoodNames(Run(Harness.Usings + "namespace Company.Product.MachineLearning.Models.Training;\npublic static partial class NeuralNetworkLosses\n{\n    [Differentiable] public static double CrossEntropyLoss(" + parameters + ") => " + body + ";\n}\n"), 1);
    }

    [Fact] // fixed; was: type and method names cut at 48 and 40 characters, so a hint name reached 103 characters
    public void VeryLongTypeAndMethodNames()
    {
        string type = "A" + new string('b', 120);
        string method = "M" + new string('n', 120);
        AssertGoodNames(Run(Harness.Usings + "namespace N;\npublic static partial class " + type + "\n{\n    [Differentiable] public static double " + method + "(double x) => x * x;\n}\n"), 1);
    }

    [Fact]
    public void MethodsDifferingOnlyInCase()
    {
        var run = Run(Harness.InClass("    [Differentiable] public static double Loss(double x) => x * x;\n    [Differentiable] public static double loss(double x) => x * x * x;", "Losses"));
        AssertGoodNames(run, 2);
    }

    [Fact]
    public void ClassesDifferingOnlyInCase()
    {
        var run = Run(Harness.Usings + "namespace Demo;\npublic static partial class Losses { [Differentiable] public static double Loss(double x) => x * x; }\npublic static partial class losses { [Differentiable] public static double Loss(double x) => x * x * x; }\n");
        AssertGoodNames(run, 2);
    }

    [Fact] // fixed; was: F<T>(double) gets no objective (T is not real), yet SG0030 refused it for an FObjective() that collides with F(double)'s
    public void GenericAndNonGenericOverloads()
    {
        // F<T>(double) does not close over double (T is not the parameter's type), so it gets no objective and nothing collides.
        var run = Run(Harness.InClass("    [Differentiable] public static double F(double x) => x * x;\n    [Differentiable] public static double F<T>(double x) => x * x * x;"));
        AssertGoodNames(run, 2);
    }

    [Fact]
    public void SignaturesThatSanitizeAlike()
    {
        // double[] and ReadOnlySpan<double>, and two namespaces whose dotted and underscored names sanitize alike.
        var run = Run(
            Harness.InClass("    [Differentiable] public static double F(double[] x) => x[0] * x[0];\n    [Differentiable] public static double F(ReadOnlySpan<double> x, int k) => k * x[0];"),
            Harness.Usings + "namespace A.B { public static partial class C { [Differentiable] public static double F(double x) => x; } }\nnamespace A_B { public static partial class C { [Differentiable] public static double F(double x) => x * x; } }\n");
        AssertGoodNames(run, 4);
    }

    [Fact]
    public void ManyOverloadsInManyFiles()
    {
        var sources = Enumerable.Range(0, 6).Select(f => Harness.Usings + "namespace N" + (f % 2).ToString(CultureInfo.InvariantCulture) + ";\npublic static partial class Losses\n{\n" +
            string.Concat(Enumerable.Range(0, 5).Select(k => "    [Differentiable] public static double L" + f.ToString(CultureInfo.InvariantCulture) + "(double x" +
                string.Concat(Enumerable.Range(0, k).Select(j => ", int i" + j.ToString(CultureInfo.InvariantCulture))) + ") => x * x;\n")) + "}\n").ToArray();
        AssertGoodNames(Run(sources), 30);
    }

    /// <summary>The same input, through a new driver and a new compilation, gives the same files byte for byte.</summary>
    [Fact]
    public void GenerationIsDeterministic()
    {
        var cases = AdversarialSuite.All.Where(c => !c.Heavy && !c.Executable && c.Language == Harness.ParseOptions.LanguageVersion && !AdversarialSuite.KnownBugs.ContainsKey(c.Name)).Take(80).ToList();
        string[] sources = cases.Select(c => AdversarialRunner.MainText(c).Replace("[|", string.Empty).Replace("|]", string.Empty))
            .Concat(cases.SelectMany(c => c.MoreFiles.Select(f => f.Replace("$NS", c.Namespace).Replace("$ID", c.Name)))).ToArray();
        var trees = sources.Select((s, i) => (Text: s, Path: "File" + i.ToString(CultureInfo.InvariantCulture) + ".cs")).ToList();
        var first = Harness.Run(CompilationOf(trees));
        trees.Reverse();
        var second = Harness.Run(CompilationOf(trees));
        var a = first.Sources;
        var b = second.Sources;
        Assert.True(a.Count > 50, $"only {a.Count} files generated");
        Assert.Equal(a.Keys.OrderBy(k => k, StringComparer.Ordinal), b.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (hint, text) in a)
        {
            Assert.True(text == b[hint], "the generated text of " + hint + " differs between two runs (the second with the files in reverse order)");
            Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        }

        Assert.Equal(first.GeneratorDiagnostics.Select(d => d.ToString()).OrderBy(s => s, StringComparer.Ordinal), second.GeneratorDiagnostics.Select(d => d.ToString()).OrderBy(s => s, StringComparer.Ordinal));
        var clashes = a.Keys.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(clashes.Count == 0, "hint names equal ignoring case: " + string.Join(", ", clashes));
        Assert.All(a.Keys, k => Assert.True(k.Length < MaxHintLength, k));
    }
}

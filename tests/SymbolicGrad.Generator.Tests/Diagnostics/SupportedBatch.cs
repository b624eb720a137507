using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using SymbolicGrad.Generator.Tests.RandomPrograms;

namespace SymbolicGrad.Generator.Tests.Diagnostics;

/// <summary>
/// Code the generator must accept: no diagnostic, generated code that compiles without a warning, and a gradient equal
/// to Richardson-extrapolated centered differences (the random-program checker's comparison) at seeded points.
/// </summary>
/// <param name="Name">Unique; the case's namespace (Supported.Name).</param>
/// <param name="Source">Members of a <c>public static partial class S</c>, or, after a first line <c>//full</c>, whole type declarations.</param>
/// <param name="Objective">A C# expression, in the case's namespace, that makes the <see cref="DifferentiableFunction"/> to check.</param>
/// <param name="Low">The points' components are drawn from [Low, High).</param>
/// <param name="Exact">Further checks on the function, against closed forms.</param>
public sealed record SupportedCase(string Name, string Source, string Objective, double Low = 0.25, double High = 1.75, Action<DifferentiableFunction>? Exact = null)
{
    public string Text => "using System;\nusing System.Linq;\nusing SymbolicGrad;\n\nnamespace Supported." + Name + ";\n\n"
        + (Source.StartsWith(DiagnosticCase.FullMarker, StringComparison.Ordinal)
            ? Source.Substring(DiagnosticCase.FullMarker.Length)
            : "public static partial class S\n{\n" + Source + "\n}\n");

    public override string ToString() => Name;
}

/// <summary>The supported cases compiled together in one generator run, emitted once, and checked one by one.</summary>
public sealed class SupportedBatch
{
    public const int Points = 3;
    public const int Attempts = 30;

    private readonly Dictionary<string, SupportedCase> _cases = new(StringComparer.Ordinal);
    private readonly Assembly? _assembly;

    /// <summary>Held so that the context lives as long as the batch (its assemblies load the library on demand).</summary>
    private readonly AssemblyLoadContext? _context;

    public SupportedBatch(IEnumerable<SupportedCase> cases)
    {
        var trees = new List<SyntaxTree>();
        foreach (var c in cases)
        {
            _cases.Add(c.Name, c);
            trees.Add(CSharpSyntaxTree.ParseText(SourceText.From(c.Text, Encoding.UTF8), Harness.ParseOptions, path: c.Name + ".cs"));
        }

        var compilation = CSharpCompilation.Create(
            "SupportedCases",
            trees,
            Harness.References.Append(CompiledLibrary.Reference),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Run = Harness.Run(compilation);

        // The objectives, added after the generator ran (they call what it generated).
        var wrappers = new StringBuilder("using System;\nusing SymbolicGrad;\n");
        foreach (var c in _cases.Values)
        {
            wrappers.Append("namespace Supported.").Append(c.Name).Append("\n{\n    public static class Check\n    {\n        public static DifferentiableFunction Create() => ")
                .Append(c.Objective).Append(";\n    }\n}\n");
        }

        Output = Run.Output.AddSyntaxTrees(CSharpSyntaxTree.ParseText(wrappers.ToString(), Harness.ParseOptions, path: "Objectives.cs"));
        using var stream = new MemoryStream();
        Emit = Output.Emit(stream);
        if (Emit.Success)
        {
            _context = new AssemblyLoadContext("supported-cases-" + Guid.NewGuid().ToString("N"), isCollectible: true);
            _context.Resolving += CompiledLibrary.Resolve;
            stream.Position = 0;
            _assembly = _context.LoadFromStream(stream);
        }
    }

    public GeneratorRun Run { get; }

    public Compilation Output { get; }

    public Microsoft.CodeAnalysis.Emit.EmitResult Emit { get; }

    public IEnumerable<string> Names => _cases.Keys;

    public static void AssertAlone(SupportedCase c)
    {
        var batch = new SupportedBatch(new[] { c });
        batch.AssertCase(c.Name);
    }

    public void AssertCase(string name)
    {
        var c = _cases[name];
        string file = name + ".cs";
        var reported = Run.GeneratorDiagnostics.Where(d => d.Location.GetLineSpan().Path == file || !d.Location.IsInSource).ToList();
        Assert.True(reported.Count == 0, $"{name}: the generator refused supported code:\n{string.Join("\n", reported)}");
        Assert.DoesNotContain(Run.GeneratorDiagnostics, d => d.Id == "CS8785");

        // Problems in the generated code of this case (its file's namespace) or in its objective.
        var input = Run.Input.SyntaxTrees.ToHashSet();
        var problems = Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } t
                && (t.FilePath == file || (!input.Contains(t) && (t.FilePath == "Objectives.cs" ? InCase(t, d, name) : t.GetText().ToString().Contains("namespace Supported." + name + "\n", StringComparison.Ordinal)))))
            .ToList();
        Assert.True(problems.Count == 0, $"{name}: the generated code does not compile cleanly:\n{string.Join("\n", problems)}\n{GeneratedText(name)}");
        Assert.True(Emit.Success, "the batch does not compile:\n" + string.Join("\n", Emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        var f = (DifferentiableFunction)_assembly!.GetType("Supported." + name + ".Check", throwOnError: true)!
            .GetMethod("Create")!.Invoke(null, null)!;
        var rng = new Random(StableSeed(name));
        int passed = 0;
        for (int attempt = 0; attempt < Attempts && passed < Points; attempt++)
        {
            var x = Enumerable.Range(0, f.Dimension).Select(_ => c.Low + (c.High - c.Low) * rng.NextDouble()).ToArray();
            var r = DifferentialChecker.CheckPoint(f, x, CheckTolerance.Double);
            Assert.True(r.Verdict != PointVerdict.Failed, $"{name}: {r.Problem}\n{r.Table(f.ParameterNames)}\n{GeneratedText(name)}");
            passed += r.Verdict == PointVerdict.Passed ? 1 : 0;
        }

        Assert.True(passed == Points, $"{name}: only {passed} of {Points} points were smooth enough to check");
        c.Exact?.Invoke(f);
    }

    private static bool InCase(SyntaxTree objectives, Diagnostic d, string name)
    {
        string text = objectives.GetText().ToString();
        int start = text.IndexOf("namespace Supported." + name + "\n", StringComparison.Ordinal);
        int end = start < 0 ? -1 : text.IndexOf("\nnamespace ", start + 1, StringComparison.Ordinal);
        int at = d.Location.SourceSpan.Start;
        return start >= 0 && at >= start && (end < 0 || at < end);
    }

    private string GeneratedText(string name) =>
        string.Join("\n", Run.Sources.Values.Where(s => s.Contains("namespace Supported." + name + "\n", StringComparison.Ordinal)));

    /// <summary>FNV-1a of the name: the same points on every run and machine.</summary>
    private static int StableSeed(string name)
    {
        uint h = 2166136261;
        foreach (char ch in name)
        {
            h = (h ^ ch) * 16777619;
        }

        return (int)(h & int.MaxValue);
    }
}

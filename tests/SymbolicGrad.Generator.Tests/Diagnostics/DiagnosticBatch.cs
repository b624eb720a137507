using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace SymbolicGrad.Generator.Tests.Diagnostics;

/// <summary>
/// A method (or a few types) that the generator must refuse, with each expected diagnostic marked <c>{|SGnnnn:text|}</c>
/// at the exact text it must underline, and the words its message must contain: what to write instead.
/// </summary>
/// <param name="Name">Unique; the case's file and namespace (Cases.Name).</param>
/// <param name="Source">Members of a <c>public static partial class C</c>, or, after a first line <c>//full</c>, whole type declarations.</param>
/// <param name="Advice">Every diagnostic of the case's first id must say each of these.</param>
/// <param name="Generated">How many generated files the case still gets (its other, correct methods).</param>
public sealed record DiagnosticCase(string Name, string Source, string[] Advice, int Generated = 0)
{
    public const string FullMarker = "//full\n";

    public (string Text, IReadOnlyList<Mark> Marks) Parse()
    {
        string body = Source.StartsWith(FullMarker, StringComparison.Ordinal)
            ? Source.Substring(FullMarker.Length)
            : "public static partial class C\n{\n" + Source + "\n}\n";
        return Markup.Parse("using System;\nusing System.Linq;\nusing SymbolicGrad;\n\nnamespace Cases." + Name + ";\n\n" + body);
    }

    public string Id => Parse().Marks[0].Id;

    public override string ToString() => Name;
}

/// <summary>
/// Many cases compiled together, one file each, in one generator run (a run costs seconds here; a hundred cases in
/// one run cost about as much as a few alone). Each case is then checked on its own file: exactly the marked
/// diagnostics, no others, and no gradient for the refused methods.
/// </summary>
public sealed class DiagnosticBatch
{
    private readonly Dictionary<string, (DiagnosticCase Case, string Text, IReadOnlyList<Mark> Marks)> _cases = new(StringComparer.Ordinal);

    public DiagnosticBatch(IEnumerable<DiagnosticCase> cases)
    {
        var trees = new List<SyntaxTree>();
        foreach (var c in cases)
        {
            var (text, marks) = c.Parse();
            if (marks.Count == 0)
            {
                throw new InvalidOperationException(c.Name + " marks no expected diagnostic");
            }

            _cases.Add(c.Name, (c, text, marks));
            trees.Add(CSharpSyntaxTree.ParseText(SourceText.From(text, Encoding.UTF8), Harness.ParseOptions, path: FileOf(c.Name)));
        }

        var compilation = CSharpCompilation.Create(
            "DiagnosticCases",
            trees,
            Harness.References.Append(CompiledLibrary.Reference),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        Run = Harness.Run(compilation);
    }

    public GeneratorRun Run { get; }

    public IEnumerable<string> Names => _cases.Keys;

    public static string FileOf(string name) => name + ".cs";

    /// <summary>Compiles one case alone and checks it (for the known generator bugs, whose cases would disturb a batch).</summary>
    public static void AssertAlone(DiagnosticCase c)
    {
        var batch = new DiagnosticBatch(new[] { c });
        batch.AssertCase(c.Name);
        batch.AssertClean();
    }

    public void AssertCase(string name)
    {
        var (c, text, marks) = _cases[name];
        string file = FileOf(name);
        var actual = Run.GeneratorDiagnostics.Where(d => d.Location.GetLineSpan().Path == file).OrderBy(d => d.Location.SourceSpan.Start).ToList();

        string Describe(Diagnostic d)
        {
            var span = d.Location.SourceSpan;
            string underlined = span.End <= text.Length ? text.Substring(span.Start, span.Length) : "?";
            return $"  {d.Id} at {d.Location.GetLineSpan().StartLinePosition} [{underlined}] {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        string report = $"{name}: expected {string.Join(", ", marks.Select(m => m.Id + " [" + text.Substring(m.Span.Start, m.Span.Length) + "]"))}; the generator reported:\n{string.Join("\n", actual.Select(Describe))}";
        Assert.True(
            actual.Select(d => (d.Id, d.Location.SourceSpan)).SequenceEqual(marks.OrderBy(m => m.Span.Start).Select(m => (m.Id, m.Span))),
            report);

        foreach (var d in actual)
        {
            Assert.Equal(d.Id is "SG0036" or "SG0037" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, d.Severity); // the two warnings
            Assert.EndsWith("#" + d.Id.ToLowerInvariant(), d.Descriptor.HelpLinkUri, StringComparison.Ordinal);
            string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.DoesNotMatch(@"\{\d+\}", message);
            if (d.Id == marks[0].Id)
            {
                foreach (string advice in c.Advice)
                {
                    Assert.True(message.Contains(advice, StringComparison.Ordinal), $"{name}: the message of {d.Id} does not say \"{advice}\":\n{message}");
                }
            }
        }

        // No gradient for a refused method (the case's other methods, if any, are generated).
        string ns = "namespace Cases." + name + "\n";
        int generated = Run.Sources.Values.Count(s => s.Contains(ns, StringComparison.Ordinal) || s.Contains("namespace Cases." + name + "\r\n", StringComparison.Ordinal));
        Assert.True(c.Generated == generated, $"{name}: expected {c.Generated} generated files, got {generated}");
    }

    /// <summary>
    /// The batch as a whole: the generator never crashed (CS8785), reported nothing outside the cases' files, and the
    /// code it generated compiles without any error or warning.
    /// </summary>
    public void AssertClean()
    {
        Assert.DoesNotContain(Run.GeneratorDiagnostics, d => !d.Id.StartsWith("SG", StringComparison.Ordinal));
        var files = _cases.Keys.Select(FileOf).ToHashSet(StringComparer.Ordinal);
        Assert.All(Run.GeneratorDiagnostics, d => Assert.Contains(d.Location.GetLineSpan().Path, files));
        var input = Run.Input.SyntaxTrees.ToHashSet();
        var inGenerated = Run.Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } t && !input.Contains(t)).ToList();
        Assert.True(inGenerated.Count == 0, "the generated code has problems:\n" + string.Join("\n", inGenerated));
        var errors = Run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the cases do not compile:\n" + string.Join("\n", errors));
    }
}

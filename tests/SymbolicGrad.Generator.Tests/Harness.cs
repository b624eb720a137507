using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using SymbolicGrad.Generator;

namespace SymbolicGrad.Generator.Tests;

/// <summary>The result of running the generator over some sources.</summary>
public sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriver Driver,
    GeneratorDriverRunResult Result,
    ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public IReadOnlyDictionary<string, string> Sources =>
        Result.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    /// <summary>Errors and warnings of the compilation with the generated code in it.</summary>
    public IReadOnlyList<Diagnostic> CompilationProblems =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>Emits the compilation, loads it in a collectible context and returns the assembly.</summary>
    public Assembly Load()
    {
        using var stream = new MemoryStream();
        var emit = Output.Emit(stream);
        if (!emit.Success)
        {
            throw new InvalidOperationException("The generated code does not compile:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        stream.Position = 0;
        var context = new AssemblyLoadContext("generated-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        return context.LoadFromStream(stream);
    }
}

/// <summary>Drives <see cref="CSharpGeneratorDriver"/> directly (the Microsoft.CodeAnalysis.Testing packages are not available here).</summary>
public static class Harness
{
    /// <summary>C# 12, the default of net8.0: generated code must compile there too.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(Environment.GetEnvironmentVariable("SYMBOLICGRAD_LANGVERSION") == "preview" ? LanguageVersion.Preview : LanguageVersion.CSharp12);

    private static readonly Lazy<MetadataReference[]> LazyReferences = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted
            .Where(p => Path.GetFileName(p) is var n && (n.StartsWith("System.", StringComparison.Ordinal) || n is "netstandard.dll" or "mscorlib.dll" or "Microsoft.CSharp.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location))
            .ToArray();
    });

    public static MetadataReference[] References => LazyReferences.Value;

    public const string Usings = "using System;\nusing SymbolicGrad;\n";

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create(
            "GeneratorTest",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(SourceText.From(s, System.Text.Encoding.UTF8), ParseOptions, path: "File" + i + ".cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(
            new[] { new DifferentiableGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(params string[] sources) => Run(Compilation(sources));

    public static GeneratorRun Run(CSharpCompilation compilation, GeneratorDriver? driver = null)
    {
        driver = (driver ?? Driver()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorRun(compilation, output, driver, driver.GetRunResult(), diagnostics);
    }

    /// <summary>Wraps members in a namespace and a static partial class with the usual usings.</summary>
    public static string InClass(string members, string className = "C") =>
        Usings + "namespace Demo;\npublic static partial class " + className + "\n{\n" + members + "\n}\n";
}

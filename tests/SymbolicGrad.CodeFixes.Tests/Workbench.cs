using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace SymbolicGrad.CodeFixes.Tests;

/// <summary>
/// A project in an <see cref="AdhocWorkspace"/> (what an editor holds), the generator run over it the way the compiler
/// runs it, and code fixes applied as an editor applies them (code action → operations → changed solution).
/// </summary>
internal static class Workbench
{
    private static readonly Lazy<MetadataReference[]> LazyReferences = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted
            .Where(p => Path.GetFileName(p) is var n && (n.StartsWith("System.", StringComparison.Ordinal) || n is "netstandard.dll" or "mscorlib.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location))
            .ToArray();
    });

    /// <summary>The generator(s) in SymbolicGrad.Generator.dll, found as the compiler finds them: by [Generator].</summary>
    public static readonly ImmutableArray<ISourceGenerator> Generators = Assembly.Load("SymbolicGrad.Generator").GetTypes()
        .Where(t => t.GetCustomAttribute<GeneratorAttribute>() is not null && typeof(IIncrementalGenerator).IsAssignableFrom(t))
        .Select(t => ((IIncrementalGenerator)Activator.CreateInstance(t)!).AsSourceGenerator())
        .ToImmutableArray();

    public const string Usings = "using System;\nusing SymbolicGrad;\n";

    /// <summary>A project with one document per source, named File0.cs, File1.cs...</summary>
    public static Project Project(params string[] sources)
    {
        var workspace = new AdhocWorkspace();
        Project project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Create(), "Consumer", "Consumer", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.CSharp12),
            metadataReferences: LazyReferences.Value));
        for (int i = 0; i < sources.Length; i++)
        {
            project = project.AddDocument("File" + i + ".cs", SourceText.From(sources[i]), filePath: "/src/File" + i + ".cs").Project;
        }

        Assert.True(workspace.TryApplyChanges(project.Solution));
        return workspace.CurrentSolution.GetProject(project.Id)!;
    }

    /// <summary>
    /// Two projects of one solution: "Helpers" (its sources in Helpers0.cs...) with the generator as an analyzer, which the
    /// workspace runs as an editor does, and "Consumer" (File0.cs...) with a project reference to it. Returns the consumer.
    /// Across a project reference the consumer sees the helpers' source symbols but cannot inline them: it calls the
    /// gradients the generator wrote in the helpers' project.
    /// </summary>
    public static Project TwoProjects(string[] helperSources, params string[] consumerSources)
    {
        var workspace = new AdhocWorkspace();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);
        var parse = new CSharpParseOptions(LanguageVersion.CSharp12);
        var helpersId = ProjectId.CreateNewId();
        Project helpers = workspace.AddProject(ProjectInfo.Create(
            helpersId, VersionStamp.Create(), "Helpers", "Helpers", LanguageNames.CSharp,
            compilationOptions: options, parseOptions: parse, metadataReferences: LazyReferences.Value,
            analyzerReferences: [new GeneratorReference()]));
        for (int i = 0; i < helperSources.Length; i++)
        {
            helpers = helpers.AddDocument("Helpers" + i + ".cs", SourceText.From(helperSources[i]), filePath: "/helpers/Helpers" + i + ".cs").Project;
        }

        var consumerId = ProjectId.CreateNewId();
        Project consumer = helpers.Solution.AddProject(ProjectInfo.Create(
            consumerId, VersionStamp.Create(), "Consumer", "Consumer", LanguageNames.CSharp,
            compilationOptions: options, parseOptions: parse, metadataReferences: LazyReferences.Value,
            projectReferences: [new ProjectReference(helpersId)])).GetProject(consumerId)!;
        for (int i = 0; i < consumerSources.Length; i++)
        {
            consumer = consumer.AddDocument("File" + i + ".cs", SourceText.From(consumerSources[i]), filePath: "/src/File" + i + ".cs").Project;
        }

        Assert.True(workspace.TryApplyChanges(consumer.Solution));
        return workspace.CurrentSolution.GetProject(consumer.Id)!;
    }

    /// <summary>The generator as an analyzer reference of a workspace project: the workspace runs it for that project's compilation.</summary>
    private sealed class GeneratorReference : Microsoft.CodeAnalysis.Diagnostics.AnalyzerReference
    {
        public override string FullPath => Assembly.Load("SymbolicGrad.Generator").Location;

        public override object Id => "SymbolicGrad.Generator";

        public override ImmutableArray<DiagnosticAnalyzer> GetAnalyzers(string language) => [];

        public override ImmutableArray<DiagnosticAnalyzer> GetAnalyzersForAllLanguages() => [];

        public override ImmutableArray<ISourceGenerator> GetGenerators(string language) => language == LanguageNames.CSharp ? Generators : [];

        public override ImmutableArray<ISourceGenerator> GetGeneratorsForAllLanguages() => Generators;
    }

    /// <summary>The project's compilation after the generator ran, and what the generator reported.</summary>
    public static async Task<(Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> Generate(Project project)
    {
        Compilation input = (await project.GetCompilationAsync())!;
        GeneratorDriver driver = CSharpGeneratorDriver.Create(Generators, parseOptions: (CSharpParseOptions)project.ParseOptions!);
        driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (output, diagnostics);
    }

    /// <summary>The generator's diagnostics plus the errors of the compilation with the generated code.</summary>
    public static async Task<ImmutableArray<Diagnostic>> Problems(Project project, DiagnosticAnalyzer? analyzer = null)
    {
        var (output, diagnostics) = await Generate(project);
        var problems = diagnostics.Select(d => InDocument(project, d)).ToImmutableArray()
            .AddRange(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        if (analyzer is not null)
        {
            problems = problems.AddRange(await output.WithAnalyzers([analyzer]).GetAnalyzerDiagnosticsAsync());
        }

        return problems;
    }

    /// <summary>
    /// The generator reports its diagnostics at file locations (they are cached values, holding no syntax tree); an editor
    /// maps them to the open document by path before it asks for fixes. This does the same.
    /// </summary>
    private static Diagnostic InDocument(Project project, Diagnostic d)
    {
        if (d.Location.SourceTree is not null || d.Location.GetLineSpan().Path is not { Length: > 0 } path
            || project.Documents.FirstOrDefault(doc => doc.FilePath == path) is not { } document
            || !document.TryGetSyntaxTree(out SyntaxTree? tree))
        {
            return d;
        }

        return Diagnostic.Create(d.Id, d.Descriptor.Category, d.GetMessage(), d.Severity, d.DefaultSeverity, d.Descriptor.IsEnabledByDefault, d.WarningLevel,
            d.Descriptor.Title, d.Descriptor.Description, d.Descriptor.HelpLinkUri, Location.Create(tree, d.Location.SourceSpan));
    }

    /// <summary>The code actions <paramref name="provider"/> offers for <paramref name="diagnostic"/>.</summary>
    public static async Task<IReadOnlyList<CodeAction>> Fixes(CodeFixProvider provider, Project project, Diagnostic diagnostic)
    {
        Assert.Contains(diagnostic.Id, provider.FixableDiagnosticIds);
        Document document = project.GetDocument(diagnostic.Location.SourceTree)
            ?? throw new InvalidOperationException($"{diagnostic.Id} is not in a document of the project: {diagnostic}");
        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        return actions;
    }

    /// <summary>Applies a code action as an editor does, and returns the changed project.</summary>
    public static async Task<Project> Apply(CodeAction action, Project project)
    {
        ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
        Solution changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
        return changed.GetProject(project.Id)!;
    }

    /// <summary>Runs the provider's Fix All over the whole document of the first diagnostic.</summary>
    public static async Task<Project> FixAllInDocument(CodeFixProvider provider, Project project, ImmutableArray<Diagnostic> diagnostics, string equivalenceKey)
    {
        FixAllProvider fixAll = provider.GetFixAllProvider() ?? throw new InvalidOperationException(provider.GetType().Name + " has no Fix All");
        Assert.Contains(FixAllScope.Document, fixAll.GetSupportedFixAllScopes());
        Document document = project.GetDocument(diagnostics[0].Location.SourceTree)!;
        var context = new FixAllContext(document, provider, FixAllScope.Document, equivalenceKey, diagnostics.Select(d => d.Id).Distinct(),
            new FixedDiagnostics(diagnostics), CancellationToken.None);
        CodeAction action = (await fixAll.GetFixAsync(context))!;
        return await Apply(action, project);
    }

    /// <summary>The text of a document after a fix.</summary>
    public static async Task<string> Text(Project project, string name) =>
        (await project.Documents.Single(d => d.Name == name).GetTextAsync()).ToString();

    private sealed class FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult(diagnostics.Where(d => d.Location.SourceTree?.FilePath == document.FilePath));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());
    }
}

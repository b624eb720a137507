using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SymbolicGrad.Generator.Tests.RandomPrograms;

namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>What one case produced, and every way it fell short of its expectation.</summary>
public sealed class CaseResult
{
    public CaseResult(AdversarialCase @case, string source)
    {
        Case = @case;
        Source = source;
    }

    public AdversarialCase Case { get; }

    /// <summary>The case's main file as compiled (the minimal reproduction).</summary>
    public string Source { get; }

    public List<string> Failures { get; } = new();

    public List<Diagnostic> GeneratorDiagnostics { get; } = new();

    public SortedDictionary<string, string> Generated { get; } = new(StringComparer.Ordinal);

    /// <summary>Points checked, per target (for the report).</summary>
    public List<string> Checked { get; } = new();

    public bool Passed => Failures.Count == 0;

    public void Fail(string message) => Failures.Add(message);

    /// <summary>Everything a reader needs to see why the case failed: the failures, the source, the diagnostics, the generated code.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"case {Case.Name}: expected {(Case.Expect == Expectation.Gradient ? "a gradient" : Case.Id + " at the marked node")}");
        sb.Append(Case.Note is null ? "\n" : " (" + Case.Note + ")\n");
        foreach (var f in Failures)
        {
            sb.Append("  FAILED: ").Append(f.Replace("\n", "\n          ")).Append('\n');
        }

        foreach (var c in Checked)
        {
            sb.Append("  checked: ").Append(c).Append('\n');
        }

        sb.Append("source:\n");
        var lines = Source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{i + 1,4}| {lines[i]}\n");
        }

        foreach (var d in GeneratorDiagnostics)
        {
            sb.Append("generator: ").Append(d.ToString()).Append('\n');
        }

        if (!Passed)
        {
            foreach (var (hint, text) in Generated)
            {
                sb.Append("generated ").Append(hint).Append(":\n");
                sb.Append(text.Length > 6000 ? text.Substring(0, 6000) + "\n... (" + text.Length + " characters)\n" : text);
            }
        }

        return sb.ToString();
    }
}

/// <summary>
/// Compiles many adversarial cases in one compilation (one generator run, one emit: each costs seconds), attributes
/// every diagnostic to the case whose file it is in (generated files by the type they extend), and checks each case's
/// outcome: an SG error at the marked node, or a gradient checked against numeric differences through an adapter that
/// calls Name and NameGradient directly (so the generated signatures are checked against the contract too).
/// </summary>
public static class AdversarialRunner
{
    public const string Usings = "using System;\nusing System.Collections.Generic;\nusing System.Linq;\nusing SymbolicGrad;\n";

    private const string ProbeNamespace = "AdvProbe";

    /// <summary>Random points per target that must pass (issue #8: two or more).</summary>
    public const int RequiredPoints = 2;

    private const int MaxAttempts = 12;

    private sealed class Prepared
    {
        public required AdversarialCase Case { get; init; }
        public required CaseResult Result { get; init; }
        public required List<SyntaxTree> Trees { get; init; }
        public TextSpan? Mark { get; init; }
        public List<SyntaxTree> GeneratedTrees { get; } = new();
        public List<(Target Target, string Class, SyntaxTree Tree, bool Float)> Adapters { get; } = new();
        public HashSet<string> Paths => Trees.Select(t => t.FilePath).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The main file of a case as it is compiled, with the [| |] marks still in.</summary>
    public static string MainText(AdversarialCase c)
    {
        string text = c.WholeFile
            ? c.Source
            : Usings + "\nnamespace $NS;\n\n" + c.Wrapper + "\n{\n" + c.Source.TrimEnd('\n') + "\n}\n";
        return Expand(text, c);
    }

    private static string Expand(string text, AdversarialCase c) => text.Replace("$NS", c.Namespace).Replace("$ID", c.Name);

    public static string PathOf(AdversarialCase c, int file) => "Adv/" + c.Name + (file == 0 ? string.Empty : "." + file.ToString(CultureInfo.InvariantCulture)) + ".cs";

    public static CSharpParseOptions Parse(LanguageVersion v) => new(v);

    /// <summary>Runs the cases (all of one language version) in one compilation and returns one result per case.</summary>
    public static Dictionary<string, CaseResult> Run(IReadOnlyList<AdversarialCase> cases)
    {
        var versions = cases.Select(c => c.Language).Distinct().ToList();
        if (versions.Count > 1 || cases.Select(c => c.Executable).Distinct().Count() > 1)
        {
            throw new ArgumentException("one language version and one output kind per batch", nameof(cases));
        }

        var options = cases.Any(c => c.Executable) ? Options.WithOutputKind(OutputKind.ConsoleApplication) : Options;

        var parse = Parse(versions.Count == 0 ? Harness.ParseOptions.LanguageVersion : versions[0]);
        var prepared = new List<Prepared>();
        foreach (var c in cases)
        {
            string marked = MainText(c);
            int start = marked.IndexOf("[|", StringComparison.Ordinal);
            int end = marked.IndexOf("|]", StringComparison.Ordinal);
            string main = marked.Replace("[|", string.Empty).Replace("|]", string.Empty);
            var result = new CaseResult(c, main);
            TextSpan? mark = start >= 0 && end > start ? TextSpan.FromBounds(start, end - 2) : null;
            if (c.Expect == Expectation.Error && (mark is null || c.Id is null || c.Says.Count == 0))
            {
                result.Fail("test bug: an error case needs an Id, a [| |] mark and at least one fragment in Says");
            }

            var trees = new List<SyntaxTree> { Tree(main, PathOf(c, 0), parse) };
            for (int i = 0; i < c.MoreFiles.Count; i++)
            {
                trees.Add(Tree(Expand(c.MoreFiles[i], c), PathOf(c, i + 1), parse));
            }

            prepared.Add(new Prepared { Case = c, Result = result, Trees = trees, Mark = mark });
        }

        var byPath = prepared.SelectMany(p => p.Trees.Select(t => (t.FilePath, p))).ToDictionary(x => x.FilePath, x => x.p, StringComparer.Ordinal);
        var input = CSharpCompilation.Create("Adversarial", prepared.SelectMany(p => p.Trees), Harness.References, options);

        // The generator. (The cases' own sources are checked by the one emit below, with the generated code in: binding
        // every body costs seconds, so it is done once.)
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new DifferentiableGenerator().AsSourceGenerator() },
            parseOptions: parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));
        Compilation output;
        System.Collections.Immutable.ImmutableArray<Diagnostic> generatorDiagnostics;
        try
        {
            driver = driver.RunGeneratorsAndUpdateCompilation(input, out output, out generatorDiagnostics);
        }
        catch (Exception e)
        {
            foreach (var p in prepared)
            {
                p.Result.Fail("the generator driver threw: " + e);
            }

            return prepared.ToDictionary(p => p.Case.Name, p => p.Result);
        }

        var run = driver.GetRunResult();
        var batchProblems = new List<string>();
        foreach (var r in run.Results.Where(r => r.Exception is not null))
        {
            batchProblems.Add("the generator threw (CS8785: every gradient of the project is dropped): " + r.Exception);
        }

        foreach (var d in generatorDiagnostics)
        {
            if (FileOf(d) is { } file && byPath.TryGetValue(file, out var p))
            {
                p.Result.GeneratorDiagnostics.Add(d);
            }
            else
            {
                batchProblems.Add("a generator diagnostic outside every case's files: " + d);
            }
        }

        // Generated files, each attributed to the case whose type it extends.
        var inputTrees = input.SyntaxTrees.ToHashSet();
        var generatedText = run.Results.SelectMany(r => r.GeneratedSources).ToList();
        foreach (var tree in output.SyntaxTrees.Where(t => !inputTrees.Contains(t)))
        {
            var owner = OwnerOf(output, tree, byPath, prepared);
            string hint = generatedText.FirstOrDefault(s => s.SyntaxTree.FilePath == tree.FilePath).HintName ?? tree.FilePath;
            if (owner is null)
            {
                batchProblems.Add("a generated file that belongs to no case: " + hint);
                continue;
            }

            owner.GeneratedTrees.Add(tree);
            owner.Result.Generated[hint] = tree.GetText().ToString();
        }

        foreach (var p in prepared)
        {
            foreach (var b in batchProblems)
            {
                p.Result.Fail(b);
            }

            if (p.Case.Expect == Expectation.Error)
            {
                CheckError(p, output);
            }
            else
            {
                foreach (var d in p.Result.GeneratorDiagnostics)
                {
                    p.Result.Fail("expected a gradient, the generator reported " + Where(d) + " " + d.Id + ": " + d.GetMessage(CultureInfo.InvariantCulture));
                }
            }
        }

        // Adapters that call Name and NameGradient directly, for the gradient cases still standing.
        var probes = new List<SyntaxTree>();
        foreach (var p in prepared.Where(p => p.Case.Expect == Expectation.Gradient && p.Result.Passed))
        {
            var targets = p.Case.EffectiveTargets;
            for (int k = 0; k < targets.Count; k++)
            {
                string cls = "P_" + p.Case.Name + "_" + k.ToString(CultureInfo.InvariantCulture);
                var adapter = Adapter(output, p, targets[k], cls, out bool isFloat);
                if (adapter is null)
                {
                    continue;
                }

                var tree = Tree(adapter, "Probe/" + cls + ".cs", parse);
                p.Adapters.Add((targets[k], cls, tree, isFloat));
                probes.Add(tree);
            }
        }

        output = output.AddSyntaxTrees(probes);

        // One emit of everything (its diagnostics are the whole compilation's): never an error or a warning in
        // generated code, the cases' sources compile with no warning but the declared ones, the adapters compile
        // (the generated members have the contract's signatures). A case with an error is removed and the rest
        // emitted again.
        var reported = prepared.ToDictionary(p => p, _ => new HashSet<string>(StringComparer.Ordinal));
        var emitted = prepared.ToList();
        Assembly? assembly = null;
        for (int attempt = 0; attempt < 4 && emitted.Count > 0; attempt++)
        {
            using var stream = new MemoryStream();
            var emit = output.Emit(stream);
            var guilty = new HashSet<Prepared>();
            foreach (var d in emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning))
            {
                var tree = d.Location.SourceTree;
                var owner = tree is null ? null : emitted.FirstOrDefault(p => p.Trees.Contains(tree) || p.GeneratedTrees.Contains(tree) || p.Adapters.Any(a => a.Tree == tree));
                if (owner is null)
                {
                    if (d.Severity == DiagnosticSeverity.Error)
                    {
                        foreach (var p in emitted)
                        {
                            p.Result.Fail("the emit failed: " + d);
                        }

                        return prepared.ToDictionary(p => p.Case.Name, p => p.Result);
                    }

                    continue;
                }

                if (!reported[owner].Add(d.ToString()))
                {
                    continue;
                }

                bool error = d.Severity == DiagnosticSeverity.Error;
                if (owner.Trees.Contains(tree!))
                {
                    if (error)
                    {
                        owner.Result.Fail("the case's source does not compile with the generated code in (a test bug if it does not compile without): " + d);
                    }
                    else if (!owner.Case.InputWarnings.Contains(d.Id))
                    {
                        owner.Result.Fail("the case's source has a warning it does not declare: " + d);
                    }
                }
                else if (owner.GeneratedTrees.Contains(tree!))
                {
                    owner.Result.Fail("the generated code " + (error ? "does not compile" : "has a warning") + ": " + d);
                }
                else if (error)
                {
                    var adapter = owner.Adapters.First(a => a.Tree == tree);
                    owner.Result.Fail("the generated members do not have the contract's signatures (a call to them does not compile): " + d + "\n" + adapter.Tree.GetText());
                }

                if (error)
                {
                    guilty.Add(owner);
                }
            }

            if (emit.Success)
            {
                stream.Position = 0;
                assembly = new System.Runtime.Loader.AssemblyLoadContext("adversarial-" + Guid.NewGuid().ToString("N"), isCollectible: true).LoadFromStream(stream);
                break;
            }

            if (guilty.Count == 0)
            {
                foreach (var p in emitted)
                {
                    p.Result.Fail("the emit failed without an error in any case's files");
                }

                return prepared.ToDictionary(p => p.Case.Name, p => p.Result);
            }

            output = output.RemoveSyntaxTrees(guilty.SelectMany(p => p.Trees.Concat(p.GeneratedTrees).Concat(p.Adapters.Select(a => a.Tree))).Where(output.SyntaxTrees.Contains));
            emitted.RemoveAll(guilty.Contains);
        }

        if (assembly is not null)
        {
            foreach (var p in emitted.Where(p => p.Case.Expect == Expectation.Gradient && p.Result.Passed))
            {
                foreach (var a in p.Adapters)
                {
                    try
                    {
                        CheckGradient(p, a.Target, assembly.GetType(ProbeNamespace + "." + a.Class, throwOnError: true)!, a.Float || a.Target.FloatPrecision);
                    }
                    catch (Exception e)
                    {
                        p.Result.Fail("test bug: the check threw " + e);
                    }
                }
            }
        }

        return prepared.ToDictionary(p => p.Case.Name, p => p.Result);
    }

    private static readonly CSharpCompilationOptions Options = new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true);

    private static SyntaxTree Tree(string text, string path, CSharpParseOptions parse) =>
        CSharpSyntaxTree.ParseText(SourceText.From(text, Encoding.UTF8), parse, path: path);

    private static string Where(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        return span.IsValid ? $"({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})" : "(no location)";
    }

    /// <summary>The file of a diagnostic: the generator reports locations as values (a path and a span), without the tree.</summary>
    private static string? FileOf(Diagnostic d) => d.Location.SourceTree?.FilePath ?? (d.Location.Kind == LocationKind.ExternalFile ? d.Location.GetLineSpan().Path : null);

    private static Prepared? OwnerOf(Compilation output, SyntaxTree generated, Dictionary<string, Prepared> byPath, List<Prepared> prepared)
    {
        var root = generated.GetRoot();
        var model = output.GetSemanticModel(generated);
        foreach (var decl in root.DescendantNodes().OfType<BaseTypeDeclarationSyntax>())
        {
            if (model.GetDeclaredSymbol(decl) is INamedTypeSymbol type)
            {
                foreach (var r in type.DeclaringSyntaxReferences)
                {
                    if (byPath.TryGetValue(r.SyntaxTree.FilePath, out var p))
                    {
                        return p;
                    }
                }
            }
        }

        // A type the compiler could not bind: fall back on the namespace the file declares.
        string text = root.ToFullString();
        return prepared.Where(p => text.Contains("namespace " + p.Case.Namespace + "\n", StringComparison.Ordinal) || text.Contains("namespace " + p.Case.Namespace + ";", StringComparison.Ordinal) || text.Contains("namespace " + p.Case.Namespace + "\r", StringComparison.Ordinal))
            .OrderByDescending(p => p.Case.Namespace.Length).FirstOrDefault();
    }

    // -------------------------------------------------------------------------------------------------------------
    // Error cases

    private static void CheckError(Prepared p, Compilation output)
    {
        var r = p.Result;
        var c = p.Case;
        var diagnostics = r.GeneratorDiagnostics;
        var also = new List<Diagnostic>();
        foreach (var entry in c.Also)
        {
            string id = entry.Split('@')[0];
            string method = entry.Split('@')[1];
            var spans = p.Trees.SelectMany(t => t.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Where(m => m.Identifier.ValueText == method).Select(m => (t.FilePath, m.Span))).ToList();
            var found = diagnostics.Where(x => (id == "*" || x.Id == id) && spans.Any(s => s.FilePath == FileOf(x) && s.Span.Contains(x.Location.SourceSpan)) && !also.Contains(x)).ToList();
            if (found.Count != 1)
            {
                r.Fail($"expected one {id} inside {method} (besides the error at the mark), found {found.Count}");
            }

            also.AddRange(found.Take(1));
            foreach (var m in output.GetSymbolsWithName(method + "Gradient", SymbolFilter.Member).OfType<IMethodSymbol>())
            {
                if (IsGeneratedIn(m, p))
                {
                    r.Fail($"{method}Gradient was generated although {method} is refused");
                }
            }
        }

        var main = diagnostics.Except(also).ToList();
        if (main.Count != 1)
        {
            r.Fail($"expected exactly one diagnostic ({c.Id} at the marked node){(c.Also.Count == 0 ? string.Empty : " besides " + string.Join(", ", c.Also))}, the generator reported {main.Count}" +
                   (main.Count == 0 ? string.Empty : ":\n" + string.Join("\n", main.Select(d => Where(d) + " " + d.Id + ": " + d.GetMessage(CultureInfo.InvariantCulture)))));
        }

        var d = main.FirstOrDefault(x => x.Id == c.Id && p.Mark == x.Location.SourceSpan) ?? main.FirstOrDefault(x => x.Id == c.Id) ?? main.FirstOrDefault();
        if (d is not null)
        {
            string message = d.GetMessage(CultureInfo.InvariantCulture);
            if (d.Id != c.Id)
            {
                r.Fail($"expected {c.Id}, got {d.Id}: {message}");
            }

            if (d.Severity != DiagnosticSeverity.Error)
            {
                r.Fail($"{d.Id} is a {d.Severity}, not an error");
            }

            if (p.Mark is { } mark && (FileOf(d) != p.Trees[0].FilePath || (c.LineOnly ? !mark.Contains(d.Location.SourceSpan) : d.Location.SourceSpan != mark)))
            {
                var text = p.Trees[0].GetText();
                var tree = p.Trees.FirstOrDefault(t => t.FilePath == FileOf(d));
                string got = tree is not null && d.Location.SourceSpan.End <= tree.Length ? tree.GetText().ToString(d.Location.SourceSpan) : "(no location in the case's files)";
                r.Fail($"{d.Id} is at {Where(d)} «{Shorten(got)}», expected at ({text.Lines.GetLinePosition(mark.Start).Line + 1},{text.Lines.GetLinePosition(mark.Start).Character + 1}) «{Shorten(text.ToString(mark))}»");
            }

            foreach (var fragment in c.Says)
            {
                if (message.IndexOf(fragment, StringComparison.OrdinalIgnoreCase) < 0)
                {
                    r.Fail($"the message does not say \"{fragment}\": {message}");
                }
            }

            foreach (var fragment in c.SaysNot)
            {
                if (message.IndexOf(fragment, StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    r.Fail($"the message says \"{fragment}\", which does not apply here: {message}");
                }
            }

            foreach (var (bad, why) in MessageFaults)
            {
                if (message.Contains(bad, StringComparison.Ordinal))
                {
                    r.Fail($"the message {why}: {message}");
                }
            }
        }

        // No gradient for the refused method: the overload that contains the mark, or every method named ErrorMethod.
        IMethodSymbol? refused = null;
        if (p.Mark is { } at && p.Trees[0].GetRoot().FindNode(at).AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault() is { } declaration
            && declaration.Identifier.ValueText == c.ErrorMethod)
        {
            var tree = output.SyntaxTrees.FirstOrDefault(t => t.FilePath == p.Trees[0].FilePath);
            refused = tree is null ? null : output.GetSemanticModel(tree).GetDeclaredSymbol(tree.GetRoot().FindNode(declaration.Span) as MethodDeclarationSyntax ?? declaration) as IMethodSymbol;
        }

        foreach (var m in output.GetSymbolsWithName(c.ErrorMethod + "Gradient", SymbolFilter.Member).OfType<IMethodSymbol>())
        {
            if (IsGeneratedIn(m, p) && (refused is null || (m.Parameters.Length > refused.Parameters.Length
                    && refused.Parameters.Zip(m.Parameters, (a, b) => a.Type.ToDisplayString() == b.Type.ToDisplayString() && a.RefKind == b.RefKind).All(x => x)
                    && m.Parameters.Skip(refused.Parameters.Length).All(IsOutput))))
            {
                r.Fail($"{m.ToDisplayString()} was generated although {c.ErrorMethod} is refused");
            }
        }
    }

    /// <summary>A member the generator wrote (in a generated file) into one of the case's types.</summary>
    private static bool IsGeneratedIn(IMethodSymbol m, Prepared p) =>
        m.ContainingType.DeclaringSyntaxReferences.Any(s => p.Trees.Contains(s.SyntaxTree))
        && m.DeclaringSyntaxReferences.All(s => !p.Trees.Contains(s.SyntaxTree));

    private static readonly (string Bad, string Why)[] MessageFaults =
    {
        ("a array", "has a typo ('a array')"),
        ("an double", "has a typo ('an double')"),
        ("{0}", "has an unfilled placeholder"),
        ("{1}", "has an unfilled placeholder"),
        ("  ", "has a double space"),
        ("namedtype", "prints a symbol kind's enum name ('namedtype')"),
    };

    private static string Shorten(string s)
    {
        s = s.Replace("\n", " ");
        return s.Length > 80 ? s.Substring(0, 77) + "..." : s;
    }

    // -------------------------------------------------------------------------------------------------------------
    // Gradient cases: the adapter

    private static string? Adapter(Compilation compilation, Prepared p, Target t, string cls, out bool isFloat)
    {
        isFloat = false;
        var r = p.Result;
        var candidates = compilation.GetSymbolsWithName(t.Method, SymbolFilter.Member).OfType<IMethodSymbol>()
            .Where(m => m.DeclaringSyntaxReferences.Any(s => p.Trees.Contains(s.SyntaxTree)))
            .Where(m => m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "SymbolicGrad.DifferentiableAttribute"))
            .Where(m => m.PartialDefinitionPart is null)
            .Where(m => m.Arity == (t.TypeArguments is null ? 0 : t.TypeArguments.Split(',').Length))
            .Where(m => WithoutTypeArguments(m.ContainingType.ToDisplayString()) == WithoutTypeArguments(Expand(t.Host, p.Case)))
            .Where(m => t.Signature is null || string.Join(", ", m.Parameters.Select(x => x.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat))) == t.Signature)
            .ToList();
        if (candidates.Count != 1)
        {
            r.Fail($"test bug: {candidates.Count} [Differentiable] methods named {t.Method}{(t.Signature is null ? string.Empty : "(" + t.Signature + ")")} in the case");
            return null;
        }

        var method = candidates[0];
        string receiver = method.IsStatic ? "global::" + Expand(t.Host, p.Case) : "(" + Expand(t.Instance ?? "new " + t.Host + "()", p.Case) + ")";
        string typeArguments = t.TypeArguments is null ? string.Empty : "<" + t.TypeArguments + ">";
        isFloat = IsSingle(method.ReturnType) || method.Parameters.Any(x => IsSingle(x.Type) || (ElementOf(x.Type) is { } e && IsSingle(e)));

        if (t.ViaObjective)
        {
            string objective = receiver + "." + method.Name + "Objective" + typeArguments + "(" + Expand(t.ObjectiveArguments, p.Case) + ")";
            return "namespace " + ProbeNamespace + "\n{\n    public static class " + cls + "\n    {\n" +
                   "        private static global::SymbolicGrad.DifferentiableFunction? s_f;\n" +
                   "        private static global::SymbolicGrad.DifferentiableFunction Fn => s_f ??= " + objective + ";\n" +
                   "        public static int Dimension() => Fn.Dimension;\n" +
                   "        public static double Value(double[] v) => Fn.Value(v);\n" +
                   "        public static double Gradient(double[] v, double[] g) => Fn.ValueAndGradient(v, g);\n" +
                   "    }\n}\n";
        }

        var gradients = method.ContainingType.GetMembers(method.Name + "Gradient").OfType<IMethodSymbol>()
            .Where(g => g.Parameters.Length > method.Parameters.Length && g.TypeParameters.Length == method.TypeParameters.Length
                        && method.Parameters.Zip(g.Parameters, (a, b) => SameType(a.Type, b.Type, method, g) && a.RefKind == b.RefKind).All(x => x)
                        && g.Parameters.Skip(method.Parameters.Length).All(IsOutput))
            .ToList();
        if (gradients.Count != 1)
        {
            r.Fail($"expected one {method.Name}Gradient taking {method.Name}'s parameters followed by the gradient outputs, found {gradients.Count}: " +
                   string.Join("; ", method.ContainingType.GetMembers(method.Name + "Gradient").Select(x => x.ToDisplayString())));
            return null;
        }

        var gradient = gradients[0];
        var outputs = gradient.Parameters.Skip(method.Parameters.Length).ToList();
        var used = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        var valueArgs = new List<string>();
        var gradientOutputs = new List<string>();
        var prelude = new List<string>();
        var epilogue = new List<string>();
        int offset = 0;
        int lastOutput = -1;
        foreach (var param in method.Parameters)
        {
            bool data = param.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "SymbolicGrad.NoDerivativeAttribute");
            string outputName = OutputName(param.Name);
            var output = outputs.FirstOrDefault(o => o.Name == outputName);
            bool scalar = IsReal(param.Type);
            var element = ElementOf(param.Type);
            bool vector = element is not null && IsReal(element);
            string name = param.Name;
            if (data || !(scalar || vector))
            {
                if (output is not null && !data && !(scalar || vector))
                {
                    r.Fail($"test bug: parameter '{name}' of type {param.Type.ToDisplayString()} has a gradient output: check this target with ViaObjective");
                    return null;
                }

                if (output is not null)
                {
                    r.Fail($"the data parameter '{name}' got a gradient output '{output.Name}'");
                }

                valueArgs.Add(t.Data.TryGetValue(name, out var given) ? Expand(given, p.Case) : Default(param.Type, name));
                continue;
            }

            if (output is null)
            {
                r.Fail($"no gradient output '{outputName}' for the differentiable parameter '{name}' in {gradient.ToDisplayString()}");
                return null;
            }

            int index = outputs.IndexOf(output);
            if (index < lastOutput)
            {
                r.Fail($"the gradient outputs are not in parameter order: {gradient.ToDisplayString()}");
            }

            lastOutput = index;
            used.Add(output);
            string o = "o" + offset.ToString(CultureInfo.InvariantCulture);
            if (scalar)
            {
                valueArgs.Add(IsSingle(param.Type) ? "(float)v[" + offset + "]" : "v[" + offset + "]");
                if (output.RefKind != RefKind.Out)
                {
                    r.Fail($"the output '{output.Name}' is not an out parameter: {gradient.ToDisplayString()}");
                }

                gradientOutputs.Add("out var " + o);
                epilogue.Add("g[" + offset + "] = (double)" + o + ";");
                offset++;
                continue;
            }

            int length = t.Lengths.TryGetValue(name, out var l) ? l : 3;
            bool single = IsSingle(element!);
            string slice = "v[" + offset + ".." + (offset + length) + "]";
            string array = single ? "global::System.Array.ConvertAll(" + slice + ", d => (float)d)" : slice;
            valueArgs.Add(IsSpan(param.Type) && !IsReadOnlySpan(param.Type) ? "new global::System.Span<" + (single ? "float" : "double") + ">(" + array + ")" : array);
            if (output.Type is not INamedTypeSymbol { Name: "Span" } || output.RefKind != RefKind.None)
            {
                r.Fail($"the output '{output.Name}' of the array parameter '{name}' is not a Span: {gradient.ToDisplayString()}");
            }

            if (single)
            {
                prelude.Add("var " + o + " = new float[" + length + "];");
                gradientOutputs.Add(o);
                epilogue.Add("for (int i = 0; i < " + length + "; i++) g[" + offset + " + i] = " + o + "[i];");
            }
            else
            {
                gradientOutputs.Add("new global::System.Span<double>(g, " + offset + ", " + length + ")");
            }

            offset += length;
        }

        foreach (var extra in outputs.Where(o => !used.Contains(o)))
        {
            r.Fail($"the gradient method has an output '{extra.Name}' that matches no differentiable parameter: {gradient.ToDisplayString()}");
        }

        if (offset == 0)
        {
            r.Fail("test bug: the target has no differentiable parameter");
            return null;
        }

        string call = receiver + "." + EscapeName(method.Name) + typeArguments + "(" + string.Join(", ", valueArgs) + ")";
        string gradientCall = receiver + "." + method.Name + "Gradient" + typeArguments + "(" + string.Join(", ", valueArgs.Concat(gradientOutputs)) + ")";
        var sb = new StringBuilder();
        sb.Append("namespace ").Append(ProbeNamespace).Append("\n{\n    public static class ").Append(cls).Append("\n    {\n");
        sb.Append("        public static int Dimension() => ").Append(offset).Append(";\n");
        sb.Append("        public static double Value(double[] v) => (double)").Append(call).Append(";\n");
        sb.Append("        public static double Gradient(double[] v, double[] g)\n        {\n");
        foreach (var line in prelude)
        {
            sb.Append("            ").Append(line).Append('\n');
        }

        sb.Append("            var value = ").Append(gradientCall).Append(";\n");
        foreach (var line in epilogue)
        {
            sb.Append("            ").Append(line).Append('\n');
        }

        sb.Append("            return (double)value;\n        }\n");
        if (t.Hessian)
        {
            sb.Append("        public static global::SymbolicGrad.DifferentiableFunction Objective() => ").Append(receiver).Append('.').Append(method.Name).Append("Objective")
                .Append(typeArguments).Append('(').Append(Expand(t.ObjectiveArguments, p.Case)).Append(");\n");
        }

        sb.Append("    }\n}\n");
        return sb.ToString();
    }

    /// <summary>A gradient output: an out parameter, or a Span the caller owns.</summary>
    private static bool IsOutput(IParameterSymbol p) => p.RefKind == RefKind.Out || (p.RefKind == RefKind.None && p.Type is INamedTypeSymbol { Name: "Span" });

    private static string WithoutTypeArguments(string type) => System.Text.RegularExpressions.Regex.Replace(type.Replace("global::", string.Empty), "<[^<>]*>", string.Empty);

    private static string EscapeName(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>The contract's output name: d + the parameter's name with its first letter upper-cased.</summary>
    /// <remarks>As the generator does it (README: "d + the name with its first letter upper-cased"): <c>_x</c> gets
    /// <c>d_x</c> (underscores are kept, as the first generator kept them).</remarks>
    public static string OutputName(string parameter)
    {
        string name = parameter.TrimStart('@');
        return "d" + char.ToUpperInvariant(name[0]) + name.Substring(1);
    }

    private static bool SameType(ITypeSymbol a, ITypeSymbol b, IMethodSymbol ma, IMethodSymbol mb)
    {
        if (a is ITypeParameterSymbol ta && b is ITypeParameterSymbol tb)
        {
            return ta.Ordinal == tb.Ordinal && ta.TypeParameterKind == tb.TypeParameterKind;
        }

        return SymbolEqualityComparer.Default.Equals(a, b) || a.ToDisplayString() == b.ToDisplayString();
    }

    private static bool IsSingle(ITypeSymbol t) => t.SpecialType == SpecialType.System_Single;

    private static bool IsReal(ITypeSymbol t) => t.SpecialType is SpecialType.System_Double or SpecialType.System_Single || t is ITypeParameterSymbol;

    private static bool IsSpan(ITypeSymbol t) => t is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", ContainingNamespace.Name: "System", TypeArguments.Length: 1 };

    private static bool IsReadOnlySpan(ITypeSymbol t) => t is INamedTypeSymbol { Name: "ReadOnlySpan" };

    private static ITypeSymbol? ElementOf(ITypeSymbol t) => t switch
    {
        IArrayTypeSymbol { Rank: 1 } a => a.ElementType,
        INamedTypeSymbol n when IsSpan(n) => n.TypeArguments[0],
        _ => null,
    };

    /// <summary>A value for a data parameter the case does not set.</summary>
    private static string Default(ITypeSymbol t, string name)
    {
        if (t is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n)
        {
            return Default(n.TypeArguments[0], name);
        }

        switch (t.SpecialType)
        {
            case SpecialType.System_Int32: return "3";
            case SpecialType.System_Int64: return "3L";
            case SpecialType.System_Int16: return "(short)3";
            case SpecialType.System_Byte: return "(byte)3";
            case SpecialType.System_UInt32: return "3u";
            case SpecialType.System_Boolean: return "true";
            case SpecialType.System_Double: return "0.75";
            case SpecialType.System_Single: return "0.75f";
            case SpecialType.System_Decimal: return "0.75m";
            case SpecialType.System_String: return "\"abc\"";
        }

        var element = ElementOf(t);
        if (element is { SpecialType: SpecialType.System_Double })
        {
            return "new double[] { 0.5, -1.25, 2.0 }";
        }

        if (element is { SpecialType: SpecialType.System_Single })
        {
            return "new float[] { 0.5f, -1.25f, 2.0f }";
        }

        if (element is { SpecialType: SpecialType.System_Int32 })
        {
            return "new int[] { 1, 2, 0 }";
        }

        if (element is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Double })
        {
            return "new double[][] { new double[] { 0.5, 1.5 }, new double[] { -1.0, 2.0 } }";
        }

        if (t is IArrayTypeSymbol { Rank: 2, ElementType.SpecialType: SpecialType.System_Double })
        {
            return "new double[,] { { 0.5, 1.5 }, { -1.0, 2.0 } }";
        }

        return "default(" + t.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ")";
    }

    // -------------------------------------------------------------------------------------------------------------
    // Gradient cases: the check

    private static void CheckGradient(Prepared p, Target t, Type probe, bool isFloat)
    {
        var r = p.Result;
        var dimension = probe.GetMethod("Dimension")!.CreateDelegate<Func<int>>();
        var value = probe.GetMethod("Value")!.CreateDelegate<Func<double[], double>>();
        var gradient = probe.GetMethod("Gradient")!.CreateDelegate<Func<double[], double[], double>>();
        string label = t.Method + (t.Signature is null ? string.Empty : "(" + t.Signature + ")");
        int n;
        try
        {
            n = dimension();
        }
        catch (Exception e)
        {
            r.Fail($"{label}: creating the function threw {e.GetType().Name}: {e.Message}");
            return;
        }

        var f = new DifferentiableFunction(
            n,
            x => value(x.ToArray()),
            (x, g) =>
            {
                var buffer = new double[n];
                double v = gradient(x.ToArray(), buffer);
                buffer.CopyTo(g);
                return v;
            });
        var tolerance = isFloat ? CheckTolerance.Float : CheckTolerance.Double;

        foreach (var x in t.ThrowsAt)
        {
            CheckThrows(r, label, value, gradient, x, n);
        }

        foreach (var x in t.NonFiniteAt)
        {
            CheckNonFinite(r, label, value, gradient, x, n);
        }

        if (t.ClosedOnly)
        {
            CheckClosedOnly(r, label, t, value, gradient, n);
            return;
        }

        var rng = new Random(StableSeed(p.Case.Name + "/" + label));
        int passed = 0;
        var points = new List<double[]>();
        int attempts = 0;
        while (passed < Math.Max(RequiredPoints, t.Points.Count) && attempts < MaxAttempts + t.Points.Count)
        {
            bool explicitPoint = attempts < t.Points.Count;
            var x = explicitPoint ? t.Points[attempts] : Enumerable.Range(0, n).Select(_ => t.Low + (t.High - t.Low) * rng.NextDouble()).ToArray();
            attempts++;
            if (x.Length != n)
            {
                r.Fail($"test bug: {label}: a point of length {x.Length} for a function of {n} parameters");
                return;
            }

            PointResult result;
            try
            {
                result = DifferentialChecker.CheckPoint(f, x, tolerance);
            }
            catch (Exception e)
            {
                r.Fail($"{label} at ({Format(x)}): calling the method or its gradient threw {e.GetType().Name}: {e.Message}");
                return;
            }

            if (result.Verdict == PointVerdict.Failed)
            {
                r.Fail($"{label}: {result.Problem}\n{result.Table(Enumerable.Range(0, n).Select(i => "x" + i.ToString(CultureInfo.InvariantCulture)).ToList())}");
                return;
            }

            if (result.Verdict == PointVerdict.NotSmooth)
            {
                if (explicitPoint)
                {
                    r.Fail($"test bug: {label}: the explicit point ({Format(x)}) is not smooth");
                }

                continue;
            }

            passed++;
            if (t.Closed is { } closed)
            {
                var expected = closed(x);
                if (expected.Length != n)
                {
                    r.Fail($"test bug: {label}: the closed form has {expected.Length} components, the function {n}");
                    return;
                }

                double rel = isFloat ? 1e-4 : 1e-9;
                for (int i = 0; i < n; i++)
                {
                    if (!(Math.Abs(expected[i] - result.Analytic[i]) <= rel * Math.Max(1.0, Math.Abs(expected[i]))))
                    {
                        r.Fail($"{label} at ({Format(x)}): component {i} is {result.Analytic[i]:R}, the closed form gives {expected[i]:R}");
                        return;
                    }
                }
            }

            points.Add(x);
        }

        if (passed < RequiredPoints)
        {
            r.Fail($"{label}: only {passed} of {RequiredPoints} points were smooth enough to check after {attempts} attempts");
            return;
        }

        if (t.Hessian)
        {
            CheckHessian(r, label, probe, f, points, n);
        }

        r.Checked.Add($"{label}: {passed} points, n = {n}{(t.Closed is null ? string.Empty : ", closed form")}{(t.Hessian ? ", Hessian" : string.Empty)}");
    }

    /// <summary>
    /// The generated Hessian against Richardson-extrapolated centered differences of the generated gradient (already
    /// checked against the value), and H·v from HessianVectorProduct against the dense Hessian.
    /// </summary>
    private static void CheckHessian(CaseResult r, string label, Type probe, DifferentiableFunction gradientOnly, List<double[]> points, int n)
    {
        var objective = (DifferentiableFunction)probe.GetMethod("Objective")!.Invoke(null, null)!;
        if (!objective.HasHessian)
        {
            r.Fail($"{label}: the objective of a [Differentiable(Hessian = true)] method has no Hessian");
            return;
        }

        foreach (var x in points.Take(2))
        {
            var h = new double[n * n];
            objective.Hessian(x, h);
            var column = new double[n];
            for (int j = 0; j < n; j++)
            {
                double step = 1e-4 * Math.Max(1.0, Math.Abs(x[j]));
                var d1 = Difference(gradientOnly, x, j, step, n);
                var d2 = Difference(gradientOnly, x, j, step / 2, n);
                for (int i = 0; i < n; i++)
                {
                    double numeric = (4 * d2[i] - d1[i]) / 3;
                    double analytic = h[i * n + j];
                    if (!(Math.Abs(numeric - analytic) <= 1e-5 * Math.Max(1.0, Math.Abs(numeric))))
                    {
                        r.Fail($"{label} at ({Format(x)}): Hessian[{i},{j}] is {analytic:R}, centered differences of the gradient give {numeric:R}");
                        return;
                    }
                }
            }

            var v = Enumerable.Range(0, n).Select(i => 0.5 + 0.25 * i).ToArray();
            var hv = new double[n];
            objective.HessianVectorProduct(x, v, hv);
            for (int i = 0; i < n; i++)
            {
                double dense = Enumerable.Range(0, n).Sum(j => h[i * n + j] * v[j]);
                if (!(Math.Abs(dense - hv[i]) <= 1e-9 * Math.Max(1.0, Math.Abs(dense))))
                {
                    r.Fail($"{label} at ({Format(x)}): HessianVectorProduct[{i}] is {hv[i]:R}, the dense Hessian times v gives {dense:R}");
                    return;
                }
            }
        }
    }

    private static double[] Difference(DifferentiableFunction f, double[] x, int j, double step, int n)
    {
        var plus = (double[])x.Clone();
        var minus = (double[])x.Clone();
        plus[j] += step;
        minus[j] -= step;
        var gp = new double[n];
        var gm = new double[n];
        f.ValueAndGradient(plus, gp);
        f.ValueAndGradient(minus, gm);
        return Enumerable.Range(0, n).Select(i => (gp[i] - gm[i]) / (2 * step)).ToArray();
    }

    private static void CheckClosedOnly(CaseResult r, string label, Target t, Func<double[], double> value, Func<double[], double[], double> gradient, int n)
    {
        if (t.Closed is null || t.Points.Count < AdversarialRunner.RequiredPoints)
        {
            r.Fail($"test bug: {label}: ClosedOnly needs a closed form and {RequiredPoints} points");
            return;
        }

        foreach (var x in t.Points)
        {
            double a = value((double[])x.Clone());
            var g = new double[n];
            double b = gradient((double[])x.Clone(), g);
            if (BitConverter.DoubleToInt64Bits(a) != BitConverter.DoubleToInt64Bits(b))
            {
                r.Fail($"{label} at ({Format(x)}): the method returns {a:R}, its gradient method {b:R} (must be bit for bit equal)");
                return;
            }

            var expected = t.Closed(x);
            for (int i = 0; i < n; i++)
            {
                if (!(Math.Abs(expected[i] - g[i]) <= 1e-9 * Math.Max(1.0, Math.Abs(expected[i]))))
                {
                    r.Fail($"{label} at ({Format(x)}): component {i} is {g[i]:R}, the closed form gives {expected[i]:R}");
                    return;
                }
            }
        }

        r.Checked.Add($"{label}: {t.Points.Count} points against the closed form only, n = {n}");
    }

    private static void CheckThrows(CaseResult r, string label, Func<double[], double> value, Func<double[], double[], double> gradient, double[] x, int n)
    {
        Exception? expected = null;
        try
        {
            value((double[])x.Clone());
        }
        catch (Exception e)
        {
            expected = e;
        }

        if (expected is null)
        {
            r.Fail($"test bug: {label} does not throw at ({Format(x)})");
            return;
        }

        try
        {
            gradient((double[])x.Clone(), new double[n]);
            r.Fail($"{label} throws {expected.GetType().Name} at ({Format(x)}) but its gradient method returns");
        }
        catch (Exception e)
        {
            if (e.GetType() != expected.GetType() || e.Message != expected.Message)
            {
                r.Fail($"{label} at ({Format(x)}): the method throws {expected.GetType().Name}(\"{expected.Message}\"), its gradient method {e.GetType().Name}(\"{e.Message}\")");
            }
        }
    }

    private static void CheckNonFinite(CaseResult r, string label, Func<double[], double> value, Func<double[], double[], double> gradient, double[] x, int n)
    {
        double a = value((double[])x.Clone());
        double b = gradient((double[])x.Clone(), new double[n]);
        if (double.IsFinite(a))
        {
            r.Fail($"test bug: {label} is finite at ({Format(x)})");
        }
        else if (BitConverter.DoubleToInt64Bits(a) != BitConverter.DoubleToInt64Bits(b) && !(double.IsNaN(a) && double.IsNaN(b)))
        {
            r.Fail($"{label} at ({Format(x)}): the method returns {a:R}, its gradient method {b:R}");
        }
    }

    private static string Format(double[] x) => string.Join(", ", x.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    public static int StableSeed(string s)
    {
        uint h = 2166136261;
        foreach (char c in s)
        {
            h ^= c;
            h *= 16777619;
        }

        return (int)(h & int.MaxValue);
    }
}

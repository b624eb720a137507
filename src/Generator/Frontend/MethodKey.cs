using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>
/// The pipeline's first step for one [Differentiable] method: a key that changes whenever the method's lowering could,
/// computed without binding a body, and the context to lower it with (taken by the Lower step, then dropped).
/// Roslyn re-runs this step for every method of the project on every edit; Lower runs only for the methods whose key
/// changed. Equality is by <see cref="Key"/> alone.
/// </summary>
/// <remarks>
/// What a method's lowering reads, and so what the key holds:
/// <list type="bullet">
/// <item>the declarations of the whole compilation: every syntax tree without the bodies of methods, constructors,
/// operators and accessors (signatures, attributes, fields and their initializers, types, usings, preprocessor
/// directives), each tree's parse options, the compilation's options and references (<see cref="Declarations"/>);</item>
/// <item>the text of the method's own declarations (both parts of a partial method) and the files they are in;</item>
/// <item>the text of every declaration whose body the lowering read (inlined helpers, accessors, constructors,
/// operators, transitively), found by their documentation ids, which the Lower step records in
/// <see cref="DependencyTable"/> after each lowering.</item>
/// </list>
/// Binding a body depends only on that body and the declarations (C# infers no member's type from another member's
/// body), so two compilations with equal keys lower the method to the same IR. A method the table knows nothing
/// about yet is keyed as if it read no other body; its lowering records what it did read, and the next key differs
/// unless that was nothing. The table only grows (a union of every dependency ever recorded for a method, never
/// evicted), which keeps the key sound even when several drivers share the process: a retained lowering was keyed by
/// a set that, if it missed a body the lowering read, differs from every later set. A method whose dependency cannot
/// be found again by its id, or that the full table cannot record, gets a key equal to nothing and is always lowered.
/// </remarks>
internal sealed class MethodKey : IEquatable<MethodKey>
{
    private static long nonce;

    private Holder? _context;

    private MethodKey(string key, string method, Holder? context)
    {
        Key = key;
        Method = method;
        _context = context;
    }

    /// <summary>Everything the method's lowering depends on, as text (or a nonce equal to nothing).</summary>
    public string Key { get; }

    /// <summary>The method's identity in <see cref="DependencyTable"/> (assembly, file, documentation id); empty when it has none.</summary>
    public string Method { get; }

    /// <summary>The context to lower with, once: the Lower step takes it, so that cached values hold no compilation.</summary>
    public GeneratorAttributeSyntaxContext? Take()
    {
        var holder = Interlocked.Exchange(ref _context, null);
        return holder?.Context;
    }

    public bool Equals(MethodKey? other) => other is not null && string.Equals(other.Key, Key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is MethodKey k && Equals(k);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);

    public static MethodKey Create(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        var compilation = context.SemanticModel.Compilation;
        var holder = new Holder(context);
        string? id = context.TargetSymbol is IMethodSymbol m && context.TargetNode is MethodDeclarationSyntax ? m.GetDocumentationCommentId() : null;
        if (id is null)
        {
            return Unique(string.Empty, holder);
        }

        string method = (compilation.AssemblyName ?? string.Empty) + "|" + context.TargetNode.SyntaxTree.FilePath + "|" + id;
        var known = DependencyTable.Get(method);
        if (known is null)
        {
            return Unique(method, holder);
        }

        var b = new StringBuilder();
        b.Append(Declarations(compilation, ct)).Append('\n');
        var target = (IMethodSymbol)context.TargetSymbol;
        AppendDeclarations(b, target, known.Value.Positions);
        foreach (var dependency in known.Value.Ids)
        {
            ct.ThrowIfCancellationRequested();
            b.Append("\n\u0001").Append(dependency).Append('\n');
            var symbol = DocumentationCommentId.GetFirstSymbolForDeclarationId(dependency, compilation);
            if (symbol is null)
            {
                b.Append("\u0002missing");
                continue;
            }

            AppendDeclarations(b, symbol, known.Value.Positions);
        }

        return new MethodKey(b.ToString(), method, holder);
    }

    private static MethodKey Unique(string method, Holder holder) =>
        new("\u0003" + Interlocked.Increment(ref nonce).ToString(System.Globalization.CultureInfo.InvariantCulture), method, holder);

    /// <summary>The text of every declaration of the symbol (both parts of a partial method), with its file (and position, when diagnostics point into it).</summary>
    private static void AppendDeclarations(StringBuilder b, ISymbol symbol, bool positions)
    {
        var parts = new List<ISymbol> { symbol };
        if (symbol is IMethodSymbol method)
        {
            if (method.PartialImplementationPart is { } implementation)
            {
                parts.Add(implementation);
            }

            if (method.PartialDefinitionPart is { } definition)
            {
                parts.Add(definition);
            }
        }

        foreach (var part in parts)
        {
            foreach (var reference in part.DeclaringSyntaxReferences)
            {
                b.Append('\u0004').Append(reference.SyntaxTree.FilePath).Append('\u0004');
                if (positions)
                {
                    var start = reference.SyntaxTree.GetLineSpan(reference.Span).StartLinePosition;
                    b.Append(reference.Span.Start).Append(':').Append(start.Line).Append(':').Append(start.Character).Append('\u0004');
                }

                b.Append(reference.GetSyntax().ToFullString());
            }
        }
    }

    /// <summary>
    /// Records what a lowering read: the documentation ids of the declarations whose bodies it inlined (null when one
    /// cannot be found again by its id: the method then stays uncached), and whether it reported a diagnostic (its key
    /// then holds positions, so that the diagnostic moves with the code).
    /// </summary>
    public static void Record(string method, Compilation compilation, IEnumerable<SyntaxNode> bodies, bool diagnostics)
    {
        if (method.Length == 0)
        {
            return;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var body in bodies)
        {
            var member = body.AncestorsAndSelf().FirstOrDefault(n => n is MemberDeclarationSyntax && n is not LocalFunctionStatementSyntax and not AccessorDeclarationSyntax);
            if (member is null || !compilation.ContainsSyntaxTree(member.SyntaxTree))
            {
                DependencyTable.Record(method, null, diagnostics);
                return;
            }

#pragma warning disable RS1030 // The helpers inlined live in other trees of the same compilation.
            var symbol = compilation.GetSemanticModel(member.SyntaxTree).GetDeclaredSymbol(member);
#pragma warning restore RS1030
            string? id = symbol?.GetDocumentationCommentId();
            if (symbol is null || id is null || !SymbolEqualityComparer.Default.Equals(Definition(DocumentationCommentId.GetFirstSymbolForDeclarationId(id, compilation)), Definition(symbol)))
            {
                DependencyTable.Record(method, null, diagnostics);
                return;
            }

            ids.Add(id);
        }

        DependencyTable.Record(method, ids, diagnostics);
    }

    /// <summary>A partial method's implementing part found by id is its defining part.</summary>
    private static ISymbol? Definition(ISymbol? symbol) => symbol is IMethodSymbol { PartialDefinitionPart: { } definition } ? definition : symbol;

    // ---------------------------------------------------------------------------------------------------------
    // Declarations

    private static readonly ConditionalWeakTable<Compilation, string> CompilationKeys = new();
    private static readonly ConditionalWeakTable<SyntaxTree, string> TreeKeys = new();
    private static readonly ConditionalWeakTable<object, string> Identities = new();
    private static long identity;

    /// <summary>
    /// The compilation without its bodies: a SHA-256 of each tree's tokens outside bodies and its directives, with
    /// the identities of the options and references (a new options or reference object changes it).
    /// </summary>
    public static string Declarations(Compilation compilation, CancellationToken ct)
    {
        if (CompilationKeys.TryGetValue(compilation, out var known))
        {
            return known;
        }

        var b = new StringBuilder();
        b.Append(compilation.AssemblyName).Append('|').Append(IdentityOf(compilation.Options)).Append('|');
        foreach (var reference in compilation.References)
        {
            b.Append(IdentityOf(reference)).Append(',');
        }

        foreach (var tree in compilation.SyntaxTrees)
        {
            ct.ThrowIfCancellationRequested();
            b.Append('|').Append(tree.FilePath).Append(':').Append(IdentityOf(tree.Options)).Append(':').Append(TreeKey(tree, ct));
        }

        string key = Sha256(b.ToString());
        try
        {
            CompilationKeys.Add(compilation, key);
        }
        catch (ArgumentException)
        {
            // computed by another thread meanwhile: the same value
        }

        return key;
    }

    private static string TreeKey(SyntaxTree tree, CancellationToken ct)
    {
        if (TreeKeys.TryGetValue(tree, out var known))
        {
            return known;
        }

        var root = tree.GetRoot(ct);
        var b = new StringBuilder();
        foreach (var token in root.DescendantTokens(descendIntoChildren: static n => !IsBody(n)))
        {
            b.Append(token.Text).Append(' ');
        }

        if (root.ContainsDirectives)
        {
            // #nullable, #define, #line... anywhere in the file (also inside bodies) change what follows them.
            foreach (var directive in root.DescendantTrivia(descendIntoTrivia: true).Where(t => t.IsDirective))
            {
                b.Append('\n').Append(directive.ToFullString());
            }
        }

        string key = Sha256(b.ToString());
        try
        {
            TreeKeys.Add(tree, key);
        }
        catch (ArgumentException)
        {
        }

        return key;
    }

    /// <summary>A member's body: what only its own lowering and the lowerings that inline it read.</summary>
    private static bool IsBody(SyntaxNode node) =>
        node is BlockSyntax or ArrowExpressionClauseSyntax
        && node.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or PropertyDeclarationSyntax or IndexerDeclarationSyntax;

    private static string IdentityOf(object o) =>
        Identities.GetValue(o, static _ => Interlocked.Increment(ref identity).ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string Sha256(string text)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        var b = new StringBuilder(hash.Length * 2);
        foreach (var x in hash)
        {
            b.Append(x.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return b.ToString();
    }

    private sealed class Holder
    {
        public Holder(GeneratorAttributeSyntaxContext context) => Context = context;

        public GeneratorAttributeSyntaxContext Context { get; }
    }
}

/// <summary>
/// What each method's lowerings read (see <see cref="MethodKey"/>): the documentation ids of the declarations whose
/// bodies they inlined, a union over every lowering, never shrunk or evicted (a method beyond the capacity is never
/// recorded, so never cached), and whether one reported a diagnostic.
/// </summary>
internal static class DependencyTable
{
    private const int Capacity = 200_000;
    private static readonly object Gate = new();
    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);

    /// <summary>
    /// The recorded dependencies in ordinal order (none for a method never lowered: its lowering records what it read,
    /// and the next key, holding those, differs unless it read nothing), or null when the method is uncacheable or the
    /// table is full (then a lowering could not be recorded).
    /// </summary>
    public static (string[] Ids, bool Positions)? Get(string method)
    {
        lock (Gate)
        {
            if (!Entries.TryGetValue(method, out var entry))
            {
                return Entries.Count >= Capacity ? null : (Array.Empty<string>(), false);
            }

            if (entry.Uncacheable)
            {
                return null;
            }

            var ids = entry.Ids.ToArray();
            Array.Sort(ids, StringComparer.Ordinal);
            return (ids, entry.Positions);
        }
    }

    public static void Record(string method, IEnumerable<string>? ids, bool positions)
    {
        if (method.Length == 0)
        {
            return;
        }

        lock (Gate)
        {
            if (!Entries.TryGetValue(method, out var entry))
            {
                if (Entries.Count >= Capacity)
                {
                    return;
                }

                entry = new Entry();
                Entries[method] = entry;
            }

            entry.Positions |= positions;
            if (ids is null)
            {
                entry.Uncacheable = true;
                return;
            }

            entry.Ids.UnionWith(ids);
        }
    }

    private sealed class Entry
    {
        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

        public bool Positions { get; set; }

        public bool Uncacheable { get; set; }
    }
}

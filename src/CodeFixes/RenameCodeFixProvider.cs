using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Rename;

namespace SymbolicGrad.CodeFixes;

/// <summary>
/// Name collisions with what the generator writes: SG0030 (a member already named <c>NameGradient</c> or
/// <c>NameObjective</c>, reported at that member) renames that member to <c>NameGradientHandWritten</c> (not offered when
/// SG0030 is at a <c>[Differentiable]</c> overload); SG0007 (a parameter named like another parameter's gradient output,
/// <c>dX</c> beside <c>x</c>, reported at that parameter) renames it to <c>dXInput</c>. Every reference is renamed with it
/// (Roslyn's renamer). One symbol per fix: a rename is not a candidate for Fix All.
/// </summary>
[ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(RenameCodeFixProvider)), Shared]
public sealed class RenameCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        [DiagnosticIds.GeneratedNameCollision, DiagnosticIds.OutputNameCollision];

    /// <summary>Renames are one symbol at a time: no Fix All.</summary>
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            SyntaxToken token = root.FindToken(diagnostic.Location.SourceSpan.Start);
            ISymbol? symbol = token.Parent?.AncestorsAndSelf()
                .Select(n => model.GetDeclaredSymbol(n, context.CancellationToken))
                .FirstOrDefault(s => s is not null);
            if (symbol is null || symbol.Name != token.ValueText)
            {
                continue;
            }

            // SG0030 at a [Differentiable] overload: two of the user's own methods would get the same generated member;
            // renaming this one to "NameHandWritten" is not a fix, which one to rename is the user's choice.
            if (diagnostic.Id == DiagnosticIds.GeneratedNameCollision && Syntax.HasAttribute(symbol, Syntax.DifferentiableAttribute))
            {
                continue;
            }

            string suffix = diagnostic.Id == DiagnosticIds.GeneratedNameCollision ? "HandWritten" : "Input";
            string newName = FreeName(symbol, symbol.Name + suffix);
            Solution solution = context.Document.Project.Solution;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Rename '{symbol.Name}' to '{newName}'",
                    ct => Renamer.RenameSymbolAsync(solution, symbol, new SymbolRenameOptions(), newName, ct),
                    "SymbolicGrad.Rename." + diagnostic.Id),
                diagnostic);
        }
    }

    /// <summary>
    /// <paramref name="candidate"/>, or it followed by 2, 3... until no name in the scope it would join is taken: the
    /// members of the type for a member; for a parameter, the method's parameters, their gradient outputs and every
    /// identifier in the method.
    /// </summary>
    private static string FreeName(ISymbol symbol, string candidate)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        if (symbol is IParameterSymbol { ContainingSymbol: IMethodSymbol method })
        {
            foreach (IParameterSymbol p in method.Parameters)
            {
                taken.Add(p.Name);
                taken.Add(OutputName(p.Name));
            }

            foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
            {
                foreach (SyntaxToken t in reference.GetSyntax().DescendantTokens())
                {
                    taken.Add(t.ValueText);
                }
            }
        }
        else if (symbol.ContainingType is { } type)
        {
            taken.UnionWith(type.GetMembers().Select(m => m.Name));
        }

        string name = candidate;
        for (int i = 2; taken.Contains(name) || (symbol is IParameterSymbol && taken.Contains(OutputName(name))); i++)
        {
            name = candidate + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }

    /// <summary>The generator's name for the gradient output of parameter <paramref name="name"/>: d + Name.</summary>
    private static string OutputName(string name) =>
        "d" + char.ToUpperInvariant(name[0]) + name.Substring(1);
}

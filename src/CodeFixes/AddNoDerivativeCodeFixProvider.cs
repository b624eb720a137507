using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SymbolicGrad.CodeFixes;

/// <summary>
/// SG0006 at a parameter that cannot be differentiated (an array of three levels or dimensions, <c>double[][][]</c> or
/// <c>double[,,]</c>, or a struct whose gradient cannot be built), and the warning SG0037 at a collection of numbers read
/// as data (<c>List&lt;double&gt;</c>, an array of structs): marks it <c>[NoDerivative]</c>, which makes it data, read but
/// never differentiated (for SG0037, says that it is).
/// </summary>
[ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(AddNoDerivativeCodeFixProvider)), Shared]
public sealed class AddNoDerivativeCodeFixProvider : CodeFixProvider
{
    private const string EquivalenceKey = "SymbolicGrad.AddNoDerivative";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [DiagnosticIds.NotSupportedYet, DiagnosticIds.DataParameterHoldsNumbers];

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(
        async (context, document, diagnostics) => await FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

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
            if (FindParameter(root, model, diagnostic, context.CancellationToken) is not { } parameter)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Mark '{parameter.Identifier.ValueText}' [NoDerivative] (data, not differentiated)",
                    ct => FixAsync(context.Document, [diagnostic], ct),
                    EquivalenceKey),
                diagnostic);
        }
    }

    /// <summary>The parameter the diagnostic is about, when it is one that [NoDerivative] fixes.</summary>
    private static ParameterSyntax? FindParameter(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.FirstAncestorOrSelf<ParameterSyntax>() is not { } parameter
            || model.GetDeclaredSymbol(parameter, cancellationToken) is not { } symbol
            || Syntax.HasAttribute(symbol, Syntax.NoDerivativeAttribute))
        {
            return null;
        }

        // SG0037: a collection of numbers read as data (List<double>, an array of structs): [NoDerivative] says so.
        if (diagnostic.Id == DiagnosticIds.DataParameterHoldsNumbers)
        {
            return parameter;
        }

        // Only the parameters whose type cannot be differentiated: arrays of arrays and multi-dimensional arrays (the
        // generator reports SG0006 at those only beyond double[][] and double[,]), and
        // structs whose gradient cannot be built (SG0006 at the parameter). Not structs with private fields: the
        // generator refuses those as data too, so [NoDerivative] would not help.
        return symbol.Type is IArrayTypeSymbol { Rank: > 1 } or IArrayTypeSymbol { ElementType: IArrayTypeSymbol }
            || (symbol.Type is INamedTypeSymbol { TypeKind: TypeKind.Struct, SpecialType: SpecialType.None, IsRefLikeType: false, IsTupleType: false } type && !HasPrivateFields(type))
            ? parameter : null;
    }

    private static bool HasPrivateFields(INamedTypeSymbol type) =>
        type.GetMembers().OfType<IFieldSymbol>().Any(f => !f.IsStatic && !f.IsConst
            && f.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected
            && f.AssociatedSymbol is not IPropertySymbol { DeclaredAccessibility: Accessibility.Public or Accessibility.Internal });

    private static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        SemanticModel? model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return document;
        }

        var parameters = new HashSet<ParameterSyntax>();
        foreach (Diagnostic diagnostic in diagnostics)
        {
            if (FindParameter(root, model, diagnostic, cancellationToken) is { } parameter)
            {
                parameters.Add(parameter);
            }
        }

        if (parameters.Count == 0)
        {
            return document;
        }

        SyntaxNode newRoot = root.ReplaceNodes(parameters, (_, rewritten) =>
        {
            // "[NoDerivative] double[][] rows": the attribute takes the parameter's leading trivia.
            AttributeListSyntax attribute = Syntax.AttributeList(Syntax.NoDerivativeAttribute)
                .WithLeadingTrivia(rewritten.GetLeadingTrivia())
                .WithTrailingTrivia(SyntaxFactory.Space);
            return rewritten.WithoutLeadingTrivia().WithAttributeLists(rewritten.AttributeLists.Insert(0, attribute));
        });
        return document.WithSyntaxRoot(newRoot);
    }
}

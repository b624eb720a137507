using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SymbolicGrad.CodeFixes;

/// <summary>
/// SG0015 at a call to a helper of your own in another project of the solution (helpers of the same project are inlined
/// and never get SG0015; its source is in the solution, it returns double or float): marks the helper
/// <c>[Differentiable]</c> and makes the types around it partial, so that its project generates its gradient and the
/// caller's gradient calls it.
/// </summary>
[ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(MarkDifferentiableCodeFixProvider)), Shared]
public sealed class MarkDifferentiableCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [DiagnosticIds.UnknownDerivative];

    /// <summary>The change lands in the callee's file, not the diagnostic's: fix one call at a time.</summary>
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

        Solution solution = context.Document.Project.Solution;
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>() is not { } call
                || model.GetSymbolInfo(call, context.CancellationToken).Symbol is not IMethodSymbol { MethodKind: MethodKind.Ordinary } callee)
            {
                continue;
            }

            callee = callee.OriginalDefinition;
            if (callee.ReturnType.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single)
                || Syntax.HasAttribute(callee, Syntax.DifferentiableAttribute)
                || callee.DeclaringSyntaxReferences.Length != 1
                || callee.DeclaringSyntaxReferences[0].GetSyntax(context.CancellationToken) is not MethodDeclarationSyntax { } declaration
                || (declaration.Body is null && declaration.ExpressionBody is null)
                || solution.GetDocument(declaration.SyntaxTree) is not { } calleeDocument)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Mark '{callee.Name}' [Differentiable]",
                    ct => FixAsync(calleeDocument, declaration, ct),
                    "SymbolicGrad.MarkDifferentiable"),
                diagnostic);
        }
    }

    private static async Task<Solution> FixAsync(Document document, MethodDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document.Project.Solution;
        }

        var types = Syntax.ContainingTypes(declaration).Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword));
        SyntaxNode newRoot = root.ReplaceNodes(
            types.Cast<SyntaxNode>().Append(declaration),
            (_, rewritten) => rewritten switch
            {
                MethodDeclarationSyntax method => AddAttribute(method),
                TypeDeclarationSyntax type => Syntax.WithPartial(type),
                _ => rewritten,
            });
        return document.WithSyntaxRoot(newRoot).Project.Solution;
    }

    /// <summary>Puts <c>[Differentiable]</c> on its own line above the method, with the method's indentation.</summary>
    private static MethodDeclarationSyntax AddAttribute(MethodDeclarationSyntax method)
    {
        SyntaxTriviaList leading = method.GetLeadingTrivia();
        var indentation = SyntaxFactory.TriviaList(leading.Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse());
        AttributeListSyntax attribute = Syntax.AttributeList(Syntax.DifferentiableAttribute)
            .WithLeadingTrivia(leading)
            .WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"));
        MethodDeclarationSyntax bare = method.WithoutLeadingTrivia();
        MethodDeclarationSyntax result = bare.WithAttributeLists(bare.AttributeLists.Insert(0, attribute));
        SyntaxToken next = result.AttributeLists[0].GetLastToken().GetNextToken();
        return result.ReplaceToken(next, next.WithLeadingTrivia(indentation));
    }
}

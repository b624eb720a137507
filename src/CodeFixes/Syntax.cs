using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace SymbolicGrad.CodeFixes;

/// <summary>Small syntax helpers shared by the code fixes.</summary>
internal static class Syntax
{
    public const string DifferentiableAttribute = "SymbolicGrad.DifferentiableAttribute";
    public const string NoDerivativeAttribute = "SymbolicGrad.NoDerivativeAttribute";

    /// <summary>
    /// Adds <c>partial</c> as the last modifier (the compiler wants it right before <c>class</c>, <c>struct</c>,
    /// <c>record</c> or <c>interface</c>), keeping the declaration's comments and indentation.
    /// </summary>
    public static TypeDeclarationSyntax WithPartial(TypeDeclarationSyntax type)
    {
        if (type.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return type;
        }

        if (type.Modifiers.Count == 0)
        {
            // "class C" -> "partial class C": the keyword's leading trivia (indentation, comments) moves to 'partial'.
            SyntaxToken partial = Token(type.Keyword.LeadingTrivia, SyntaxKind.PartialKeyword, TriviaList(Space));
            return type.WithKeyword(type.Keyword.WithLeadingTrivia(SyntaxTriviaList.Empty)).WithModifiers(TokenList(partial));
        }

        return type.WithModifiers(type.Modifiers.Add(Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(Space)));
    }

    /// <summary><c>[global::SymbolicGrad.Name]</c>, reduced by the simplifier to <c>[Name]</c> where a using allows it.</summary>
    public static AttributeListSyntax AttributeList(string qualifiedAttributeName)
    {
        string name = qualifiedAttributeName.EndsWith("Attribute", StringComparison.Ordinal)
            ? qualifiedAttributeName.Substring(0, qualifiedAttributeName.Length - "Attribute".Length)
            : qualifiedAttributeName;
        AttributeSyntax attribute = Attribute(ParseName("global::" + name)).WithAdditionalAnnotations(Simplifier.Annotation);
        return SyntaxFactory.AttributeList(SingletonSeparatedList(attribute));
    }

    /// <summary>Whether the symbol carries the attribute with this full name.</summary>
    public static bool HasAttribute(ISymbol symbol, string fullName) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == fullName);

    /// <summary>The types that contain <paramref name="node"/>, innermost first.</summary>
    public static IEnumerable<TypeDeclarationSyntax> ContainingTypes(SyntaxNode node) =>
        node.AncestorsAndSelf().OfType<TypeDeclarationSyntax>();
}

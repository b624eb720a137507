using Microsoft.CodeAnalysis;

namespace SymbolicGrad.Generator.Discovery;

/// <summary>Facts about symbols that both discovery and lowering need.</summary>
internal static class MethodFacts
{
    public const string DifferentiableAttribute = "SymbolicGrad.DifferentiableAttribute";
    public const string NoDerivativeAttribute = "SymbolicGrad.NoDerivativeAttribute";

    public static bool IsDifferentiable(IMethodSymbol method) =>
        HasAttribute(method.OriginalDefinition, DifferentiableAttribute);

    /// <summary>Does the generated gradient have an output for this parameter: a double or float by value, not [NoDerivative].</summary>
    public static bool IsDifferentiableParameter(IParameterSymbol p) =>
        p.RefKind == RefKind.None
        && p.Type.SpecialType is SpecialType.System_Double or SpecialType.System_Single
        && !HasAttribute(p, NoDerivativeAttribute);

    public static bool HasAttribute(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == metadataName);

    /// <summary>The name of the gradient output for a parameter: d + the name with its first letter upper-cased.</summary>
    public static string OutputName(string parameterName)
    {
        string name = parameterName.TrimStart('@');
        return "d" + char.ToUpperInvariant(name[0]) + name.Substring(1);
    }
}

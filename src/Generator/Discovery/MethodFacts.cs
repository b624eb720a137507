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
        && (IsReal(p.Type) || RealArrayElement(p.Type) is not null)
        && !HasAttribute(p, NoDerivativeAttribute);

    /// <summary>double, float, or a type parameter constrained to IFloatingPointIeee754.</summary>
    public static bool IsReal(ITypeSymbol t) =>
        t.SpecialType is SpecialType.System_Double or SpecialType.System_Single || IsGenericReal(t);

    public static bool IsGenericReal(ITypeSymbol t) =>
        t is ITypeParameterSymbol tp && tp.ConstraintTypes.Any(c => c.OriginalDefinition.ToDisplayString() == "System.Numerics.IFloatingPointIeee754<TSelf>");

    /// <summary>For T[], Span&lt;T&gt; and ReadOnlySpan&lt;T&gt; of a real T: T; otherwise null.</summary>
    public static ITypeSymbol? RealArrayElement(ITypeSymbol t)
    {
        var element = ArrayElement(t);
        return element is not null && IsReal(element) ? element : null;
    }

    /// <summary>Jagged and multi-dimensional arrays of reals (double[][], double[,], Span&lt;double[]&gt;): data only.</summary>
    public static bool HoldsNestedReals(ITypeSymbol t)
    {
        if (t is IArrayTypeSymbol { Rank: > 1 } multi)
        {
            return IsReal(multi.ElementType) || HoldsNestedReals(multi.ElementType);
        }

        var element = ArrayElement(t);
        return element is not null && (RealArrayElement(element) is not null || HoldsNestedReals(element));
    }

    /// <summary>For T[] (rank 1), Span&lt;T&gt; and ReadOnlySpan&lt;T&gt;: T; otherwise null.</summary>
    public static ITypeSymbol? ArrayElement(ITypeSymbol t)
    {
        if (t is IArrayTypeSymbol { Rank: 1 } array)
        {
            return array.ElementType;
        }

        if (t is INamedTypeSymbol { IsGenericType: true } named
            && named.ContainingNamespace?.ToDisplayString() == "System"
            && named.Name is "Span" or "ReadOnlySpan")
        {
            return named.TypeArguments[0];
        }

        return null;
    }

    public static bool IsSpan(ITypeSymbol t) => t is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan" };

    public static bool HasAttribute(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == metadataName);

    /// <summary>The name of the gradient output for a parameter: d + the name with its first letter upper-cased.</summary>
    public static string OutputName(string parameterName)
    {
        string name = parameterName.TrimStart('@');
        return "d" + char.ToUpperInvariant(name[0]) + name.Substring(1);
    }
}

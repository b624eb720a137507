using Microsoft.CodeAnalysis;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>Roslyn types → IR types, and which composite types (structs, tuples, nullables) desugaring takes apart.</summary>
internal static class TypeMap
{
    public const string FloatingPointInterface = "System.Numerics.IFloatingPointIeee754<TSelf>";

    public static readonly SymbolDisplayFormat Qualified = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>A type parameter constrained to floating-point generic math (IFloatingPointIeee754&lt;T&gt;).</summary>
    /// <summary>
    /// A type parameter T constrained to IFloatingPointIeee754&lt;T&gt;, directly or through an interface that extends it
    /// (IBinaryFloatingPointIeee754&lt;T&gt; was a false SG0002; red-team N).
    /// </summary>
    public static bool IsGenericReal(ITypeSymbol t) =>
        t is ITypeParameterSymbol tp && tp.ConstraintTypes.Any(c => IsFloatingPointOf(c, tp)
            || (c.TypeKind == TypeKind.Interface && c.AllInterfaces.Any(i => IsFloatingPointOf(i, tp))));

    private static bool IsFloatingPointOf(ITypeSymbol c, ITypeParameterSymbol tp) =>
        c.OriginalDefinition.ToDisplayString() == FloatingPointInterface && c is INamedTypeSymbol { TypeArguments.Length: 1 } n
        && SymbolEqualityComparer.Default.Equals(n.TypeArguments[0], tp);

    public static bool IsRealSymbol(ITypeSymbol t) => t.SpecialType is SpecialType.System_Double or SpecialType.System_Single || IsGenericReal(t);

    public static bool IsIntegerSymbol(ITypeSymbol t) => t.SpecialType is SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16
        or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
        or SpecialType.System_Char or SpecialType.System_IntPtr or SpecialType.System_UIntPtr || t.TypeKind == TypeKind.Enum;

    /// <summary>For T[] (rank 1), Span&lt;T&gt; and ReadOnlySpan&lt;T&gt;: T.</summary>
    public static ITypeSymbol? VectorElement(ITypeSymbol t)
    {
        if (t is IArrayTypeSymbol { Rank: 1 } array)
        {
            return array.ElementType;
        }

        return IsSpan(t) ? ((INamedTypeSymbol)t).TypeArguments[0] : null;
    }

    /// <summary>
    /// For the matrices a [Differentiable] parameter may be, T[,] and jagged T[][] of a real T: T (and whether it is
    /// jagged). Null for anything else (T[,,], T[][][], T[,][], arrays of spans).
    /// </summary>
    public static ITypeSymbol? MatrixElement(ITypeSymbol t, out bool jagged)
    {
        jagged = false;
        if (t is IArrayTypeSymbol { Rank: 2 } rect && IsRealSymbol(rect.ElementType))
        {
            return rect.ElementType;
        }

        if (t is IArrayTypeSymbol { Rank: 1, ElementType: IArrayTypeSymbol { Rank: 1 } row } && IsRealSymbol(row.ElementType))
        {
            jagged = true;
            return row.ElementType;
        }

        return null;
    }

    public static bool IsSpan(ITypeSymbol t) =>
        t is INamedTypeSymbol { IsGenericType: true, Name: "Span" or "ReadOnlySpan", Arity: 1 } n && n.ContainingNamespace?.ToDisplayString() == "System";

    public static bool IsReadOnlySpan(ITypeSymbol t) => IsSpan(t) && t.Name == "ReadOnlySpan";

    public static bool IsNullableValue(ITypeSymbol t, out ITypeSymbol underlying)
    {
        if (t is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } n)
        {
            underlying = n.TypeArguments[0];
            return true;
        }

        underlying = t;
        return false;
    }

    public static bool IsTuple(ITypeSymbol t) => t is INamedTypeSymbol { IsTupleType: true };

    /// <summary>The instance fields of a struct, in declaration order (auto-properties by their backing fields).</summary>
    public static IReadOnlyList<IFieldSymbol> StructFields(ITypeSymbol t)
    {
        if (t is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            return tuple.TupleElements;
        }

        return t.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).ToList();
    }

    /// <summary>An accessor without a body (get; set; init;, or a positional record property's); one of a compiled type is taken to be one.</summary>
    public static bool IsAutoAccessor(IMethodSymbol? accessor) =>
        accessor is not null && accessor.DeclaringSyntaxReferences.All(r => r.GetSyntax() switch
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.AccessorDeclarationSyntax a => a.Body is null && a.ExpressionBody is null,
            Microsoft.CodeAnalysis.CSharp.Syntax.ParameterSyntax => true,
            _ => false,
        });

    /// <summary>The property an auto-property's backing field belongs to, or the field itself.</summary>
    public static string FieldDisplayName(IFieldSymbol f) => f.AssociatedSymbol?.Name ?? f.Name;

    /// <summary><see cref="FieldDisplayName(IFieldSymbol)"/> for any member: a property or field as the user names it.</summary>
    public static string MemberDisplayName(ISymbol member) => member is IFieldSymbol f ? FieldDisplayName(f) : member.Name;

    /// <summary>
    /// A struct the generator takes apart into its fields: a user value type (not ref-like, not a known BCL
    /// struct), a value tuple, all of whose fields are reals, integers, bools, arrays, data or such structs.
    /// </summary>
    public static bool IsDesugaredStruct(ITypeSymbol t, int depth = 0)
    {
        if (depth > 8 || t.TypeKind != TypeKind.Struct || t.IsRefLikeType || t.SpecialType != SpecialType.None || IsSpan(t) || t.TypeKind == TypeKind.Enum)
        {
            return false;
        }

        if (IsNullableValue(t, out _))
        {
            return false;
        }

        if (t is INamedTypeSymbol { IsTupleType: false } named && named.ContainingNamespace?.ToDisplayString() is { } ns
            && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal)))
        {
            // BCL structs (DateTime, Complex, Vector3...) are data: their fields are private, their math is not ours to know.
            return false;
        }

        if (HasExplicitLayout(t))
        {
            // [StructLayout(LayoutKind.Explicit)] with [FieldOffset]: fields may share storage (a union), so a field is
            // not a value of its own.
            return false;
        }

        foreach (var f in StructFields(t))
        {
            var ft = f.Type;
            if (IsRealSymbol(ft) || IsIntegerSymbol(ft) || ft.SpecialType == SpecialType.System_Boolean || VectorElement(ft) is not null)
            {
                continue;
            }

            if (IsNullableValue(ft, out var underlying) && (IsRealSymbol(underlying) || IsIntegerSymbol(underlying) || underlying.SpecialType == SpecialType.System_Boolean))
            {
                // double? Cached { get => field ?? 0.5; set => field = value; }: a nullable number, as a nullable local is.
                continue;
            }

            if (IsDesugaredStruct(ft, depth + 1) || (ft.IsReferenceType && ft.TypeKind != TypeKind.Dynamic))
            {
                // Nested structs are taken apart too; references (strings, objects) are data fields.
                continue;
            }

            return false;
        }

        return true;
    }

    /// <summary>A struct declared with [StructLayout(LayoutKind.Explicit)] or with a [FieldOffset] field.</summary>
    public static bool HasExplicitLayout(ITypeSymbol t)
    {
        foreach (var a in t.GetAttributes())
        {
            if (a.AttributeClass is { Name: "StructLayoutAttribute" } && a.ConstructorArguments.Length == 1
                && a.ConstructorArguments[0].Value is int kind && kind == 2)
            {
                return true;
            }
        }

        foreach (var member in t.GetMembers())
        {
            if (member is IFieldSymbol { IsStatic: false } field && field.GetAttributes().Any(a => a.AttributeClass is { Name: "FieldOffsetAttribute" }))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The IR type of a scalar or array type; null for composites (structs, tuples, nullables) and unsupported types.</summary>
    public static IrType? Scalar(ITypeSymbol t, Func<ITypeParameterSymbol, ITypeSymbol?> substitute)
    {
        if (t is ITypeParameterSymbol tp)
        {
            var s = substitute(tp);
            if (s is not null && !SymbolEqualityComparer.Default.Equals(s, t))
            {
                return Scalar(s, substitute);
            }

            return IsGenericReal(t) ? IrType.Real(tp.Name) : IrType.Data(tp.Name);
        }

        switch (t.SpecialType)
        {
            case SpecialType.System_Double:
                return IrType.Double;
            case SpecialType.System_Single:
                return IrType.Single;
            case SpecialType.System_Boolean:
                return IrType.Bool;
            case SpecialType.System_String:
                return IrType.String;
            case SpecialType.System_Object:
                return IrType.Object;
        }

        if (IsIntegerSymbol(t))
        {
            return IrType.Integer(t.ToDisplayString(Qualified));
        }

        if (t is IArrayTypeSymbol array)
        {
            var element = ElementType(array.ElementType, substitute);
            return element is null ? null : IrType.ArrayOf(element, ArrayForm.Array, array.Rank);
        }

        if (IsSpan(t))
        {
            var element = ElementType(((INamedTypeSymbol)t).TypeArguments[0], substitute);
            return element is null ? null : IrType.ArrayOf(element, IsReadOnlySpan(t) ? ArrayForm.ReadOnlySpan : ArrayForm.Span);
        }

        if (IsDesugaredStruct(t) || IsTuple(t) || IsNullableValue(t, out _))
        {
            return null;
        }

        return IrType.Data(t.ToDisplayString(Qualified));
    }

    /// <summary>Array elements: reals, integers, bools, arrays of those, or data (never structs: an array of structs is data).</summary>
    private static IrType? ElementType(ITypeSymbol element, Func<ITypeParameterSymbol, ITypeSymbol?> substitute)
    {
        if (IsDesugaredStruct(element) || IsTuple(element) || IsNullableValue(element, out _))
        {
            return IrType.Data(element.ToDisplayString(Qualified));
        }

        return Scalar(element, substitute);
    }
}

namespace SymbolicGrad.Generator.Ir;

/// <summary>What a value is, as far as differentiation cares.</summary>
internal enum ValueKind
{
    /// <summary>double or float: can carry a derivative.</summary>
    Real,

    /// <summary>Any integer type: a constant for differentiation.</summary>
    Integer,

    /// <summary>bool: conditions.</summary>
    Bool,

    /// <summary>Anything else read as data (objects, strings...).</summary>
    Other,

    /// <summary>A one-dimensional array or span (double[], Span&lt;double&gt;, ReadOnlySpan&lt;double&gt;...).</summary>
    Array,
}

/// <summary>The type of an IR value: its kind and its C# spelling.</summary>
internal sealed class IrType
{
    public static readonly IrType Double = new(ValueKind.Real, "double");
    public static readonly IrType Single = new(ValueKind.Real, "float");
    public static readonly IrType Bool = new(ValueKind.Bool, "bool");
    public static readonly IrType Int32 = new(ValueKind.Integer, "int");

    private IrType(ValueKind kind, string csharp, IrType? element = null, bool isSpan = false)
    {
        Kind = kind;
        CSharp = csharp;
        Element = element;
        IsSpan = isSpan;
    }

    /// <summary>For arrays and spans: the element type.</summary>
    public IrType? Element { get; }

    /// <summary>For arrays: true for Span and ReadOnlySpan, false for T[].</summary>
    public bool IsSpan { get; }

    /// <summary>An array whose elements can carry derivatives.</summary>
    public bool IsRealArray => Kind == ValueKind.Array && Element is { IsReal: true };

    public static IrType ArrayOf(IrType element, string csharp, bool isSpan) => new(ValueKind.Array, csharp, element, isSpan);

    /// <summary>A real type other than double and float: a generic type parameter constrained to floating-point math.</summary>
    public static IrType GenericReal(string name) => new(ValueKind.Real, name);

    public bool IsGeneric => Kind == ValueKind.Real && !ReferenceEquals(this, Double) && !ReferenceEquals(this, Single);

    public ValueKind Kind { get; }

    /// <summary>The type as written in generated C# (keywords or fully qualified names).</summary>
    public string CSharp { get; }

    public bool IsReal => Kind == ValueKind.Real;

    public bool IsSingle => ReferenceEquals(this, Single);

    public static IrType Of(ValueKind kind, string csharp)
    {
        return (kind, csharp) switch
        {
            (ValueKind.Real, "double") => Double,
            (ValueKind.Real, "float") => Single,
            (ValueKind.Bool, _) => Bool,
            (ValueKind.Integer, "int") => Int32,
            _ => new IrType(kind, csharp),
        };
    }

    public override string ToString() => CSharp;
}

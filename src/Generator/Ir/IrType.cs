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
}

/// <summary>The type of an IR value: its kind and its C# spelling.</summary>
internal sealed class IrType
{
    public static readonly IrType Double = new(ValueKind.Real, "double");
    public static readonly IrType Single = new(ValueKind.Real, "float");
    public static readonly IrType Bool = new(ValueKind.Bool, "bool");
    public static readonly IrType Int32 = new(ValueKind.Integer, "int");

    private IrType(ValueKind kind, string csharp)
    {
        Kind = kind;
        CSharp = csharp;
    }

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

namespace SymbolicGrad.Generator.Ir;

/// <summary>What a value is, as far as differentiation cares.</summary>
internal enum ValueKind
{
    /// <summary>double, float or a generic-math T: can carry a derivative.</summary>
    Real,

    /// <summary>Any integer type (and char): a constant for differentiation.</summary>
    Int,

    /// <summary>bool: conditions and flags.</summary>
    Bool,

    /// <summary>Anything else, read as data and never differentiated (strings, objects, exceptions...).</summary>
    Data,

    /// <summary>An array or span; its elements may be real (and then carry derivatives), integers, bools or arrays.</summary>
    Array,
}

/// <summary>How an array value is held in C#.</summary>
internal enum ArrayForm
{
    /// <summary>T[] (rank 1) or T[,] (rank &gt; 1).</summary>
    Array,

    /// <summary>Span&lt;T&gt;.</summary>
    Span,

    /// <summary>ReadOnlySpan&lt;T&gt;.</summary>
    ReadOnlySpan,
}

/// <summary>The type of an IR value. Immutable; compared by <see cref="Key"/>.</summary>
internal sealed class IrType : IEquatable<IrType>
{
    public static readonly IrType Double = new(ValueKind.Real, "double");
    public static readonly IrType Single = new(ValueKind.Real, "float");
    public static readonly IrType Bool = new(ValueKind.Bool, "bool");
    public static readonly IrType Int32 = new(ValueKind.Int, "int");
    public static readonly IrType Int64 = new(ValueKind.Int, "long");
    public static readonly IrType String = new(ValueKind.Data, "string");
    public static readonly IrType Object = new(ValueKind.Data, "object");

    private IrType(ValueKind kind, string csharp, IrType? element = null, ArrayForm form = ArrayForm.Array, int rank = 1)
    {
        Kind = kind;
        CSharp = csharp;
        Element = element;
        Form = form;
        Rank = rank;
        Key = kind == ValueKind.Array ? "A" + (int)form + "," + rank + "(" + element!.Key + ")" : ((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture) + csharp;
    }

    public ValueKind Kind { get; }

    /// <summary>The spelling in generated C#: keywords, fully qualified names, type parameter names.</summary>
    public string CSharp { get; }

    /// <summary>For arrays: the element type.</summary>
    public IrType? Element { get; }

    public ArrayForm Form { get; }

    /// <summary>For arrays: 1, or the rank of a multi-dimensional array.</summary>
    public int Rank { get; }

    public string Key { get; }

    public bool IsReal => Kind == ValueKind.Real;

    public bool IsInt => Kind == ValueKind.Int;

    public bool IsBool => Kind == ValueKind.Bool;

    public bool IsArray => Kind == ValueKind.Array;

    public bool IsSingle => ReferenceEquals(this, Single) || (Kind == ValueKind.Real && CSharp == "float");

    public bool IsDouble => Kind == ValueKind.Real && CSharp == "double";

    /// <summary>A real that is neither double nor float: a type parameter constrained to floating-point generic math.</summary>
    public bool IsGeneric => Kind == ValueKind.Real && CSharp != "double" && CSharp != "float";

    /// <summary>An array whose elements are reals: the arrays that carry derivatives.</summary>
    public bool IsRealArray => Kind == ValueKind.Array && Element!.IsReal;

    /// <summary>A one-dimensional array or span.</summary>
    public bool IsVector => Kind == ValueKind.Array && Rank == 1;

    public static IrType Real(string csharp) => csharp switch
    {
        "double" => Double,
        "float" => Single,
        _ => new IrType(ValueKind.Real, csharp),
    };

    public static IrType Integer(string csharp) => csharp switch
    {
        "int" => Int32,
        "long" => Int64,
        _ => new IrType(ValueKind.Int, csharp),
    };

    public static IrType Data(string csharp) => csharp switch
    {
        "string" => String,
        "object" => Object,
        _ => new IrType(ValueKind.Data, csharp),
    };

    public static IrType ArrayOf(IrType element, ArrayForm form, int rank = 1) => new(ValueKind.Array, Spell(element, form, rank), element, form, rank);

    /// <summary>The same elements held as a different form (a span of an array's elements).</summary>
    public IrType WithForm(ArrayForm form) => Kind == ValueKind.Array && form != Form ? ArrayOf(Element!, form, Rank) : this;

    private static string Spell(IrType element, ArrayForm form, int rank) => form switch
    {
        ArrayForm.Span => "global::System.Span<" + element.CSharp + ">",
        ArrayForm.ReadOnlySpan => "global::System.ReadOnlySpan<" + element.CSharp + ">",
        _ => ArraySpelling(element, rank),
    };

    private static string ArraySpelling(IrType element, int rank)
    {
        // C# writes a jagged array's ranks outermost first: (double[])[,] is double[,][].
        string ranks = "[" + new string(',', rank - 1) + "]";
        string e = element.CSharp;
        int bracket = element.Kind == ValueKind.Array && element.Form == ArrayForm.Array ? e.IndexOf('[') : -1;
        return bracket < 0 ? e + ranks : e.Substring(0, bracket) + ranks + e.Substring(bracket);
    }

    public bool Equals(IrType? other) => other is not null && other.Key == Key;

    public override bool Equals(object? obj) => obj is IrType t && Equals(t);

    public override int GetHashCode() => Key.GetHashCode();

    public override string ToString() => CSharp;
}

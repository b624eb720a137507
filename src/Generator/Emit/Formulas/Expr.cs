using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Emit;

/// <summary>What a node of a formula is.</summary>
internal enum ExprKind
{
    /// <summary>A number (<see cref="Expr.Value"/>).</summary>
    Number,

    /// <summary>true or false (<see cref="Expr.Value"/> 1 or 0).</summary>
    Bool,

    /// <summary>A named value: a parameter (or a part of one), a data member, π, an array's length.</summary>
    Symbol,

    /// <summary>An array parameter, as a whole (only inside <see cref="Element"/>).</summary>
    Array,

    /// <summary>The index of the sums (i), bound by <see cref="SumOver"/>.</summary>
    Index,

    /// <summary>A loop's accumulator while its body is read (never in a finished formula).</summary>
    Accumulator,

    /// <summary>Args[0][Args[1]].</summary>
    Element,

    /// <summary>Σ Coefs[k]·Args[k]; the constant term is the coefficient of the number 1.</summary>
    Sum,

    /// <summary>Value · Π Args[k]^Exponents[k].</summary>
    Product,

    /// <summary>A function of Args (<see cref="Expr.Name"/>: exp, ln, sin, max…).</summary>
    Function,

    /// <summary>Args[0] ? Args[1] : Args[2].</summary>
    Select,

    /// <summary>Args[0] <see cref="Expr.Compare"/> Args[1].</summary>
    Compare,

    Not,
    And,
    Or,

    /// <summary>Σ over the index of Args[0], for Args[1] terms (the count, used when the body does not depend on the index).</summary>
    SumOver,

    /// <summary>A value the formulas cannot show (<see cref="Expr.Failure"/>), depending on the symbols in <see cref="Expr.Free"/>.</summary>
    Fail,
}

/// <summary>Why a value cannot be shown.</summary>
internal enum Failure
{
    None,

    /// <summary>An operation or statement the formulas do not model (a call, an integer division, a while loop...).</summary>
    Unsupported,

    /// <summary>A loop other than a sum over an array.</summary>
    Loop,

    /// <summary>More than the formulas may hold (see <see cref="Algebra"/>'s caps).</summary>
    TooLong,
}

/// <summary>
/// A node of a formula. Nodes are made only by <see cref="Algebra"/>, which keeps them in a canonical form and shares
/// equal nodes (hash-consing), so two equal subexpressions are the same object and compare by reference.
/// </summary>
internal sealed class Expr
{
    public Expr(int id, ExprKind kind)
    {
        Id = id;
        Kind = kind;
    }

    /// <summary>The order of creation: deterministic, used to order factors for printing.</summary>
    public int Id { get; }

    public ExprKind Kind { get; }

    /// <summary>A number's value; a product's coefficient.</summary>
    public Number Value { get; set; }

    /// <summary>A symbol's or function's name.</summary>
    public string Name { get; set; } = string.Empty;

    public Expr[] Args { get; set; } = System.Array.Empty<Expr>();

    /// <summary>A sum's coefficients, one per term.</summary>
    public Number[] Coefs { get; set; } = System.Array.Empty<Number>();

    /// <summary>A product's exponents, one per factor.</summary>
    public Expr[] Exponents { get; set; } = System.Array.Empty<Expr>();

    public CmpKind Compare { get; set; }

    public Failure Failure { get; set; }

    /// <summary>Nodes in the tree this node prints as (saturating): bounds every walk over it.</summary>
    public int Size { get; set; } = 1;

    public int Depth { get; set; } = 1;

    /// <summary>Whether a choice (<see cref="ExprKind.Select"/>) is in this node: <see cref="Choices"/> skips a node without one.</summary>
    public bool HasChoice { get; set; }

    /// <summary>The symbols the value depends on; <see cref="Symbols.All"/> for an unknown dependence.</summary>
    public Symbols Free { get; set; } = Symbols.None;

    /// <summary>For symbols, arrays, the index and accumulators: the bit in <see cref="Free"/>.</summary>
    public int Bit { get; set; } = -1;

    public bool IsNumber => Kind == ExprKind.Number;

    public bool IsNumberValue(long v) => Kind == ExprKind.Number && Value.IsExact && Value.D == 1 && Value.N == v;

    public override string ToString() => Kind + "#" + Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>An immutable set of symbol bits, or "all symbols" for a value of unknown dependence.</summary>
internal sealed class Symbols
{
    public static readonly Symbols None = new(System.Array.Empty<ulong>(), false);
    public static readonly Symbols All = new(System.Array.Empty<ulong>(), true);

    private readonly ulong[] _bits;

    private Symbols(ulong[] bits, bool all)
    {
        _bits = bits;
        IsAll = all;
    }

    public bool IsAll { get; }

    public bool IsEmpty => !IsAll && _bits.Length == 0;

    /// <summary>Equal sets have equal keys.</summary>
    public string Key => IsAll ? "*" : string.Join(",", _bits.Select(b => b.ToString("x", System.Globalization.CultureInfo.InvariantCulture)));

    public static Symbols Single(int bit)
    {
        var bits = new ulong[(bit >> 6) + 1];
        bits[bit >> 6] = 1UL << (bit & 63);
        return new Symbols(bits, false);
    }

    public bool Contains(int bit) => IsAll || ((bit >> 6) < _bits.Length && (_bits[bit >> 6] & (1UL << (bit & 63))) != 0);

    /// <summary>Whether the two sets share a symbol (an unknown dependence shares with any set that is not empty).</summary>
    public bool Overlaps(Symbols other)
    {
        if (IsEmpty || other.IsEmpty)
        {
            return false;
        }

        if (IsAll || other.IsAll)
        {
            return true;
        }

        int n = Math.Min(_bits.Length, other._bits.Length);
        for (int i = 0; i < n; i++)
        {
            if ((_bits[i] & other._bits[i]) != 0)
            {
                return true;
            }
        }

        return false;
    }

    public Symbols Union(Symbols other)
    {
        if (IsAll || other.IsEmpty)
        {
            return this;
        }

        if (other.IsAll || IsEmpty)
        {
            return other;
        }

        if (other._bits.Length <= _bits.Length && Covers(other))
        {
            return this;
        }

        if (_bits.Length <= other._bits.Length && other.Covers(this))
        {
            return other;
        }

        var bits = new ulong[Math.Max(_bits.Length, other._bits.Length)];
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = (i < _bits.Length ? _bits[i] : 0) | (i < other._bits.Length ? other._bits[i] : 0);
        }

        return new Symbols(bits, false);
    }

    public Symbols Without(int bit)
    {
        if (IsAll || !Contains(bit))
        {
            return this;
        }

        var bits = (ulong[])_bits.Clone();
        bits[bit >> 6] &= ~(1UL << (bit & 63));
        int length = bits.Length;
        while (length > 0 && bits[length - 1] == 0)
        {
            length--;
        }

        if (length == 0)
        {
            return None;
        }

        if (length < bits.Length)
        {
            System.Array.Resize(ref bits, length);
        }

        return new Symbols(bits, false);
    }

    private bool Covers(Symbols other)
    {
        for (int i = 0; i < other._bits.Length; i++)
        {
            if ((other._bits[i] & ~_bits[i]) != 0)
            {
                return false;
            }
        }

        return true;
    }
}

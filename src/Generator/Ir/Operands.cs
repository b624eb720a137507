using System.Globalization;

namespace SymbolicGrad.Generator.Ir;

/// <summary>An operand of an instruction: a variable or a constant.</summary>
internal abstract class Operand
{
    protected Operand(IrType type) => Type = type;

    public IrType Type { get; }
}

/// <summary>What a variable is for: decides its printed name and how passes may treat it.</summary>
internal enum VarRole
{
    /// <summary>A parameter of the user's method.</summary>
    Parameter,

    /// <summary>A value named after one of the user's locals (r, sum).</summary>
    Local,

    /// <summary>An anonymous intermediate (t0, t1...).</summary>
    Temp,

    /// <summary>An adjoint (xBar) or an adjoint accumulator.</summary>
    Adjoint,

    /// <summary>A tangent (xDot).</summary>
    Tangent,

    /// <summary>Bookkeeping: counters, flags, stacks, scratch buffers.</summary>
    Internal,

    /// <summary>A gradient output parameter (dX) or another output of the generated method.</summary>
    Output,
}

/// <summary>
/// A variable. Forward values are SSA (assigned once); <see cref="Mutable"/> variables (loop-carried values,
/// adjoint accumulators, flags, counters) may be assigned many times. Names are given by the emitter from
/// <see cref="Hint"/> and counters, never taken from the user's symbols directly.
/// </summary>
internal sealed class Var : Operand
{
    public Var(int id, string hint, IrType type, VarRole role, bool mutable)
        : base(type)
    {
        Id = id;
        Hint = hint;
        Role = role;
        Mutable = mutable;
    }

    /// <summary>Unique within a method; the order of creation.</summary>
    public int Id { get; }

    /// <summary>A stem for the printed name: the user's local name, "t", "value"...</summary>
    public string Hint { get; set; }

    public VarRole Role { get; set; }

    public bool Mutable { get; set; }

    /// <summary>For adjoints and tangents: the value they belong to (for naming).</summary>
    public Var? Of { get; set; }

    /// <summary>The printed name, assigned by the emitter.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// The statement the front end was lowering when it made this variable (its header for an if, a loop or a switch),
    /// when known: where a later pass's refusal of the value points, instead of at the method's name.
    /// </summary>
    public SymbolicGrad.Generator.Models.DiagnosticInfo? At { get; set; }

    public override string ToString() => Name ?? Hint + "#" + Id.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Equality stays reference equality; the hash is the id, which a variable keeps for life. The passes key their
    /// maps by variable, and the object hash's first use per object (a header write) was a tenth of the optimizer's time.
    /// </summary>
    public override int GetHashCode() => Id;
}

/// <summary>A real constant (double, float or T).</summary>
internal sealed class Const : Operand
{
    public Const(double value, IrType type)
        : base(type)
    {
        Value = type.IsSingle ? (float)value : value;
    }

    public double Value { get; }

    public bool Is(double v) => BitConverter.DoubleToInt64Bits(Value) == BitConverter.DoubleToInt64Bits(v) || (v == 0 && Value == 0 && v.Equals(Value));

    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A literal of a non-real type, printed as written: 3, 7L, true, "text", null, default.</summary>
internal sealed class Lit : Operand
{
    public static readonly Lit True = new("true", IrType.Bool);
    public static readonly Lit False = new("false", IrType.Bool);

    public Lit(string text, IrType type)
        : base(type) => Text = text;

    public string Text { get; }

    public static Lit Int(long value) => new(value.ToString(CultureInfo.InvariantCulture), IrType.Int32);

    public static Lit Bool(bool value) => value ? True : False;

    /// <summary>The integer value when this is a plain int literal.</summary>
    public bool TryInt(out long value) => long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public override string ToString() => Text;
}

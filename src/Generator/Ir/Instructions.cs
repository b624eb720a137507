namespace SymbolicGrad.Generator.Ir;

/// <summary>
/// The operations of the IR. Real operations up to <see cref="Opcode.Select"/> have derivative rules
/// (Rules/DerivativeRules.cs); the others carry no derivative (integers, bools, data) or move values around.
/// </summary>
internal enum Opcode
{
    // Real arithmetic and math: differentiated.
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Neg,

    /// <summary>A conversion between real types (float ↔ double).</summary>
    Convert,
    Exp,
    Exp2,
    Exp10,
    ExpM1,
    Log,

    /// <summary>Log(a, newBase).</summary>
    LogBase,
    Log10,
    Log2,
    LogP1,
    Sqrt,
    Cbrt,

    /// <summary>RootN(x, n) with an integer n.</summary>
    RootN,
    Pow,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Atan2,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    SinPi,
    CosPi,
    TanPi,
    AsinPi,
    AcosPi,
    AtanPi,
    Atan2Pi,
    Exp2M1,
    Exp10M1,
    Log2P1,
    Log10P1,

    /// <summary>MaxMagnitude, MinMagnitude: the argument of larger (smaller) magnitude.</summary>
    MaxMagnitude,
    MinMagnitude,

    /// <summary>MaxNumber, MinNumber: Max and Min that prefer a number to NaN.</summary>
    MaxNumber,
    MinNumber,
    Abs,
    Max,
    Min,
    Clamp,
    Fma,
    Hypot,
    CopySign,

    /// <summary>ScaleB(x, n) = x·2ⁿ with an integer n.</summary>
    ScaleB,
    IeeeRemainder,
    Lerp,
    DegreesToRadians,
    RadiansToDegrees,

    /// <summary>BitIncrement, BitDecrement: derivative 1.</summary>
    BitIncrement,
    BitDecrement,
    Floor,
    Ceiling,
    Round,

    /// <summary>Round(x, digits) with an integer digits: a step function.</summary>
    RoundDigits,
    Truncate,

    /// <summary>cond ? a : b for any type; for reals the derivative flows to the branch selected.</summary>
    Select,

    /// <summary>The value itself (a move, or a view of an array as another form).</summary>
    Copy,

    // Integers and bools: never differentiated.
    IAdd,
    ISub,
    IMul,
    IDiv,
    IRem,
    INeg,
    BitAnd,
    BitOr,
    BitXor,
    BitNot,
    Shl,
    Shr,
    UShr,

    /// <summary>A comparison (<see cref="CmpKind"/> in the payload).</summary>
    Cmp,
    Not,

    /// <summary>Non-short-circuit and (both operands are already evaluated).</summary>
    And,
    Or,
    Xor,

    /// <summary>A numeric conversion that carries no derivative: to or between integer types, or integer → real.</summary>
    Cast,

    // Arrays.

    /// <summary>Args[0][Args[1], ...].</summary>
    Load,

    /// <summary>Args[0].Length.</summary>
    Length,

    /// <summary>Args[0].GetLength(Args[1]).</summary>
    GetLength,

    /// <summary>Args[0].Slice(Args[1], Args[2]) (or the same view of an array).</summary>
    Slice,

    /// <summary>A new array of Args (lengths), zeroed (<see cref="AllocInfo"/> in the payload).</summary>
    Alloc,

    // Opaque data and calls.

    /// <summary>A data expression printed from a template with operand holes (<see cref="OpaqueInfo"/>).</summary>
    Opaque,

    /// <summary>A call through a compiled gradient (<see cref="CallInfo"/>).</summary>
    Call,

    /// <summary>The value pushed last on a tape (<see cref="StackInfo"/>).</summary>
    Pop,
}

internal enum CmpKind
{
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// <summary>How a local array is stored.</summary>
internal enum AllocKind
{
    /// <summary>new T[n] on the heap.</summary>
    Heap,

    /// <summary>A pooled scratch buffer reused by every execution of the allocation (a span).</summary>
    Scratch,
}

/// <summary>One instruction: an operation, its operands and its result type.</summary>
internal sealed class Instr
{
    public Instr(Opcode op, IrType type, Operand[] args, object? data = null, string? source = null)
    {
        Op = op;
        Type = type;
        Args = args;
        Data = data;
        Source = source;
    }

    public Opcode Op { get; }

    public IrType Type { get; }

    public Operand[] Args { get; }

    /// <summary>
    /// The payload: <see cref="CmpKind"/> for <see cref="Opcode.Cmp"/>, true for checked integer arithmetic,
    /// <see cref="AllocInfo"/>, <see cref="OpaqueInfo"/>, <see cref="CallInfo"/>, <see cref="StackInfo"/>.
    /// </summary>
    public object? Data { get; }

    /// <summary>The user's source text, for comments.</summary>
    public string? Source { get; }

    public bool IsRealMath => Op <= Opcode.Select && Type.IsReal;

    public CmpKind Cmp => (CmpKind)Data!;

    public bool Checked => Data is true;

    public Instr With(Operand[] args) => new(Op, Type, args, Data, Source);

    /// <summary>Pure: no side effects and no exceptions, so it may be moved, repeated or removed.</summary>
    public bool IsPure => Op switch
    {
        Opcode.Opaque => ((OpaqueInfo)Data!).Pure,
        Opcode.Call or Opcode.Pop or Opcode.Alloc => false,
        Opcode.IDiv or Opcode.IRem => false,
        Opcode.IAdd or Opcode.ISub or Opcode.IMul or Opcode.INeg or Opcode.Cast => !Checked,
        Opcode.Load or Opcode.Slice or Opcode.GetLength => false,
        _ => true,
    };

    /// <summary>Free of side effects (it may throw, e.g. an index out of range): may be removed when unused, not moved.</summary>
    public bool IsEffectFree => IsPure || Op is Opcode.Load or Opcode.Length or Opcode.Slice or Opcode.GetLength or Opcode.IDiv or Opcode.IRem
        || (Op is Opcode.IAdd or Opcode.ISub or Opcode.IMul or Opcode.INeg or Opcode.Cast)
        || (Op == Opcode.Opaque && ((OpaqueInfo)Data!).EffectFree);
}

internal sealed class AllocInfo
{
    public AllocInfo(AllocKind kind, Var? buffer)
    {
        Kind = kind;
        Buffer = buffer;
    }

    public AllocKind Kind { get; }

    /// <summary>For scratch storage: the pooled buffer (declared at the method's start).</summary>
    public Var? Buffer { get; }
}

/// <summary>
/// A data expression the generator does not interpret: C# text with holes for operands (member reads, exception
/// constructions, interpolated strings, calls on data). The text refers to no local of the user's (those are the
/// operands) and names every type and static member fully qualified, so generated names cannot capture it.
/// </summary>
internal sealed class OpaqueInfo
{
    public OpaqueInfo(string[] parts, bool pure, bool effectFree)
    {
        Parts = parts;
        Pure = pure;
        EffectFree = effectFree;
    }

    /// <summary>Text around the holes: Parts.Length = number of operands + 1.</summary>
    public string[] Parts { get; }

    /// <summary>No side effects and no exceptions (a constant, a field read of this).</summary>
    public bool Pure { get; }

    /// <summary>No side effects, though it may throw (a property of data).</summary>
    public bool EffectFree { get; }

    /// <summary>A step function of real arguments (a rounding call): a real result whose derivative is zero.</summary>
    public bool Step { get; init; }

    public string Key => string.Join("\u0001", Parts) + (Pure ? "p" : EffectFree ? "e" : "x") + (Step ? "s" : string.Empty);
}

/// <summary>A call to a method whose derivative is available compiled: a [Differentiable] method of another assembly, or a custom derivative.</summary>
internal sealed class CallInfo
{
    public CallInfo(string function, string gradient, string receiver, Var[] partials, bool[] differentiable, IrType[] parameterTypes, string description)
    {
        Function = function;
        Gradient = gradient;
        Receiver = receiver;
        Partials = partials;
        Differentiable = differentiable;
        ParameterTypes = parameterTypes;
        Description = description;
    }

    /// <summary>The method's name (for the value alone).</summary>
    public string Function { get; }

    /// <summary>The name of the method that returns the value and writes the partials (NameGradient, or the custom derivative).</summary>
    public string Gradient { get; }

    /// <summary>A fully qualified type for static calls, or text for the instance (data).</summary>
    public string Receiver { get; }

    /// <summary>Per differentiable parameter, in order: its partial (a real, or a real array the call writes).</summary>
    public Var[] Partials { get; }

    public bool[] Differentiable { get; }

    public IrType[] ParameterTypes { get; }

    /// <summary>Type.Method, for comments.</summary>
    public string Description { get; }
}

/// <summary>A tape: one pooled stack per element type.</summary>
internal sealed class StackInfo
{
    public StackInfo(Var stack, Var? pushed = null)
    {
        Stack = stack;
        Pushed = pushed;
    }

    public Var Stack { get; }

    /// <summary>
    /// On a Pop: the forward value whose push it takes back (the same array, for arrays). Not a read (the value is not
    /// in scope where the pop is): forward mode uses it to give the pushed array and the popped one the same tangent
    /// treatment, as a stack of one element type holds arrays of many classes.
    /// </summary>
    public Var? Pushed { get; }
}

/// <summary>
/// The payload of a Slice, Length or GetLength recomputed where its operands may not exist (the top of a reverse
/// iteration, for a view the forward iteration took under a branch): printed with the runtime's GuardedViews, which give
/// an empty view or a zero length instead of throwing.
/// </summary>
internal sealed class GuardedView
{
    public static readonly GuardedView Instance = new();

    private GuardedView()
    {
    }
}

/// <summary>
/// The payload of the Select the reverse sweep writes around a contribution ∂v/∂a·v̄ when v̄ may be exactly zero
/// (<c>v̄ == 0 ? 0 : ∂v/∂a·v̄</c>, so that a partial that is infinite or NaN where v is not used contributes nothing).
/// Forward mode over the reverse sweep (Hessian-vector products) reads it: the condition is not a branch of the
/// function but a test of an adjoint, whose tangent need not be zero where the adjoint is (a residual that is zero at
/// a least-squares minimum), so the tangent keeps ∂v/∂a·v̄̇ unless v̄̇ is zero too.
/// </summary>
internal sealed class ZeroAdjointGuard
{
    public static readonly ZeroAdjointGuard Instance = new();

    private ZeroAdjointGuard()
    {
    }
}

/// <summary>
/// The data of a <see cref="Opcode.Clamp"/> the source wrote as <c>Math.Clamp</c>: printed as <c>Math.Clamp</c>, which
/// returns the value itself when it equals a bound (<c>Math.Clamp(-0.0, 0.0, 1.0)</c> is −0.0), where
/// <c>double.Clamp</c> returns +0.0. The gradient's value keeps the method's bits.
/// </summary>
internal sealed class MathClamp
{
    public static readonly MathClamp Instance = new();

    private MathClamp()
    {
    }
}

using System.Globalization;

namespace SymbolicGrad.Generator.Ir;

/// <summary>An expression of the IR. Atoms are constants, variables and inline expressions that carry no derivative.</summary>
internal abstract class Expr
{
    protected Expr(IrType type) => Type = type;

    public IrType Type { get; }

    /// <summary>A key that is equal for structurally equal expressions (used for common-subexpression elimination).</summary>
    public abstract string Key { get; }

    public override string ToString() => Key;
}

/// <summary>A real constant.</summary>
internal sealed class ConstExpr : Expr
{
    public ConstExpr(double value, IrType type)
        : base(type)
    {
        Value = type.IsSingle ? (float)value : value;
    }

    public double Value { get; }

    public override string Key => "c" + BitConverter.DoubleToInt64Bits(Value).ToString(CultureInfo.InvariantCulture) + Type.CSharp;

    public bool Is(double v) => Value.Equals(v);
}

/// <summary>A literal of a non-real type (an integer, a bool, null...).</summary>
internal sealed class LiteralExpr : Expr
{
    public LiteralExpr(string text, IrType type)
        : base(type) => Text = text;

    public string Text { get; }

    public override string Key => "l" + Text;
}

/// <summary>A reference to a variable.</summary>
internal sealed class VarExpr : Expr
{
    public VarExpr(Var var)
        : base(var.Type) => Var = var;

    public Var Var { get; }

    public override string Key => "v" + Var.Id.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Array[Index]: reads an element of an array or span.</summary>
internal sealed class ElementExpr : Expr
{
    private static int _unique;

    public ElementExpr(Var array, Expr index, bool readOnlyArray)
        : base(array.Type.Element ?? IrType.Double)
    {
        Array = array;
        Index = index;
        // Elements of arrays the method writes must never be taken for one another across a write.
        _key = readOnlyArray ? "e" + array.Id.ToString(CultureInfo.InvariantCulture) + "[" + index.Key + "]" : "e#" + System.Threading.Interlocked.Increment(ref _unique).ToString(CultureInfo.InvariantCulture);
    }

    private readonly string _key;

    public Var Array { get; }

    public Expr Index { get; }

    public override string Key => _key;
}

/// <summary>A real operation from <see cref="Op"/>.</summary>
internal sealed class OpExpr : Expr
{
    public OpExpr(Op op, Expr[] args, IrType type, string? source = null)
        : base(type)
    {
        Op = op;
        Args = args;
        Source = source;
    }

    public Op Op { get; }

    public Expr[] Args { get; }

    /// <summary>The user's source text for this operation, for comments.</summary>
    public string? Source { get; }

    public override string Key => Op + "<" + Type.CSharp + ">(" + string.Join(",", Args.Select(a => a.Key)) + ")";
}

/// <summary>How an inline (non-differentiated) expression is printed.</summary>
internal enum InlineForm
{
    /// <summary>a op b.</summary>
    Binary,

    /// <summary>op a.</summary>
    Prefix,

    /// <summary>(T)a.</summary>
    Cast,

    /// <summary>Target(args).</summary>
    Call,

    /// <summary>c ? a : b.</summary>
    Conditional,

    /// <summary>Text as is (static member reads, this).</summary>
    Text,

    /// <summary>Args[0].Token: an instance member read.</summary>
    Member,

    /// <summary>Args[0][Args[1], ...]: an element of a data array (never differentiated).</summary>
    Index,

    /// <summary>Args[0].Token(Args[1], ...): an integer query on a data array (GetLength).</summary>
    MethodCall,
}

/// <summary>
/// An expression that never carries a derivative: integer and bool arithmetic, comparisons, conditions, casts
/// from integers, data reads, and calls whose results are constants for differentiation. It is printed in
/// place, with the user's operators, so that short-circuiting and integer semantics are preserved.
/// </summary>
internal sealed class InlineExpr : Expr
{
    public InlineExpr(InlineForm form, string token, Expr[] args, IrType type, int precedence)
        : base(type)
    {
        Form = form;
        Token = token;
        Args = args;
        Precedence = precedence;
    }

    public InlineForm Form { get; }

    /// <summary>The operator, the cast type, the call target or the text.</summary>
    public string Token { get; }

    public Expr[] Args { get; }

    /// <summary>C# precedence of the top operator (higher binds tighter).</summary>
    public int Precedence { get; }

    public override string Key => "i" + Form + "[" + Token + "](" + string.Join(",", Args.Select(a => a.Key)) + ")";
}

/// <summary>A call to another <c>[Differentiable]</c> method, differentiated through its generated gradient.</summary>
internal sealed class CallExpr : Expr
{
    public CallExpr(CallTarget target, Expr[] args, string? source)
        : base(target.ReturnType)
    {
        Target = target;
        Args = args;
        Source = source;
    }

    public CallTarget Target { get; }

    public Expr[] Args { get; }

    public string? Source { get; }

    public override string Key => "call " + Target.Receiver + "." + Target.Name + "(" + string.Join(",", Args.Select(a => a.Key)) + ")";
}

/// <summary>What the generated code needs to know to call a <c>[Differentiable]</c> method and its gradient.</summary>
internal sealed class CallTarget
{
    public CallTarget(string receiver, string name, IrType returnType, bool[] differentiable, IrType[] parameterTypes, string[] parameterNames)
    {
        HasArrays = differentiable.Where((d, i) => d && parameterTypes[i].Kind == ValueKind.Array).Any();
        Receiver = receiver;
        Name = name;
        ReturnType = returnType;
        Differentiable = differentiable;
        ParameterTypes = parameterTypes;
        ParameterNames = parameterNames;
    }

    /// <summary><c>global::Ns.Type</c>, <c>this</c> or an instance expression.</summary>
    public string Receiver { get; }

    public string Name { get; }

    public IrType ReturnType { get; }

    /// <summary>Per parameter: does the generated gradient have an output for it.</summary>
    public bool[] Differentiable { get; }

    public IrType[] ParameterTypes { get; }

    public string[] ParameterNames { get; }

    /// <summary>Some differentiable parameter is an array or span: the gradient writes it into a Span.</summary>
    public bool HasArrays { get; }
}

internal static class ExprExtensions
{
    public static bool IsConst(this Expr e, double value) => e is ConstExpr c && c.Is(value);

    public static bool IsActive(this Expr e) => e switch
    {
        VarExpr v => v.Var.Active,
        OpExpr o => o.Args.Any(IsActive),
        CallExpr c => c.Args.Any(IsActive),
        ElementExpr el => el.Array.Active,
        _ => false,
    };

    /// <summary>True for expressions the builder treats as atoms (never bound to a temporary).</summary>
    public static bool IsAtom(this Expr e) => e is ConstExpr or LiteralExpr or VarExpr or InlineExpr;

    public static IEnumerable<Var> Vars(this Expr e)
    {
        switch (e)
        {
            case VarExpr v:
                yield return v.Var;
                break;
            case OpExpr o:
                foreach (var a in o.Args)
                {
                    foreach (var v in a.Vars())
                    {
                        yield return v;
                    }
                }

                break;
            case InlineExpr i:
                foreach (var a in i.Args)
                {
                    foreach (var v in a.Vars())
                    {
                        yield return v;
                    }
                }

                break;
            case CallExpr c:
                foreach (var a in c.Args)
                {
                    foreach (var v in a.Vars())
                    {
                        yield return v;
                    }
                }

                break;
            case ElementExpr el:
                yield return el.Array;
                foreach (var v in el.Index.Vars())
                {
                    yield return v;
                }

                break;
        }
    }

    /// <summary>Rebuilds <paramref name="e"/> with every variable reference passed through <paramref name="map"/>.</summary>
    public static Expr Substitute(this Expr e, Func<Var, Expr?> map)
    {
        switch (e)
        {
            case VarExpr v:
                return map(v.Var) ?? e;
            case OpExpr o:
                return new OpExpr(o.Op, o.Args.Select(a => a.Substitute(map)).ToArray(), o.Type, o.Source);
            case InlineExpr i:
                return i.Args.Length == 0 ? e : new InlineExpr(i.Form, i.Token, i.Args.Select(a => a.Substitute(map)).ToArray(), i.Type, i.Precedence);
            case CallExpr c:
                return new CallExpr(c.Target, c.Args.Select(a => a.Substitute(map)).ToArray(), c.Source);
            case ElementExpr el:
                var array = map(el.Array) is VarExpr { Var: var mapped } ? mapped : el.Array;
                return new ElementExpr(array, el.Index.Substitute(map), el.Key.StartsWith("e#", StringComparison.Ordinal) == false);
            default:
                return e;
        }
    }
}

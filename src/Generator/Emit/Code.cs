using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Emit;

/// <summary>The generated method body before printing: statements over IR expressions, in blocks.</summary>
internal abstract class CStmt
{
    /// <summary>Comment lines printed above the statement; functions because they name variables, which are named at print time.</summary>
    public List<Func<string>> Comments { get; } = new();

    public string? Comment
    {
        set
        {
            if (value is not null)
            {
                Comments.Add(() => value);
            }
        }
    }
}

/// <summary><c>T v = e;</c>, or <c>v = e;</c> once the declaration has been hoisted.</summary>
internal sealed class CLet : CStmt
{
    public CLet(Var var, Expr value)
    {
        Var = var;
        Value = value;
    }

    public Var Var { get; }

    public Expr Value { get; set; }

    public bool Hoisted { get; set; }
}

/// <summary><c>T v;</c> (or <c>T v = default;</c> when <see cref="Initialize"/>).</summary>
internal sealed class CDeclare : CStmt
{
    public CDeclare(Var var, bool initialize)
    {
        Var = var;
        Initialize = initialize;
    }

    public Var Var { get; }

    public bool Initialize { get; }
}

/// <summary><c>v = e;</c> for a variable declared elsewhere.</summary>
internal sealed class CAssign : CStmt
{
    public CAssign(Var var, Expr value)
    {
        Var = var;
        Value = value;
    }

    public Var Var { get; }

    public Expr Value { get; set; }
}

/// <summary><c>v += e;</c> on an adjoint accumulator.</summary>
internal sealed class CAccumulate : CStmt
{
    public CAccumulate(Var var, Expr value)
    {
        Var = var;
        Value = value;
    }

    public Var Var { get; }

    public Expr Value { get; set; }
}

/// <summary><c>T v = Receiver.NameGradient(args, out T p0, out _, ...);</c></summary>
internal sealed class CCall : CStmt
{
    public CCall(Var var, CallExpr call, Var?[] partials)
    {
        Var = var;
        Call = call;
        Partials = partials;
    }

    public Var Var { get; }

    public CallExpr Call { get; set; }

    /// <summary>One per differentiable parameter of the callee: the variable receiving ∂callee/∂param, or null for <c>out _</c>.</summary>
    public Var?[] Partials { get; }
}

/// <summary><c>dX = e;</c> for a gradient output.</summary>
internal sealed class COutput : CStmt
{
    public COutput(string name, Expr value)
    {
        Name = name;
        Value = value;
    }

    public string Name { get; }

    public Expr Value { get; set; }
}

internal sealed class CIf : CStmt
{
    public CIf(Expr condition, CBlock then, CBlock @else)
    {
        Condition = condition;
        Then = then;
        Else = @else;
    }

    public Expr Condition { get; set; }

    public CBlock Then { get; }

    public CBlock Else { get; }
}

internal sealed class CReturn : CStmt
{
    public CReturn(Expr value) => Value = value;

    public Expr Value { get; set; }
}

internal sealed class CThrow : CStmt
{
    public CThrow(string text) => Text = text;

    public string Text { get; }
}

/// <summary>A comment line on its own (section headers).</summary>
internal sealed class CComment : CStmt
{
    public CComment(string text) => Comment = text;
}

internal sealed class CBlock
{
    public List<CStmt> Statements { get; } = new();

    public void Add(CStmt s) => Statements.Add(s);
}

internal static class CodeExtensions
{
    /// <summary>The expressions a statement reads.</summary>
    public static IEnumerable<Expr> Reads(this CStmt s) => s switch
    {
        CLet l => new[] { l.Value },
        CAssign a => new[] { a.Value },
        CAccumulate a => new[] { a.Value, new VarExpr(a.Var) },
        CCall c => new Expr[] { c.Call },
        COutput o => new[] { o.Value },
        CIf i => new[] { i.Condition },
        CReturn r => new[] { r.Value },
        _ => Array.Empty<Expr>(),
    };

    /// <summary>Rewrites the expressions a statement reads.</summary>
    public static void Rewrite(this CStmt s, Func<Expr, Expr> f)
    {
        switch (s)
        {
            case CLet l:
                l.Value = f(l.Value);
                break;
            case CAssign a:
                a.Value = f(a.Value);
                break;
            case CAccumulate a:
                a.Value = f(a.Value);
                break;
            case CCall c:
                c.Call = (CallExpr)f(c.Call);
                break;
            case COutput o:
                o.Value = f(o.Value);
                break;
            case CIf i:
                i.Condition = f(i.Condition);
                break;
            case CReturn r:
                r.Value = f(r.Value);
                break;
        }
    }

    /// <summary>The variables a statement declares.</summary>
    public static IEnumerable<Var> Declares(this CStmt s) => s switch
    {
        CLet l => new[] { l.Var },
        CDeclare d => new[] { d.Var },
        CCall c => new[] { c.Var }.Concat(c.Partials.Where(p => p is not null).Select(p => p!)),
        _ => Array.Empty<Var>(),
    };
}

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

    /// <summary>This block with <paramref name="statements"/> appended (for walking a range of statements).</summary>
    public CBlock With(IEnumerable<CStmt> statements)
    {
        Statements.AddRange(statements);
        return this;
    }
}

internal static class CodeExtensions
{
    /// <summary>The expressions a statement reads.</summary>
    public static IEnumerable<Expr> Reads(this CStmt s) => s switch
    {
        CGradientCall g => new Expr[] { g.Call, g.Adjoint }.Concat(g.Arrays.Where(a => a?.Adjoint is not null).Select(a => (Expr)new VarExpr(a!.Value.Adjoint!))),
        CLoop loop => (loop.Condition is null ? Array.Empty<Expr>() : new[] { loop.Condition }).Concat(loop.Step.Select(x => x.Value)).Concat(loop.Step.Select(x => (Expr)new VarExpr(x.Target))),
        CReverseLoop r => new Expr[] { new VarExpr(r.Info.Count) },
        CPush p => new[] { p.Value, new VarExpr(p.Stack) },
        CPop p => new Expr[] { new VarExpr(p.Stack) },
        CReserve r => new[] { r.Start, r.Bound, new VarExpr(r.Stack) },
        CStack st when st.Dispose => new Expr[] { new VarExpr(st.Stack) },
        CArray a => new[] { a.Length },
        CReturnBuffer b => new Expr[] { new VarExpr(b.Array) },
        CElement e => new[] { e.Index, e.Value, new VarExpr(e.Array) },
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
            case CLoop loop:
                if (loop.Condition is not null)
                {
                    loop.Condition = f(loop.Condition);
                }

                for (int i = 0; i < loop.Step.Count; i++)
                {
                    loop.Step[i] = (loop.Step[i].Target, f(loop.Step[i].Value));
                }

                break;
            case CPush p:
                p.Value = f(p.Value);
                break;
            case CReserve r:
                r.Start = f(r.Start);
                r.Bound = f(r.Bound);
                break;
            case CGradientCall g:
                g.Call = (CallExpr)f(g.Call);
                g.Adjoint = f(g.Adjoint);
                break;
            case CArray a:
                a.Length = f(a.Length);
                break;
            case CElement e:
                e.Index = f(e.Index);
                e.Value = f(e.Value);
                break;
        }
    }

    /// <summary>The blocks nested directly in a statement.</summary>
    public static IEnumerable<CBlock> Children(this CStmt s) => s switch
    {
        CIf i => new[] { i.Then, i.Else },
        CLoop l => new[] { l.Body },
        CReverseLoop r => new[] { r.Body },
        _ => Array.Empty<CBlock>(),
    };

    /// <summary>Variables a statement assigns without declaring them.</summary>
    public static IEnumerable<Var> Assigns(this CStmt s) => s switch
    {
        CAssign a => new[] { a.Var },
        CAccumulate a => new[] { a.Var },
        CGradientCall g => g.Partials.Where(p => p is not null).Select(p => p!),
        CLet { Var.DeclaredSeparately: true } l => new[] { l.Var },
        CLoop l => l.Step.Select(x => x.Target),
        _ => Array.Empty<Var>(),
    };

    /// <summary>The variables a statement declares.</summary>
    public static IEnumerable<Var> Declares(this CStmt s) => s switch
    {
        CPop p => new[] { p.Var },
        CGradientCall g => g.Arrays.Where(a => a is not null).SelectMany(a => new[] { a!.Value.Buffer, a.Value.Index }),
        CStack { Dispose: false } st => new[] { st.Stack },
        CArray a => new[] { a.Array },
        CReverseLoop r => new[] { r.K },
        CLet l => new[] { l.Var },
        CDeclare d => new[] { d.Var },
        CCall c => new[] { c.Var }.Concat(c.Partials.Where(p => p is not null).Select(p => p!)),
        _ => Array.Empty<Var>(),
    };
}

/// <summary>What ties a forward loop to its reverse: filled by the builder, read by the transfer pass.</summary>
internal sealed class LoopInfo
{
    public LoopInfo(Ir.LoopStmt loop, Var count)
    {
        Loop = loop;
        Count = count;
    }

    public Ir.LoopStmt Loop { get; }

    /// <summary>How many iterations started.</summary>
    public Var Count { get; }

    public CLoop? Forward { get; set; }

    public CReverseLoop? Reverse { get; set; }
}

/// <summary>The user's loop: for (; Condition; Step) { Body }, while, or do-while.</summary>
internal sealed class CLoop : CStmt
{
    public CLoop(LoopInfo info, Ir.IrLoopKind kind, Expr? condition, List<(Var Target, Expr Value)> step, CBlock body)
    {
        Info = info;
        Kind = kind;
        Condition = condition;
        Step = step;
        Body = body;
    }

    public LoopInfo Info { get; }

    public Ir.IrLoopKind Kind { get; }

    public Expr? Condition { get; set; }

    public List<(Var Target, Expr Value)> Step { get; }

    public CBlock Body { get; }
}

/// <summary>for (int k = Count - 1; k &gt;= 0; k--) { Body }: the iterations of a loop, last first.</summary>
internal sealed class CReverseLoop : CStmt
{
    public CReverseLoop(LoopInfo info, Var k, CBlock body)
    {
        Info = info;
        K = k;
        Body = body;
    }

    public LoopInfo Info { get; }

    public Var K { get; }

    public CBlock Body { get; }
}

/// <summary>continue; or break; out of the loop of <see cref="Info"/>.</summary>
internal sealed class CJump : CStmt
{
    public CJump(LoopInfo info, bool isBreak)
    {
        Info = info;
        IsBreak = isBreak;
    }

    public LoopInfo Info { get; }

    public bool IsBreak { get; }
}

/// <summary>Marks the end of a loop body reached by falling through (prints nothing; values to keep are pushed here).</summary>
internal sealed class CEndOfIteration : CStmt
{
    public CEndOfIteration(LoopInfo info) => Info = info;

    public LoopInfo Info { get; }
}

/// <summary>Stack.Push(Value);</summary>
internal sealed class CPush : CStmt
{
    public CPush(Var stack, Expr value)
    {
        Stack = stack;
        Value = value;
    }

    public Var Stack { get; }

    public Expr Value { get; set; }
}

/// <summary>T Var = Stack.Pop();</summary>
internal sealed class CPop : CStmt
{
    public CPop(Var var, Var stack)
    {
        Var = var;
        Stack = stack;
    }

    public Var Var { get; }

    public Var Stack { get; }
}

/// <summary>var Stack = new ValueStack&lt;T&gt;(16); and its disposal.</summary>
internal sealed class CStack : CStmt
{
    public CStack(Var stack, string elementType, bool dispose)
    {
        Stack = stack;
        ElementType = elementType;
        Dispose = dispose;
    }

    public Var Stack { get; }

    public string ElementType { get; }

    public bool Dispose { get; }
}

/// <summary>Stack.Reserve(LoopTrips.Count(Start, Bound, Step, Inclusive), PerIteration); before a counted loop that pushes.</summary>
internal sealed class CReserve : CStmt
{
    public CReserve(Var stack, Expr start, Expr bound, int step, bool inclusive, int perIteration)
    {
        Stack = stack;
        Start = start;
        Bound = bound;
        Step = step;
        Inclusive = inclusive;
        PerIteration = perIteration;
    }

    public Var Stack { get; }

    public Expr Start { get; set; }

    public Expr Bound { get; set; }

    public int Step { get; }

    public bool Inclusive { get; }

    public int PerIteration { get; }
}

/// <summary>A local array (new or stackalloc), or an adjoint buffer (rented and zeroed; returned by <see cref="ReturnBuffer"/>).</summary>
internal sealed class CArray : CStmt
{
    public CArray(Var array, Expr length, bool stackAlloc, bool rented)
    {
        Array = array;
        Length = length;
        StackAlloc = stackAlloc;
        Rented = rented;
    }

    public Var Array { get; }

    public Expr Length { get; set; }

    public bool StackAlloc { get; }

    public bool Rented { get; }
}

/// <summary>Returns a rented adjoint buffer to the pool.</summary>
internal sealed class CReturnBuffer : CStmt
{
    public CReturnBuffer(Var array) => Array = array;

    public Var Array { get; }
}

/// <summary>Array[Index] = Value; or Array[Index] += Value;</summary>
internal sealed class CElement : CStmt
{
    public CElement(Var array, Expr index, Expr value, bool accumulate)
    {
        Array = array;
        Index = index;
        Value = value;
        Accumulate = accumulate;
    }

    public Var Array { get; }

    public Expr Index { get; set; }

    public Expr Value { get; set; }

    public bool Accumulate { get; }
}

/// <summary>A line of code as text (argument checks in the prologue).</summary>
internal sealed class CRaw : CStmt
{
    public CRaw(string text) => Text = text;

    public string Text { get; }
}

/// <summary>
/// In the reverse sweep, for a call whose callee differentiates arrays: calls its gradient into pooled buffers and adds
/// Adjoint × buffer into the arrays' adjoints. Scalar partials land in <see cref="Partials"/> (declared before).
/// </summary>
internal sealed class CGradientCall : CStmt
{
    public CGradientCall(CallExpr call, Expr adjoint, Var?[] partials, (Var Buffer, Var Index, Var? Adjoint)?[] arrays)
    {
        Call = call;
        Adjoint = adjoint;
        Partials = partials;
        Arrays = arrays;
    }

    public CallExpr Call { get; set; }

    public Expr Adjoint { get; set; }

    /// <summary>One per differentiable parameter: the scalar partial's variable (null for an array, or for out _).</summary>
    public Var?[] Partials { get; }

    /// <summary>One per differentiable parameter: for arrays, the buffer, the loop index and the adjoint to add into (null when inactive).</summary>
    public (Var Buffer, Var Index, Var? Adjoint)?[] Arrays { get; }
}

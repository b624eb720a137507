using SymbolicGrad.Generator.Emit;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Reverse;

/// <summary>What the forward sweep did, in order: the reverse sweep walks these backwards.</summary>
internal abstract class Event
{
}

/// <summary>An active value computed by one operation.</summary>
internal sealed class LetEvent : Event
{
    public LetEvent(Var var, OpExpr value)
    {
        Var = var;
        Value = value;
    }

    public Var Var { get; }

    public OpExpr Value { get; }
}

/// <summary>An active value returned by another generated gradient, with its partials.</summary>
internal sealed class CallEvent : Event
{
    public CallEvent(Var var, CallExpr call, Var?[] partials)
    {
        Var = var;
        Call = call;
        Partials = partials;
    }

    public Var Var { get; }

    public CallExpr Call { get; }

    public Var?[] Partials { get; }
}

/// <summary>A merge variable assigned at the end of a branch.</summary>
internal sealed class MoveEvent : Event
{
    public MoveEvent(Var target, Expr source)
    {
        Target = target;
        Source = source;
    }

    public Var Target { get; }

    public Expr Source { get; }
}

/// <summary>A non-terminal if: its reverse is an if on the same condition.</summary>
internal sealed class IfEvent : Event
{
    public IfEvent(Expr condition, ForwardBlock then, ForwardBlock @else, IReadOnlyList<Var> merges)
    {
        Condition = condition;
        Then = then;
        Else = @else;
        Merges = merges;
    }

    public Expr Condition { get; }

    public ForwardBlock Then { get; }

    public ForwardBlock Else { get; }

    public IReadOnlyList<Var> Merges { get; }
}

/// <summary>How a block ends.</summary>
internal abstract class Terminal
{
}

internal sealed class ReturnTerminal : Terminal
{
    public ReturnTerminal(Expr value) => Value = value;

    public Expr Value { get; }
}

internal sealed class ThrowTerminal : Terminal
{
    public ThrowTerminal(string text) => Text = text;

    public string Text { get; }
}

internal sealed class IfTerminal : Terminal
{
    public IfTerminal(Expr condition, ForwardBlock then, ForwardBlock @else)
    {
        Condition = condition;
        Then = then;
        Else = @else;
    }

    public Expr Condition { get; }

    public ForwardBlock Then { get; }

    public ForwardBlock Else { get; }
}

/// <summary>A block after the forward sweep: its code, its events, its available values and how it ends.</summary>
internal sealed class ForwardBlock
{
    public CBlock Code { get; } = new();

    public List<Event> Events { get; } = new();

    /// <summary>Values computed in this block, by structural key (common-subexpression elimination).</summary>
    public Dictionary<string, Expr> Available { get; } = new(StringComparer.Ordinal);

    public Terminal? Terminal { get; set; }
}

/// <summary>One term of an adjoint: a value, and the use and rule it came from (for comments).</summary>
internal sealed class Contribution
{
    public Contribution(Expr value, string use, string rule)
    {
        Value = value;
        Use = use;
        Rule = rule;
    }

    public Expr Value { get; }

    public string Use { get; }

    public string Rule { get; }

    public string Describe() => Use + " (" + Rule + ")";
}

/// <summary>t = Array[Index] on an active array.</summary>
internal sealed class ElementReadEvent : Event
{
    public ElementReadEvent(Var var, Var array, Expr index)
    {
        Var = var;
        Array = array;
        Index = index;
    }

    public Var Var { get; }

    public Var Array { get; }

    public Expr Index { get; }
}

/// <summary>Array[Index] = Value on an active local array.</summary>
internal sealed class ElementWriteEvent : Event
{
    public ElementWriteEvent(Var array, Expr index, Expr value)
    {
        Array = array;
        Index = index;
        Value = value;
    }

    public Var Array { get; }

    public Expr Index { get; }

    public Expr Value { get; }
}

/// <summary>A loop: its reverse is a loop over the same iterations, last first.</summary>
internal sealed class LoopEvent : Event
{
    public LoopEvent(Emit.LoopInfo info, ForwardBlock body)
    {
        Info = info;
        Body = body;
    }

    public Emit.LoopInfo Info { get; }

    public ForwardBlock Body { get; }
}

/// <summary>continue, break or the end of a loop body.</summary>
internal sealed class LoopExitTerminal : Terminal
{
}

/// <summary>The method returned inside a loop earlier on this path.</summary>
internal sealed class ExitedTerminal : Terminal
{
}

/// <summary>A call to a [Differentiable] method that differentiates arrays: its gradient is called in the reverse sweep.</summary>
internal sealed class ArrayCallEvent : Event
{
    public ArrayCallEvent(Var var, CallExpr call)
    {
        Var = var;
        Call = call;
    }

    public Var Var { get; }

    public CallExpr Call { get; }
}

namespace SymbolicGrad.Generator.Ir;

/// <summary>A statement of the lowered method body (the output of lowering, the input of the reverse builder).</summary>
internal abstract class Stmt
{
}

/// <summary>Defines an SSA value: <c>Target = Value</c>.</summary>
internal sealed class AssignStmt : Stmt
{
    public AssignStmt(Var target, Expr value)
    {
        Target = target;
        Value = value;
    }

    public Var Target { get; }

    public Expr Value { get; }
}

/// <summary>Assigns a merge variable at the end of a branch.</summary>
internal sealed class MoveStmt : Stmt
{
    public MoveStmt(Var target, Expr value)
    {
        Target = target;
        Value = value;
    }

    public Var Target { get; }

    public Expr Value { get; }
}

/// <summary>
/// if/else. <see cref="Merges"/> are the values that both branches define (SSA φ-nodes), assigned by a
/// <see cref="MoveStmt"/> at the end of each branch. A terminal if ends its block: both branches end
/// in a return or a throw, and whatever followed the if in the source has been moved into the branches.
/// </summary>
internal sealed class IfStmt : Stmt
{
    public IfStmt(Expr condition, Block then, Block @else, IReadOnlyList<Var> merges, bool terminal)
    {
        Condition = condition;
        Then = then;
        Else = @else;
        Merges = merges;
        Terminal = terminal;
    }

    public Expr Condition { get; }

    public Block Then { get; }

    public Block Else { get; }

    public IReadOnlyList<Var> Merges { get; }

    public bool Terminal { get; }
}

/// <summary>return Value; (<see cref="InLoop"/>: from inside a loop, which then also exits).</summary>
internal sealed class ReturnStmt : Stmt
{
    public ReturnStmt(Expr value, bool inLoop = false)
    {
        Value = value;
        InLoop = inLoop;
    }

    public Expr Value { get; }

    public bool InLoop { get; }
}

/// <summary>Array[Index] = Value on a local array.</summary>
internal sealed class ElementAssignStmt : Stmt
{
    public ElementAssignStmt(Var array, Expr index, Expr value)
    {
        Array = array;
        Index = index;
        Value = value;
    }

    public Var Array { get; }

    public Expr Index { get; }

    public Expr Value { get; }
}

/// <summary>A local array: <c>new T[Length]</c> or <c>stackalloc T[Length]</c>.</summary>
internal sealed class ArrayDeclStmt : Stmt
{
    public ArrayDeclStmt(Var array, Expr length, bool stackAlloc)
    {
        Array = array;
        Length = length;
        StackAlloc = stackAlloc;
    }

    public Var Array { get; }

    public Expr Length { get; }

    public bool StackAlloc { get; }
}

/// <summary>Ends an iteration: the loop goes on with the next one (also the end of the body).</summary>
internal sealed class ContinueStmt : Stmt
{
    public ContinueStmt(bool isEnd) => IsEnd = isEnd;

    /// <summary>The end of the body rather than a continue statement.</summary>
    public bool IsEnd { get; }
}

/// <summary>Leaves the loop (<see cref="Exiting"/>: because a nested loop returned from the method).</summary>
internal sealed class BreakStmt : Stmt
{
    public BreakStmt(bool exiting = false) => Exiting = exiting;

    public bool Exiting { get; }
}

/// <summary>The method returned from inside a loop already: nothing is left to do on this path.</summary>
internal sealed class ExitedStmt : Stmt
{
}

/// <summary>How a loop's index evolves when it is a plain counter (recomputed in the reverse sweep instead of stored).</summary>
internal sealed class CanonicalIndex
{
    public CanonicalIndex(Var loopVar, int step)
    {
        LoopVar = loopVar;
        Step = step;
    }

    public Var LoopVar { get; }

    public int Step { get; }
}

internal enum IrLoopKind
{
    For,
    While,
    Do,
}

/// <summary>
/// A loop. Every variable the body or step assigns is carried in a mutable <see cref="LoopVars"/> entry,
/// initialized from <see cref="Inits"/>; the body starts each iteration from SSA <see cref="Snapshots"/> of them
/// and ends every path by moving its values back (then a continue, a break or a return).
/// </summary>
internal sealed class LoopStmt : Stmt
{
    public IrLoopKind Kind { get; set; }

    public List<Var> LoopVars { get; } = new();

    public List<Expr> Inits { get; } = new();

    public List<Var> Snapshots { get; } = new();

    /// <summary>Read in the loop header, over loop variables; null for for(;;).</summary>
    public Expr? Condition { get; set; }

    /// <summary>The for-statement's increments: integer loop variables only.</summary>
    public List<(Var Target, Expr Value)> Step { get; } = new();

    public Block Body { get; set; } = new();

    public CanonicalIndex? Index { get; set; }

    public string? Source { get; set; }
}

/// <summary>throw ...; (copied as written: a path that throws has no gradient).</summary>
internal sealed class ThrowStmt : Stmt
{
    public ThrowStmt(string text) => Text = text;

    public string Text { get; }
}

/// <summary>A list of statements.</summary>
internal sealed class Block
{
    public List<Stmt> Statements { get; } = new();

    /// <summary>True when the block ends in a return, a throw, a loop exit or a terminal if.</summary>
    public bool IsTerminal => Statements.Count > 0 && Statements[Statements.Count - 1] is ReturnStmt or ThrowStmt or ContinueStmt or BreakStmt or ExitedStmt or IfStmt { Terminal: true };
}

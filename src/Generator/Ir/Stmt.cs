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

/// <summary>return Value;</summary>
internal sealed class ReturnStmt : Stmt
{
    public ReturnStmt(Expr value) => Value = value;

    public Expr Value { get; }
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

    /// <summary>True when the block ends in a return, a throw or a terminal if.</summary>
    public bool IsTerminal => Statements.Count > 0 && Statements[Statements.Count - 1] is ReturnStmt or ThrowStmt or IfStmt { Terminal: true };
}

namespace SymbolicGrad.Generator.Ir;

/// <summary>A statement of the structured IR.</summary>
internal abstract class Stmt
{
    /// <summary>An explanation printed above the statement (the source expression and the rule used).</summary>
    public string? Comment { get; set; }
}

/// <summary>Dst = Value.</summary>
internal sealed class Assign : Stmt
{
    public Assign(Var dst, Instr value)
    {
        Dst = dst;
        Value = value;
    }

    public Var Dst { get; }

    public Instr Value { get; set; }
}

/// <summary>Array[Index] = Value, or Array[Index] += Value when <see cref="Accumulate"/>.</summary>
internal sealed class Store : Stmt
{
    public Store(Operand array, Operand[] index, Operand value, bool accumulate)
    {
        Array = array;
        Index = index;
        Value = value;
        Accumulate = accumulate;
    }

    public Operand Array { get; set; }

    public Operand[] Index { get; set; }

    public Operand Value { get; set; }

    public bool Accumulate { get; }
}

/// <summary>A value merged from the two branches of an if (an SSA φ).</summary>
internal sealed class Phi
{
    public Phi(Var dst, Operand then, Operand @else)
    {
        Dst = dst;
        Then = then;
        Else = @else;
    }

    public Var Dst { get; }

    public Operand Then { get; set; }

    public Operand Else { get; set; }
}

/// <summary>if (Cond) Then else Else; then the φs are assigned from the branch taken.</summary>
internal sealed class If : Stmt
{
    public If(Operand cond, Block then, Block @else, List<Phi> phis)
    {
        Cond = cond;
        Then = then;
        Else = @else;
        Phis = phis;
    }

    public Operand Cond { get; set; }

    public Block Then { get; }

    public Block Else { get; }

    public List<Phi> Phis { get; }
}

/// <summary>A value carried from one iteration of a loop to the next: a mutable variable.</summary>
internal sealed class LoopVar
{
    public LoopVar(Var var, Operand init, Operand next)
    {
        Var = var;
        Init = init;
        Next = next;
    }

    /// <summary>Holds the value at the start of each iteration, and the final value after the loop.</summary>
    public Var Var { get; }

    public Operand Init { get; set; }

    /// <summary>The value at the end of the body, for the next iteration.</summary>
    public Operand Next { get; set; }
}

/// <summary>A loop whose index is a plain counter: Index = Start, Start + Step... while Index Cmp Bound.</summary>
internal sealed class Counted
{
    public Counted(Var index, int step, CmpKind cmp, Operand bound)
    {
        Index = index;
        Step = step;
        Cmp = cmp;
        Bound = bound;
    }

    public Var Index { get; }

    public int Step { get; }

    public CmpKind Cmp { get; }

    public Operand Bound { get; set; }
}

/// <summary>
/// A loop: the loop variables take their initial values (in parallel), then
/// <c>while (true) { Header; if (!Cond) break; Body; Vars = Nexts (in parallel); }</c>.
/// The header computes only the condition (no derivative flows through it); break, continue and return
/// inside the body have been turned into flags by the front end, so the body has no jumps.
/// </summary>
internal sealed class Loop : Stmt
{
    public List<LoopVar> Vars { get; } = new();

    public Block Header { get; } = new();

    public Operand Cond { get; set; } = Lit.True;

    public Block Body { get; } = new();

    public Counted? Counted { get; set; }

    /// <summary>The user's loop header, for comments.</summary>
    public string? Source { get; set; }

    /// <summary>Where the user's loop header is (a diagnostic's location without an id or arguments), for errors about the loop found after lowering.</summary>
    public SymbolicGrad.Generator.Models.DiagnosticInfo? At { get; set; }

    /// <summary>Runs its iterations in any order (a reverse loop of independent iterations): printed as a forward loop.</summary>
    public bool Reversed { get; set; }

    /// <summary>
    /// For a sum the user wrote as a TensorPrimitives call, lowered to a loop: the call ("Dot", "Sum", "SumOfSquares").
    /// The vectorizer turns the loop back into the same call, which adds in vector lanes as the user's call did.
    /// </summary>
    public string? SumKernel { get; set; }
}

/// <summary>throw Exception; (a path that throws has no gradient: the gradient method throws the same).</summary>
internal sealed class Throw : Stmt
{
    public Throw(Instr exception) => Exception = exception;

    public Instr Exception { get; set; }
}

/// <summary>A call kept for its side effect (Console.WriteLine, Debug.Assert, argument guards): run once, in the forward sweep.</summary>
internal sealed class Effect : Stmt
{
    public Effect(Instr call) => Call = call;

    public Instr Call { get; set; }
}

/// <summary>Pushes a value onto a tape.</summary>
internal sealed class Push : Stmt
{
    public Push(Var stack, Operand value)
    {
        Stack = stack;
        Value = value;
    }

    public Var Stack { get; }

    public Operand Value { get; set; }

    /// <summary>Room for this push was reserved before its loop started (see <c>ReservePushes</c>): no check for room.</summary>
    public bool Reserved { get; set; }
}

/// <summary>A comment on its own line (section headers of the generated code).</summary>
internal sealed class Note : Stmt
{
    public Note(string text) => Comment = text;
}

/// <summary>A list of statements.</summary>
internal sealed class Block
{
    public Block()
    {
    }

    public Block(List<Stmt> stmts) => Stmts = stmts;

    public List<Stmt> Stmts { get; } = new();

    public void Add(Stmt s) => Stmts.Add(s);
}

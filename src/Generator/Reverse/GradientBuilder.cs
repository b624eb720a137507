using SymbolicGrad.Generator.Emit;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Lowering;
using SymbolicGrad.Generator.Rules;

namespace SymbolicGrad.Generator.Reverse;

/// <summary>
/// Turns a lowered body into the generated gradient's code: one forward sweep (the user's computation in
/// three-address form, with constant folding and common subexpressions computed once) and one reverse
/// sweep (the chain rule applied backwards, adjoints accumulated symbolically and simplified, forward
/// values reused). Branches are reversed structurally: the reverse of an if is an if on the same condition.
/// </summary>
internal sealed partial class GradientBuilder : IExprBuilder
{
    private readonly VarFactory _vars;
    private readonly IReadOnlyList<Var> _parameters;
    private readonly string _functionName;
    private readonly IrType _returnType;
    private readonly Dictionary<Var, Expr> _alias = new();
    private readonly List<Dictionary<string, Expr>> _available = new();
    private readonly List<Dictionary<Var, List<Contribution>>> _pending = new();
    private readonly Dictionary<Var, Var> _accumulators = new();
    private readonly Dictionary<Var, Expr> _mergeAdjoints = new();
    private CBlock _out = new();

    /// <summary>The method body: the forward sweep, then the reverse sweep at its top level.</summary>
    private CBlock? _root;
    private List<Event>? _events;
    private bool _reverse;
    private int _firstReverseId = int.MaxValue;

    public GradientBuilder(VarFactory vars, IReadOnlyList<Var> parameters, IrType returnType, string functionName, Var? exitFlag = null)
    {
        ExitFlag = exitFlag;
        _vars = vars;
        _parameters = parameters;
        _returnType = returnType;
        _functionName = functionName;
        ValueVar = vars.New("value", returnType, VarRole.Value);
        ValueVar.DeclaredSeparately = true;
    }

    /// <summary>The variable holding the function's value.</summary>
    public Var ValueVar { get; }

    /// <summary>Set when a loop returns from the method; null when no loop does.</summary>
    public Var? ExitFlag { get; }

    /// <summary>What each printed variable was computed from (for the XML remarks).</summary>
    public Dictionary<Var, Expr> Definitions { get; } = new();

    /// <summary>The gradient outputs, in parameter order: output name and value (after <see cref="Build"/>).</summary>
    public List<(Var Parameter, COutput Statement)> Outputs { get; } = new();

    /// <summary>Builds the whole method body.</summary>
    public CBlock Build(Block body, Func<Var, string> outputName)
    {
        var prologue = new List<CStmt>();
        foreach (var p in _parameters.Where(p => p.Differentiable && p.Type.Kind == ValueKind.Array))
        {
            string name = outputName(p);
            var output = _vars.New(name, IrType.ArrayOf(p.Type.Element!, "global::System.Span<" + p.Type.Element!.CSharp + ">", isSpan: true), VarRole.Parameter);
            output.FinalName = name;
            OutputArrays[p] = output;
            string element = p.Type.Element!.CSharp;
            string pName = p.FinalName ?? p.Name;
            prologue.Add(new CRaw("if (" + name + ".Length != " + pName + ".Length) global::SymbolicGrad.Internal.AdjointBuffers.ThrowLength(\"" + name + "\", " + name + ".Length, \"" + pName + "\", " + pName + ".Length);"));
            foreach (var other in _parameters.Where(q => q.Type.Kind == ValueKind.Array && q.Type.Element?.CSharp == element))
            {
                string otherName = other.FinalName ?? other.Name;
                prologue.Add(new CRaw("if (global::System.MemoryExtensions.Overlaps((global::System.ReadOnlySpan<" + element + ">)" + name + ", (global::System.ReadOnlySpan<" + element + ">)" + otherName + ")) global::SymbolicGrad.Internal.AdjointBuffers.ThrowOverlap(\"" + name + "\", \"" + otherName + "\");"));
            }

            foreach (var previous in OutputArrays.Values.Where(o => o != output && o.Type.Element?.CSharp == element))
            {
                prologue.Add(new CRaw("if (global::System.MemoryExtensions.Overlaps((global::System.ReadOnlySpan<" + element + ">)" + name + ", (global::System.ReadOnlySpan<" + element + ">)" + previous.FinalName + ")) global::SymbolicGrad.Internal.AdjointBuffers.ThrowOverlap(\"" + name + "\", \"" + previous.FinalName + "\");"));
            }

            prologue.Add(new CRaw(name + ".Clear();"));
        }

        var top = Forward(body);
        top.Code.Statements.Insert(0, new CDeclare(ValueVar, initialize: ExitFlag is not null));
        if (ExitFlag is not null)
        {
            top.Code.Statements.Insert(0, new CLet(ExitFlag, new LiteralExpr("false", IrType.Bool)) { Comment = "set when a loop returns from the method" });
        }

        top.Code.Statements.Insert(0, new CComment("forward sweep: the function itself, each intermediate value kept for the reverse sweep"));
        if (prologue.Count > 0)
        {
            prologue[0].Comment = "the gradient outputs for arrays: checked, then cleared (the reverse sweep adds into them)";
            top.Code.Statements.InsertRange(0, prologue);
        }

        _reverse = true;
        _firstReverseId = _vars.Count;
        _events = null;
        _available.Add(top.Available);
        _pending.Add(new Dictionary<Var, List<Contribution>>());
        _out = top.Code;
        _root = top.Code;
        bool completes = Reverse(top, isTop: true);
        if (completes)
        {
            foreach (var p in _parameters.Where(p => p.Differentiable && p.Type.Kind != ValueKind.Array))
            {
                var adjoint = Finalize(p, out var uses) ?? Const(0, p.Type);
                var output = new COutput(outputName(p), adjoint);
                AddAdjointComments(output, p, uses);
                _out.Add(output);
                Outputs.Add((p, output));
            }

            foreach (var (buffer, block) in _rentedBuffers.Where(b => b.Block == top.Code))
            {
                _out.Add(new CReturnBuffer(buffer));
            }

            _out.Add(new CReturn(new VarExpr(ValueVar)));
        }

        // A buffer declared in a branch (code after an early return) goes back to the pool at the end of that branch,
        // where its reverse sweep ends too.
        foreach (var (buffer, block) in _rentedBuffers.Where(b => b.Block != top.Code))
        {
            if (block.Statements.Count == 0 || block.Statements[block.Statements.Count - 1] is not CThrow)
            {
                block.Add(new CReturnBuffer(buffer));
            }
        }

        return top.Code;
    }

    // ---------------------------------------------------------------- forward sweep

    private ForwardBlock Forward(Block block) => ForwardInto(new ForwardBlock(), block, null);

    /// <summary>The forward sweep of <paramref name="block"/> into <paramref name="fb"/>, after <paramref name="prologue"/>.</summary>
    private ForwardBlock ForwardInto(ForwardBlock fb, Block block, Action? prologue)
    {
        var savedOut = _out;
        var savedEvents = _events;
        _out = fb.Code;
        _events = fb.Events;
        _available.Add(fb.Available);
        try
        {
            prologue?.Invoke();
            foreach (var statement in block.Statements)
            {
                switch (statement)
                {
                    case AssignStmt assign:
                        ForwardAssign(assign);
                        break;
                    case MoveStmt move:
                        var source = Flatten(move.Value);
                        if (!IsOwnSnapshot(move.Target, source))
                        {
                            _out.Add(new CAssign(move.Target, source));
                        }

                        _events.Add(new MoveEvent(move.Target, source));
                        if (source.IsActive())
                        {
                            move.Target.Active = true;
                        }

                        break;
                    case IfStmt ifStmt:
                        ForwardIf(ifStmt, fb);
                        break;
                    case ReturnStmt ret:
                        fb.Terminal = new ReturnTerminal(Flatten(ret.Value));
                        if (ret.InLoop)
                        {
                            var value = ((ReturnTerminal)fb.Terminal).Value;
                            _out.Add(new CAssign(ValueVar, value));
                            _out.Add(new CAssign(ExitFlag!, new LiteralExpr("true", IrType.Bool)));
                            _out.Add(new CJump(_loopStack[_loopStack.Count - 1], isBreak: true));
                        }

                        break;
                    case ThrowStmt thr:
                        fb.Terminal = new ThrowTerminal(thr.Text);
                        if (_loopStack.Count > 0)
                        {
                            _out.Add(new CThrow(thr.Text));
                        }

                        break;
                    case ContinueStmt cont:
                        fb.Terminal = new LoopExitTerminal();
                        _out.Add(cont.IsEnd ? new CEndOfIteration(_loopStack[_loopStack.Count - 1]) : new CJump(_loopStack[_loopStack.Count - 1], isBreak: false));
                        break;
                    case BreakStmt:
                        fb.Terminal = new LoopExitTerminal();
                        _out.Add(new CJump(_loopStack[_loopStack.Count - 1], isBreak: true));
                        break;
                    case ExitedStmt:
                        fb.Terminal = new ExitedTerminal();
                        break;
                    case ElementAssignStmt write:
                        ForwardElementWrite(write);
                        break;
                    case ArrayDeclStmt decl:
                        ForwardArray(decl);
                        break;
                    case LoopStmt loop:
                        ForwardLoop(loop);
                        break;
                }
            }
        }
        finally
        {
            _available.RemoveAt(_available.Count - 1);
            _out = savedOut;
            _events = savedEvents;
        }

        return fb;
    }

    private void ForwardAssign(AssignStmt assign)
    {
        var target = assign.Target;
        if (target.Type.IsReal)
        {
            int before = _vars.Count;
            var atom = Flatten(assign.Value);
            if (atom is VarExpr { Var: var t } && t.Id >= before && t.Role == VarRole.Temp)
            {
                // The value this statement created: name it after the user's local.
                t.Role = VarRole.Local;
                t.Name = target.Name;
                t.Source = target.Source;
            }

            _alias[target] = atom;
            return;
        }

        var value = Resolve(assign.Value);
        _out.Add(new CLet(target, value));
        Definitions[target] = value;
    }

    private void ForwardIf(IfStmt ifStmt, ForwardBlock fb)
    {
        var condition = BindCondition(Resolve(ifStmt.Condition));
        if (ifStmt.Terminal)
        {
            var thenBlock = Forward(ifStmt.Then);
            var elseBlock = Forward(ifStmt.Else);
            fb.Terminal = new IfTerminal(condition, thenBlock, elseBlock);
            if (_loopStack.Count > 0)
            {
                // Inside a loop body the reverse goes elsewhere (the reverse loop): the if is complete now.
                _out.Add(new CIf(condition, thenBlock.Code, elseBlock.Code));
            }

            return;
        }

        foreach (var m in ifStmt.Merges)
        {
            m.DeclaredSeparately = true;
            _out.Add(new CDeclare(m, initialize: false));
        }

        var then = Forward(ifStmt.Then);
        var @else = Forward(ifStmt.Else);
        _out.Add(new CIf(condition, then.Code, @else.Code));
        _events!.Add(new IfEvent(condition, then, @else, ifStmt.Merges));
    }

    /// <summary>A condition that calls anything is evaluated once, into a bool, and read by both sweeps.</summary>
    private Expr BindCondition(Expr condition)
    {
        // A condition is evaluated again by the reverse sweep; one that reads a variable assigned more than once
        // (the flag a returning loop sets) must be captured now, with the value the forward sweep saw.
        bool simple = condition is VarExpr { Var.IsMutable: false } or LiteralExpr
            || (condition is InlineExpr { Form: InlineForm.Binary or InlineForm.Prefix } i && i.Args.All(a => a.IsAtom() && a is not InlineExpr { Form: InlineForm.Call }));
        if (simple && IsStable(condition))
        {
            return condition;
        }

        var c = _vars.New("c", IrType.Bool, VarRole.Temp);
        _out.Add(new CLet(c, condition));
        Definitions[c] = condition;
        return new VarExpr(c);
    }

    /// <summary>True when re-evaluating <paramref name="e"/> later gives the same value: no mutable variable, no element of a local array.</summary>
    private static bool IsStable(Expr e) => e switch
    {
        VarExpr v => !v.Var.IsMutable,
        ElementExpr el => !el.Key.StartsWith("e#", StringComparison.Ordinal) && IsStable(el.Index),
        OpExpr o => o.Args.All(IsStable),
        InlineExpr i => i.Args.All(IsStable),
        CallExpr c => c.Args.All(IsStable),
        _ => true,
    };

    /// <summary>Replaces the user's variables by the values they stand for.</summary>
    private Expr Resolve(Expr e) => e.Substitute(v => _alias.TryGetValue(v, out var a) ? a : null);

    /// <summary>Three-address form: every real operation gets a variable (or is folded, simplified or found already computed).</summary>
    private Expr Flatten(Expr e)
    {
        switch (e)
        {
            case VarExpr v:
                return _alias.TryGetValue(v.Var, out var a) ? a : e;
            case OpExpr op:
                var args = op.Args.Select(Flatten).ToArray();
                return MakeOp(op.Op, op.Type, args, op.Source);
            case CallExpr call:
                return FlattenCall(call);
            case InlineExpr:
                return Resolve(_reverse ? e : ReadElementsNow(e));
            case ElementExpr element:
                return ElementRead(element);
            default:
                return e;
        }
    }

    /// <summary>
    /// Inside an expression kept inline (an integer, a bool, a cast, Math.Sign...), reads of arrays the method writes
    /// become temporaries now: the reverse sweep may evaluate the expression again, after later writes.
    /// </summary>
    private Expr ReadElementsNow(Expr e) => e switch
    {
        ElementExpr el when el.Key.StartsWith("e#", StringComparison.Ordinal) => ElementRead(el),
        OpExpr o when o.Args.Any(HasWrittenElement) => new OpExpr(o.Op, o.Args.Select(ReadElementsNow).ToArray(), o.Type, o.Source),
        InlineExpr i when i.Args.Any(HasWrittenElement) => new InlineExpr(i.Form, i.Token, i.Args.Select(ReadElementsNow).ToArray(), i.Type, i.Precedence),
        _ => e,
    };

    private static bool HasWrittenElement(Expr e) => e switch
    {
        ElementExpr el => el.Key.StartsWith("e#", StringComparison.Ordinal) || HasWrittenElement(el.Index),
        OpExpr o => o.Args.Any(HasWrittenElement),
        InlineExpr i => i.Args.Any(HasWrittenElement),
        CallExpr c => c.Args.Any(HasWrittenElement),
        _ => false,
    };

    private Expr FlattenCall(CallExpr call)
    {
        var args = call.Args.Select(Flatten).ToArray();
        var flat = new CallExpr(call.Target, args, call.Source);
        bool active = !_reverse && args.Where((a, i) => call.Target.Differentiable[i]).Any(a => a.IsActive());
        if (active && call.Target.HasArrays)
        {
            // The value now; the gradient, with its arrays, in the reverse sweep.
            var value = _vars.New("t", call.Type, VarRole.Temp);
            value.Active = true;
            value.Source = call.Source;
            _out.Add(new CLet(value, flat));
            Definitions[value] = flat;
            _events!.Add(new ArrayCallEvent(value, flat));
            return new VarExpr(value);
        }

        if (!active)
        {
            if (Lookup(flat.Key) is { } found)
            {
                return found;
            }

            var plain = _vars.New("t", call.Type, VarRole.Temp);
            plain.Source = call.Source;
            _out.Add(new CLet(plain, flat));
            Definitions[plain] = flat;
            _available[_available.Count - 1][flat.Key] = new VarExpr(plain);
            return new VarExpr(plain);
        }

        var v = _vars.New("t", call.Type, VarRole.Temp);
        v.Active = true;
        v.Source = call.Source;
        var partials = new List<Var?>();
        for (int i = 0; i < args.Length; i++)
        {
            if (!call.Target.Differentiable[i])
            {
                continue;
            }

            Var? p = null;
            if (args[i].IsActive())
            {
                p = _vars.New("d" + call.Target.Name + "_d" + call.Target.ParameterNames[i], call.Target.ParameterTypes[i], VarRole.Partial);
                Definitions[p] = new InlineExpr(InlineForm.Text, "∂" + call.Target.Name + "/∂" + call.Target.ParameterNames[i], Array.Empty<Expr>(), p.Type, Printer.Primary);
            }

            partials.Add(p);
        }

        var statement = new CCall(v, flat, partials.ToArray());
        _out.Add(statement);
        Definitions[v] = flat;
        _events!.Add(new CallEvent(v, flat, statement.Partials));
        return new VarExpr(v);
    }

    private Expr? Lookup(string key)
    {
        for (int i = _available.Count - 1; i >= 0; i--)
        {
            if (_available[i].TryGetValue(key, out var e))
            {
                return e;
            }
        }

        return null;
    }

    // ---------------------------------------------------------------- IExprBuilder

    public Expr Const(double value, IrType type) => new ConstExpr(value, type);

    public Expr Op(Op op, IrType type, params Expr[] args) => MakeOp(op, type, args, null);

    public Expr Compare(string token, Expr left, Expr right) =>
        new InlineExpr(InlineForm.Binary, token, new[] { left, right }, IrType.Bool, token is "==" or "!=" ? Printer.Equality : Printer.Relational);

    public Expr And(Expr left, Expr right) =>
        new InlineExpr(InlineForm.Binary, "&&", new[] { left, right }, IrType.Bool, Printer.LogicalAnd);

    private Expr MakeOp(Op op, IrType type, Expr[] args, string? source)
    {
        if (Simplify(op, type, args) is { } simplified)
        {
            return simplified;
        }

        if (op is Ir.Op.Mul && args[1] is ConstExpr && args[0] is not ConstExpr)
        {
            args = new[] { args[1], args[0] };
        }

        var expr = new OpExpr(op, args, type, source);
        string key = op is Ir.Op.Add or Ir.Op.Mul
            ? op + "<" + type.CSharp + ">(" + string.Join(",", args.Select(a => a.Key).OrderBy(k => k, StringComparer.Ordinal)) + ")"
            : expr.Key;
        if (Lookup(key) is { } found)
        {
            return found;
        }

        var t = _vars.New("t", type, VarRole.Temp);
        t.Source = source;
        var rule = DerivativeRules.For(op);
        t.Active = !_reverse && !rule.IsZero && args.Any(a => a.IsActive());
        _out.Add(new CLet(t, expr));
        Definitions[t] = expr;
        if (t.Active)
        {
            _events!.Add(new LetEvent(t, expr));
        }

        var result = new VarExpr(t);
        _available[_available.Count - 1][key] = result;
        return result;
    }

    private OpExpr? DefinitionOf(Expr e) =>
        e is VarExpr v && Definitions.TryGetValue(v.Var, out var d) ? d as OpExpr : null;
}

using SymbolicGrad.Generator.Emit;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Rules;

namespace SymbolicGrad.Generator.Reverse;

/// <summary>
/// The reverse sweep. Adjoints are accumulated symbolically: each use of a value adds a term, and when the
/// sweep reaches the value's definition all its uses have been seen, so its adjoint is one simplified sum.
/// A value also used inside a branch gets an accumulator (xBar) declared before the branch, added to with
/// += inside it. Values whose adjoint is never needed (no use, or inactive) produce no code at all.
/// </summary>
internal sealed partial class GradientBuilder
{
    /// <summary>Reverses a block whose forward code is in <paramref name="fb"/>; false when every path through it throws.</summary>
    private bool Reverse(ForwardBlock fb, bool isTop)
    {
        _out = fb.Code;
        switch (fb.Terminal)
        {
            case ReturnTerminal ret:
                _out.Add(new CAssign(ValueVar, ret.Value));
                Contribute(ret.Value, Const(1, _returnType), "return " + Describe(ret.Value), "seed ∂f/∂f = 1");
                _out.Add(new CComment("reverse sweep: the chain rule, from the result back to the parameters"));
                break;
            case ThrowTerminal thr:
                _out.Add(new CThrow(thr.Text));
                return false;
            case ExitedTerminal:
                break;
            case IfTerminal branch:
                Materialize(OuterReferences(branch.Then).Concat(OuterReferences(branch.Else)));
                bool thenCompletes = ReverseBranch(branch.Then, b => Reverse(b, isTop: false));
                bool elseCompletes = ReverseBranch(branch.Else, b => Reverse(b, isTop: false));
                _out = fb.Code;
                _out.Add(new CIf(branch.Condition, branch.Then.Code, branch.Else.Code));
                if (!thenCompletes && !elseCompletes)
                {
                    return false;
                }

                if (fb.Events.Count > 0)
                {
                    _out.Add(new CComment("reverse sweep of the code before the if"));
                }

                break;
        }

        ReverseEvents(fb.Events);
        return true;
    }

    /// <summary>Runs <paramref name="reverse"/> for a branch in its own scope, then flushes what it added to outer adjoints.</summary>
    private bool ReverseBranch(ForwardBlock branch, Func<ForwardBlock, bool> reverse)
    {
        var savedOut = _out;
        _available.Add(branch.Available);
        _pending.Add(new Dictionary<Var, List<Contribution>>());
        bool completes = reverse(branch);
        if (completes)
        {
            Flush();
        }

        _pending.RemoveAt(_pending.Count - 1);
        _available.RemoveAt(_available.Count - 1);
        _out = savedOut;
        return completes;
    }

    private void ReverseEvents(List<Event> events)
    {
        for (int k = events.Count - 1; k >= 0; k--)
        {
            switch (events[k])
            {
                case LetEvent let:
                    ReverseLet(let);
                    break;
                case CallEvent call:
                    ReverseCall(call);
                    break;
                case MoveEvent move:
                    if (_mergeAdjoints.TryGetValue(move.Target, out var adjoint))
                    {
                        Contribute(move.Source, Convert(adjoint, move.Source.Type), move.Target.Source ?? move.Target.Name, "branch taken");
                    }

                    break;
                case IfEvent ifEvent:
                    ReverseIf(ifEvent);
                    break;
                case ElementReadEvent read:
                    ReverseElementRead(read);
                    break;
                case ElementWriteEvent write:
                    ReverseElementWrite(write);
                    break;
                case LoopEvent loop:
                    ReverseLoop(loop);
                    break;
                case ArrayCallEvent arrayCall:
                    ReverseArrayCall(arrayCall);
                    break;
            }
        }
    }

    private void ReverseLet(LetEvent let)
    {
        var adjoint = Finalize(let.Var, out var uses);
        if (adjoint is null)
        {
            return;
        }

        NameAdjoint(adjoint, let.Var, uses);
        var e = let.Value;
        var rule = DerivativeRules.For(e.Op);
        var context = new RuleContext(this, e.Args, new VarExpr(let.Var), let.Var.Type);
        string use = e.Source ?? Describe(new VarExpr(let.Var));
        for (int i = 0; i < e.Args.Length; i++)
        {
            var arg = e.Args[i];
            if (!arg.IsActive())
            {
                continue;
            }

            Expr term = e.Op == Ir.Op.Convert
                ? Convert(adjoint, arg.Type)
                : MakeOp(Ir.Op.Mul, let.Var.Type, new[] { rule.Partial!(context, i), adjoint }, null);
            Contribute(arg, term, use, rule.Name);
        }
    }

    private void ReverseCall(CallEvent call)
    {
        var adjoint = Finalize(call.Var, out var uses);
        if (adjoint is null)
        {
            return;
        }

        NameAdjoint(adjoint, call.Var, uses);
        int k = 0;
        for (int i = 0; i < call.Call.Args.Length; i++)
        {
            if (!call.Call.Target.Differentiable[i])
            {
                continue;
            }

            var partial = call.Partials[k++];
            if (partial is null)
            {
                continue;
            }

            var arg = call.Call.Args[i];
            var term = MakeOp(Ir.Op.Mul, partial.Type, new[] { new VarExpr(partial), Convert(adjoint, partial.Type) }, null);
            Contribute(arg, term, call.Call.Source ?? call.Call.Target.Name, "chain rule through " + call.Call.Target.Name + "Gradient");
        }
    }

    private void ReverseArrayCall(ArrayCallEvent call)
    {
        var adjoint = Finalize(call.Var, out var uses);
        if (adjoint is null)
        {
            return;
        }

        var target = call.Call.Target;
        var partials = new List<Var?>();
        var arrays = new List<(Var Buffer, Var Index, Var? Adjoint)?>();
        for (int i = 0; i < call.Call.Args.Length; i++)
        {
            if (!target.Differentiable[i])
            {
                continue;
            }

            var arg = call.Call.Args[i];
            if (target.ParameterTypes[i].Kind == ValueKind.Array)
            {
                var element = target.ParameterTypes[i].Element ?? IrType.Double;
                var buffer = _vars.New("buffer", IrType.ArrayOf(element, element.CSharp + "[]", isSpan: false), VarRole.Internal);
                var index = _vars.New("q", IrType.Int32, VarRole.Internal);
                Var? into = arg is VarExpr { Var: { Active: true } array } ? AdjointArray(array) : null;
                partials.Add(null);
                arrays.Add((buffer, index, into));
            }
            else
            {
                Var? p = null;
                if (arg.IsActive())
                {
                    p = _vars.New("d" + target.Name + "_d" + target.ParameterNames[i], target.ParameterTypes[i], VarRole.Partial);
                    p.DeclaredSeparately = true;
                    _out.Add(new CDeclare(p, initialize: false));
                }

                partials.Add(p);
                arrays.Add(null);
            }
        }

        var statement = new CGradientCall(call.Call, adjoint, partials.ToArray(), arrays.ToArray());
        AddAdjointComments(statement, call.Var, uses, ": through " + target.Name + "Gradient, whose array gradients are added in scaled");
        _out.Add(statement);
        int k = 0;
        for (int i = 0; i < call.Call.Args.Length; i++)
        {
            if (!target.Differentiable[i])
            {
                continue;
            }

            if (partials[k++] is { } partial)
            {
                Contribute(call.Call.Args[i], MakeOp(Ir.Op.Mul, partial.Type, new[] { new VarExpr(partial), Convert(adjoint, partial.Type) }, null),
                    call.Call.Source ?? target.Name, "chain rule through " + target.Name + "Gradient");
            }
        }
    }

    private void ReverseIf(IfEvent ifEvent)
    {
        foreach (var m in ifEvent.Merges.Where(m => m.Active))
        {
            var adjoint = Finalize(m, out var uses);
            if (adjoint is not null)
            {
                NameAdjoint(adjoint, m, uses);
                _mergeAdjoints[m] = adjoint;
            }
        }

        if (!ifEvent.Merges.Any(_mergeAdjoints.ContainsKey) && !HasActiveWork(ifEvent.Then) && !HasActiveWork(ifEvent.Else))
        {
            return;
        }

        Materialize(OuterReferences(ifEvent.Then).Concat(OuterReferences(ifEvent.Else)));
        var then = new CBlock();
        var @else = new CBlock();
        var outer = _out;
        ReverseBranch(ifEvent.Then, b =>
        {
            _out = then;
            ReverseEvents(b.Events);
            return true;
        });
        ReverseBranch(ifEvent.Else, b =>
        {
            _out = @else;
            ReverseEvents(b.Events);
            return true;
        });
        _out = outer;
        _out.Add(new CIf(ifEvent.Condition, then, @else) { Comment = "reverse of the if: the same branch as the forward sweep took" });
    }

    private static bool HasActiveWork(ForwardBlock b) => b.Events.Count > 0;

    /// <summary>Adds a term to the adjoint of the variable <paramref name="target"/> refers to (nothing for constants and inactive values).</summary>
    private void Contribute(Expr target, Expr term, string use, string rule)
    {
        if (target is not VarExpr { Var: { Active: true } v } || term.IsConst(0))
        {
            return;
        }

        var scope = _pending[_pending.Count - 1];
        if (!scope.TryGetValue(v, out var list))
        {
            scope[v] = list = new List<Contribution>();
        }

        list.Add(new Contribution(term, use, rule));
    }

    /// <summary>The complete adjoint of <paramref name="v"/> (null when it is zero), once every use has contributed.</summary>
    private Expr? Finalize(Var v, out List<Contribution> uses)
    {
        var scope = _pending[_pending.Count - 1];
        if (scope.TryGetValue(v, out var list))
        {
            scope.Remove(v);
        }
        else
        {
            list = new List<Contribution>();
        }

        uses = list;
        var terms = list.Select(c => c.Value).ToList();
        if (_accumulators.TryGetValue(v, out var accumulator))
        {
            terms.Insert(0, new VarExpr(accumulator));
            uses = new List<Contribution>(list) { new(new VarExpr(accumulator), "the branches above", "accumulated") };
        }

        return terms.Count == 0 ? null : Sum(terms, v.Type);
    }

    /// <summary>Adds terms, with equal terms counted once and scaled (x + x + y is 2·x + y).</summary>
    private Expr Sum(List<Expr> terms, IrType type)
    {
        var grouped = terms.GroupBy(t => t.Key, StringComparer.Ordinal)
            .Select(g => g.Count() == 1 ? g.First() : MakeOp(Ir.Op.Mul, type, new[] { Const(g.Count(), type), g.First() }, null))
            .ToList();
        var sum = grouped[0];
        for (int i = 1; i < grouped.Count; i++)
        {
            sum = MakeOp(Ir.Op.Add, type, new[] { sum, grouped[i] }, null);
        }

        return sum;
    }

    /// <summary>Gives the statement that computes an adjoint the name xBar and a comment saying where its terms came from.</summary>
    private void NameAdjoint(Expr adjoint, Var of, List<Contribution> uses)
    {
        // Only a temporary the reverse sweep itself created; a forward value reused as an adjoint keeps its name.
        if (adjoint is not VarExpr { Var: { Role: VarRole.Temp } t } || t.Id < _firstReverseId || !Definitions.ContainsKey(t))
        {
            return;
        }

        t.Role = VarRole.Adjoint;
        t.AdjointOf = of;
        var let = _out.Statements.OfType<CLet>().LastOrDefault(l => l.Var == t);
        if (let is not null)
        {
            AddAdjointComments(let, of, uses);
        }
    }

    private void AddAdjointComments(CStmt statement, Var of, List<Contribution> uses, string? note = null)
    {
        var described = uses.Select(u => u.Describe()).Distinct().ToList();
        statement.Comments.Add(() => "∂" + _functionName + "/∂" + Subject(of)
            + (described.Count == 0 ? string.Empty : " from " + string.Join("; ", described)) + (note ?? string.Empty));
    }

    /// <summary>How a comment names a value: its variable (and the user's text for it), or the text alone when it was inlined.</summary>
    private static string Subject(Var v)
    {
        if (v.FinalName is null)
        {
            return "(" + (v.Source ?? v.Name) + ")";
        }

        return v.Source is { } s && s != v.FinalName ? v.FinalName + " [" + s + "]" : v.FinalName;
    }

    /// <summary>Declares an accumulator (xBar) for every active value that a branch will add to.</summary>
    private void Materialize(IEnumerable<Var> vars)
    {
        foreach (var x in vars.Distinct().OrderBy(v => v.Id))
        {
            if (!x.Active || _accumulators.ContainsKey(x))
            {
                continue;
            }

            var scope = _pending[_pending.Count - 1];
            Expr initial = Const(0, x.Type);
            var uses = new List<Contribution>();
            if (scope.TryGetValue(x, out var list))
            {
                scope.Remove(x);
                initial = Sum(list.Select(c => c.Value).ToList(), x.Type);
                uses = list;
            }

            var accumulator = _vars.New("t", x.Type, VarRole.Adjoint);
            accumulator.AdjointOf = x;
            accumulator.IsAccumulator = true;
            var let = new CLet(accumulator, initial);
            AddAdjointComments(let, x, uses, ", accumulated over the branches below");
            _out.Add(let);
            _accumulators[x] = accumulator;
        }
    }

    /// <summary>At the end of a branch: adds its terms to the accumulators of values defined outside it.</summary>
    private void Flush()
    {
        var scope = _pending[_pending.Count - 1];
        foreach (var entry in scope.OrderBy(e => e.Key.Id).ToList())
        {
            if (!_accumulators.TryGetValue(entry.Key, out var accumulator))
            {
                throw new InvalidOperationException("adjoint of '" + entry.Key.Name + "' escaped its branch without an accumulator");
            }

            var statement = new CAccumulate(accumulator, Sum(entry.Value.Select(c => c.Value).ToList(), entry.Key.Type));
            AddAdjointComments(statement, entry.Key, entry.Value);
            _out.Add(statement);
        }

        scope.Clear();
    }

    /// <summary>Active values a branch reads but does not define.</summary>
    private static IEnumerable<Var> OuterReferences(ForwardBlock b)
    {
        var defined = new HashSet<Var>();
        var read = new List<Var>();
        Collect(b, defined, read);
        return read.Where(v => v.Active && !defined.Contains(v));
    }

    private static void Collect(ForwardBlock b, HashSet<Var> defined, List<Var> read)
    {
        foreach (var e in b.Events)
        {
            switch (e)
            {
                case LetEvent let:
                    defined.Add(let.Var);
                    read.AddRange(let.Value.Args.SelectMany(a => a.Vars()));
                    break;
                case CallEvent call:
                    defined.Add(call.Var);
                    read.AddRange(call.Call.Args.SelectMany(a => a.Vars()));
                    break;
                case ArrayCallEvent arrayCall:
                    defined.Add(arrayCall.Var);
                    read.AddRange(arrayCall.Call.Args.SelectMany(a => a.Vars()).Where(v => v.Type.Kind != ValueKind.Array));
                    break;
                case MoveEvent move:
                    read.AddRange(move.Source.Vars());
                    break;
                case IfEvent nested:
                    foreach (var m in nested.Merges)
                    {
                        defined.Add(m);
                    }

                    Collect(nested.Then, defined, read);
                    Collect(nested.Else, defined, read);
                    break;
                case ElementReadEvent element:
                    defined.Add(element.Var);
                    break;
                case ElementWriteEvent write:
                    read.AddRange(write.Value.Vars());
                    break;
                case LoopEvent loop:
                    defined.UnionWith(loop.Info.Loop.LoopVars);
                    defined.UnionWith(loop.Info.Loop.Snapshots);
                    Collect(loop.Body, defined, read);
                    break;
            }
        }

        switch (b.Terminal)
        {
            case ReturnTerminal ret:
                read.AddRange(ret.Value.Vars());
                break;
            case IfTerminal branch:
                Collect(branch.Then, defined, read);
                Collect(branch.Else, defined, read);
                break;
        }
    }

    private Expr Convert(Expr value, IrType type) => MakeOp(Ir.Op.Convert, type, new[] { value }, null);

    private static string Describe(Expr e) => e is VarExpr { Var: var v } ? v.Source ?? v.Name : Printer.CSharp(e);
}

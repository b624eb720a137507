using SymbolicGrad.Generator.Emit;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Reverse;

/// <summary>
/// Loops and arrays. A loop's forward sweep runs as written; the values its reverse needs are pushed at the end
/// of each iteration (by the transfer pass, once the code is final) and popped by the reverse loop, which runs the
/// iterations last first. Loop-carried values flow backwards through one adjoint per loop variable. Array reads
/// add to the array's adjoint in place; a write to a local array takes and clears the element's adjoint.
/// </summary>
internal sealed partial class GradientBuilder
{
    private readonly List<LoopInfo> _loopStack = new();
    private readonly Dictionary<Var, Var> _arrayAdjoints = new();
    private readonly List<(Var Buffer, CBlock Block)> _rentedBuffers = new();

    /// <summary>Bumped by every write to a local array and at loop boundaries: part of the key of local array reads.</summary>
    private int _arrayVersion;

    /// <summary>The adjoint of each differentiable array parameter: the output span the caller passed (dX).</summary>
    public Dictionary<Var, Var> OutputArrays { get; } = new();

    private bool IsOwnSnapshot(Var target, Expr source) =>
        target.Role == VarRole.LoopVar && source is VarExpr { Var: var s } && _snapshotOf.TryGetValue(s, out var owner) && owner == target;

    private readonly Dictionary<Var, Var> _snapshotOf = new();

    private Expr ElementRead(ElementExpr element)
    {
        var index = Resolve(element.Index);
        var array = _alias.TryGetValue(element.Array, out var a) && a is VarExpr { Var: var av } ? av : element.Array;
        bool readOnly = !element.Key.StartsWith("e#", StringComparison.Ordinal);
        var read = new ElementExpr(array, index, readOnly);

        // A local array's element is the same value until the array is written or a loop boundary passes.
        string key = readOnly
            ? read.Key
            : "e" + array.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "@" + _arrayVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) + "[" + index.Key + "]";
        if (Lookup(key) is { } found)
        {
            return found;
        }

        var t = _vars.New("t", array.Type.Element ?? IrType.Double, VarRole.Temp);
        t.Source = (array.FinalName ?? array.Name) + "[" + Printer.CSharp(index) + "]";
        t.Active = !_reverse && array.Active && t.Type.IsReal;
        _out.Add(new CLet(t, read));
        Definitions[t] = read;
        if (t.Active)
        {
            _events!.Add(new ElementReadEvent(t, array, index));
        }

        _available[_available.Count - 1][key] = new VarExpr(t);
        return new VarExpr(t);
    }

    private void ForwardArray(ArrayDeclStmt decl)
    {
        var length = Resolve(decl.Length);
        decl.Array.Active = decl.Array.Type.IsRealArray && _parameters.Any(p => p.Active);
        _out.Add(new CArray(decl.Array, length, decl.StackAlloc, rented: false) { Comment = "a local array: " + (decl.Array.Source ?? decl.Array.Name) });
        if (!decl.Array.Active)
        {
            return;
        }

        var adjoint = _vars.New(decl.Array.Name + "Bar", IrType.ArrayOf(decl.Array.Type.Element!, decl.StackAlloc ? "global::System.Span<" + decl.Array.Type.Element!.CSharp + ">" : decl.Array.Type.Element!.CSharp + "[]", decl.StackAlloc), VarRole.Internal);
        adjoint.AdjointOf = decl.Array;
        var lengthOf = new InlineExpr(InlineForm.Member, "Length", new Expr[] { new VarExpr(decl.Array) }, IrType.Int32, Printer.Primary);
        _out.Add(new CArray(adjoint, lengthOf, decl.StackAlloc, rented: !decl.StackAlloc) { Comment = "its adjoint, zeroed" });
        _arrayAdjoints[decl.Array] = adjoint;
        if (!decl.StackAlloc)
        {
            _rentedBuffers.Add((adjoint, _out));
        }
    }

    private void ForwardElementWrite(ElementAssignStmt write)
    {
        var index = Resolve(write.Index);
        var value = Flatten(write.Value);
        _arrayVersion++;
        _out.Add(new CElement(write.Array, index, value, accumulate: false));
        if (write.Array.Active)
        {
            _events!.Add(new ElementWriteEvent(write.Array, index, value));
        }
    }

    private void ForwardLoop(LoopStmt loop)
    {
        var count = _vars.New("n", IrType.Int32, VarRole.Internal);
        var info = new LoopInfo(loop, count);
        for (int i = 0; i < loop.LoopVars.Count; i++)
        {
            var m = loop.LoopVars[i];
            var init = Flatten(loop.Inits[i]);
            m.Active = init.IsActive();
            _out.Add(new CLet(m, init));
            _events!.Add(new MoveEvent(m, init));
            _snapshotOf[loop.Snapshots[i]] = m;
        }

        _out.Add(new CLet(count, new LiteralExpr("0", IrType.Int32)) { Comment = "counts the iterations, for the reverse sweep" });

        // Activity is a fixpoint: a value that becomes active in one iteration is active in the next.
        ForwardBlock body;
        while (true)
        {
            _arrayVersion++;
            body = new ForwardBlock();
            _loopStack.Add(info);
            ForwardInto(body, loop.Body, () =>
            {
                _out.Add(new CAssign(count, new InlineExpr(InlineForm.Binary, "+", new Expr[] { new VarExpr(count), new LiteralExpr("1", IrType.Int32) }, IrType.Int32, Printer.Additive)));
                for (int i = 0; i < loop.LoopVars.Count; i++)
                {
                    loop.Snapshots[i].Active = loop.LoopVars[i].Active;
                    _out.Add(new CLet(loop.Snapshots[i], new VarExpr(loop.LoopVars[i])));
                }
            });
            _loopStack.RemoveAt(_loopStack.Count - 1);
            foreach (var move in Moves(body))
            {
                if (loop.LoopVars.Contains(move.Target) && move.Source.IsActive())
                {
                    move.Target.Active = true;
                }
            }

            // Again while a loop variable turned active after its snapshot was taken as inactive.
            bool changed = false;
            for (int i = 0; i < loop.LoopVars.Count; i++)
            {
                changed |= loop.LoopVars[i].Active && !loop.Snapshots[i].Active;
            }

            if (!changed)
            {
                break;
            }
        }

        _arrayVersion++;
        var condition = loop.Condition is null ? null : Resolve(loop.Condition);
        var step = loop.Step.Select(s => (s.Target, Resolve(s.Value))).ToList();
        var forward = new CLoop(info, loop.Kind, condition, step, body.Code) { Comment = "the " + loop.Source };
        info.Forward = forward;
        _out.Add(forward);
        _events!.Add(new LoopEvent(info, body));
    }

    private static IEnumerable<MoveEvent> Moves(ForwardBlock b)
    {
        foreach (var e in b.Events)
        {
            if (e is MoveEvent m)
            {
                yield return m;
            }
            else if (e is IfEvent i)
            {
                foreach (var x in Moves(i.Then).Concat(Moves(i.Else)))
                {
                    yield return x;
                }
            }
        }

        if (b.Terminal is IfTerminal t)
        {
            foreach (var x in Moves(t.Then).Concat(Moves(t.Else)))
            {
                yield return x;
            }
        }
    }

    // ---------------------------------------------------------------- reverse

    private Var AdjointArray(Var array)
    {
        if (OutputArrays.TryGetValue(array, out var output))
        {
            return output;
        }

        return _arrayAdjoints[array];
    }

    private void ReverseElementRead(ElementReadEvent read)
    {
        var adjoint = Finalize(read.Var, out var uses);
        if (adjoint is null)
        {
            return;
        }

        var statement = new CElement(AdjointArray(read.Array), read.Index, adjoint, accumulate: true);
        AddAdjointComments(statement, read.Var, uses);
        _out.Add(statement);
    }

    private void ReverseElementWrite(ElementWriteEvent write)
    {
        var bar = AdjointArray(write.Array);
        if (write.Value.IsActive())
        {
            var taken = _vars.New("t", bar.Type.Element ?? IrType.Double, VarRole.Temp);
            var read = new ElementExpr(bar, write.Index, readOnlyArray: false);
            _out.Add(new CLet(taken, read));
            Definitions[taken] = read;
            Contribute(write.Value, new VarExpr(taken), (write.Array.FinalName ?? write.Array.Name) + "[" + Printer.CSharp(write.Index) + "] = ...", "element written");
        }

        _out.Add(new CElement(bar, write.Index, Const(0, bar.Type.Element ?? IrType.Double), accumulate: false)
        {
            Comment = "the element was overwritten: the adjoint of its old value starts at zero",
        });
    }

    private void ReverseLoop(LoopEvent loopEvent)
    {
        var info = loopEvent.Info;
        var loop = info.Loop;
        var bars = new Dictionary<Var, Var>();
        int header = _out.Statements.Count;
        foreach (var m in loop.LoopVars.Where(v => v.Active))
        {
            var adjoint = Finalize(m, out var uses);
            var bar = _vars.New("t", m.Type, VarRole.Adjoint);
            bar.AdjointOf = m;
            bar.IsAccumulator = true;
            var let = new CLet(bar, adjoint ?? Const(0, m.Type));
            AddAdjointComments(let, m, uses, ", carried backwards through the iterations");
            _out.Add(let);
            bars[m] = bar;
            _mergeAdjoints[m] = new VarExpr(bar);
        }

        Materialize(OuterReferences(loopEvent.Body).Where(v => !loop.Snapshots.Contains(v)));
        var k = _vars.New("k", IrType.Int32, VarRole.Internal);
        var body = new CBlock();
        var outer = _out;
        ReverseBranch(loopEvent.Body, b =>
        {
            _out = body;
            if (loop.Index is { } index)
            {
                int position = loop.LoopVars.IndexOf(index.LoopVar);
                var init = Flatten(loop.Inits[position]);
                int magnitude = Math.Abs(index.Step);
                Expr offset = magnitude == 1
                    ? new VarExpr(k)
                    : new InlineExpr(InlineForm.Binary, "*", new Expr[] { new VarExpr(k), new LiteralExpr(magnitude.ToString(System.Globalization.CultureInfo.InvariantCulture), IrType.Int32) }, IrType.Int32, Printer.Multiplicative);
                Expr value = init is LiteralExpr { Text: "0" } && index.Step > 0
                    ? offset
                    : new InlineExpr(InlineForm.Binary, index.Step > 0 ? "+" : "-", new Expr[] { init, offset }, IrType.Int32, Printer.Additive);
                _out.Add(new CLet(loop.Snapshots[position], value) { Comment = "the loop index of iteration k, recomputed rather than stored" });
            }

            _loopStack.Add(info);
            bool completes = ReverseDetached(b);
            _loopStack.RemoveAt(_loopStack.Count - 1);

            // The adjoints at the start of the iteration, all computed before any loop adjoint is overwritten
            // (a = b; b = a + b reads each other's), and the outer accumulators flushed while they still hold
            // this iteration's values.
            var updates = new List<(Var Bar, Expr Value, Var Snapshot, List<Contribution> Uses)>();
            for (int i = 0; i < loop.LoopVars.Count; i++)
            {
                if (bars.TryGetValue(loop.LoopVars[i], out var bar))
                {
                    var adjoint = Finalize(loop.Snapshots[i], out var uses) ?? Const(0, bar.Type);
                    if (adjoint is VarExpr { Var: var same } && same == bar)
                    {
                        continue;
                    }

                    if (adjoint.Vars().Any(v => v.IsMutable))
                    {
                        var copy = _vars.New("t", bar.Type, VarRole.Temp);
                        _out.Add(new CLet(copy, adjoint));
                        adjoint = new VarExpr(copy);
                    }

                    updates.Add((bar, adjoint, loop.Snapshots[i], uses));
                }
            }

            Flush();
            foreach (var (bar, value, snapshot, uses) in updates)
            {
                var assign = new CAssign(bar, value);
                AddAdjointComments(assign, snapshot, uses, " at the start of the iteration");
                _out.Add(assign);
            }

            return completes || true;
        });
        _out = outer;
        if (TryFuse(info, body, header, new HashSet<Var>(bars.Values)))
        {
            return;
        }

        var reverse = new CReverseLoop(info, k, body) { Comment = "reverse of the " + loop.Source + ": its iterations, last first" };
        info.Reverse = reverse;
        _out.Add(reverse);
    }

    /// <summary>
    /// Runs the reverse of each iteration right after its forward part, inside the forward loop, when that is exact:
    /// the loop only accumulates (no loop adjoint changes from one iteration to the next, so every iteration's reverse
    /// sees the same seeds) and those seeds are known before the loop starts (they depend on parameters and values
    /// computed before it, as in return sum / n). Then nothing is stored and the data are read once, as a hand-written
    /// gradient does. Only for loops at the top level of the method, without break, continue or return.
    /// </summary>
    /// <param name="info">The loop.</param>
    /// <param name="body">Its reverse body, as built for a reverse loop.</param>
    /// <param name="header">Where the statements emitted for this loop before its reverse (seeds, accumulators) start in <see cref="_out"/>.</param>
    /// <param name="bars">The loop variables' adjoints (the seeds).</param>
    private bool TryFuse(LoopInfo info, CBlock body, int header, HashSet<Var> bars)
    {
        if (_loopStack.Count > 0 || _root is null || _out != _root || info.Forward is not { } forward)
        {
            return false;
        }

        int at = _root.Statements.IndexOf(forward);
        var ends = Cleanup.Walk(forward.Body).Where(x => x.Statement is CEndOfIteration e && e.Info == info).ToList();
        if (at < 0 || ends.Count != 1 || ends[0].Block != forward.Body
            || Cleanup.Walk(forward.Body).Any(x => x.Statement is CJump j && j.Info == info))
        {
            return false;
        }

        var lets = new List<CLet>();
        for (int i = header; i < _out.Statements.Count; i++)
        {
            if (_out.Statements[i] is not CLet l || !(bars.Contains(l.Var) || l.Var.IsAccumulator))
            {
                return false;
            }

            lets.Add(l);
        }

        // The seeds must be computable before the loop: from parameters, values computed before it, and reverse-sweep
        // values (at the top level, computed once) that are themselves computable before it.
        var before = new HashSet<Var>(_root.Statements.Take(at).SelectMany(st => st.Declares()));
        before.ExceptWith(info.Loop.LoopVars);
        before.ExceptWith(forward.Step.Select(x => x.Target));
        before.ExceptWith(Cleanup.Walk(forward.Body).SelectMany(x => x.Statement.Assigns()));
        var lifted = new List<CLet>();
        bool Computable(Var v)
        {
            if (v.Role == VarRole.Parameter || before.Contains(v) || lifted.Any(l => l.Var == v))
            {
                return true;
            }

            if (v.Id < _firstReverseId || v.IsMutable)
            {
                return false;
            }

            var let = _root.Statements.Skip(at + 1).Take(header - at - 1).OfType<CLet>().FirstOrDefault(l => l.Var == v);
            if (let is null || !let.Value.Vars().All(Computable))
            {
                return false;
            }

            lifted.Add(let);
            return true;
        }

        if (!lets.Where(l => bars.Contains(l.Var)).All(l => l.Value.Vars().All(Computable)))
        {
            return false;
        }

        // The forward body already has the values the reverse recomputes (the loop index).
        var fused = new CBlock();
        fused.Statements.AddRange(body.Statements.Where(st => !(st is CLet l && l.Var.Id < _firstReverseId)));

        // The iteration's reverse must not change a seed, and may only use reverse-sweep variables of its own or of this header.
        var own = new HashSet<Var>(Cleanup.Walk(fused).SelectMany(x => x.Statement.Declares()));
        var allowed = new HashSet<Var>(lets.Select(l => l.Var));
        foreach (var (st, _) in Cleanup.Walk(fused))
        {
            if (st.Assigns().Any(bars.Contains))
            {
                return false;
            }

            if (st.Reads().SelectMany(e => e.Vars()).Concat(st.Assigns()).Any(v => v.Id >= _firstReverseId && !own.Contains(v) && !allowed.Contains(v)))
            {
                return false;
            }
        }

        // Adjoints of local arrays: a write takes and clears its element's adjoint, so the order of reads and writes
        // across iterations and after the loop matters. Allowed only for arrays the loop reads but never writes, and
        // nothing writes after it.
        var arrayAdjoints = Cleanup.Walk(fused)
            .SelectMany(x => x.Statement.Reads().SelectMany(e => e.Vars()).Concat(x.Statement.Assigns()).Concat(x.Statement is CElement el ? new[] { el.Array } : Array.Empty<Var>()))
            .Where(v => v.Type.Kind == ValueKind.Array && v.AdjointOf is { } a && _arrayAdjoints.TryGetValue(a, out var adj) && adj == v)
            .Select(v => v.AdjointOf!)
            .Distinct()
            .ToList();
        if (arrayAdjoints.Count > 0)
        {
            var after = _root.Statements.Skip(at + 1).SelectMany(st => Cleanup.Walk(new CBlock { Statements = { st } })).Select(x => x.Statement).ToList();
            var writtenInside = new HashSet<Var>(Cleanup.Walk(forward.Body).Select(x => x.Statement).OfType<CElement>().Where(e => !e.Accumulate).Select(e => e.Array));
            foreach (var a in arrayAdjoints)
            {
                bool ok = writtenInside.Contains(a)
                    ? !after.Any(st => Mentions(st, a)) && Private(a, forward.Body)
                    : !after.OfType<CElement>().Any(e => !e.Accumulate && e.Array == a);
                if (!ok)
                {
                    return false;
                }
            }
        }

        // Seeds and accumulators move before the loop; an accumulator's terms from after the loop are added where they were.
        _out.Statements.RemoveRange(header, lets.Count);
        foreach (var l in lifted)
        {
            _root.Statements.Remove(l);
        }

        var hoisted = new List<CStmt>(lifted);
        foreach (var l in lets)
        {
            if (bars.Contains(l.Var))
            {
                hoisted.Add(l);
                continue;
            }

            var zero = new CLet(l.Var, Const(0, l.Var.Type));
            zero.Comments.AddRange(l.Comments);
            hoisted.Add(zero);
            if (l.Value is not ConstExpr { Value: 0 })
            {
                _out.Add(new CAccumulate(l.Var, l.Value) { Comment = "its terms from the code after the loop" });
            }
        }

        if (hoisted.Count > 0)
        {
            hoisted[0].Comments.Insert(0, () => "the loop only accumulates and its seeds are known now: its reverse runs inside it, iteration by iteration");
        }

        _root.Statements.InsertRange(at, hoisted);

        if (fused.Statements.Count > 0)
        {
            fused.Statements[0].Comments.Insert(0, () => "the reverse of this iteration, right away (nothing stored)");
        }

        forward.Body.Statements.InsertRange(forward.Body.Statements.IndexOf(ends[0].Statement), fused.Statements);
        info.Reverse = null;

        // Nothing counts the iterations any more.
        forward.Body.Statements.RemoveAll(st => st is CAssign a && a.Var == info.Count);
        _root.Statements.RemoveAll(st => st is CLet l && l.Var == info.Count);
        return true;
    }

    private static bool Mentions(CStmt s, Var array) =>
        Cleanup.Walk(new CBlock { Statements = { s } }).Any(x => x.Statement.Reads().Any(e => e.Vars().Contains(array)) || x.Statement.Declares().Contains(array));

    /// <summary>
    /// Whether every element of <paramref name="array"/> that <paramref name="block"/> reads was written earlier in the
    /// same run of the block (a scratch array private to each iteration): scanning in order, statements that do not
    /// mention it are skipped, a loop that writes all of it (see <see cref="Covers"/>) settles it, and a loop that only
    /// uses it privately in each of its own iterations is fine; anything else is not.
    /// </summary>
    private bool Private(Var array, CBlock block)
    {
        for (int i = 0; i < block.Statements.Count; i++)
        {
            var st = block.Statements[i];
            if (!Mentions(st, array))
            {
                continue;
            }

            if (st is CLoop loop && Covers(array, loop, block.Statements.Take(i)))
            {
                return true;
            }

            if (st is CLoop inner && Private(array, inner.Body))
            {
                continue;
            }

            return false;
        }

        return true;
    }

    /// <summary>
    /// for (i = 0; i &lt; array.Length (or the length it was created with); i++) { ...; array[i] = ...; ... } with no
    /// jump, where nothing before that write mentions the array and nothing after it reads another element or writes.
    /// </summary>
    private bool Covers(Var array, CLoop loop, IEnumerable<CStmt> before)
    {
        if (loop.Kind != IrLoopKind.For || loop.Info.Loop.Index is not { Step: 1 } index
            || loop.Condition is not InlineExpr { Form: InlineForm.Binary, Token: "<" } condition || condition.Args.Length != 2
            || condition.Args[0] is not VarExpr { Var: var counter } || counter != index.LoopVar
            || Cleanup.Walk(loop.Body).Any(x => x.Statement is CJump j && j.Info == loop.Info))
        {
            return false;
        }

        var bound = condition.Args[1];
        var created = Cleanup.Walk(_root!).Select(x => x.Statement).OfType<CArray>().FirstOrDefault(c => c.Array == array);
        bool wholeLength = (bound is InlineExpr { Form: InlineForm.Member, Token: "Length" } length && length.Args.Length == 1 && length.Args[0] is VarExpr { Var: var of } && of == array)
            || (created is not null && created.Length.Key == bound.Key);
        var init = before.OfType<CLet>().LastOrDefault(l => l.Var == index.LoopVar)?.Value;
        if (!wholeLength || init is null || !IsZero(init))
        {
            return false;
        }

        var snapshot = loop.Info.Loop.Snapshots[loop.Info.Loop.LoopVars.IndexOf(index.LoopVar)];
        int write = loop.Body.Statements.FindIndex(st => st is CElement { Accumulate: false, Index: VarExpr { Var: var at } } e && e.Array == array && at == snapshot);
        if (write < 0 || loop.Body.Statements.Take(write).Any(st => Mentions(st, array)))
        {
            return false;
        }

        var key = ((CElement)loop.Body.Statements[write]).Index.Key;
        foreach (var (st, _) in Cleanup.Walk(new CBlock { Statements = { } }.With(loop.Body.Statements.Skip(write + 1))))
        {
            if (st is CElement e && e.Array == array)
            {
                return false;
            }

            if (st.Reads().SelectMany(Elements).Any(el => el.Array == array && el.Index.Key != key))
            {
                return false;
            }
        }

        return true;
    }

    private bool IsZero(Expr e) => e switch
    {
        LiteralExpr { Text: "0" } => true,
        ConstExpr { Value: 0 } => true,
        VarExpr { Var: var v } when !v.IsMutable => Cleanup.Walk(_root!).Select(x => x.Statement).OfType<CLet>().FirstOrDefault(l => l.Var == v) is { } let && IsZero(let.Value),
        _ => false,
    };

    private static IEnumerable<ElementExpr> Elements(Expr e) => e switch
    {
        ElementExpr el => new[] { el }.Concat(Elements(el.Index)),
        OpExpr o => o.Args.SelectMany(Elements),
        InlineExpr i => i.Args.SelectMany(Elements),
        CallExpr c => c.Args.SelectMany(Elements),
        _ => Enumerable.Empty<ElementExpr>(),
    };

    /// <summary>The reverse of a block whose forward code lives elsewhere (a loop body): emitted into <see cref="_out"/>.</summary>
    private bool ReverseDetached(ForwardBlock fb)
    {
        var here = _out;
        switch (fb.Terminal)
        {
            case ReturnTerminal ret:
                Contribute(ret.Value, Const(1, _returnType), "return " + Describe(ret.Value), "seed ∂f/∂f = 1");
                break;
            case ThrowTerminal:
                return false;
            case IfTerminal branch:
                Materialize(OuterReferences(branch.Then).Concat(OuterReferences(branch.Else)));
                var then = new CBlock();
                var @else = new CBlock();
                bool t = ReverseBranch(branch.Then, b =>
                {
                    _out = then;
                    return ReverseDetached(b);
                });
                bool e = ReverseBranch(branch.Else, b =>
                {
                    _out = @else;
                    return ReverseDetached(b);
                });
                _out = here;
                if (then.Statements.Count > 0 || @else.Statements.Count > 0)
                {
                    _out.Add(new CIf(branch.Condition, then, @else));
                }

                if (!t && !e)
                {
                    return false;
                }

                break;
        }

        ReverseEvents(fb.Events);
        return true;
    }
}

using System.Globalization;
using SymbolicGrad.Generator.Analysis;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Transforms;

/// <summary>Thrown by a transform for a construct it cannot handle; becomes an SG0006 at the method.</summary>
internal sealed class UnsupportedException : Exception
{
    public UnsupportedException(string what, string advice, SymbolicGrad.Generator.Models.DiagnosticInfo? at = null)
        : base(what)
    {
        What = what;
        Advice = advice;
        At = at;
    }

    /// <summary>The construct's location when it is known (a loop's header); otherwise the error points at the method.</summary>
    public SymbolicGrad.Generator.Models.DiagnosticInfo? At { get; }

    public string What { get; }

    public string Advice { get; }
}

/// <summary>
/// A reverse loop reads values of its forward loop's iterations (the operands of the derivatives). Each is either
/// recomputed at the start of the reverse iteration (cheap arithmetic on values the loop does not change, the counted
/// index from the iteration number) or stored: pushed on a pooled tape at the end of the forward iteration and popped,
/// last first, at the start of the reverse one. Nested loops are resolved innermost first, so an inner loop's
/// recomputations may read the outer iteration's values, which the outer loop then resolves in turn.
/// </summary>
internal sealed class Resolve
{
    private const int MaxRecomputeDepth = 12;

    private readonly IrMethod _method;
    private readonly ReverseProgram _program;
    private readonly Aliasing _aliasing;
    private readonly Dictionary<string, Var> _stacks = new(StringComparer.Ordinal);
    private readonly Dictionary<Var, (Assign Def, bool TopLevel)> _defs = new();

    /// <summary>The block each forward value is defined in: a value defined under a branch may not exist on another path.</summary>
    private readonly Dictionary<Var, Block> _defBlocks = new();
    private readonly Dictionary<Var, int> _storeSites = new();
    private readonly Dictionary<Loop, int> _topIndex = new();

    public Resolve(IrMethod method, ReverseProgram program, Aliasing aliasing)
    {
        _method = method;
        _program = program;
        _aliasing = aliasing;
    }

    /// <summary>The tapes the code uses, by element type.</summary>
    public IReadOnlyDictionary<string, Var> Stacks => _stacks;

    public void Run()
    {
        IndexForward();
        _counterOf = _program.Loops.Values.ToDictionary(l => l.Forward, l => l.Counter);
        foreach (var reverse in PostOrder(_program.Reverse))
        {
            if (_program.Loops.TryGetValue(reverse, out var pair))
            {
                ResolveLoop(reverse, pair.Forward);
            }
        }

        // Reservations go in last, from the end, so that the statement indices above stay valid.
        foreach (var (forward, pushes) in _reservations.OrderByDescending(r => _topIndex[r.Loop]))
        {
            ReserveBefore(forward, pushes);
        }
    }

    private readonly List<(Loop Loop, List<(Var Stack, Var Value)> Pushes)> _reservations = new();

    /// <summary>Where every forward value is defined, where each array class is written, and which top-level statement each loop is in.</summary>
    private void IndexForward()
    {
        var top = _program.Forward.Stmts;
        for (int i = 0; i < top.Count; i++)
        {
            var root = new Block(new List<Stmt> { top[i] });
            foreach (var (s, block) in IrWalk.All(root))
            {
                switch (s)
                {
                    case Assign a:
                        _defs[a.Dst] = (a, false);
                        _defBlocks[a.Dst] = block;
                        if (a.Value.Op is Opcode.Opaque or Opcode.Call && a.Value.Data is not OpaqueInfo { Pure: true } and not OpaqueInfo { EffectFree: true })
                        {
                            // A call with effects that returns a value (c.AsSpan().TryCopyTo(d) returns a bool).
                            MarkArguments(a.Value, i);
                        }

                        if (a.Value.Op == Opcode.Alloc && _aliasing.ClassOf(a.Dst) is { } allocated)
                        {
                            Mark(allocated, i);
                        }

                        break;
                    case Store st when _aliasing.ClassOf(st.Array) is { } written:
                        Mark(written, i);
                        break;
                    case Effect e:
                        // Code run as written (Array.Sort(c), Buffer.BlockCopy, span.TryCopyTo(c)) may write into any
                        // array or view it is given: a read of it is not the same after the call.
                        MarkArguments(e.Call, i);
                        break;
                    case Loop l:
                        _topIndex[l] = i;
                        foreach (var a in l.Body.Stmts.OfType<Assign>())
                        {
                            // Top level of its loop's body: in scope at the end of the iteration.
                            _ = a;
                        }

                        break;
                }
            }
        }

        void Mark(Var cls, int index) => _storeSites[cls] = Math.Max(_storeSites.TryGetValue(cls, out int j) ? j : -1, index);

        void MarkArguments(Instr call, int index)
        {
            foreach (var arg in call.Args)
            {
                if (arg.Type.IsArray && _aliasing.ClassOf(arg) is { } cls)
                {
                    Mark(cls, index);
                }
            }
        }
    }

    private static IEnumerable<Loop> PostOrder(Block root)
    {
        // Innermost first: a loop after every loop nested in it.
        var result = new List<Loop>();
        var stack = new Stack<(Loop Loop, bool Expanded)>();
        foreach (var l in Enumerable.Reverse(TopLoops(root)))
        {
            stack.Push((l, false));
        }

        while (stack.Count > 0)
        {
            var (loop, expanded) = stack.Pop();
            if (expanded)
            {
                result.Add(loop);
                continue;
            }

            stack.Push((loop, true));
            foreach (var inner in Enumerable.Reverse(TopLoops(loop.Body)))
            {
                stack.Push((inner, false));
            }
        }

        return result;
    }

    /// <summary>The loops in a block that are not inside another loop of it.</summary>
    private static List<Loop> TopLoops(Block block)
    {
        var loops = new List<Loop>();
        var stack = new Stack<Block>();
        stack.Push(block);
        while (stack.Count > 0)
        {
            var b = stack.Pop();
            foreach (var s in b.Stmts)
            {
                switch (s)
                {
                    case Loop l:
                        loops.Add(l);
                        break;
                    case If f:
                        stack.Push(f.Then);
                        stack.Push(f.Else);
                        break;
                }
            }
        }

        return loops;
    }

    /// <summary>Each forward loop's iteration counter (its value after the loop is the number of iterations).</summary>
    private Dictionary<Loop, Var> _counterOf = new();

    private static HashSet<Var> DefinedIn(Loop loop)
    {
        var defined = new HashSet<Var>(loop.Vars.Select(v => v.Var));
        foreach (var (s, _) in IrWalk.All(loop.Header).Concat(IrWalk.All(loop.Body)))
        {
            defined.UnionWith(IrWalk.Writes(s));
        }

        return defined;
    }

    private void ResolveLoop(Loop reverse, Loop forward)
    {
        // Everything the forward loop defines: its loop variables, and every value of its header and body.
        var definedIn = new HashSet<Var>(forward.Vars.Select(v => v.Var));
        foreach (var (s, _) in IrWalk.All(forward.Header).Concat(IrWalk.All(forward.Body)))
        {
            definedIn.UnionWith(IrWalk.Writes(s));
        }

        var topLevel = new HashSet<Var>(forward.Body.Stmts.OfType<Assign>().Select(a => a.Dst));

        // What the reverse body reads of it, in order of first use.
        var needed = new List<Var>();
        var seen = new HashSet<Var>();
        foreach (var (s, _) in IrWalk.All(reverse.Body))
        {
            foreach (var o in IrWalk.Reads(s))
            {
                if (o is Var v && definedIn.Contains(v) && seen.Add(v))
                {
                    needed.Add(v);
                }
            }
        }

        if (needed.Count == 0)
        {
            return;
        }

        // A span over storage the loop takes fresh in each iteration (a collection expression passed to a helper as a
        // span) cannot be stored or taken again; when the reverse reads only its length, store the length instead.
        var storedLengths = new HashSet<Var>();
        for (int i = 0; i < needed.Count; i++)
        {
            var v = needed[i];
            if (v.Type.IsArray && v.Type.Form != ArrayForm.Array && FreshStorage(v) && _defs.TryGetValue(v, out var vd) && vd.Def is { } vDef
                && _defBlocks.TryGetValue(v, out var vb) && ReferenceEquals(vb, forward.Body) && OnlyLengthReads(v) is { } lengthReads)
            {
                var length = _method.NewVar(v.Hint + "Length", IrType.Int32, VarRole.Temp);
                var def = new Assign(length, new Instr(Opcode.Length, IrType.Int32, new Operand[] { v }));
                forward.Body.Stmts.Insert(forward.Body.Stmts.IndexOf(vDef) + 1, def);
                _defs[length] = (def, false);
                _defBlocks[length] = forward.Body;
                definedIn.Add(length);
                foreach (var read in lengthReads)
                {
                    read.Value = new Instr(Opcode.Copy, read.Value.Type, new Operand[] { length });
                }

                storedLengths.Add(length);
                needed[i] = length;
            }
        }

        // Does the span's value come from storage allocated in this loop (through copies)?
        bool FreshStorage(Var v)
        {
            for (int hops = 0; hops < 8; hops++)
            {
                if (!definedIn.Contains(v) || !_defs.TryGetValue(v, out var d) || d.Def is null)
                {
                    return false;
                }

                var value = d.Def.Value;
                if (value.Op == Opcode.Alloc)
                {
                    return !Recomputable(value, forward);
                }

                if (value.Op is not (Opcode.Copy or Opcode.Cast) || value.Args[0] is not Var from || !from.Type.IsArray)
                {
                    return false;
                }

                v = from;
            }

            return false;
        }

        // The reverse body's reads of the span, when each is the operand of a length and nothing else reads it.
        List<Assign>? OnlyLengthReads(Var v)
        {
            var reads = new List<Assign>();
            foreach (var (s, _) in IrWalk.All(reverse.Body))
            {
                if (!IrWalk.Reads(s).Any(o => ReferenceEquals(o, v)))
                {
                    continue;
                }

                if (s is not Assign { Value.Op: Opcode.Length } a || a.Value.Args.Length != 1)
                {
                    return null;
                }

                reads.Add(a);
            }

            return reads.Count > 0 ? reads : null;
        }

        var k = reverse.Vars[0].Var;
        var map = new Dictionary<Var, Operand>();
        var recompute = new Block();
        var rb = new Builder(_method, recompute, exact: true);
        var pushes = new List<(Var Stack, Var Value)>();
        var counted = forward.Counted;
        var indexInit = counted is null ? null : forward.Vars.First(v => ReferenceEquals(v.Var, counted.Index)).Init;

        Operand ResolveVar(Var v, int depth)
        {
            if (map.TryGetValue(v, out var done))
            {
                return done;
            }

            if (!definedIn.Contains(v))
            {
                return v;
            }

            if (storedLengths.Contains(v))
            {
                goto Stored;
            }

            // The counted index: start + k·step.
            if (counted is not null && ReferenceEquals(v, counted.Index))
            {
                int stride = Math.Abs(counted.Step);
                var offset = stride == 1 ? k : rb.Op(Opcode.IMul, IrType.Int32, k, Lit.Int(stride));
                var index = counted.Step > 0
                    ? (IsZeroInt(indexInit!) ? offset : rb.Op(Opcode.IAdd, IrType.Int32, indexInit!, offset))
                    : rb.Op(Opcode.ISub, IrType.Int32, indexInit!, offset);
                var named = Rename(index, v);
                map[v] = named;
                return named;
            }

            // An induction variable (li++ beside the index, a running offset): init + k·step, with a step fixed in the loop.
            if (InductionStep(forward, v, definedIn) is { } induction)
            {
                var step = induction.Step;
                var offset = step is Lit one && one.TryInt(out long s1) && s1 == 1 ? k : rb.Op(Opcode.IMul, IrType.Int32, k, step);
                var value = IsZeroInt(induction.Init) ? offset : rb.Op(Opcode.IAdd, IrType.Int32, induction.Init, offset);
                var named = Rename(value, v);
                map[v] = named;
                return named;
            }

            // The iteration count of a counted loop at the top of this loop's body (its counter after it): computed again
            // from the loop's start and bound. Only for steps of ±1 to a strict bound, whose count cannot wrap around.
            if (depth < MaxRecomputeDepth && TripsOf(v) is { } inner && inner.Counted is { } ic
                && inner.Vars.FirstOrDefault(lv => ReferenceEquals(lv.Var, ic.Index)) is { } innerIndex
                && PlainInt(innerIndex.Init, depth) && PlainInt(ic.Bound, depth))
            {
                var start = innerIndex.Init is Var sv ? ResolveVar(sv, depth + 1) : innerIndex.Init;
                var bound = ic.Bound is Var bv ? ResolveVar(bv, depth + 1) : ic.Bound;
                var count = rb.Op(Opcode.Opaque, IrType.Int32, new OpaqueInfo(new[]
                {
                    "(int)global::SymbolicGrad.Internal.LoopTrips.Count(",
                    ", ",
                    ", " + ic.Step.ToString(CultureInfo.InvariantCulture) + ", false)",
                }, pure: true, effectFree: true), start, bound);
                var named = Rename(count, v);
                map[v] = named;
                return named;
            }

            bool unconditional = _defs.TryGetValue(v, out var def) && _defBlocks.TryGetValue(v, out var at) && ReferenceEquals(at, forward.Body);
            if (depth < MaxRecomputeDepth && def.Def is not null && Recomputable(def.Def.Value, forward)
                && (unconditional || !MayThrow(def.Def.Value) || Guardable(def.Def.Value)))
            {
                bool guarded = !unconditional && MayThrow(def.Def.Value);
                var args = new Operand[def.Def.Value.Args.Length];
                bool ok = true;
                for (int i = 0; i < args.Length && ok; i++)
                {
                    var a = def.Def.Value.Args[i];
                    args[i] = a is Var av ? ResolveVar(av, depth + 1) : a;
                    ok = args[i] is not null;
                }

                if (ok)
                {
                    var copy = _method.NewVar(v.Hint, v.Type, v.Role == VarRole.Parameter ? VarRole.Temp : v.Role);
                    var value = def.Def.Value.With(args);
                    if (guarded && value.Op == Opcode.Alloc)
                    {
                        // A scratch buffer taken again: never with a negative length from a path not taken.
                        var length = rb.Op(Opcode.Opaque, IrType.Int32, new OpaqueInfo(new[] { "global::System.Math.Max(0, ", ")" }, pure: true, effectFree: true), value.Args[0]);
                        value = value.With(new[] { length });
                    }
                    else if (guarded)
                    {
                        value = new Instr(value.Op, value.Type, value.Args, GuardedView.Instance, value.Source);
                    }

                    recompute.Add(new Assign(copy, value));
                    map[v] = copy;
                    return copy;
                }
            }

            // A span a loop re-points (xp = s.Slice(...) at the end of an iteration): a span cannot be pushed, but its
            // value in iteration j is its initial view for j = 0 and otherwise the view the body of iteration j − 1
            // took, taken again from the same arrays and the counted index of that iteration. This loop's own span
            // (in iteration k), or the final view of a loop nested at the top of its body (after its n iterations).
            if (v.Type.IsArray && v.Type.Form != ArrayForm.Array && depth < MaxRecomputeDepth && CarriedView(v) is var (owner, carried)
                && (owner == forward || forward.Body.Stmts.Contains(owner))
                && (owner == forward ? k : _counterOf.TryGetValue(owner, out var counter) ? ResolveVar(counter, depth + 1) : null) is { } trips
                && (owner == forward ? carried.Init is not Var iv || !definedIn.Contains(iv) : true)
                && (carried.Init is Var initVar ? ResolveVar(initVar, depth + 1) : carried.Init) is var init
                && Previous(owner, rb.Op(Opcode.ISub, IrType.Int32, trips, Lit.Int(1)), new Dictionary<Var, Operand>(), carried.Next, depth + 1) is { } previous)
            {
                var first = rb.Op(Opcode.Cmp, IrType.Bool, CmpKind.Eq, trips, Lit.Int(0));
                var view = _method.NewVar(v.Hint, v.Type, v.Role == VarRole.Parameter ? VarRole.Temp : v.Role);
                recompute.Add(new Assign(view, new Instr(Opcode.Select, v.Type, new[] { first, init, previous })));
                map[v] = view;
                return view;
            }

            // Views the loop only permutes among its own loop variables ((a, b) = (b, a): double buffering): with
            // a = c0 → c1 → ... → c(L−1) → c0 by their next values, a in iteration k is the initial view of c(k mod L).
            if (v.Type.IsArray && v.Type.Form != ArrayForm.Array && depth < MaxRecomputeDepth && PermutedViews(v) is { } cycle)
            {
                var inits = new Operand[cycle.Count];
                for (int i = 0; i < inits.Length; i++)
                {
                    inits[i] = cycle[i].Init is Var start ? ResolveVar(start, depth + 1) : cycle[i].Init;
                }

                Operand chosen = inits[inits.Length - 1];
                if (inits.Length > 1)
                {
                    var phase = rb.Op(Opcode.IRem, IrType.Int32, k, Lit.Int(inits.Length));
                    for (int i = inits.Length - 2; i >= 0; i--)
                    {
                        var isPhase = rb.Op(Opcode.Cmp, IrType.Bool, CmpKind.Eq, phase, Lit.Int(i));
                        var view = _method.NewVar(v.Hint, v.Type, v.Role == VarRole.Parameter ? VarRole.Temp : v.Role);
                        recompute.Add(new Assign(view, new Instr(Opcode.Select, v.Type, new[] { isPhase, inits[i], chosen })));
                        chosen = view;
                    }
                }

                map[v] = chosen;
                return chosen;
            }

            // A running offset that a counted loop at the top of the body advances (li++ in for (j = i + 1; j < d; j++),
            // li carried on to the next iteration): each iteration adds step × that loop's trip count. Its value in
            // iteration k is taken back from the next one's, v(k) = v(k + 1) − step·trips(k), starting from its value
            // after the loop and carried down by the reverse loop (exact: int arithmetic wraps back as it wrapped).
            if (depth < MaxRecomputeDepth && RunningOffset(v, depth) is { } before)
            {
                map[v] = before;
                return before;
            }

            // A span the loop walks along itself (s = s[c..], s = s.Slice(c)): in iteration k it is its initial view from
            // k·c on, whatever kind of loop walks it.
            if (v.Type.IsArray && v.Type.Form != ArrayForm.Array && depth < MaxRecomputeDepth && WalkedView(v) is var (walkFrom, walkStep, walkLength))
            {
                // Iteration 0 has the view from before the loop; iteration k > 0 the tail from k·c of it, as long as
                // the other view's tail, if its length is another's (a guarded view: never a throw on a path not taken).
                Operand from = walkFrom is Var fromVar ? ResolveVar(fromVar, depth + 1) : walkFrom;
                if (!from.Type.Equals(v.Type))
                {
                    from = rb.Op(Opcode.Copy, v.Type, from);
                }

                var lengthFrom = walkLength is Var lengthVar ? ResolveVar(lengthVar, depth + 1) : walkLength;
                var step = walkStep is Var stepVar ? ResolveVar(stepVar, depth + 1) : walkStep;
                var offset = step is Lit one && one.TryInt(out long s1) && s1 == 1 ? k : rb.Op(Opcode.IMul, IrType.Int32, k, step);
                var length = rb.Op(Opcode.ISub, IrType.Int32, rb.Op(Opcode.Length, IrType.Int32, lengthFrom), offset);
                var tail = _method.NewVar(v.Hint, v.Type, v.Role == VarRole.Parameter ? VarRole.Temp : v.Role);
                recompute.Add(new Assign(tail, new Instr(Opcode.Slice, v.Type, new[] { from, offset, length }, GuardedView.Instance, null)));
                var first = rb.Op(Opcode.Cmp, IrType.Bool, CmpKind.Eq, k, Lit.Int(0));
                var view = _method.NewVar(v.Hint, v.Type, v.Role == VarRole.Parameter ? VarRole.Temp : v.Role);
                recompute.Add(new Assign(view, new Instr(Opcode.Select, v.Type, new[] { first, from, tail })));
                map[v] = view;
                return view;
            }

            // A view the iteration chooses among views it does not compute (w = y[i] > 0 ? wPos : wNeg, or if/else): the
            // choice is an int, stored like any value, and the view is chosen again from it.
            if (v.Type.IsArray && depth < MaxRecomputeDepth && ChosenView(v) is { } chosenView)
            {
                var (which, leaves) = chosenView;
                var resolvedLeaves = new Operand[leaves.Count];
                for (int i = 0; i < leaves.Count; i++)
                {
                    resolvedLeaves[i] = leaves[i] is Var leaf ? ResolveVar(leaf, depth + 1) : leaves[i];
                    if (!resolvedLeaves[i].Type.Equals(v.Type))
                    {
                        resolvedLeaves[i] = rb.Op(Opcode.Copy, v.Type, resolvedLeaves[i]);
                    }
                }

                var index = ResolveVar(which, depth + 1);
                Operand chosen = resolvedLeaves[resolvedLeaves.Length - 1];
                for (int i = resolvedLeaves.Length - 2; i >= 0; i--)
                {
                    var isLeaf = rb.Op(Opcode.Cmp, IrType.Bool, CmpKind.Eq, index, Lit.Int(i));
                    var view = _method.NewVar(v.Hint, v.Type, v.Role == VarRole.Parameter ? VarRole.Temp : v.Role);
                    recompute.Add(new Assign(view, new Instr(Opcode.Select, v.Type, new[] { isLeaf, resolvedLeaves[i], chosen })));
                    chosen = view;
                }

                map[v] = chosen;
                return chosen;
            }

            // Stored: pushed at the end of each forward iteration.
            Stored:
            if (v.Type.IsArray && v.Type.Form != ArrayForm.Array)
            {
                // A loop whose step changes (t += step, step set in the body) is not counted: say so, since the slice
                // itself may already be what the advice asks for.
                string notCounted = forward.Counted is null
                    ? " (this loop is not a counted one: its counter must advance by the same value in every iteration, a constant or a value set before the loop; or write for (int k = 0; k < c - 1; k++) with the offset k * b)"
                    : string.Empty;
                throw new UnsupportedException(
                    "An array or span that the loop '" + (forward.Source ?? "loop") + "' chooses or re-points from one iteration to the next other than to a slice, taken in every iteration, of arrays the loop does not re-point at offsets from its counter" + notCounted,
                    "re-point it at the top level of a counted for loop's body (xp = s.Slice(i * n, n)), choose it in each iteration among arrays from before the loop (w = c ? a : b), or index one array at an offset computed from the counter; a variable that starts at a parameter and is given a new array in each iteration (a = w; ... a = a.Select(f).ToArray()) works when it starts from a copy (double[] a = w.ToArray();)",
                    forward.At);
            }

            var stack = StackFor(v.Type);
            pushes.Add((stack, v));
            var popped = _method.NewVar(v.Hint, v.Type, v.Role == VarRole.Parameter ? VarRole.Temp : v.Role);
            map[v] = popped;
            return popped;
        }

        // v in iteration k of a counted forward loop (no break: every iteration runs to its end, so the value after the
        // loop is v(n)), when its next value is the value after a counted loop at the top level of the body of a
        // variable that loop starts at v and advances by a fixed step in every iteration (the trip count of that loop
        // computed again from its start and bound, by ±1 to a strict bound as TripsOf requires); null otherwise.
        Operand? RunningOffset(Var v, int depth)
        {
            if (counted is null || !v.Type.Equals(IrType.Int32) || forward.Vars.FirstOrDefault(x => ReferenceEquals(x.Var, v)) is not { } own
                || own.Next is not Var next)
            {
                return null;
            }

            var inner = forward.Body.Stmts.OfType<Loop>().FirstOrDefault(l => l.Vars.Any(x => ReferenceEquals(x.Var, next)));
            if (inner?.Counted is not { } ic || !((ic.Step == 1 && ic.Cmp == CmpKind.Lt) || (ic.Step == -1 && ic.Cmp == CmpKind.Gt))
                || !ic.Bound.Type.Equals(IrType.Int32) || ReferenceEquals(ic.Index, next)
                || !ReferenceEquals(inner.Vars.First(x => ReferenceEquals(x.Var, next)).Init, v)
                || inner.Vars.FirstOrDefault(x => ReferenceEquals(x.Var, ic.Index)) is not { } innerIndex
                || !PlainInt(innerIndex.Init, depth) || !PlainInt(ic.Bound, depth)
                || InductionStep(inner, next, DefinedIn(inner)) is not { } induction || !PlainInt(induction.Step, depth))
            {
                return null;
            }

            var start = innerIndex.Init is Var sv ? ResolveVar(sv, depth + 1) : innerIndex.Init;
            var bound = ic.Bound is Var bv ? ResolveVar(bv, depth + 1) : ic.Bound;
            var step = induction.Step is Var stepVar ? ResolveVar(stepVar, depth + 1) : induction.Step;
            var trips = rb.Op(Opcode.Opaque, IrType.Int32, new OpaqueInfo(new[]
            {
                "(int)global::SymbolicGrad.Internal.LoopTrips.Count(",
                ", ",
                ", " + ic.Step.ToString(CultureInfo.InvariantCulture) + ", false)",
            }, pure: true, effectFree: true), start, bound);
            var advance = step is Lit one && one.TryInt(out long s1) && s1 == 1 ? trips : rb.Op(Opcode.IMul, IrType.Int32, trips, step);
            var after = _method.NewVar(v.Hint, IrType.Int32, VarRole.Local);
            var value = _method.NewVar(v.Hint, IrType.Int32, VarRole.Local);
            recompute.Add(new Assign(value, new Instr(Opcode.ISub, IrType.Int32, new Operand[] { after, advance })));
            reverse.Vars.Add(new LoopVar(after, v, value));
            return value;
        }

        // An int that recomputing costs a few instructions and never needs a value that cannot be stored (a span): a
        // literal, a value from before the loop, the counted index, an induction variable, or integer arithmetic on those
        // at the top level of the body.
        bool PlainInt(Operand o, int depth)
        {
            if (o is Lit)
            {
                return true;
            }

            if (o is not Var v || !v.Type.Equals(IrType.Int32) || depth >= MaxRecomputeDepth)
            {
                return false;
            }

            if (!definedIn.Contains(v) || (counted is not null && ReferenceEquals(v, counted.Index)) || InductionStep(forward, v, definedIn) is not null)
            {
                return true;
            }

            return _defs.TryGetValue(v, out var d) && d.Def is { } a && _defBlocks.TryGetValue(v, out var block) && ReferenceEquals(block, forward.Body)
                && a.Value.Op is Opcode.IAdd or Opcode.ISub or Opcode.IMul or Opcode.INeg or Opcode.Copy && !a.Value.Checked
                && a.Value.Args.All(x => PlainInt(x, depth + 1));
        }

        // The loop at the top level of the body that v counts the iterations of, when its count follows from its start
        // and bound: counted (no break, an index only stepped by the loop), by +1 to a bound it stays below or by −1 to one
        // it stays above.
        Loop? TripsOf(Var v)
        {
            foreach (var s in forward.Body.Stmts)
            {
                if (s is Loop inner && _counterOf.TryGetValue(inner, out var c) && ReferenceEquals(c, v))
                {
                    return inner.Counted is { } ic && ((ic.Step == 1 && ic.Cmp == CmpKind.Lt) || (ic.Step == -1 && ic.Cmp == CmpKind.Gt))
                        && ic.Bound.Type.Equals(IrType.Int32) ? inner : null;
                }
            }

            return null;
        }

        // The loop variables v = c0, c1, ... whose next values are c1, c2, ..., c0, each starting from a view defined
        // before the loop (a cycle of at most eight); null for anything else.
        List<LoopVar>? PermutedViews(Var v)
        {
            var cycle = new List<LoopVar>();
            var current = forward.Vars.FirstOrDefault(lv => ReferenceEquals(lv.Var, v));
            while (current is not null && cycle.Count < 8)
            {
                if (current.Init is Var init && definedIn.Contains(init))
                {
                    return null;
                }

                cycle.Add(current);
                if (current.Next is not Var next)
                {
                    return null;
                }

                if (ReferenceEquals(next, v))
                {
                    return cycle;
                }

                current = forward.Vars.FirstOrDefault(lv => ReferenceEquals(lv.Var, next) && !cycle.Contains(lv));
            }

            return null;
        }

        // A span loop variable whose next value is its own tail from a fixed offset, taken in every iteration
        // (s = s[c..] or s.Slice(c): Slice(s, c, Length(s) − c)), starting from a view from before the loop: that view,
        // c, and the view before the loop whose length the tail's length is computed from (s's own, or that of another
        // loop variable the loop walks the same way, as the front end may carry a second copy of s). Null otherwise.
        (Operand From, Operand Step, Operand LengthFrom)? WalkedView(Var v, bool nested = false)
        {
            if (forward.Vars.FirstOrDefault(lv => ReferenceEquals(lv.Var, v)) is not { Next: Var next } walked
                || walked.Init is not Var from || definedIn.Contains(from)
                || !_defs.TryGetValue(next, out var nd) || nd.Def is not { Value: { Op: Opcode.Slice } slice }
                || !_defBlocks.TryGetValue(next, out var nb) || !ReferenceEquals(nb, forward.Body)
                || !IsWalked(slice.Args[0], v) || !Invariant(slice.Args[1]) || slice.Args[2] is not Var count
                || !_defs.TryGetValue(count, out var cd) || cd.Def is not { Value: { Op: Opcode.ISub, Checked: false } rest }
                || !SameInt(rest.Args[1], slice.Args[1]) || rest.Args[0] is not Var length
                || !_defs.TryGetValue(length, out var ld) || ld.Def is not { Value: { Op: Opcode.Length } len })
            {
                return null;
            }

            if (IsWalked(len.Args[0], v))
            {
                return (from, slice.Args[1], from);
            }

            // The length of another loop variable, walked by the same step from its own length.
            if (!nested && len.Args[0] is Var other && !ReferenceEquals(other, v) && forward.Vars.Any(lv => ReferenceEquals(lv.Var, other))
                && WalkedView(other, nested: true) is var (otherFrom, otherStep, otherLength)
                && ReferenceEquals(otherFrom, otherLength) && SameInt(otherStep, slice.Args[1]))
            {
                return (from, slice.Args[1], otherFrom);
            }

            return null;
        }

        // o is v, or a conversion of v taken in the same iteration.
        bool IsWalked(Operand o, Var v)
        {
            for (int hops = 0; hops < 4 && o is Var x; hops++)
            {
                if (ReferenceEquals(x, v))
                {
                    return true;
                }

                if (!_defs.TryGetValue(x, out var xd) || xd.Def is not { Value: { Op: Opcode.Copy or Opcode.Cast } conversion }
                    || !_defBlocks.TryGetValue(x, out var xb) || !ReferenceEquals(xb, forward.Body))
                {
                    return false;
                }

                o = conversion.Args[0];
            }

            return false;
        }

        // A non-negative int the loop does not change.
        bool Invariant(Operand o) => o.Type.Equals(IrType.Int32)
            && (o is Lit l ? l.TryInt(out long c) && c >= 0 : o is Var x && !definedIn.Contains(x));

        static bool SameInt(Operand a, Operand b) => ReferenceEquals(a, b)
            || (a is Lit la && b is Lit lb && la.TryInt(out long va) && lb.TryInt(out long vb) && va == vb);

        // v as a choice the iteration makes among views it does not compute, or arrays (w = y[i] > 0 ? wPos : wNeg; an
        // if/else that points a span at one of two adjoint outputs): an int that says which, a φ or select added to the
        // forward loop beside each of v's, and the views in that order. Null for anything else, or for more than eight
        // views or 32 choices.
        (Var Which, List<Operand> Leaves)? ChosenView(Var v)
        {
            var phis = new Dictionary<Var, (If At, Phi Phi)>();
            var branchBlocks = new HashSet<Block> { forward.Body };
            var blocks = new Stack<Block>();
            blocks.Push(forward.Body);
            while (blocks.Count > 0)
            {
                foreach (var s in blocks.Pop().Stmts)
                {
                    if (s is If f)
                    {
                        foreach (var p in f.Phis)
                        {
                            phis[p.Dst] = (f, p);
                        }

                        branchBlocks.Add(f.Then);
                        branchBlocks.Add(f.Else);
                        blocks.Push(f.Then);
                        blocks.Push(f.Else);
                    }
                }
            }

            var leaves = new List<Operand>();
            var mirrors = new Dictionary<Var, Operand>();
            var added = new List<Action>();
            int choices = 0;
            bool carries = false;

            // Checks first, then adds the mirrors only when the whole choice is understood.
            var which = Mirror(v, 0);
            if (which is not Var w || leaves.Count < 2 || leaves.Count > 8)
            {
                return null;
            }

            // A view the iteration computes is taken again in the reverse of that iteration, so it may be chosen only in
            // it: a choice carried from an earlier iteration chooses among views from before the loop. An array the loop
            // computes is stored as it is (a = next, the layers of a network), unless the choice is a span's.
            bool computed = leaves.Any(l => l is Var lv && definedIn.Contains(lv));
            if (computed && (carries || v.Type.Form == ArrayForm.Array))
            {
                return null;
            }

            foreach (var add in added)
            {
                add();
            }

            return (w, leaves);

            Operand? Mirror(Operand o, int level)
            {
                if (o is Lit { Text: "default" } none && none.Type.IsArray)
                {
                    // The empty view a path that never assigned the variable gives it (a helper's span local, declared
                    // after an early return, merged with the path that returned): a constant, the same in the reverse.
                    int index = leaves.FindIndex(l => l is Lit { Text: "default" } other && other.Type.Equals(none.Type));
                    if (index < 0)
                    {
                        index = leaves.Count;
                        leaves.Add(none);
                    }

                    return Lit.Int(index);
                }

                if (o is not Var x || !x.Type.IsArray || level > 32)
                {
                    return null;
                }

                if (mirrors.TryGetValue(x, out var done))
                {
                    return done;
                }

                Operand? result;
                if (forward.Vars.FirstOrDefault(lv => ReferenceEquals(lv.Var, x)) is { } carried && carried.Init is Var before && !definedIn.Contains(before))
                {
                    // Chosen in an earlier iteration, or before the loop (a = u; for (...) { if (c) a = v; ... }): the choice
                    // is carried from one iteration to the next beside the view.
                    var m = _method.NewVar("which", IrType.Int32, VarRole.Local);
                    mirrors[x] = m;
                    carries = true;
                    var init = Mirror(before, level + 1);
                    var next = init is null ? null : Mirror(carried.Next, level + 1);
                    if (init is null || next is null || ++choices > 32)
                    {
                        mirrors.Remove(x);
                        return null;
                    }

                    added.Add(() =>
                    {
                        forward.Vars.Add(new LoopVar(m, init, next));
                        definedIn.Add(m);
                    });
                    return m;
                }

                bool chosen = phis.ContainsKey(x) || (_defs.TryGetValue(x, out var xd) && xd.Def?.Value.Op is Opcode.Select or Opcode.Copy
                    && _defBlocks.TryGetValue(x, out var xb) && branchBlocks.Contains(xb));
                if (!definedIn.Contains(x) || !chosen)
                {
                    // A view from before the loop, or one the loop computes (stored, or taken again, as the reverse
                    // would take it if it read it directly).
                    int at = leaves.FindIndex(l => ReferenceEquals(l, x));
                    if (at < 0)
                    {
                        at = leaves.Count;
                        leaves.Add(x);
                    }

                    result = Lit.Int(at);
                }
                else if (phis.TryGetValue(x, out var phi))
                {
                    // Named before its operands are mirrored: a view carried by the loop may lead back to it.
                    var m = _method.NewVar("which", IrType.Int32, VarRole.Local);
                    mirrors[x] = m;
                    var then = Mirror(phi.Phi.Then, level + 1);
                    var @else = then is null ? null : Mirror(phi.Phi.Else, level + 1);
                    if (then is null || @else is null || ++choices > 32)
                    {
                        return null;
                    }

                    var at = phi.At;
                    added.Add(() =>
                    {
                        at.Phis.Add(new Phi(m, then, @else));
                        definedIn.Add(m);
                    });
                    result = m;
                }
                else if (_defs.TryGetValue(x, out var def) && def.Def is { } assign && _defBlocks.TryGetValue(x, out var block) && branchBlocks.Contains(block)
                    && assign.Value.Op is Opcode.Copy && assign.Value.Args[0] is Var from && from.Type.IsArray && from.Type.WithForm(x.Type.Form).Equals(x.Type))
                {
                    result = Mirror(from, level + 1);
                }
                else if (_defs.TryGetValue(x, out def) && def.Def is { } select && _defBlocks.TryGetValue(x, out block) && branchBlocks.Contains(block)
                    && select.Value.Op is Opcode.Select)
                {
                    var m = _method.NewVar("which", IrType.Int32, VarRole.Local);
                    mirrors[x] = m;
                    var a = Mirror(select.Value.Args[1], level + 1);
                    var b = a is null ? null : Mirror(select.Value.Args[2], level + 1);
                    if (a is null || b is null || ++choices > 32)
                    {
                        return null;
                    }

                    var cond = select.Value.Args[0];
                    var into = block;
                    added.Add(() =>
                    {
                        var mirror = new Assign(m, new Instr(Opcode.Select, IrType.Int32, new[] { cond, a, b }));
                        into.Stmts.Insert(into.Stmts.IndexOf(select) + 1, mirror);
                        _defs[m] = (mirror, false);
                        _defBlocks[m] = into;
                        definedIn.Add(m);
                    });
                    result = m;
                }
                else
                {
                    return null;
                }

                if (result is not null)
                {
                    mirrors[x] = result;
                }

                return result;
            }
        }

        // The span loop variable v, with the loop (this one, or one nested in it) that carries it.
        (Loop Owner, LoopVar Carried)? CarriedView(Var v)
        {
            if (forward.Vars.FirstOrDefault(lv => ReferenceEquals(lv.Var, v)) is { } own)
            {
                return (forward, own);
            }

            foreach (var inner in forward.Body.Stmts.OfType<Loop>())
            {
                if (inner.Vars.FirstOrDefault(lv => ReferenceEquals(lv.Var, v)) is { } nested)
                {
                    return (inner, nested);
                }
            }

            return null;
        }

        // The value an operand had at the end of iteration `iteration` of `loop` (this loop, or one nested at the top of
        // its body), taken again at the top of the reverse iteration; null when it is not a view or integer computed
        // unconditionally from values that loop does not change and its counted index. It is computed for iteration −1
        // too (then unused): views are guarded, which gives an empty view instead of throwing, and the length of a view
        // (x.AsSpan(t + b) is x.Slice(t + b, x.Length − (t + b))) is that of an array or view the forward already read.
        Operand? Previous(Loop loop, Operand iteration, Dictionary<Var, Operand> memo, Operand o, int depth)
        {
            if (o is not Var v)
            {
                return o;
            }

            if (memo.TryGetValue(v, out var done))
            {
                return done;
            }

            var inLoop = loop == forward ? definedIn : DefinedIn(loop);
            if (!inLoop.Contains(v))
            {
                // Defined before that loop: as it is in this iteration.
                return loop == forward ? v : ResolveVar(v, depth + 1);
            }

            if (loop.Counted is { } c && ReferenceEquals(v, c.Index))
            {
                var start = loop.Vars.First(lv => ReferenceEquals(lv.Var, c.Index)).Init;
                if (start is Var sv && loop != forward)
                {
                    start = ResolveVar(sv, depth + 1);
                }

                int stride = Math.Abs(c.Step);
                var offset = stride == 1 ? iteration : rb.Op(Opcode.IMul, IrType.Int32, iteration, Lit.Int(stride));
                var index = c.Step > 0
                    ? (IsZeroInt(start) ? offset : rb.Op(Opcode.IAdd, IrType.Int32, start, offset))
                    : rb.Op(Opcode.ISub, IrType.Int32, start, offset);
                memo[v] = index;
                return index;
            }

            // An induction variable beside the index (t += b with b fixed in the loop): init + iteration·step.
            if (InductionStep(loop, v, inLoop) is { } induction)
            {
                var start = induction.Init is Var iv && loop != forward ? ResolveVar(iv, depth + 1) : induction.Init;
                var step = induction.Step is Var sv2 && loop != forward ? ResolveVar(sv2, depth + 1) : induction.Step;
                var offset = step is Lit one && one.TryInt(out long s1) && s1 == 1 ? iteration : rb.Op(Opcode.IMul, IrType.Int32, iteration, step);
                var current = IsZeroInt(start) ? offset : rb.Op(Opcode.IAdd, IrType.Int32, start, offset);
                memo[v] = current;
                return current;
            }

            // Only values of the body's top level (every iteration computes them), and only operations that cannot
            // throw on iteration −1's operands: integer arithmetic without division, conversions of views, and guarded views.
            if (depth >= MaxRecomputeDepth || !_defs.TryGetValue(v, out var def) || def.Def is null || !_defBlocks.TryGetValue(v, out var at)
                || !ReferenceEquals(at, loop.Body) || !Recomputable(def.Def.Value, loop)
                || def.Def.Value.Op is not (Opcode.Slice or Opcode.IAdd or Opcode.ISub or Opcode.IMul or Opcode.INeg or Opcode.Copy or Opcode.Cast or Opcode.Length)
                || (def.Def.Value.Op is not (Opcode.Slice or Opcode.Copy) && !def.Def.Value.Type.IsInt)
                || (def.Def.Value.Op is Opcode.Copy && !def.Def.Value.Type.IsInt && !(def.Def.Value.Type.IsArray && def.Def.Value.Type.Form != ArrayForm.Array)))
            {
                return null;
            }

            var args = new Operand[def.Def.Value.Args.Length];
            for (int i = 0; i < args.Length; i++)
            {
                if (Previous(loop, iteration, memo, def.Def.Value.Args[i], depth + 1) is not { } arg)
                {
                    return null;
                }

                args[i] = arg;
            }

            var value = def.Def.Value.Op == Opcode.Slice
                ? new Instr(Opcode.Slice, def.Def.Value.Type, args, GuardedView.Instance, def.Def.Value.Source)
                : def.Def.Value.With(args);
            var copy = _method.NewVar(v.Hint, v.Type, v.Role == VarRole.Parameter ? VarRole.Temp : v.Role);
            recompute.Add(new Assign(copy, value));
            memo[v] = copy;
            return copy;
        }

        foreach (var v in needed)
        {
            ResolveVar(v, 0);
        }

        // Pops (last pushed first), then recomputations, then the body with every read replaced.
        var head = new List<Stmt>();
        for (int i = pushes.Count - 1; i >= 0; i--)
        {
            var (stack, v) = pushes[i];
            var popped = (Var)map[v];
            head.Add(new Assign(popped, new Instr(Opcode.Pop, v.Type, Array.Empty<Operand>(), new StackInfo(stack, v))));
        }

        if (pushes.Count > 0)
        {
            head[0].Comment = "the values of iteration k that the reverse needs, pushed by the forward loop";
        }

        head.AddRange(_pendingCopies);
        _pendingCopies.Clear();
        head.AddRange(recompute.Stmts);
        IrWalk.Substitute(reverse.Body, map);
        reverse.Body.Stmts.InsertRange(0, head);
        foreach (var (stack, v) in pushes)
        {
            forward.Body.Add(new Push(stack, v));
        }

        if (pushes.Count > 0)
        {
            _reservations.Add((forward, pushes));
        }
    }

    private void ReserveBefore(Loop forward, List<(Var Stack, Var Value)> pushes)
    {
        // Only before an outermost counted loop: its own pushes never grow the storage.
        if (forward.Counted is not { } c || !_topIndex.TryGetValue(forward, out int index) || !ReferenceEquals(_program.Forward.Stmts[index], forward))
        {
            return;
        }

        var init = forward.Vars.First(v => ReferenceEquals(v.Var, c.Index)).Init;
        bool inclusive = c.Cmp is CmpKind.Le or CmpKind.Ge;
        foreach (var group in pushes.GroupBy(p => p.Stack))
        {
            var info = new OpaqueInfo(new[]
            {
                string.Empty,
                ".Reserve(global::SymbolicGrad.Internal.LoopTrips.Count(",
                ", ",
                ", " + c.Step.ToString(CultureInfo.InvariantCulture) + ", " + (inclusive ? "true" : "false") + "), " + group.Count().ToString(CultureInfo.InvariantCulture) + ")",
            }, pure: false, effectFree: false);
            var effect = new Effect(new Instr(Opcode.Opaque, IrType.Object, new Operand[] { group.Key, init, c.Bound }, info))
            {
                Comment = "room for what the loop pushes, from its trip count (the storage does not grow while it runs)",
            };
            _program.Forward.Stmts.Insert(index, effect);
            index++;
        }
    }

    /// <summary>
    /// A loop variable (int) that every iteration advances by the same step, unconditionally and unchecked: its value at
    /// the start of iteration k is init + k·step (in wrapping int arithmetic, as the loop computes it).
    /// </summary>
    private (Operand Init, Operand Step)? InductionStep(Loop forward, Var v, HashSet<Var> definedIn)
    {
        var lv = forward.Vars.FirstOrDefault(x => ReferenceEquals(x.Var, v));
        if (lv is null || !v.Type.Equals(IrType.Int32) || lv.Next is not Var next || (lv.Init is Var init && definedIn.Contains(init))
            || !_defs.TryGetValue(next, out var def) || !_defBlocks.TryGetValue(next, out var block) || !ReferenceEquals(block, forward.Body))
        {
            return null;
        }

        var inc = def.Def.Value;
        if (inc is not { Op: Opcode.IAdd, Checked: false } || !inc.Type.Equals(IrType.Int32) || !ReferenceEquals(inc.Args[0], v)
            || inc.Args[1] is Var stepVar && definedIn.Contains(stepVar) || inc.Args[1] is not (Lit or Var) || !inc.Args[1].Type.Equals(IrType.Int32))
        {
            return null;
        }

        return (lv.Init, inc.Args[1]);
    }

    private static bool IsZeroInt(Operand o) => o is Lit l && l.TryInt(out long v) && v == 0;

    private Var Rename(Operand o, Var like)
    {
        if (o is Var v && v.Role == VarRole.Temp)
        {
            v.Hint = like.Hint;
            v.Role = VarRole.Local;
            return v;
        }

        var copy = _method.NewVar(like.Hint, like.Type, VarRole.Local);
        _pendingCopies.Add(new Assign(copy, new Instr(Opcode.Copy, like.Type, new[] { o })));
        return copy;
    }

    private readonly List<Stmt> _pendingCopies = new();

    /// <summary>Cheap to recompute from the same operands, with the same result: arithmetic, views, reads of arrays nothing writes later.</summary>
    private bool Recomputable(Instr instr, Loop loop)
    {
        switch (instr.Op)
        {
            case Opcode.Add or Opcode.Sub or Opcode.Mul or Opcode.Div or Opcode.Neg or Opcode.Convert or Opcode.Copy or Opcode.Select
                or Opcode.Abs or Opcode.Max or Opcode.Min or Opcode.Clamp or Opcode.Fma or Opcode.Floor or Opcode.Ceiling or Opcode.Truncate:
            case Opcode.IAdd or Opcode.ISub or Opcode.IMul or Opcode.IDiv or Opcode.IRem or Opcode.INeg or Opcode.BitAnd or Opcode.BitOr
                or Opcode.BitXor or Opcode.BitNot or Opcode.Shl or Opcode.Shr or Opcode.UShr:
            case Opcode.Cmp or Opcode.Not or Opcode.And or Opcode.Or or Opcode.Xor or Opcode.Cast:
            case Opcode.Length or Opcode.GetLength or Opcode.Slice:
                return true;
            case Opcode.Opaque:
                return instr.Data is OpaqueInfo { Pure: true };
            case Opcode.Alloc:
                // A scratch adjoint array: taking it again gives a cleared buffer for the reverse iteration.
                return instr.Data is AllocInfo { Kind: AllocKind.Scratch } && instr.Type.Element!.IsReal && IsAdjointAlloc(instr);
            case Opcode.Load:
                return instr.Args[0] is Var arr && Frozen(arr, loop);
            default:
                return false;
        }
    }

    /// <summary>
    /// Operations that can throw on operands a path never computed (a null array, an index or a divisor from a branch not
    /// taken): recomputed at the top of a reverse iteration only when the forward iteration computes them unconditionally;
    /// otherwise they are pushed like any other value.
    /// </summary>
    private static bool MayThrow(Instr instr) => instr.Op is Opcode.IDiv or Opcode.IRem or Opcode.Length or Opcode.GetLength or Opcode.Slice
        or Opcode.Load or Opcode.Alloc or Opcode.Opaque;

    /// <summary>Views and lengths have a form that cannot throw (see GuardedViews in the runtime); a span cannot be pushed instead.</summary>
    private static bool Guardable(Instr instr) => instr.Op is Opcode.Slice
        || (instr.Op is Opcode.Length or Opcode.GetLength && instr.Args[0].Type.Form == ArrayForm.Array)
        || (instr.Op is Opcode.Alloc && instr.Data is AllocInfo { Kind: AllocKind.Scratch, Buffer: not null } && instr.Args.Length == 1);

    private bool IsAdjointAlloc(Instr instr) => instr.Data is AllocInfo { Buffer: { } b } && b.Hint.EndsWith("Adjoint", StringComparison.Ordinal);

    /// <summary>Is nothing written into this array at or after the loop (so a read gives the same value in the reverse sweep)?</summary>
    private bool Frozen(Var array, Loop loop)
    {
        if (array.Role == VarRole.Adjoint)
        {
            return false;
        }

        var cls = _aliasing.Find(array);
        if (!_storeSites.TryGetValue(cls, out int last))
        {
            return true;
        }

        return _topIndex.TryGetValue(loop, out int index) && last < index;
    }

    private Var StackFor(IrType type)
    {
        string key = type.IsArray ? type.CSharp : type.CSharp;
        if (!_stacks.TryGetValue(key, out var stack))
        {
            string hint = type.IsReal ? "values" : type.IsInt ? "ints" : type.IsBool ? "flags" : type.IsArray ? "arrays" : "objects";
            stack = _method.NewVar(hint, IrType.Object, VarRole.Internal);
            _stacks[key] = stack;
            _method.Resources.Add((stack, "new global::SymbolicGrad.Internal.ValueStack<" + type.CSharp + ">(16)"));
        }

        return stack;
    }
}

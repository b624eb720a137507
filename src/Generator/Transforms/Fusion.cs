using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Transforms;

/// <summary>
/// Loop fusion: a top-level counted loop whose reverse only accumulates runs each iteration's reverse right after its
/// forward part, inside the same loop, instead of in a separate reverse loop afterwards. Nothing is stored for it and
/// the data are read once, as in a hand-written gradient (<c>wBar += x[i] * rBar</c> inside the loop over i).
/// </summary>
/// <remarks>
/// Run after <see cref="Resolve"/>. A reverse loop is fused only when every one of these holds (otherwise it is left
/// as it is, which is always correct):
/// <list type="bullet">
/// <item>both loops are at the top level of their sweeps, the forward loop is counted (no break, a fixed bound);</item>
/// <item>the reverse body pops nothing outside its own nested loops (the forward loop pushes nothing of its own);</item>
/// <item>every variable the reverse body assigns is an accumulator (<c>v = v + e</c>, v read nowhere else), a
/// pass-through (<c>t = v; ... v = t</c>: an adjoint that is the same in every iteration, such as 1/n), or local to an
/// iteration (written before it is read, and never read after the loop);</item>
/// <item>every array it writes is local to the iteration, or an output it only adds into and that nothing reads;</item>
/// <item>what it reads from before it (the pass-throughs' values, the reverse values it uses) can be computed before the
/// forward loop from values known then: the seed of <c>return sum / n</c> is, the seed of <c>Math.Log(sum)</c> is not.</item>
/// </list>
/// Accumulators start at zero before the forward loop and are added to their value where the reverse loop was, so the
/// adjoints that flow in from after the loop still count.
/// </remarks>
internal sealed class Fusion
{
    private const int MaxHoisted = 64;

    private readonly IrMethod _method;
    private readonly ReverseProgram _program;

    private Fusion(IrMethod method, ReverseProgram program)
    {
        _method = method;
        _program = program;
    }

    /// <summary>
    /// Fuses what it can in a gradient body after optimization (the forward sweep, then the statements after the note
    /// that starts the reverse sweep); returns how many loops it fused.
    /// </summary>
    public static int Run(IrMethod method, Block body, Dictionary<Loop, (Loop Forward, Var Counter)> loops)
    {
        int split = body.Stmts.FindIndex(s => s is Note n && n.Comment is { } c && c.StartsWith("reverse sweep", StringComparison.Ordinal));
        if (split < 0 || loops.Count == 0)
        {
            return 0;
        }

        var program = new ReverseProgram(new Block(body.Stmts.Take(split).ToList()), new Block(body.Stmts.Skip(split + 1).ToList()), new Dictionary<Leaf, Operand>(), loops);
        int fused = Run(method, program);
        if (fused > 0)
        {
            var note = body.Stmts[split];
            body.Stmts.Clear();
            body.Stmts.AddRange(program.Forward.Stmts);
            body.Stmts.Add(note);
            body.Stmts.AddRange(program.Reverse.Stmts);
            DropUnusedResources(method, body);
        }

        return fused;
    }

    /// <summary>Stacks and buffers nothing uses any more (fused loops store nothing): not created, reserved or disposed.</summary>
    private static void DropUnusedResources(IrMethod method, Block body)
    {
        static bool IsHousekeeping(Stmt s) => s is Effect { Call: { Op: Opcode.Opaque, Data: OpaqueInfo info } }
            && info.Parts.Length > 1 && (info.Parts[1] == ".Dispose()" || info.Parts[1].StartsWith(".Reserve(", StringComparison.Ordinal));

        var used = new HashSet<Var>();
        foreach (var (s, _) in IrWalk.All(body))
        {
            if (IsHousekeeping(s))
            {
                continue;
            }

            foreach (var o in IrWalk.Reads(s))
            {
                if (o is Var v)
                {
                    used.Add(v);
                }
            }

            if (s is Push push)
            {
                used.Add(push.Stack);
            }
        }

        var unused = new HashSet<Var>(method.Resources.Select(r => r.Var).Where(v => !used.Contains(v)));
        if (unused.Count == 0)
        {
            return;
        }

        method.Resources.RemoveAll(r => unused.Contains(r.Var));
        foreach (var (s, block) in IrWalk.All(body).ToList())
        {
            if (IsHousekeeping(s) && ((Effect)s).Call.Args.Length > 0 && ((Effect)s).Call.Args[0] is Var r && unused.Contains(r))
            {
                block.Stmts.Remove(s);
            }
        }
    }

    private static int Run(IrMethod method, ReverseProgram program)
    {
        var fusion = new Fusion(method, program);
        int fused = 0;
        foreach (var entry in program.Loops.ToList())
        {
            var reverse = entry.Key;
            if (fusion.TryFuse(reverse, entry.Value.Forward, entry.Value.Counter))
            {
                program.Loops.Remove(reverse);
                fused++;
            }
        }

        return fused;
    }

    private bool TryFuse(Loop reverse, Loop forward, Var counter)
    {
        _definitions.Clear();
        _indexed = false;
        _source = forward.Source;
        _iterationLocal.Clear();
        var fwd = _program.Forward.Stmts;
        var rev = _program.Reverse.Stmts;
        int fi = fwd.IndexOf(forward);
        int ri = rev.IndexOf(reverse);
        if (fi < 0 || ri < 0 || forward.Counted is null || reverse.Vars.Count != 1 || reverse.Counted is not { } rc
            || !ReferenceEquals(reverse.Vars[0].Var, rc.Index))
        {
            return No(1);
        }

        if (forward.SumKernel is not null)
        {
            // The user's TensorPrimitives sum: left alone, the vectorizer makes it the call as written, so the gradient's
            // value is the method's to the last bit (fused with its reverse, it was a plain loop: TensorPrimitives.Dot(w, w)
            // differed in the last bits; red-team, stop 33).
            return No(15);
        }

        // The forward loop's iteration counter: 0, 1, 2... (the reverse loop's k, which it replaces).
        var counterVar = forward.Vars.FirstOrDefault(v => ReferenceEquals(v.Var, counter));
        if (counterVar is null || !IsIntLiteral(counterVar.Init, 0) || !IsIncrement(forward.Body, counterVar))
        {
            return No(2);
        }

        // The reverse loop's header only tests k >= 0.
        if (reverse.Header.Stmts.Count != 1 || reverse.Header.Stmts[0] is not Assign { Value.Op: Opcode.Cmp })
        {
            return No(3);
        }

        var k = rc.Index;
        var body = reverse.Body;

        // What the reverse body defines (SSA values, loop variables and φs of nested statements), and what it assigns.
        var defined = new HashSet<Var>();
        var assigned = new Dictionary<Var, List<(Assign Stmt, bool TopLevel)>>();
        var topLevel = new HashSet<Stmt>(body.Stmts);
        var outsideNestedLoops = new HashSet<Stmt>(OutsideNestedLoops(body));

        // What the forward iteration pushes for its own reverse (at the end of its body) and the reverse pops first:
        // fused, the reverse reads the forward's values directly, and nothing is stored.
        var popped = new Dictionary<Var, Operand>();
        var pairedPushes = new HashSet<Stmt>();
        var pairedPops = new HashSet<Stmt>();
        foreach (var group in forward.Body.Stmts.OfType<Push>().GroupBy(p => p.Stack))
        {
            var pushes = group.ToList();
            var pops = body.Stmts.OfType<Assign>().Where(a => a.Value.Op == Opcode.Pop && a.Value.Data is StackInfo si && ReferenceEquals(si.Stack, group.Key)).ToList();
            if (pops.Count != pushes.Count)
            {
                return false;
            }

            for (int i = 0; i < pops.Count; i++)
            {
                popped[pops[i].Dst] = pushes[pushes.Count - 1 - i].Value;
                pairedPops.Add(pops[i]);
                pairedPushes.Add(pushes[pushes.Count - 1 - i]);
            }
        }
        foreach (var (s, _) in IrWalk.All(body))
        {
            switch (s)
            {
                case Assign a when a.Value.Op == Opcode.Pop && outsideNestedLoops.Contains(a) && !pairedPops.Contains(a):
                    return No(4);
                case Assign a when a.Value.Op == Opcode.Call || a.Value.Data is CallInfo:
                    return No(5);
                case Assign a when a.Dst.Mutable:
                    if (!assigned.TryGetValue(a.Dst, out var list))
                    {
                        assigned[a.Dst] = list = new List<(Assign, bool)>();
                    }

                    list.Add((a, topLevel.Contains(a)));
                    break;
                case Assign a when pairedPops.Contains(a):
                    break;
                case Assign a:
                    defined.Add(a.Dst);
                    break;
                case If i:
                    foreach (var p in i.Phis)
                    {
                        defined.Add(p.Dst);
                    }

                    break;
                case Loop l:
                    foreach (var lv in l.Vars)
                    {
                        defined.Add(lv.Var);
                    }

                    break;
                case Throw or Effect or Push:
                    return No(6);
            }
        }

        // Reads in the reverse body, by variable.
        var readsInBody = new Dictionary<Var, int>();
        foreach (var (s, _) in IrWalk.All(body))
        {
            foreach (var o in IrWalk.Reads(s))
            {
                if (o is Var v)
                {
                    readsInBody[v] = (readsInBody.TryGetValue(v, out int n) ? n : 0) + 1;
                }
            }
        }

        // Reads everywhere else (the forward sweep and the reverse sweep outside this loop).
        var readsOutside = new HashSet<Var>();
        var inReverse = new HashSet<Stmt>(IrWalk.All(reverse.Body).Select(x => x.Stmt).Concat(IrWalk.All(reverse.Header).Select(x => x.Stmt))) { reverse };
        foreach (var root in new[] { _program.Forward, _program.Reverse })
        {
            foreach (var (s, _) in IrWalk.All(root))
            {
                if (inReverse.Contains(s))
                {
                    continue;
                }

                foreach (var o in IrWalk.Reads(s))
                {
                    if (o is Var v)
                    {
                        readsOutside.Add(v);
                    }
                }
            }
        }

        // Classify what the body assigns.
        var accumulators = new Dictionary<Var, Var>();     // v -> the fused accumulator
        var passThrough = new HashSet<Var>();
        var dropped = new HashSet<Stmt>();
        var copies = new Dictionary<Var, Assign>();          // t = v (Copy) at the top level
        var sums = new Dictionary<Var, Assign>();            // t = v + e (Add) at the top level
        foreach (var s in body.Stmts)
        {
            if (s is Assign { Dst.Mutable: false } a)
            {
                if (a.Value.Op == Opcode.Copy && a.Value.Args[0] is Var src && assigned.ContainsKey(src))
                {
                    copies[a.Dst] = a;
                }
                else if (a.Value.Op == Opcode.Add && (a.Value.Args[0] is Var l0 && assigned.ContainsKey(l0) || a.Value.Args[1] is Var l1 && assigned.ContainsKey(l1)))
                {
                    sums[a.Dst] = a;
                }
            }
        }

        foreach (var entry in assigned)
        {
            var v = entry.Key;
            var writes = entry.Value;
            if (defined.Contains(v))
            {
                return No(7);
            }

            bool allTop = writes.All(w => w.TopLevel && w.Stmt.Value.Op == Opcode.Copy && w.Stmt.Value.Args[0] is Var);
            if (allTop && writes.All(w => copies.TryGetValue((Var)w.Stmt.Value.Args[0], out var c) && ReferenceEquals(c.Value.Args[0], v))
                && readsInBody.TryGetValue(v, out int reads) && reads == writes.Count && copies.Values.Count(c => ReferenceEquals(c.Value.Args[0], v)) == reads)
            {
                // v = t where t = v: the same value in every iteration.
                passThrough.Add(v);
                foreach (var w in writes)
                {
                    dropped.Add(w.Stmt);
                }

                continue;
            }

            if (allTop && writes.All(w => sums.TryGetValue((Var)w.Stmt.Value.Args[0], out var sum) && IsSumOf(sum.Value, v))
                && readsInBody.TryGetValue(v, out int sumReads) && sumReads == writes.Count)
            {
                accumulators[v] = _method.NewVar(v.Hint, v.Type, VarRole.Adjoint, mutable: true);
                continue;
            }

            if (!readsOutside.Contains(v) && FirstAccessIsATopLevelWrite(body, v))
            {
                continue;   // local to an iteration
            }

            return No(8, v.Hint);
        }

        // Arrays written: local to the body, or outputs that are only added into.
        var localArrays = new HashSet<Var>();
        var views = new Dictionary<Var, Operand>();
        foreach (var (s, _) in IrWalk.All(body))
        {
            if (s is Assign { Dst.Type.IsArray: true } a)
            {
                if (a.Value.Op == Opcode.Alloc)
                {
                    localArrays.Add(a.Dst);
                }
                else if (a.Value.Op is Opcode.Slice or Opcode.Copy && a.Value.Args[0].Type.IsArray)
                {
                    views[a.Dst] = a.Value.Args[0];
                }
            }
        }

        foreach (var (s, _) in IrWalk.All(body))
        {
            if (s is Store st)
            {
                if (st.Array is not Var written)
                {
                    return No(9);
                }

                var arr = written;
                for (int hops = 0; hops < 64 && views.TryGetValue(arr, out var root) && root is Var rv; hops++)
                {
                    arr = rv;
                }

                if (localArrays.Contains(arr) || IterationLocal(arr, forward, fi, reverse))
                {
                    continue;
                }

                if (!ReferenceEquals(arr, written) && !st.Accumulate)
                {
                    return No(10);
                }

                if (!st.Accumulate || !OnlyAddedIntoHere(arr, fi, ri) || !KnownBefore(arr, fi))
                {
                    return No(11, arr.Hint);
                }
            }
        }

        // Elements it reads of arrays the reverse sweep writes (an adjoint array): the reverse code after the loop, which
        // runs before this reverse loop, fills them in; fused, the reads would come first.
        var writtenInReverse = WrittenArrays(_program.Reverse);
        foreach (var (s, _) in IrWalk.All(body))
        {
            if (s is Assign { Value.Op: Opcode.Load } load && load.Value.Args[0] is Var read)
            {
                var arr = read;
                for (int hops = 0; hops < 64 && views.TryGetValue(arr, out var root) && root is Var rv; hops++)
                {
                    arr = rv;
                }

                if (!localArrays.Contains(arr) && !IterationLocal(arr, forward, fi, reverse) && (arr.Role is VarRole.Adjoint or VarRole.Output || writtenInReverse.Contains(arr) || writtenInReverse.Contains(read)))
                {
                    return No(15);
                }
            }
        }

        // The values from before the reverse loop that the body reads: computed again before the forward loop.
        var map = new Dictionary<Var, Operand>();
        var hoisted = new List<Stmt>();
        var cache = new Dictionary<Var, Operand?>();
        // k is the iteration number; when the forward index counts 0, 1, 2... too, use the index itself, so that the
        // optimizer sees the reverse's reads (x[i]) as the forward's and shares them.
        var index = forward.Counted.Index;
        var indexVar = forward.Vars.FirstOrDefault(v => ReferenceEquals(v.Var, index));
        map[k] = indexVar is not null && IsIntLiteral(indexVar.Init, 0) && forward.Counted.Step == 1 ? index : counter;
        foreach (var v in readsInBody.Keys)
        {
            if (defined.Contains(v) || ReferenceEquals(v, k) || assigned.ContainsKey(v) || popped.ContainsKey(v))
            {
                continue;
            }

            var value = Hoist(v, fi, ri, hoisted, cache, 0);
            if (value is null)
            {
                return No(12);
            }

            if (!ReferenceEquals(value, v))
            {
                map[v] = value;
            }
        }

        // Pass-throughs: their value when the reverse loop starts.
        foreach (var p in passThrough)
        {
            var seed = ValueBefore(p, ri);
            var value = seed is null ? null : HoistInstr(seed, p, fi, ri, hoisted, cache);
            if (value is null)
            {
                return No(13);
            }

            map[p] = value;
        }

        if (hoisted.Count > MaxHoisted)
        {
            return No(14);
        }

        // Rewrite the body: accumulators into their fused variables, pass-through writes dropped, k the counter.
        var moved = new List<Stmt>();
        foreach (var s in body.Stmts)
        {
            if (dropped.Contains(s) || pairedPops.Contains(s))
            {
                continue;
            }

            if (s is Assign a && accumulators.TryGetValue(a.Dst, out var acc))
            {
                moved.Add(new Assign(acc, a.Value) { Comment = a.Comment });
                continue;
            }

            moved.Add(s);
        }

        foreach (var entry in accumulators)
        {
            map[entry.Key] = entry.Value;
        }

        foreach (var entry in popped)
        {
            map[entry.Key] = entry.Value;
        }

        var fusedBody = new Block(moved);
        IrWalk.Substitute(fusedBody, map);

        // Copies of the loop's index or counter (the reverse rebuilt the index from k) read the loop variable itself:
        // it holds the same value until the end of the body, and the optimizer can then share the reads.
        var copiesOfIndex = new Dictionary<Var, Operand>();
        fusedBody.Stmts.RemoveAll(st =>
        {
            if (st is Assign { Dst.Mutable: false, Value.Op: Opcode.Copy } c && c.Value.Args[0] is Var src
                && (ReferenceEquals(src, index) || ReferenceEquals(src, counter)))
            {
                copiesOfIndex[c.Dst] = src;
                return true;
            }

            return false;
        });
        IrWalk.Substitute(fusedBody, copiesOfIndex);
        ShareWithTheForwardIteration(forward.Body, fusedBody);

        // Before the forward loop: the hoisted values and the accumulators at zero.
        var before = new List<Stmt>(hoisted);
        foreach (var acc in accumulators.Values)
        {
            before.Add(new Assign(acc, new Instr(Opcode.Copy, acc.Type, new Operand[] { new Const(0, acc.Type) })));
        }

        forward.Body.Stmts.RemoveAll(pairedPushes.Contains);
        RemoveUnusedReservations(fwd, pairedPushes);
        forward.Comment = (forward.Comment is { Length: > 0 } c ? c + "; " : string.Empty) + "its reverse runs inside it: each iteration's reverse right after its forward part";
        forward.Body.Stmts.Add(new Note("the reverse of this iteration, right away (nothing stored)"));
        forward.Body.Stmts.AddRange(fusedBody.Stmts);
        fwd.InsertRange(fwd.IndexOf(forward), before);

        // Where the reverse loop was: the accumulated adjoints join what flowed in from after the loop.
        var after = new Block();
        var b = new Builder(_method, after, exact: true);
        foreach (var entry in accumulators)
        {
            b.Accumulate(entry.Key, entry.Value);
        }

        rev.RemoveAt(ri);
        rev.InsertRange(ri, after.Stmts);
        return true;
    }

    private string? _source;

    private bool No(int reason, string? detail = null)
    {
        SymbolicGrad.Generator.Models.DebugHooks.Emit("fusion", "?", () => "not fused: reason " + reason.ToString(System.Globalization.CultureInfo.InvariantCulture) + (detail is null ? string.Empty : " " + detail) + " (" + _source + ")\n");
        return false;
    }

    /// <summary>The statements of a block and of the ifs in it, not those inside nested loops.</summary>
    private static IEnumerable<Stmt> OutsideNestedLoops(Block root)
    {
        var stack = new Stack<Block>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            foreach (var s in stack.Pop().Stmts)
            {
                yield return s;
                if (s is If i)
                {
                    stack.Push(i.Then);
                    stack.Push(i.Else);
                }
            }
        }
    }

    private static bool IsIntLiteral(Operand o, long value) => o is Lit l && l.TryInt(out long v) && v == value;

    private static bool IsIncrement(Block body, LoopVar lv)
    {
        foreach (var s in body.Stmts)
        {
            if (s is Assign a && ReferenceEquals(a.Dst, lv.Next))
            {
                return a.Value.Op == Opcode.IAdd && ReferenceEquals(a.Value.Args[0], lv.Var) && IsIntLiteral(a.Value.Args[1], 1);
            }
        }

        return false;
    }

    private static bool IsSumOf(Instr add, Var v) =>
        add.Op == Opcode.Add && (ReferenceEquals(add.Args[0], v) ^ ReferenceEquals(add.Args[1], v));

    private static bool FirstAccessIsATopLevelWrite(Block body, Var v)
    {
        for (int i = 0; i < body.Stmts.Count; i++)
        {
            var s = body.Stmts[i];
            if (!Accesses(s, v))
            {
                continue;
            }

            if (s is Assign a && ReferenceEquals(a.Dst, v))
            {
                return !IrWalk.Reads(a).Any(o => ReferenceEquals(o, v));
            }

            // All its uses inside one nested statement, local to each of its iterations or branches: a value that the
            // statement writes before it reads it, every time (sqnormBar in the reverse of an inner loop).
            for (int j = i + 1; j < body.Stmts.Count; j++)
            {
                if (Accesses(body.Stmts[j], v))
                {
                    return false;
                }
            }

            switch (s)
            {
                case Loop l when !l.Vars.Any(lv => ReferenceEquals(lv.Var, v) || ReferenceEquals(lv.Init, v) || ReferenceEquals(lv.Next, v))
                    && !ReferenceEquals(l.Cond, v) && !l.Header.Stmts.Any(h => Accesses(h, v)):
                    return FirstAccessIsATopLevelWrite(l.Body, v);
                case If f when !ReferenceEquals(f.Cond, v) && !f.Phis.Any(p => ReferenceEquals(p.Dst, v) || ReferenceEquals(p.Then, v) || ReferenceEquals(p.Else, v)):
                    return (!f.Then.Stmts.Any(t => Accesses(t, v)) || FirstAccessIsATopLevelWrite(f.Then, v))
                        && (!f.Else.Stmts.Any(t => Accesses(t, v)) || FirstAccessIsATopLevelWrite(f.Else, v));
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>Does a statement, or one nested in it, read or write the variable?</summary>
    private static bool Accesses(Stmt s, Var v)
    {
        foreach (var (inner, _) in IrWalk.All(new Block(new List<Stmt> { s })))
        {
            if (IrWalk.Reads(inner).Any(o => ReferenceEquals(o, v)) || IrWalk.Writes(inner).Any(w => ReferenceEquals(w, v)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The arrays (and the arrays they are views of) that a block stores into.</summary>
    private static HashSet<Var> WrittenArrays(Block block)
    {
        var views = new Dictionary<Var, Var>();
        var written = new HashSet<Var>();
        foreach (var (s, _) in IrWalk.All(block))
        {
            if (s is Assign { Dst.Type.IsArray: true, Value: { Op: Opcode.Slice or Opcode.Copy } v } a && v.Args[0] is Var of)
            {
                views[a.Dst] = of;
            }
        }

        foreach (var (s, _) in IrWalk.All(block))
        {
            if (s is Store { Array: Var arr })
            {
                written.Add(arr);
                for (int hops = 0; hops < 64 && views.TryGetValue(arr, out var root); hops++)
                {
                    arr = root;
                    written.Add(arr);
                }
            }
        }

        return written;
    }

    /// <summary>
    /// Fused, the loop's additions into an output array happen where the forward loop is instead of where the reverse
    /// loop was: nothing between those two points (the rest of the forward sweep, the reverse sweep before the loop) may
    /// touch the array, the loop only adds into it, and no view of it is taken anywhere. What the reverse sweep does with
    /// it after the loop (reading the sums) is the same either way.
    /// </summary>
    private bool OnlyAddedIntoHere(Var array, int fi, int ri)
    {
        // Between the two points, and in the loop: only additions into elements (which commute, up to rounding).
        var fwd = _program.Forward.Stmts;
        var rev = _program.Reverse.Stmts;
        var between = fwd.Skip(fi).Concat(rev.Take(ri + 1)).ToList();
        foreach (var (s, _) in IrWalk.All(new Block(between)))
        {
            if (s is Store st && ReferenceEquals(st.Array, array))
            {
                if (!st.Accumulate || st.Index.Any(x => ReferenceEquals(x, array)) || ReferenceEquals(st.Value, array))
                {
                    return false;
                }
            }
            else if (Mentions(s, array))
            {
                return false;
            }
        }

        foreach (var root in new[] { _program.Forward, _program.Reverse })
        {
            foreach (var (s, _) in IrWalk.All(root))
            {
                switch (s)
                {
                    case Store st when ReferenceEquals(st.Value, array) || st.Index.Any(x => ReferenceEquals(x, array)):
                        return false;
                    case Assign a when a.Value.Op != Opcode.Load && a.Value.Args.Any(x => ReferenceEquals(x, array)):
                        return false;
                    case Assign a when a.Value.Op == Opcode.Load && a.Value.Args.Skip(1).Any(x => ReferenceEquals(x, array)):
                        return false;
                    case Push p when ReferenceEquals(p.Value, array):
                        return false;
                }
            }
        }

        return true;
    }

    private readonly Dictionary<Var, bool> _iterationLocal = new();

    /// <summary>
    /// The adjoint of a scratch array that each forward iteration writes in full before it reads any element of it
    /// (<c>centered[id] = x[...] - means[...]</c> for every id, then reads): nothing flows through it from one iteration
    /// to another, so its adjoint is zero between reverse iterations (each element an iteration adds into is cleared
    /// by the reverse of the write before that read) and fused iterations see the same zeros. Both arrays must be
    /// allocated before the loop and touched only element by element, the array in the forward loop and the adjoint in
    /// the reverse loop.
    /// </summary>
    private bool IterationLocal(Var adjoint, Loop forward, int fi, Loop reverse)
    {
        if (_iterationLocal.TryGetValue(adjoint, out bool known))
        {
            return known;
        }

        bool result = Check();
        _iterationLocal[adjoint] = result;
        return result;

        bool Check()
        {
            if (adjoint.Role != VarRole.Adjoint || adjoint.Of is not { } array || array.Type.Element is not { IsArray: false }
                || adjoint.Type.Element is not { IsArray: false })
            {
                return false;
            }

            var (bw, bi, bdef) = DefinitionWithStmt(adjoint);
            var (aw, ai, adef) = DefinitionWithStmt(array);
            if (bw != Where.ForwardTop || bi >= fi || bdef is not { Value.Op: Opcode.Alloc }
                || aw != Where.ForwardTop || ai >= fi || adef is not { Value.Op: Opcode.Alloc } || adef.Value.Args.Length != 1)
            {
                return false;
            }

            return OnlyElementsIn(array, forward.Body, adef) && OnlyElementsIn(adjoint, reverse.Body, bdef)
                && WrittenBeforeRead(forward.Body, array, adef.Value.Args[0]);
        }
    }

    /// <summary>Is the array, apart from its definition, only read and written element by element, and only inside the block?</summary>
    private bool OnlyElementsIn(Var array, Block block, Assign definition)
    {
        int total = 0;
        foreach (var root in new[] { _program.Forward, _program.Reverse })
        {
            foreach (var (s, _) in IrWalk.All(root))
            {
                if (!ReferenceEquals(s, definition) && Mentions(s, array))
                {
                    total++;
                }
            }
        }

        int inside = 0;
        foreach (var (s, _) in IrWalk.All(block))
        {
            if (!Mentions(s, array))
            {
                continue;
            }

            inside++;
            bool element = s switch
            {
                Store st => ReferenceEquals(st.Array, array) && !st.Index.Any(x => ReferenceEquals(x, array)) && !ReferenceEquals(st.Value, array),
                Assign { Value.Op: Opcode.Load } load => ReferenceEquals(load.Value.Args[0], array) && !ReferenceEquals(load.Dst, array)
                    && !load.Value.Args.Skip(1).Any(x => ReferenceEquals(x, array)),
                _ => false,
            };
            if (!element)
            {
                return false;
            }
        }

        return inside == total;
    }

    /// <summary>
    /// Does every execution of the block write each element of the array that it reads, before reading it? Shown
    /// structurally: reads come after a counted loop that stores every index 0..length−1 unconditionally (and reads
    /// nothing of the array), or inside nested loops and branches for which the same holds.
    /// </summary>
    private static bool WrittenBeforeRead(Block block, Var array, Operand length)
    {
        foreach (var s in block.Stmts)
        {
            if (!Accesses(s, array))
            {
                continue;
            }

            if (WritesEveryElement(s, array, length))
            {
                return true;
            }

            switch (s)
            {
                case Store st when ReferenceEquals(st.Array, array) && !st.Accumulate:
                    break;   // a write, no read
                case Loop l when !Mentions(l, array) && !l.Header.Stmts.Any(h => Accesses(h, array)):
                    if (!WrittenBeforeRead(l.Body, array, length))
                    {
                        return false;
                    }

                    break;
                case If f when !Mentions(f, array):
                    if (!WrittenBeforeRead(f.Then, array, length) || !WrittenBeforeRead(f.Else, array, length))
                    {
                        return false;
                    }

                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary><c>for (int j = 0; j &lt; length; j++) { ... array[j] = ...; ... }</c> with no read of the array in it.</summary>
    private static bool WritesEveryElement(Stmt s, Var array, Operand length)
    {
        if (s is not Loop { Counted: { Step: 1, Cmp: CmpKind.Lt } c } l || Mentions(l, array) || l.Header.Stmts.Any(h => Accesses(h, array))
            || l.Vars.FirstOrDefault(v => ReferenceEquals(v.Var, c.Index)) is not { } index || !IsIntLiteral(index.Init, 0)
            || !SameValue(c.Bound, length))
        {
            return false;
        }

        bool full = l.Body.Stmts.Any(x => x is Store { Accumulate: false } st && ReferenceEquals(st.Array, array)
            && st.Index.Length == 1 && ReferenceEquals(st.Index[0], c.Index) && !ReferenceEquals(st.Value, array));
        if (!full)
        {
            return false;
        }

        foreach (var (x, _) in IrWalk.All(l.Body))
        {
            bool read = x switch
            {
                Store st => st.Accumulate && ReferenceEquals(st.Array, array) || ReferenceEquals(st.Value, array) || st.Index.Any(i => ReferenceEquals(i, array)),
                Assign a => IrWalk.InstrReads(a.Value).Any(o => ReferenceEquals(o, array)),
                _ => Mentions(x, array),
            };
            if (read)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The same int in every evaluation: one immutable variable, or equal literals.</summary>
    private static bool SameValue(Operand a, Operand b) =>
        (a is Var va && ReferenceEquals(va, b) && !va.Mutable)
        || (a is Lit la && b is Lit lb && la.TryInt(out long x) && lb.TryInt(out long y) && x == y);

    /// <summary>Does the statement itself (not those nested in it) read or write the variable?</summary>
    private static bool Mentions(Stmt s, Var v) =>
        IrWalk.Reads(s).Any(o => ReferenceEquals(o, v)) || IrWalk.Writes(s).Any(w => ReferenceEquals(w, v));

    /// <summary>Defined nowhere in the sweeps (a parameter, an output), or at the top level of the forward sweep before the loop.</summary>
    private bool KnownBefore(Var v, int forwardIndex)
    {
        var (where, index) = Definition(v);
        return where == Where.Nowhere || (where == Where.ForwardTop && index < forwardIndex);
    }

    private enum Where
    {
        Nowhere,
        ForwardTop,
        ReverseTop,
        Nested,
    }

    private readonly Dictionary<Var, (Where, int, Assign?)> _definitions = new();
    private bool _indexed;

    private (Where Where, int Index) Definition(Var v)
    {
        var (where, index, _) = DefinitionWithStmt(v);
        return (where, index);
    }

    private (Where Where, int Index, Assign? Def) DefinitionWithStmt(Var v)
    {
        if (!_indexed)
        {
            Index(_program.Forward, Where.ForwardTop);
            Index(_program.Reverse, Where.ReverseTop);
            _indexed = true;
        }

        return _definitions.TryGetValue(v, out var d) ? d : (Where.Nowhere, -1, null);
    }

    private void Index(Block root, Where top)
    {
        for (int i = 0; i < root.Stmts.Count; i++)
        {
            var s = root.Stmts[i];
            foreach (var w in IrWalk.Writes(s))
            {
                Record(w, s is Assign a && ReferenceEquals(a.Dst, w) ? (top, i, (Assign?)a) : s is Loop or If ? (top, i, (Assign?)null) : (Where.Nested, i, (Assign?)null));
            }

            foreach (var (inner, _) in IrWalk.All(new Block(new List<Stmt> { s })))
            {
                if (ReferenceEquals(inner, s))
                {
                    continue;
                }

                foreach (var w in IrWalk.Writes(inner))
                {
                    Record(w, (Where.Nested, i, null));
                }
            }
        }

        void Record(Var w, (Where, int, Assign?) d)
        {
            // A variable assigned more than once (a mutable one) counts as nested: its value depends on where it is read.
            _definitions[w] = _definitions.ContainsKey(w) ? (Where.Nested, -1, null) : d;
        }
    }

    /// <summary>
    /// The value a variable holds when the reverse loop starts: that of its last assignment before the loop, when that
    /// is at the top level of the reverse sweep and nothing nested before the loop assigns it; null otherwise.
    /// </summary>
    private Instr? ValueBefore(Var v, int reverseIndex)
    {
        Assign? last = null;
        var rev = _program.Reverse.Stmts;
        for (int i = 0; i < reverseIndex; i++)
        {
            var s = rev[i];
            if (s is Assign a && ReferenceEquals(a.Dst, v))
            {
                last = a;
                continue;
            }

            foreach (var (inner, _) in IrWalk.All(new Block(new List<Stmt> { s })))
            {
                if (IrWalk.Writes(inner).Any(w => ReferenceEquals(w, v)))
                {
                    return null;
                }
            }
        }

        return last?.Value;
    }

    /// <summary>
    /// The value of <paramref name="o"/> computed before the forward loop: itself when it is known there already,
    /// otherwise a copy of its pure computation (recursively), or null when it is not computable before the loop.
    /// </summary>
    private Operand? Hoist(Operand o, int forwardIndex, int reverseIndex, List<Stmt> hoisted, Dictionary<Var, Operand?> cache, int depth)
    {
        if (o is not Var v)
        {
            return o;
        }

        if (cache.TryGetValue(v, out var done))
        {
            return done;
        }

        if (depth > 32)
        {
            return null;
        }

        var (where, index, def) = DefinitionWithStmt(v);
        Operand? result;
        if (where == Where.Nowhere || (where == Where.ForwardTop && index < forwardIndex))
        {
            result = v;
        }
        else if (def is { Dst.Mutable: false } && def.Value.IsPure && def.Value.Data is null or CmpKind or MathClamp or ZeroAdjointGuard
            && ((where == Where.ForwardTop && index > forwardIndex) || (where == Where.ReverseTop && index < reverseIndex)))
        {
            var args = new Operand[def.Value.Args.Length];
            result = null;
            bool ok = true;
            for (int i = 0; i < args.Length && ok; i++)
            {
                var a = Hoist(def.Value.Args[i], forwardIndex, reverseIndex, hoisted, cache, depth + 1);
                ok = a is not null;
                args[i] = a!;
            }

            if (ok)
            {
                var copy = _method.NewVar(v.Hint, v.Type, v.Role == VarRole.Parameter ? VarRole.Temp : v.Role);
                hoisted.Add(new Assign(copy, def.Value.With(args)));
                result = copy;
            }
        }
        else
        {
            result = null;
        }

        cache[v] = result;
        return result;
    }

    private Operand? HoistInstr(Instr value, Var like, int forwardIndex, int reverseIndex, List<Stmt> hoisted, Dictionary<Var, Operand?> cache)
    {
        if (value.Op == Opcode.Copy)
        {
            return Hoist(value.Args[0], forwardIndex, reverseIndex, hoisted, cache, 0);
        }

        if (!value.IsPure || value.Data is not (null or CmpKind))
        {
            return null;
        }

        var args = new Operand[value.Args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var a = Hoist(value.Args[i], forwardIndex, reverseIndex, hoisted, cache, 1);
            if (a is null)
            {
                return null;
            }

            args[i] = a;
        }

        var copy = _method.NewVar(like.Hint, like.Type, VarRole.Adjoint);
        hoisted.Add(new Assign(copy, value.With(args)));
        return copy;
    }

    /// <summary>
    /// The reverse recomputes values of the iteration (Resolve chose to recompute them: pure arithmetic, and reads of
    /// arrays nothing writes after the loop starts). Fused, it runs in that same iteration: the forward's own values are
    /// used instead of computing them again.
    /// </summary>
    private static void ShareWithTheForwardIteration(Block forwardBody, Block fusedBody)
    {
        var known = new Dictionary<string, Var>(StringComparer.Ordinal);
        foreach (var st in forwardBody.Stmts)
        {
            if (st is Assign { Dst.Mutable: false } a && (a.Value.IsPure || a.Value.Op == Opcode.Load) && KeyOf(a.Value) is { } key && !known.ContainsKey(key))
            {
                known[key] = a.Dst;
            }
        }

        var map = new Dictionary<Var, Operand>();
        var kept = new List<Stmt>();
        foreach (var st in fusedBody.Stmts)
        {
            IrWalk.SubstituteIn(st, map);
            if (st is Assign { Dst.Mutable: false } a && (a.Value.IsPure || a.Value.Op == Opcode.Load) && KeyOf(a.Value) is { } key && known.TryGetValue(key, out var same))
            {
                map[a.Dst] = same;
                continue;
            }

            kept.Add(st);
        }

        fusedBody.Stmts.Clear();
        fusedBody.Stmts.AddRange(kept);
        IrWalk.Substitute(fusedBody, map);
    }

    private static string? KeyOf(Instr i)
    {
        if (i.Data is not (null or CmpKind or bool))
        {
            return null;
        }

        var sb = new System.Text.StringBuilder();
        sb.Append((int)i.Op).Append(':').Append(i.Type.Key).Append('(');
        foreach (var a in i.Args)
        {
            sb.Append(IrDump.O(a)).Append(',');
        }

        sb.Append(')').Append(i.Data?.ToString() ?? string.Empty);
        return sb.ToString();
    }

    /// <summary>The reservations before a loop for stacks nothing pushes to any more.</summary>
    private void RemoveUnusedReservations(List<Stmt> forwardTop, HashSet<Stmt> removedPushes)
    {
        var stacks = new HashSet<Var>(removedPushes.OfType<Push>().Select(p => p.Stack));
        foreach (var (st, _) in IrWalk.All(_program.Forward))
        {
            if (st is Push p)
            {
                stacks.Remove(p.Stack);
            }
        }

        forwardTop.RemoveAll(st => st is Effect { Call: { Op: Opcode.Opaque, Data: OpaqueInfo info } call }
            && info.Parts.Length > 1 && info.Parts[1].StartsWith(".Reserve(", StringComparison.Ordinal)
            && call.Args.Length > 0 && call.Args[0] is Var stack && stacks.Contains(stack));
    }
}

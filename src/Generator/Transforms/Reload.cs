using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Transforms;

/// <summary>
/// Reads again instead of storing (issue #11). A loop that reads an array the method created, <c>s += w[c·n + j] · h[j]</c>,
/// pushes each <c>h[j]</c> for its reverse: the reverse sweep runs after later code that may rewrite h. Once fusion has
/// put the reverse of a loop right after the loop (in the same iteration of the loop around both), nothing may write h
/// in between; then the reverse reads <c>h[j]</c> again, and the push and the pop go. The softmax MLP pushed each hidden
/// value once per class (1,280 pushes per example); without them its class loops are plain kernels.
/// </summary>
/// <remarks>
/// A pushed value is read again only when all of these hold (otherwise it stays pushed):
/// <list type="bullet">
/// <item>the forward loop and its reverse are counted loops in one block, the forward one first; the value is pushed
/// once in every iteration (directly in the loop's body) and popped once in every reverse iteration;</item>
/// <item>the value is <c>a[j]</c>, <c>a[j + offset]</c> or <c>a[j − offset]</c>, j the forward loop's index, the offset and the array
/// defined outside the forward loop and visible where the reverse runs;</item>
/// <item>the array is one the method created, and nothing from the forward loop to its reverse can write into it: every
/// store and kernel there writes into another array the method created or into a gradient output, and there is no call
/// with effects.</item>
/// </list>
/// The reverse iteration of the k-th forward iteration recomputes the index, start + step · k, and reads the same element,
/// which holds the same value.
/// </remarks>
internal static class Reload
{
    private const string KernelType = "global::SymbolicGrad.Internal.";

    /// <summary>Replaces the pushes it may by reads in the reverse loops; returns how many.</summary>
    public static int Run(IrMethod method, Block body, Dictionary<Loop, (Loop Forward, Var Counter)> loops)
    {
        if (loops.Count == 0)
        {
            return 0;
        }

        var blockOf = new Dictionary<Stmt, Block>();
        var ownerOf = new Dictionary<Block, Stmt>();
        var defs = new Dictionary<Var, Instr>();
        var definedIn = new Dictionary<Var, Stmt>();
        foreach (var (s, block) in IrWalk.All(body))
        {
            blockOf[s] = block;
            foreach (var child in IrWalk.Children(s))
            {
                ownerOf[child] = s;
            }

            foreach (var v in IrWalk.Writes(s))
            {
                definedIn[v] = s;
            }

            if (s is Assign a)
            {
                defs[a.Dst] = a.Value;
            }
        }

        // How many pops take back each pushed value (one, by construction; checked).
        var popsOf = new Dictionary<Var, int>();
        foreach (var (s, _) in IrWalk.All(body))
        {
            if (s is Assign { Value: { Op: Opcode.Pop, Data: StackInfo { Pushed: { } pushedValue } } })
            {
                popsOf[pushedValue] = popsOf.TryGetValue(pushedValue, out int c) ? c + 1 : 1;
            }
        }

        int reloaded = 0;
        foreach (var entry in loops.OrderBy(kv => kv.Value.Counter.Id))
        {
            var lr = entry.Key;
            var lf = entry.Value.Forward;
            if (lf.Counted is not { Step: 1 or -1 } cf || lr.Counted is not { Step: -1, Cmp: CmpKind.Ge } cr || cr.Bound is not Lit zero || !zero.TryInt(out long z) || z != 0)
            {
                continue;
            }

            // The loops around the pair, pair by pair (each directly in the body of the next), up to one block that holds
            // both the forward loop and its reverse, the forward first.
            Stmt fo = lf, ro = lr;
            Block? block = null;
            for (int depth = 0; depth < 64; depth++)
            {
                if (!blockOf.TryGetValue(ro, out var rb) || !blockOf.TryGetValue(fo, out var fb))
                {
                    break;
                }

                if (ReferenceEquals(rb, fb))
                {
                    block = rb;
                    break;
                }

                if (!ownerOf.TryGetValue(rb, out var rOwner) || !ownerOf.TryGetValue(fb, out var fOwner) || rOwner is not Loop rl || fOwner is not Loop fl
                    || !ReferenceEquals(rl.Body, rb) || !ReferenceEquals(fl.Body, fb) || !loops.TryGetValue(rl, out var outer) || !ReferenceEquals(outer.Forward, fl))
                {
                    break;
                }

                (fo, ro) = (fl, rl);
            }

            if (block is null)
            {
                continue;
            }

            int from = block.Stmts.IndexOf(fo), to = block.Stmts.IndexOf(ro);
            if (from < 0 || to <= from)
            {
                continue;
            }

            // What runs between the load and the read again: the forward loop, the statements between, the reverse loop.
            var region = new List<Stmt>();
            for (int i = from; i <= to; i++)
            {
                region.AddRange(IrWalk.All(new Block(new List<Stmt> { block.Stmts[i] })).Select(x => x.Stmt));
            }

            var start = lf.Vars.First(v => ReferenceEquals(v.Var, cf.Index)).Init;
            var pushes = lf.Body.Stmts.OfType<Push>().ToList();
            var pops = lr.Body.Stmts.OfType<Assign>().Where(a => a.Value.Op == Opcode.Pop).ToList();
            foreach (var push in pushes)
            {
                if (push.Value is not Var pushed || !defs.TryGetValue(pushed, out var load) || load.Op != Opcode.Load || load.Args.Length != 2
                    || !lf.Body.Stmts.Any(s => s is Assign a && ReferenceEquals(a.Dst, pushed))
                    || pushes.Count(p => ReferenceEquals(p.Value, pushed)) != 1
                    || IrWalk.All(lf.Body).Count(x => x.Stmt is Push p && ReferenceEquals(p.Value, pushed)) != 1)
                {
                    continue;
                }

                var pop = pops.Where(a => a.Value.Data is StackInfo info && ReferenceEquals(info.Pushed, pushed) && ReferenceEquals(info.Stack, push.Stack)).ToList();
                if (pop.Count != 1 || !popsOf.TryGetValue(pushed, out int popped) || popped != 1)
                {
                    continue;
                }

                // a[j] or a[j + o] / a[o + j], with a and o from outside the loop, visible at the reverse loop.
                bool Visible(Operand o) => o is Lit || o is Const || (o is Var v && VisibleAt(v, block, from, definedIn, blockOf, ownerOf));
                if (load.Args[0] is not Var array || !Visible(array) || !Created(array, defs))
                {
                    continue;
                }

                Operand? offset = null;
                bool subtract = false;
                var index = load.Args[1];
                if (!ReferenceEquals(index, cf.Index))
                {
                    if (index is not Var iv || !defs.TryGetValue(iv, out var sum) || sum.Op is not (Opcode.IAdd or Opcode.ISub) || sum.Data is true)
                    {
                        continue;
                    }

                    subtract = sum.Op == Opcode.ISub;
                    offset = ReferenceEquals(sum.Args[0], cf.Index) ? sum.Args[1] : ReferenceEquals(sum.Args[1], cf.Index) && !subtract ? sum.Args[0] : null;
                    if (offset is null)
                    {
                        continue;
                    }
                }

                if (!NothingWrites(array, region, defs))
                {
                    continue;
                }

                // The start and the offset where the reverse runs: visible there, or int arithmetic on values visible
                // there, computed again (hidden - 1, for a loop that counts down).
                var head = new List<Stmt>();
                Operand? Again(Operand o, int depth)
                {
                    if (Visible(o))
                    {
                        return o;
                    }

                    if (depth > 8 || o is not Var v || v.Mutable || !defs.TryGetValue(v, out var def) || def.Op is not (Opcode.IAdd or Opcode.ISub or Opcode.IMul) || def.Data is true)
                    {
                        return null;
                    }

                    var args = new Operand[def.Args.Length];
                    for (int q = 0; q < args.Length; q++)
                    {
                        if (Again(def.Args[q], depth + 1) is not { } again)
                        {
                            return null;
                        }

                        args[q] = again;
                    }

                    var copy = method.NewVar("t", IrType.Int32, VarRole.Temp);
                    head.Add(new Assign(copy, new Instr(def.Op, IrType.Int32, args)));
                    return copy;
                }

                var first = Again(start, 0);
                var shift = offset is null ? null : Again(offset, 0);
                if (first is null || (offset is not null && shift is null))
                {
                    continue;
                }

                // The forward index of reverse iteration k: start + step · k; then the element again.
                Operand at = cr.Index;
                if (cf.Step == -1)
                {
                    var neg = method.NewVar("t", IrType.Int32, VarRole.Temp);
                    head.Add(new Assign(neg, new Instr(Opcode.ISub, IrType.Int32, new[] { first, cr.Index })));
                    at = neg;
                }
                else if (!(first is Lit s0 && s0.TryInt(out long v0) && v0 == 0))
                {
                    var plus = method.NewVar("t", IrType.Int32, VarRole.Temp);
                    head.Add(new Assign(plus, new Instr(Opcode.IAdd, IrType.Int32, new[] { first, cr.Index })));
                    at = plus;
                }

                if (shift is not null)
                {
                    var shifted = method.NewVar("t", IrType.Int32, VarRole.Temp);
                    head.Add(new Assign(shifted, new Instr(subtract ? Opcode.ISub : Opcode.IAdd, IrType.Int32, new[] { at, shift! })));
                    at = shifted;
                }

                var popAssign = pop[0];
                int where = lr.Body.Stmts.IndexOf(popAssign);
                lr.Body.Stmts.RemoveAt(where);
                head.Add(new Assign(popAssign.Dst, new Instr(Opcode.Load, load.Type, new[] { array, at })) { Comment = "read again, not stored: nothing writes " + array.Hint + " between the loop and its reverse" });
                lr.Body.Stmts.InsertRange(where, head);
                lf.Body.Stmts.Remove(push);
                reloaded++;
            }
        }

        return reloaded;
    }

    /// <summary>
    /// Whether a variable holds its value everywhere from statement <paramref name="from"/> of the block on: a parameter, a
    /// value defined before it in the block or in a block around it, or the variable of a loop around it.
    /// </summary>
    private static bool VisibleAt(Var v, Block block, int from, Dictionary<Var, Stmt> definedIn, Dictionary<Stmt, Block> blockOf, Dictionary<Block, Stmt> ownerOf)
    {
        if (!definedIn.TryGetValue(v, out var def))
        {
            return true;
        }

        if (v.Mutable && def is not Loop)
        {
            return false;
        }

        var b = block;
        int limit = from;
        for (int hops = 0; hops < 10_000; hops++)
        {
            if (def is Loop && ownerOf.TryGetValue(b, out var around) && ReferenceEquals(around, def))
            {
                return true;
            }

            if (blockOf.TryGetValue(def, out var db) && ReferenceEquals(db, b))
            {
                int at = b.Stmts.IndexOf(def);
                return at >= 0 && at < limit && def is not (Loop or If);
            }

            if (!ownerOf.TryGetValue(b, out var owner) || !blockOf.TryGetValue(owner, out var up))
            {
                return false;
            }

            limit = up.Stmts.IndexOf(owner);
            b = up;
        }

        return false;
    }

    /// <summary>An array the method created (through views of it), or a view of one.</summary>
    private static bool Created(Var array, Dictionary<Var, Instr> defs) => Root(array, defs) is { } root && defs.TryGetValue(root, out var def) && def.Op == Opcode.Alloc;

    private static Var? Root(Var v, Dictionary<Var, Instr> defs)
    {
        for (int hops = 0; hops < 64; hops++)
        {
            if (!defs.TryGetValue(v, out var def))
            {
                return v.Mutable ? null : v;
            }

            if (def.Op is Opcode.Copy or Opcode.Slice && def.Args[0] is Var of)
            {
                v = of;
                continue;
            }

            return v;
        }

        return null;
    }

    /// <summary>Whether nothing in the region can write into the array: every write goes to another created array or an output.</summary>
    private static bool NothingWrites(Var array, List<Stmt> region, Dictionary<Var, Instr> defs)
    {
        var root = Root(array, defs);
        bool Elsewhere(Operand target) => target is Var t && (t.Role == VarRole.Output || (Root(t, defs) is { } r && !ReferenceEquals(r, root) && defs.TryGetValue(r, out var d) && d.Op == Opcode.Alloc));
        bool Harmless(Instr instr) => instr.Op switch
        {
            Opcode.Call => false,
            Opcode.Opaque when instr.Data is OpaqueInfo { EffectFree: false } info => info.Parts.Length > 0 && info.Parts[0].StartsWith(KernelType, StringComparison.Ordinal)
                ? instr.Args.Length > 0 && Elsewhere(instr.Args[0])
                : instr.Args.Length > 0 && instr.Args[0] is Var { Role: VarRole.Internal },
            _ => true,
        };

        foreach (var s in region)
        {
            switch (s)
            {
                case Store st when !Elsewhere(st.Array):
                    return false;
                case Assign a when !Harmless(a.Value):
                    return false;
                case Effect e when !Harmless(e.Call):
                    return false;
            }
        }

        return true;
    }
}

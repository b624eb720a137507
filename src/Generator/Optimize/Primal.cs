using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Optimize;

/// <summary>
/// Rewrites of the method itself before it is differentiated, so that the reverse sweep has fewer values to store
/// (issue #11: the GMM's inner loops stored a value per iteration that changes once per outer iteration). Each keeps
/// the value bit for bit and every exception where it was:
/// <list type="bullet">
/// <item>a read of an element just written (<c>c[i] = x[i] - m[i]; ... c[i]</c>) or just read, with nothing written and
/// the index unchanged in between, is the value written or read;</item>
/// <item>a read of an element that a counted loop does not change (<c>c[i]</c> inside <c>for (j = i + 1; j &lt; d; j++)</c>,
/// which writes only other arrays) is read once before the loop, when the loop runs at all (the same condition as its
/// first iteration), so it is stored once per outer iteration instead of once per inner one. Only from loops with no
/// effects, throws, calls or checked arithmetic, so the read throws (if it does) where no other effect could have
/// happened first.</item>
/// </list>
/// </summary>
internal static class Primal
{
    public static void Run(IrMethod method)
    {
        var defs = new Dictionary<Var, Instr>();
        foreach (var (s, _) in IrWalk.All(method.Body))
        {
            if (s is Assign a && !a.Dst.Mutable)
            {
                defs[a.Dst] = a.Value;
            }
        }

        var map = new Dictionary<Var, Operand>();
        Forward(method.Body, map);
        if (map.Count > 0)
        {
            IrWalk.Substitute(method.Body, map);
            if (method.Result is Var r && map.TryGetValue(r, out var replaced))
            {
                method.Result = replaced;
            }
        }

        Hoist(method, defs);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reads of elements just written or read

    private static void Forward(Block root, Dictionary<Var, Operand> map)
    {
        var work = new Stack<Block>();
        work.Push(root);
        while (work.Count > 0)
        {
            var block = work.Pop();
            var known = new Dictionary<string, Operand>(StringComparer.Ordinal);
            foreach (var s in block.Stmts)
            {
                if (map.Count > 0)
                {
                    IrWalk.SubstituteIn(s, map);
                }

                foreach (var child in IrWalk.Children(s))
                {
                    work.Push(child);
                }

                switch (s)
                {
                    case Assign { Value.Op: Opcode.Load } load when !load.Dst.Mutable && load.Value.Args[0] is Var:
                        {
                            string key = Key(load.Value.Args[0], load.Value.Args.Skip(1));
                            if (known.TryGetValue(key, out var value) && value.Type.Equals(load.Dst.Type))
                            {
                                map[load.Dst] = value;
                            }
                            else
                            {
                                known[key] = load.Dst;
                            }

                            break;
                        }

                    case Assign a when a.Dst.Mutable:
                        // The index may have changed: forget what was read through it.
                        Forget(known, a.Dst);
                        break;
                    case Assign a when a.Value.IsEffectFree:
                        break;
                    case Store { Accumulate: false } st when st.Array is Var:
                        // Any element of any array may be the one written (views alias): forget all, then remember this one.
                        known.Clear();
                        if (st.Value.Type.Equals(st.Array.Type.Element))
                        {
                            known[Key(st.Array, st.Index)] = st.Value;
                        }

                        break;
                    case Note:
                        break;
                    default:
                        known.Clear();
                        break;
                }
            }
        }
    }

    private static string Key(Operand array, IEnumerable<Operand> index) =>
        IrDump.O(array) + "[" + string.Join(",", index.Select(IrDump.O)) + "]";

    private static void Forget(Dictionary<string, Operand> known, Var changed)
    {
        string name = IrDump.O(changed);
        foreach (var key in known.Keys.Where(k => k.IndexOf(name, StringComparison.Ordinal) >= 0).ToList())
        {
            // Keys are operand spellings separated by brackets and commas: match whole operands only.
            if (key.Split('[', ']', ',').Contains(name, StringComparer.Ordinal))
            {
                known.Remove(key);
            }
        }

        foreach (var entry in known.Where(kv => ReferenceEquals(kv.Value, changed)).ToList())
        {
            known.Remove(entry.Key);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reads a loop does not change, read once before it

    private static void Hoist(IrMethod method, Dictionary<Var, Instr> defs)
    {
        var loops = new List<(Loop Loop, Block Block)>();
        foreach (var (s, block) in IrWalk.All(method.Body))
        {
            if (s is Loop l)
            {
                loops.Add((l, block));
            }
        }

        // Innermost first: the walk is pre-order.
        for (int i = loops.Count - 1; i >= 0; i--)
        {
            var (loop, block) = loops[i];
            HoistFrom(method, loop, block, defs);
        }
    }

    private static void HoistFrom(IrMethod method, Loop loop, Block parent, Dictionary<Var, Instr> defs)
    {
        if (loop.Counted is not { } counted || !counted.Index.Type.IsInt || loop.Header.Stmts.Count != 1
            || loop.Header.Stmts[0] is not Assign { Value: { Op: Opcode.Cmp } cond } header || !ReferenceEquals(header.Dst, loop.Cond)
            || !ReferenceEquals(cond.Args[0], counted.Index) || !ReferenceEquals(cond.Args[1], counted.Bound) || cond.Cmp != counted.Cmp)
        {
            return;
        }

        var index = loop.Vars.First(v => ReferenceEquals(v.Var, counted.Index));
        var inside = new HashSet<Var>(loop.Vars.Select(v => v.Var));
        var storedRoots = new HashSet<Var>();
        foreach (var (s, _) in IrWalk.All(loop.Body))
        {
            inside.UnionWith(IrWalk.Writes(s));
            switch (s)
            {
                case Assign a when a.Value.IsEffectFree && !(a.Value.Op is Opcode.IDiv or Opcode.IRem) && !a.Value.Checked:
                case If:
                case Loop:
                case Note:
                    break;
                case Store st when st.Array is Var target && Root(target, defs) is { } root && defs.TryGetValue(root, out var alloc) && alloc.Op == Opcode.Alloc:
                    storedRoots.Add(root);
                    break;
                default:
                    // Effects, throws, calls, checked arithmetic, stores into arrays not created here: nothing moves.
                    return;
            }
        }

        bool Outside(Operand o) => o is not Var v || !inside.Contains(v);
        if (!Outside(index.Init) || !Outside(counted.Bound))
        {
            return;
        }

        var hoisted = new List<Assign>();
        foreach (var s in loop.Body.Stmts)
        {
            if (s is Assign { Value.Op: Opcode.Load } load && !load.Dst.Mutable && load.Value.Args.All(Outside)
                && load.Value.Args[0] is Var array && Root(array, defs) is { } root && !storedRoots.Contains(root)
                && (storedRoots.Count == 0 || (defs.TryGetValue(root, out var r) && r.Op == Opcode.Alloc) || IsParameter(root)))
            {
                hoisted.Add(load);
            }
        }

        if (hoisted.Count == 0)
        {
            return;
        }

        // if (init cmp bound) { t = a[i]... } with t' = t there and 0 otherwise (the loop does not run then).
        var first = method.NewVar("t", IrType.Bool, VarRole.Temp);
        var then = new Block();
        var phis = new List<Phi>();
        var local = new Dictionary<Var, Operand>();
        foreach (var load in hoisted)
        {
            loop.Body.Stmts.Remove(load);
            then.Add(load);
            var merged = method.NewVar(load.Dst.Hint, load.Dst.Type, load.Dst.Role);
            phis.Add(new Phi(merged, load.Dst, Zero(load.Dst.Type)));
            local[load.Dst] = merged;
        }

        // Every read of the loads (in the loop, and through its loop variables) reads the merged values; then the if goes in.
        IrWalk.Substitute(method.Body, local);
        int at = parent.Stmts.IndexOf(loop);
        parent.Stmts.Insert(at, new Assign(first, new Instr(Opcode.Cmp, IrType.Bool, new[] { index.Init, counted.Bound }, counted.Cmp)));
        parent.Stmts.Insert(at + 1, new If(first, then, new Block(), phis));
    }

    private static Operand Zero(IrType type) => type.IsReal ? new Const(0, type) : new Lit("default", type);

    private static bool IsParameter(Var v) => v.Role == VarRole.Parameter;

    /// <summary>The array a view was taken of (through copies and slices); null when that is not known.</summary>
    private static Var? Root(Var v, Dictionary<Var, Instr> defs)
    {
        for (int guard = 0; guard < 10_000; guard++)
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
}

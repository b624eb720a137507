using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Transforms;

/// <summary>
/// Deferred outer products (issue #11): the adjoint of a dense layer over data, <c>dW[j·n + k] += x[i·n + k]·g</c>
/// for every example i and row j, is a vectorized <c>Kernels.AddScaled</c> call inside two loops; each call reads and
/// writes a whole row of dW, so every example streams all of dW through the cache. The calls are recorded instead
/// (<c>SymbolicGrad.Internal.DeferredAddScaled</c>) and run together at the end, four rows of dW in registers at a
/// time, as in a matrix product.
/// </summary>
/// <remarks>
/// Run after <see cref="Vectorize"/>. The result is the same to the last bit: every element of dW receives the same
/// additions in the same order (the runtime groups the calls by row and keeps each row's order). That holds when the
/// values the calls read and write at the end are those they would have seen, so a call is deferred only when:
/// <list type="bullet">
/// <item>its destination is a gradient output (the entry checks make it overlap no input and no other output) that
/// no other statement of the method reads, writes or takes a view of;</item>
/// <item>its source is a parameter of the user's method that no kernel writes into, and nothing in the method can
/// write into memory it does not own: every store and every kernel's destination is an array the method created or
/// a gradient output, and there is no call with effects (a user's method, a compiled gradient);</item>
/// <item>it sits inside two loops or more (a single loop gives the runtime nothing to group).</item>
/// </list>
/// </remarks>
internal static class Defer
{
    private const string AddScaled = "global::SymbolicGrad.Internal.Kernels.AddScaled(";
    private const string KernelType = "global::SymbolicGrad.Internal.Kernels.";

    /// <summary>Rows known to be shorter than this stay calls: a row must fill a vector chunk for the grouping to pay.</summary>
    internal const int MinimumCount = 16;

    /// <summary>Defers the calls it may in a gradient body; returns how many.</summary>
    public static int Run(IrMethod method, Block body)
    {
        // The calls, with how many loops each sits in.
        var candidates = new List<(Effect Effect, Block Block, int Depth)>();
        var defs = new Dictionary<Var, Instr>();
        var stack = new Stack<(Block Block, int Index, int Depth)>();
        stack.Push((body, 0, 0));
        var all = new List<(Stmt Stmt, Block Block, int Depth)>();
        while (stack.Count > 0)
        {
            var (block, index, depth) = stack.Pop();
            if (index >= block.Stmts.Count)
            {
                continue;
            }

            var s = block.Stmts[index];
            stack.Push((block, index + 1, depth));
            all.Add((s, block, depth));
            switch (s)
            {
                case If i:
                    stack.Push((i.Else, 0, depth));
                    stack.Push((i.Then, 0, depth));
                    break;
                case Loop l:
                    stack.Push((l.Body, 0, depth + 1));
                    stack.Push((l.Header, 0, depth + 1));
                    break;
                case Assign a:
                    defs[a.Dst] = a.Value;
                    break;
                case Effect e when IsAddScaled(e.Call) && depth >= 2:
                    candidates.Add((e, block, depth));
                    break;
            }
        }

        candidates.RemoveAll(c => KnownShort(c.Effect.Call.Args[4], defs));
        if (candidates.Count == 0 || !NothingWritesParameters(method, all.Select(a => a.Stmt), defs))
        {
            return 0;
        }

        // Per destination: every statement that reads it must be one of its candidate calls, all with one source.
        var byTarget = new Dictionary<Var, List<(Effect Effect, Block Block)>>();
        foreach (var (e, block, _) in candidates)
        {
            if (e.Call.Args[0] is Var { Role: VarRole.Output } target && e.Call.Args[2] is Var { Role: VarRole.Parameter } source
                && target.Type.Element is { IsReal: true } element && source.Type.Element is { } sourceElement && sourceElement.Equals(element))
            {
                if (!byTarget.TryGetValue(target, out var list))
                {
                    byTarget[target] = list = new List<(Effect, Block)>();
                }

                list.Add((e, block));
            }
        }

        var chosen = new HashSet<Effect>(candidates.Select(c => c.Effect));
        int deferred = 0;
        foreach (var target in byTarget.Keys.OrderBy(v => v.Id))
        {
            var calls = byTarget[target];
            var source = (Var)calls[0].Effect.Call.Args[2];
            if (calls.Any(c => !ReferenceEquals(c.Effect.Call.Args[2], source)))
            {
                continue;
            }

            bool alone = true;
            foreach (var (s, _, _) in all)
            {
                bool readsTarget = IrWalk.Reads(s).Any(o => ReferenceEquals(o, target));
                if (readsTarget && !(s is Effect e && chosen.Contains(e) && ReferenceEquals(e.Call.Args[0], target) && !e.Call.Args.Skip(1).Any(o => ReferenceEquals(o, target))))
                {
                    alone = false;
                    break;
                }

                // No kernel writes into the source (a parameter: the checks above leave only the kernels' destinations).
                if (s is Effect { Call: { Op: Opcode.Opaque } k } && k.Args.Length > 0 && ReferenceEquals(k.Args[0], source) && IsKernel(k))
                {
                    alone = false;
                    break;
                }
            }

            if (!alone)
            {
                continue;
            }

            var element = target.Type.Element!;
            var recorder = method.NewVar("deferred", IrType.Object, VarRole.Internal);
            method.Resources.Add((recorder, "new global::SymbolicGrad.Internal.DeferredAddScaled<" + element.CSharp + ">()"));
            var record = new OpaqueInfo(new[] { string.Empty, ".Add(", ", ", ", ", ", ", ")" }, pure: false, effectFree: false);
            foreach (var (e, _) in calls)
            {
                var a = e.Call.Args;
                e.Call = new Instr(Opcode.Opaque, IrType.Object, new[] { recorder, a[1], a[3], a[4], a[5] }, record);
                e.Comment = (e.Comment is { } c ? c + "; " : string.Empty) + "deferred: run at the end with the other rows (each element's additions in the same order)";
                deferred++;
            }

            body.Add(new Effect(new Instr(Opcode.Opaque, IrType.Object, new Operand[] { recorder, target, source },
                new OpaqueInfo(new[] { string.Empty, ".Flush(", ", ", ")" }, pure: false, effectFree: false)))
            {
                Comment = "the deferred additions into " + target.Hint + ", row by row, four rows at a time (a matrix product's order; each element's additions in their order)",
            });
            body.Add(new Effect(new Instr(Opcode.Opaque, IrType.Object, new Operand[] { recorder }, new OpaqueInfo(new[] { string.Empty, ".Dispose()" }, pure: false, effectFree: false))));
        }

        return deferred;
    }

    /// <summary>
    /// A count known at build time to be below <see cref="MinimumCount"/>: a literal, or the trip count of a loop between
    /// two literals (<c>LoopTrips.Count(0, 4, …)</c>: at most their distance plus one).
    /// </summary>
    internal static bool KnownShort(Operand count, Dictionary<Var, Instr> defs)
    {
        if (count is Lit l)
        {
            return l.TryInt(out long n) && n < MinimumCount;
        }

        return count is Var v && defs.TryGetValue(v, out var def) && def.Op == Opcode.Opaque && def.Data is OpaqueInfo info
            && info.Parts.Length > 0 && info.Parts[0].Contains("LoopTrips.Count(") && def.Args.Length == 2
            && def.Args[0] is Lit a && a.TryInt(out long start) && def.Args[1] is Lit b && b.TryInt(out long bound)
            && Math.Abs(bound - start) + 1 < MinimumCount;
    }

    /// <summary>A runtime kernel: it writes into its first argument only (Kernels.*, DotTable.Fill, DotTable.Gather).</summary>
    private static bool IsKernel(Instr call) => call.Data is OpaqueInfo info && info.Parts.Length > 0
        && (info.Parts[0].StartsWith(KernelType, StringComparison.Ordinal) || info.Parts[0].StartsWith("global::SymbolicGrad.Internal.DotTable.Fill<", StringComparison.Ordinal)
            || info.Parts[0].StartsWith("global::SymbolicGrad.Internal.DotTable.Gather<", StringComparison.Ordinal));

    private static bool IsAddScaled(Instr call) => call.Op == Opcode.Opaque && call.Data is OpaqueInfo info && info.Parts.Length == 7
        && string.Equals(info.Parts[0], AddScaled, StringComparison.Ordinal) && call.Args.Length == 6;

    /// <summary>
    /// Whether nothing in the body can write into memory a parameter may share: every store and kernel destination is
    /// a gradient output or an array the method created (through views of it), and no instruction with effects other
    /// than the kernels and the method's own bookkeeping (its stacks and buffers) runs.
    /// </summary>
    internal static bool NothingWritesParameters(IrMethod method, IEnumerable<Stmt> all, Dictionary<Var, Instr> defs)
    {
        var resources = new HashSet<Var>(method.Resources.Select(r => r.Var));
        bool Owned(Operand o)
        {
            for (int hops = 0; hops < 64 && o is Var v; hops++)
            {
                if (v.Role == VarRole.Output)
                {
                    return true;
                }

                if (!defs.TryGetValue(v, out var def))
                {
                    return false;
                }

                switch (def.Op)
                {
                    case Opcode.Alloc:
                        return true;
                    case Opcode.Copy or Opcode.Slice:
                        o = def.Args[0];
                        continue;
                    default:
                        return false;
                }
            }

            return false;
        }

        bool Harmless(Instr instr) => instr.Op switch
        {
            Opcode.Call => false,
            Opcode.Opaque when instr.Data is OpaqueInfo { EffectFree: false } => IsKernel(instr) ? instr.Args.Length > 0 && Owned(instr.Args[0])
                : instr.Args.Length > 0 && instr.Args[0] is Var r && resources.Contains(r),
            _ => true,
        };

        foreach (var s in all)
        {
            switch (s)
            {
                case Store st when !Owned(st.Array):
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

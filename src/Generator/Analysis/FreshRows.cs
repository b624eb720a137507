using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Analysis;

/// <summary>
/// Rows of an array of arrays that are certainly an array the method has just created: after
/// <c>h[t + 1] = new double[H]</c>, a read of <c>h[t + 1]</c> later in the same block (or in statements nested in it)
/// is that new array, as long as nothing in between may store another row. The class-based aliasing puts every row of
/// <c>h</c> in one class, with <c>h[0] = h0</c> a parameter among them; this tells the rows apart by index where the
/// index is provably the same value, so that filling a fresh row is not refused as a write into the parameter.
/// </summary>
internal static class FreshRows
{
    /// <summary>How deep index expressions are compared (t + 1, 2 * t + 1, i * n + j): a fixed bound, no recursion.</summary>
    private const int MaxDepth = 4;

    /// <summary>For each variable loaded from an array of arrays that is provably a fresh row: the new array it is.</summary>
    public static Dictionary<Var, Var> Of(IrMethod ir)
    {
        var result = new Dictionary<Var, Var>();
        var defs = new Dictionary<Var, Assign>();
        var allocs = new HashSet<Var>();
        foreach (var (s, _) in IrWalk.All(ir.Body))
        {
            if (s is Assign a)
            {
                // A variable assigned twice (a mutable one) has no single definition.
                if (defs.ContainsKey(a.Dst))
                {
                    defs[a.Dst] = null!;
                }
                else
                {
                    defs[a.Dst] = a;
                }

                if (a.Value.Op == Opcode.Alloc && !a.Dst.Mutable && a.Dst.Type.IsArray)
                {
                    allocs.Add(a.Dst);
                }
            }
        }

        foreach (var (s, block, enclosing) in WithEnclosingLoopVars(ir.Body))
        {
            if (s is not Store { Accumulate: false, Array: Var outer, Index.Length: 1, Value: Var row } store
                || outer.Mutable || !allocs.Contains(row) || defs.TryGetValue(outer, out var outerDef) && outerDef is null)
            {
                continue;
            }

            int at = block.Stmts.IndexOf(store);
            if (at < 0)
            {
                continue;
            }

            // The region: what runs after the store in the same execution of its block.
            var region = new List<Stmt>();
            for (int k = at + 1; k < block.Stmts.Count; k++)
            {
                region.Add(block.Stmts[k]);
            }

            var written = new HashSet<Var>();
            bool clobbers = false;
            var loads = new List<Assign>();
            foreach (var top in region)
            {
                foreach (var (r, _) in IrWalk.All(new Block(new List<Stmt> { top })))
                {
                    written.UnionWith(IrWalk.Writes(r));
                    if (r is Loop inner && inner.Counted is { } counted)
                    {
                        written.Add(counted.Index);
                    }

                    clobbers |= MayStoreRows(r);
                    if (r is Assign { Value.Op: Opcode.Load } load && ReferenceEquals(load.Value.Args[0], outer) && load.Value.Args.Length == 2 && load.Dst.Type.IsArray)
                    {
                        loads.Add(load);
                    }
                }
            }

            if (clobbers || loads.Count == 0)
            {
                continue;
            }

            string? key = Key(store.Index[0], defs, written, enclosing);
            if (key is null)
            {
                continue;
            }

            foreach (var load in loads)
            {
                if (!load.Dst.Mutable && Key(load.Value.Args[1], defs, written, enclosing) == key)
                {
                    result[load.Dst] = row;
                }
            }
        }

        return result;
    }

    /// <summary>Every statement in program order with its block and the variables of the loops around it.</summary>
    private static IEnumerable<(Stmt Stmt, Block Block, HashSet<Var> Enclosing)> WithEnclosingLoopVars(Block root)
    {
        var stack = new Stack<(Block Block, int Index, HashSet<Var> Enclosing)>();
        stack.Push((root, 0, new HashSet<Var>()));
        while (stack.Count > 0)
        {
            var (block, index, enclosing) = stack.Pop();
            if (index >= block.Stmts.Count)
            {
                continue;
            }

            var s = block.Stmts[index];
            stack.Push((block, index + 1, enclosing));
            yield return (s, block, enclosing);
            switch (s)
            {
                case If i:
                    stack.Push((i.Else, 0, enclosing));
                    stack.Push((i.Then, 0, enclosing));
                    break;
                case Loop l:
                    var inner = new HashSet<Var>(enclosing);
                    inner.UnionWith(l.Vars.Select(v => v.Var));
                    if (l.Counted is { } counted)
                    {
                        inner.Add(counted.Index);
                    }

                    stack.Push((l.Body, 0, inner));
                    break;
            }
        }
    }

    /// <summary>Whether a statement may put another array into a row of some array of arrays, or hand one to code that could.</summary>
    private static bool MayStoreRows(Stmt s)
    {
        switch (s)
        {
            case Store st:
                return st.Value.Type.IsArray;
            case Assign a:
                return a.Value.Op is Opcode.Opaque or Opcode.Call && a.Value.Args.Any(x => x.Type.IsArray && x.Type.Element is { IsArray: true });
            case Effect e:
                return e.Call.Args.Any(x => x.Type.IsArray && x.Type.Element is { IsArray: true });
            default:
                return false;
        }
    }

    /// <summary>
    /// A canonical text for an integer index's value in the region, or null when it is not provably the same value
    /// everywhere there: literals, variables the region does not write, and integer arithmetic of those.
    /// </summary>
    private static string? Key(Operand o, Dictionary<Var, Assign> defs, HashSet<Var> written, HashSet<Var> enclosing)
    {
        var sb = new System.Text.StringBuilder();
        var todo = new Stack<(Operand Operand, int Depth)>();
        todo.Push((o, 0));
        while (todo.Count > 0)
        {
            var (x, depth) = todo.Pop();
            switch (x)
            {
                case Lit lit when lit.TryInt(out long value):
                    sb.Append('L').Append(value.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
                    break;
                case Var v when !v.Mutable && depth < MaxDepth && defs.TryGetValue(v, out var def) && def is not null
                    && def.Value.Data is null && def.Value.Op is Opcode.IAdd or Opcode.ISub or Opcode.IMul && def.Value.Args.Length == 2:
                    sb.Append(def.Value.Op.ToString()).Append('(');
                    todo.Push((Close.Instance, depth));
                    todo.Push((def.Value.Args[1], depth + 1));
                    todo.Push((def.Value.Args[0], depth + 1));
                    break;
                // A variable assigned once, or a variable of a loop around the store: the same value from the store to the
                // end of the region. (Another loop's variable may have changed between an index computed from it and the store.)
                case Var v when !written.Contains(v) && v.Type.Equals(IrType.Int32) && (!v.Mutable || enclosing.Contains(v)):
                    sb.Append('V').Append(v.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
                    break;
                case Close:
                    sb.Append(") ");
                    break;
                default:
                    return null;
            }
        }

        return sb.ToString();
    }

    /// <summary>A marker for the end of an operation's arguments in <see cref="Key"/>.</summary>
    private sealed class Close : Operand
    {
        public static readonly Close Instance = new();

        private Close()
            : base(IrType.Int32)
        {
        }
    }
}

namespace SymbolicGrad.Generator.Ir;

/// <summary>Walks, reads and rewrites the IR without recursion proportional to its size.</summary>
internal static class IrWalk
{
    /// <summary>Every statement in the block and the blocks nested in it, in program order (pre-order), with its block.</summary>
    public static IEnumerable<(Stmt Stmt, Block Block)> All(Block root)
    {
        var stack = new Stack<(Block Block, int Index)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (block, index) = stack.Pop();
            if (index >= block.Stmts.Count)
            {
                continue;
            }

            var s = block.Stmts[index];
            stack.Push((block, index + 1));
            yield return (s, block);
            switch (s)
            {
                case If i:
                    stack.Push((i.Else, 0));
                    stack.Push((i.Then, 0));
                    break;
                case Loop l:
                    stack.Push((l.Body, 0));
                    stack.Push((l.Header, 0));
                    break;
            }
        }
    }

    /// <summary>The blocks directly nested in a statement.</summary>
    public static IEnumerable<Block> Children(Stmt s)
    {
        switch (s)
        {
            case If i:
                yield return i.Then;
                yield return i.Else;
                break;
            case Loop l:
                yield return l.Header;
                yield return l.Body;
                break;
        }
    }

    /// <summary>The operands a statement reads itself (not those of statements nested in it).</summary>
    public static IEnumerable<Operand> Reads(Stmt s)
    {
        switch (s)
        {
            case Assign a:
                foreach (var x in InstrReads(a.Value))
                {
                    yield return x;
                }

                break;
            case Store st:
                yield return st.Array;
                foreach (var x in st.Index)
                {
                    yield return x;
                }

                yield return st.Value;
                break;
            case If i:
                yield return i.Cond;
                foreach (var p in i.Phis)
                {
                    yield return p.Then;
                    yield return p.Else;
                }

                break;
            case Loop l:
                foreach (var v in l.Vars)
                {
                    yield return v.Init;
                    yield return v.Next;
                }

                yield return l.Cond;
                if (l.Counted is { } c)
                {
                    yield return c.Bound;
                }

                break;
            case Throw t:
                foreach (var x in InstrReads(t.Exception))
                {
                    yield return x;
                }

                break;
            case Effect e:
                foreach (var x in InstrReads(e.Call))
                {
                    yield return x;
                }

                break;
            case Push p:
                yield return p.Stack;
                yield return p.Value;
                break;
        }
    }

    public static IEnumerable<Operand> InstrReads(Instr instr)
    {
        foreach (var a in instr.Args)
        {
            yield return a;
        }

        switch (instr.Data)
        {
            case AllocInfo { Buffer: { } buffer }:
                yield return buffer;
                break;
            case StackInfo stack:
                yield return stack.Stack;
                break;
        }
    }

    /// <summary>The variables a statement defines or assigns itself (not those of nested statements).</summary>
    public static IEnumerable<Var> Writes(Stmt s)
    {
        switch (s)
        {
            case Assign a:
                yield return a.Dst;
                if (a.Value.Data is CallInfo call)
                {
                    foreach (var p in call.Partials)
                    {
                        yield return p;
                    }
                }

                break;
            case If i:
                foreach (var p in i.Phis)
                {
                    yield return p.Dst;
                }

                break;
            case Loop l:
                foreach (var v in l.Vars)
                {
                    yield return v.Var;
                }

                break;
        }
    }

    /// <summary>Replaces every read of a variable in <paramref name="map"/>, in the block and everything nested in it.</summary>
    public static void Substitute(Block root, IReadOnlyDictionary<Var, Operand> map)
    {
        if (map.Count == 0)
        {
            return;
        }

        foreach (var (s, _) in All(root))
        {
            SubstituteIn(s, map);
        }
    }

    /// <summary>Replaces the reads of one statement (not of nested statements); returns whether any read was replaced.</summary>
    public static bool SubstituteIn(Stmt s, IReadOnlyDictionary<Var, Operand> map)
    {
        bool changed = false;
        Operand M(Operand o)
        {
            if (o is Var v && map.TryGetValue(v, out var r))
            {
                changed |= !ReferenceEquals(r, o);
                return r;
            }

            return o;
        }

        Instr I(Instr i)
        {
            var r = SubstituteInstr(i, map);
            changed |= !ReferenceEquals(r, i);
            return r;
        }

        switch (s)
        {
            case Assign a:
                a.Value = I(a.Value);
                break;
            case Store st:
                st.Array = M(st.Array);
                st.Index = st.Index.Select(M).ToArray();
                st.Value = M(st.Value);
                break;
            case If i:
                i.Cond = M(i.Cond);
                foreach (var p in i.Phis)
                {
                    p.Then = M(p.Then);
                    p.Else = M(p.Else);
                }

                break;
            case Loop l:
                foreach (var v in l.Vars)
                {
                    v.Init = M(v.Init);
                    v.Next = M(v.Next);
                }

                l.Cond = M(l.Cond);
                if (l.Counted is { } c)
                {
                    c.Bound = M(c.Bound);
                }

                break;
            case Throw t:
                t.Exception = I(t.Exception);
                break;
            case Effect e:
                e.Call = I(e.Call);
                break;
            case Push p:
                p.Value = M(p.Value);
                break;
        }

        return changed;
    }

    public static Instr SubstituteInstr(Instr instr, IReadOnlyDictionary<Var, Operand> map)
    {
        Operand[]? args = null;
        for (int i = 0; i < instr.Args.Length; i++)
        {
            if (instr.Args[i] is Var v && map.TryGetValue(v, out var r))
            {
                args ??= (Operand[])instr.Args.Clone();
                args[i] = r;
            }
        }

        return args is null ? instr : instr.With(args);
    }

    /// <summary>How many times each variable is read in the block (including nested blocks).</summary>
    public static Dictionary<Var, int> UseCounts(Block root)
    {
        var counts = new Dictionary<Var, int>();
        foreach (var (s, _) in All(root))
        {
            foreach (var o in Reads(s))
            {
                if (o is Var v)
                {
                    counts.TryGetValue(v, out int n);
                    counts[v] = n + 1;
                }
            }
        }

        return counts;
    }

    /// <summary>The number of statements, nested ones included.</summary>
    public static int Size(Block root)
    {
        int n = 0;
        foreach (var _ in All(root))
        {
            n++;
        }

        return n;
    }
}

namespace SymbolicGrad.Generator.Ir;

/// <summary>Copies the statements of a body (variables and instructions are shared: they are not changed in place).</summary>
internal static class IrClone
{
    public static Block Block(Block source)
    {
        var root = new Block();
        var stack = new Stack<(Block From, Block To)>();
        stack.Push((source, root));
        while (stack.Count > 0)
        {
            var (from, to) = stack.Pop();
            foreach (var s in from.Stmts)
            {
                Stmt copy;
                switch (s)
                {
                    case Assign a:
                        copy = new Assign(a.Dst, a.Value);
                        break;
                    case Store st:
                        copy = new Store(st.Array, st.Index, st.Value, st.Accumulate);
                        break;
                    case If f:
                        var i = new If(f.Cond, new Block(), new Block(), f.Phis.Select(p => new Phi(p.Dst, p.Then, p.Else)).ToList());
                        stack.Push((f.Then, i.Then));
                        stack.Push((f.Else, i.Else));
                        copy = i;
                        break;
                    case Loop l:
                        var loop = new Loop { Cond = l.Cond, Source = l.Source, At = l.At, Reversed = l.Reversed, SumKernel = l.SumKernel };
                        loop.Vars.AddRange(l.Vars.Select(v => new LoopVar(v.Var, v.Init, v.Next)));
                        loop.Counted = l.Counted is { } c ? new Counted(c.Index, c.Step, c.Cmp, c.Bound) : null;
                        stack.Push((l.Header, loop.Header));
                        stack.Push((l.Body, loop.Body));
                        copy = loop;
                        break;
                    case Throw t:
                        copy = new Throw(t.Exception);
                        break;
                    case Effect e:
                        copy = new Effect(e.Call);
                        break;
                    case Push p:
                        copy = new Push(p.Stack, p.Value) { Reserved = p.Reserved };
                        break;
                    case Note n:
                        copy = new Note(n.Comment!);
                        break;
                    default:
                        throw new InvalidOperationException("internal: unknown statement");
                }

                copy.Comment = s.Comment;
                to.Add(copy);
            }
        }

        return root;
    }
}

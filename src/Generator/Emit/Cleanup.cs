using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Emit;

/// <summary>
/// Last passes over the generated body: remove what nothing reads (dead adjoints, unused forward values),
/// inline temporaries read exactly once in the same block, and hoist the declarations of forward values
/// that the reverse sweep reads from outside the branch that computed them.
/// </summary>
internal static class Cleanup
{
    public static void Run(CBlock root, Var valueVar, Func<string, IrType, Var> newVar)
    {
        while (RemoveDead(root) | Inline(root))
        {
        }

        Transfers.Run(root, newVar);
        while (RemoveDead(root) | Inline(root))
        {
        }

        MergeDeclaration(root, valueVar);
        Hoist(root);
    }

    private static Dictionary<Var, int> CountReads(CBlock root)
    {
        var counts = new Dictionary<Var, int>();
        foreach (var (s, _) in Walk(root))
        {
            IEnumerable<Expr> reads = s is CAccumulate acc ? new[] { acc.Value } : s.Reads();
            foreach (var v in reads.SelectMany(e => e.Vars()))
            {
                counts.TryGetValue(v, out int n);
                counts[v] = n + 1;
            }
        }

        return counts;
    }

    /// <summary>Every statement with the block it is in, in program order.</summary>
    public static IEnumerable<(CStmt Statement, CBlock Block)> Walk(CBlock block)
    {
        foreach (var s in block.Statements)
        {
            yield return (s, block);
            foreach (var child in s.Children())
            {
                foreach (var inner in Walk(child))
                {
                    yield return inner;
                }
            }
        }
    }

    private static bool RemoveDead(CBlock root)
    {
        var counts = CountReads(root);
        int Count(Var v) => counts.TryGetValue(v, out int n) ? n : 0;
        bool changed = false;
        var deadMutable = new HashSet<Var>();
        foreach (var (s, _) in Walk(root))
        {
            if (s is CDeclare d && Count(d.Var) == 0)
            {
                deadMutable.Add(d.Var);
            }

            if (s is CLet { Var.IsAccumulator: true } a && Count(a.Var) == 0)
            {
                deadMutable.Add(a.Var);
            }
        }

        changed |= RemoveIn(root, s => s switch
        {
            CLet l => Count(l.Var) == 0,
            CDeclare d => deadMutable.Contains(d.Var),
            CAssign a => deadMutable.Contains(a.Var) || Count(a.Var) == 0,
            CAccumulate a => deadMutable.Contains(a.Var),
            CCall c => Count(c.Var) == 0 && c.Partials.All(p => p is null || Count(p) == 0),
            CIf i => i.Then.Statements.Count == 0 && i.Else.Statements.Count == 0,
            _ => false,
        });

        // A call whose partials nobody reads is a plain call of the original method.
        foreach (var block in Blocks(root))
        {
            for (int k = 0; k < block.Statements.Count; k++)
            {
                if (block.Statements[k] is CCall c && c.Partials.All(p => p is null || Count(p) == 0))
                {
                    var let = new CLet(c.Var, c.Call);
                    let.Comments.AddRange(c.Comments);
                    block.Statements[k] = let;
                    changed = true;
                }
            }
        }

        return changed;
    }

    private static IEnumerable<CBlock> Blocks(CBlock root)
    {
        yield return root;
        foreach (var (s, _) in Walk(root))
        {
            foreach (var child in s.Children())
            {
                yield return child;
            }
        }
    }

    private static bool RemoveIn(CBlock block, Func<CStmt, bool> dead)
    {
        bool changed = false;
        foreach (var child in block.Statements.SelectMany(s => s.Children()))
        {
            changed |= RemoveIn(child, dead);
        }

        changed |= block.Statements.RemoveAll(s => dead(s)) > 0;
        return changed;
    }

    private static bool Inline(CBlock root)
    {
        var counts = CountReads(root);
        bool changed = false;
        foreach (var block in Blocks(root).ToList())
        {
            var list = block.Statements;
            for (int i = list.Count - 1; i >= 0; i--)
            {
                if (list[i] is not CLet let || !Inlinable(let.Var) || !counts.TryGetValue(let.Var, out int n) || n != 1)
                {
                    continue;
                }

                int j = i + 1;
                while (j < list.Count && !list[j].Reads().SelectMany(e => e.Vars()).Contains(let.Var))
                {
                    j++;
                }

                // Not into a gradient call, which reads its adjoint once per array element.
                if (j == list.Count || list[j] is CGradientCall || list[j] is CAccumulate { } acc && acc.Var == let.Var || !CanMove(let.Value, list, i + 1, j))
                {
                    continue;
                }

                var value = let.Value;
                list[j].Rewrite(e => e.Substitute(v => v == let.Var ? value : null));
                list[j].Comments.InsertRange(0, let.Comments);
                list.RemoveAt(i);
                changed = true;
            }
        }

        return changed;
    }

    private static bool Inlinable(Var v) =>
        v.Role is VarRole.Temp or VarRole.Adjoint && !v.IsMutable && !v.DeclaredSeparately;

    /// <summary>Can <paramref name="value"/> be evaluated later, at statement <paramref name="to"/>: nothing in between writes what it reads.</summary>
    private static bool CanMove(Expr value, List<CStmt> list, int from, int to)
    {
        var reads = new HashSet<Var>(value.Vars());
        var arrays = new HashSet<Var>(Elements(value).Select(e => e.Array));
        for (int k = from; k < to; k++)
        {
            foreach (var (s, _) in Walk(new CBlock { Statements = { list[k] } }))
            {
                if (s.Assigns().Any(reads.Contains) || s is CElement e && arrays.Contains(e.Array) || s is CLoop or CReverseLoop)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static IEnumerable<ElementExpr> Elements(Expr e) => e switch
    {
        ElementExpr el => new[] { el }.Concat(Elements(el.Index)),
        OpExpr o => o.Args.SelectMany(Elements),
        InlineExpr i => i.Args.SelectMany(Elements),
        CallExpr c => c.Args.SelectMany(Elements),
        _ => Array.Empty<ElementExpr>(),
    };

    /// <summary><c>double value; ... value = e;</c> in the same block becomes <c>double value = e;</c>.</summary>
    private static void MergeDeclaration(CBlock root, Var v)
    {
        var assigns = Walk(root).Where(x => x.Statement is CAssign a && a.Var == v).ToList();
        if (assigns.Count != 1 || assigns[0].Block != root)
        {
            return;
        }

        var assign = (CAssign)assigns[0].Statement;
        root.Statements.RemoveAll(s => s is CDeclare d && d.Var == v);
        int index = root.Statements.IndexOf(assign);
        var let = new CLet(v, assign.Value);
        let.Comments.AddRange(assign.Comments);
        root.Statements[index] = let;
        v.DeclaredSeparately = false;
    }

    /// <summary>Moves the declaration of a value read outside the block that computes it up to the nearest common block.</summary>
    private static void Hoist(CBlock root)
    {
        var parent = new Dictionary<CBlock, (CBlock Block, CStmt Statement)>();
        foreach (var (s, b) in Walk(root))
        {
            foreach (var child in s.Children())
            {
                parent[child] = (b, s);
            }
        }

        List<CBlock> Chain(CBlock b)
        {
            var chain = new List<CBlock> { b };
            while (parent.TryGetValue(chain[chain.Count - 1], out var p))
            {
                chain.Add(p.Block);
            }

            chain.Reverse();
            return chain;
        }

        // A variable may be declared more than once, in sibling blocks: in a forward loop body and again
        // (popped or recomputed) in its reverse body. A read is covered by any declaration in an enclosing block.
        var declarations = new Dictionary<Var, List<CBlock>>();
        var readIn = new Dictionary<Var, List<CBlock>>();
        foreach (var (s, b) in Walk(root))
        {
            foreach (var v in s.Declares())
            {
                var block = s is CReverseLoop r ? r.Body : b;
                if (!declarations.TryGetValue(v, out var list))
                {
                    declarations[v] = list = new List<CBlock>();
                }

                list.Add(block);
            }

            foreach (var v in s.Reads().SelectMany(e => e.Vars()))
            {
                if (!readIn.TryGetValue(v, out var blocks))
                {
                    readIn[v] = blocks = new List<CBlock>();
                }

                blocks.Add(b);
            }
        }

        var declaredIn = declarations.ToDictionary(d => d.Key, d => d.Value[0]);
        foreach (var entry in declaredIn.OrderBy(e => e.Key.Id))
        {
            var v = entry.Key;
            var home = entry.Value;
            if (!readIn.TryGetValue(v, out var uses))
            {
                continue;
            }

            var homeChain = Chain(home);
            var common = homeChain;
            foreach (var use in uses)
            {
                var useChain0 = Chain(use);
                if (declarations[v].Skip(1).Any(useChain0.Contains))
                {
                    // Covered by a later declaration (a pop in a reverse loop body).
                    continue;
                }

                var useChain = Chain(use);
                int k = 0;
                while (k < common.Count && k < useChain.Count && common[k] == useChain[k])
                {
                    k++;
                }

                common = common.Take(k).ToList();
            }

            if (common.Count == homeChain.Count)
            {
                continue;
            }

            // Declare in the common block, just before the statement that contains the home block.
            var target = common[common.Count - 1];
            var child = homeChain[common.Count];
            var anchor = parent[child].Statement;
            int index = target.Statements.IndexOf(anchor);
            while (index > 0 && target.Statements[index - 1] is CDeclare)
            {
                index--;
            }

            target.Statements.Insert(index, new CDeclare(v, initialize: true));
            v.DeclaredSeparately = true;
            foreach (var s in home.Statements.OfType<CDeclare>().Where(d => d.Var == v).ToList())
            {
                home.Statements.Remove(s);
            }
        }
    }
}

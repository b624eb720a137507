using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Emit;

/// <summary>
/// Carries values from each forward loop body to its reverse: every value the reverse body reads that the forward
/// body computed is pushed at each end of an iteration and popped, in reverse order, at the start of the reverse
/// iteration. Runs once the code is final, so only what is really read is stored. Values of type double, float, int
/// and bool share two pooled stacks.
/// </summary>
internal static class Transfers
{
    public static void Run(CBlock root, Func<string, IrType, Var> newVar)
    {
        var stacks = new Dictionary<string, Var>(StringComparer.Ordinal);
        Var StackFor(IrType type)
        {
            string element = type.IsReal ? (type.IsGeneric ? type.CSharp : "double") : type.Kind == ValueKind.Bool || type.CSharp == "int" ? "int" : "double";
            if (!stacks.TryGetValue(element, out var stack))
            {
                stack = newVar(element == "int" ? "ints" : "values", IrType.Of(ValueKind.Other, "global::SymbolicGrad.Internal.ValueStack<" + element + ">"));
                stack.Role = VarRole.Internal;
                stacks[element] = stack;
            }

            return stack;
        }

        // Innermost loops first: what an inner reverse body recomputes may read values its outer loop must carry.
        var loops = Cleanup.Walk(root).Select(x => x.Statement).OfType<CLoop>().Reverse().ToList();
        foreach (var forward in loops)
        {
            var reverse = forward.Info.Reverse;
            if (reverse is null)
            {
                continue;
            }

            var defined = new HashSet<Var>();
            CollectDeclarations(forward.Body, defined);
            var declaredInReverse = new HashSet<Var>(Cleanup.Walk(reverse.Body).SelectMany(x => x.Statement.Declares()));
            var carried = Cleanup.Walk(reverse.Body)
                .SelectMany(x => x.Statement.Reads())
                .SelectMany(e => e.Vars())
                .Where(v => defined.Contains(v) && !declaredInReverse.Contains(v) && v.Type.Kind != ValueKind.Array)
                .Distinct()
                .OrderBy(v => v.Id)
                .ToList();
            var recomputed = Rematerialize(forward, reverse, carried, declaredInReverse, StableArrays(root, forward));
            carried = carried.Where(v => !recomputed.Contains(v)).ToList();
            if (carried.Count == 0)
            {
                continue;
            }

            InsertPushes(forward.Body, forward.Info, carried, StackFor);
            Reserve(root, forward, carried, StackFor);
            var pops = carried.AsEnumerable().Reverse().Select(v => (CStmt)new CPop(v, StackFor(v.Type))).ToList();
            pops[0].Comment = "the values of iteration k that the reverse needs, pushed by the forward loop";
            reverse.Body.Statements.InsertRange(0, pops);
        }

        if (stacks.Count == 0)
        {
            return;
        }

        int at = root.Statements.FindIndex(s => s is not CRaw);
        foreach (var entry in stacks.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            root.Statements.Insert(Math.Max(at, 0), new CStack(entry.Value, entry.Key, dispose: false) { Comment = "storage for values the loops overwrite (pooled: no allocation in steady state)" });
        }

        int ret = root.Statements.FindLastIndex(s => s is CReturn);
        if (ret >= 0)
        {
            foreach (var stack in stacks.Values)
            {
                root.Statements.Insert(ret, new CStack(stack, string.Empty, dispose: true));
            }
        }
    }

    /// <summary>
    /// Values cheaper to recompute than to store: computed at the top level of the forward body by arithmetic
    /// (no transcendental function, no call) from read-only arrays, the recomputed loop index, values from before
    /// the loop and other such values. They are computed again at the start of the reverse iteration, in their
    /// forward order, so a loop such as a sum of squares over an input array stores nothing at all.
    /// </summary>
    private static HashSet<Var> Rematerialize(CLoop forward, CReverseLoop reverse, List<Var> carried, HashSet<Var> declaredInReverse, HashSet<Var> stableArrays)
    {
        var topLevel = new Dictionary<Var, CLet>();
        foreach (var s in forward.Body.Statements)
        {
            if (s is CLet let && !let.Var.IsMutable && !let.Var.DeclaredSeparately)
            {
                topLevel[let.Var] = let;
            }
        }

        var definedInBody = new HashSet<Var>();
        CollectDeclarations(forward.Body, definedInBody);
        var verdict = new Dictionary<Var, bool>();
        bool Recomputable(Var v)
        {
            if (verdict.TryGetValue(v, out bool known))
            {
                return known;
            }

            verdict[v] = false;
            // A value may also be recomputed from values that are stored anyway (they are popped first).
            bool ok = topLevel.TryGetValue(v, out var let) && Cheap(let.Value, stableArrays)
                && let.Value.Vars().All(u =>
                    u.Type.Kind == ValueKind.Array
                    || declaredInReverse.Contains(u)
                    || (!definedInBody.Contains(u) && !u.IsMutable)
                    || (definedInBody.Contains(u) && (Recomputable(u) || carried.Contains(u))));
            verdict[v] = ok;
            return ok;
        }

        var chosen = carried.Where(Recomputable).ToList();
        // What a chosen value needs that is not recomputed itself is stored: it must be among the carried values.
        foreach (var v in chosen.ToList())
        {
            foreach (var u in topLevel[v].Value.Vars().Where(u => definedInBody.Contains(u) && !declaredInReverse.Contains(u) && !(verdict.TryGetValue(u, out bool r) && r)))
            {
                if (!carried.Contains(u))
                {
                    carried.Add(u);
                }
            }
        }

        if (chosen.Count == 0)
        {
            return new HashSet<Var>();
        }

        // Everything they depend on inside the body, in forward order.
        var needed = new HashSet<Var>();
        void Need(Var v)
        {
            if (!needed.Add(v))
            {
                return;
            }

            foreach (var u in topLevel[v].Value.Vars().Where(u => definedInBody.Contains(u) && topLevel.ContainsKey(u) && !declaredInReverse.Contains(u) && verdict.TryGetValue(u, out bool r) && r))
            {
                Need(u);
            }
        }

        chosen.ForEach(Need);
        var statements = forward.Body.Statements.OfType<CLet>().Where(l => needed.Contains(l.Var))
            .Select(l => (CStmt)new CLet(l.Var, l.Value)).ToList();
        statements[0].Comment = "values of iteration k recomputed from the inputs (cheaper than storing them)";
        int at = reverse.Body.Statements.FindLastIndex(s => s is CLet l && declaredInReverse.Contains(l.Var) && l.Var.Type.Kind == ValueKind.Integer) + 1;
        reverse.Body.Statements.InsertRange(at, statements);
        return new HashSet<Var>(chosen);
    }

    private static bool Cheap(Expr e, HashSet<Var> stableArrays) => e switch
    {
        ConstExpr or LiteralExpr or VarExpr => true,
        ElementExpr el => (!el.Key.StartsWith("e#", StringComparison.Ordinal) || stableArrays.Contains(el.Array)) && Cheap(el.Index, stableArrays),
        InlineExpr i => i.Form != InlineForm.Call && i.Args.All(a => Cheap(a, stableArrays)),
        OpExpr o => o.Op is Op.Add or Op.Sub or Op.Mul or Op.Div or Op.Neg or Op.Convert or Op.Abs or Op.Max or Op.Min
            or Op.FusedMultiplyAdd or Op.Select && o.Args.All(a => Cheap(a, stableArrays)),
        _ => false,
    };

    /// <summary>
    /// Local arrays whose contents the reverse of <paramref name="loop"/> sees as its forward run did: nothing writes
    /// them inside the loop or after it (the reverse sweep writes adjoints only, never the arrays themselves).
    /// </summary>
    private static HashSet<Var> StableArrays(CBlock root, CLoop loop)
    {
        var all = Cleanup.Walk(root).Select(x => x.Statement).ToList();

        // From the start of the outermost loop around it: an enclosing loop writes again after this one has run.
        var outermost = all.OfType<CLoop>().FirstOrDefault(l => l == loop || Cleanup.Walk(l.Body).Any(x => x.Statement == loop)) ?? loop;
        int at = all.IndexOf(outermost);
        var written = new HashSet<Var>(all.Skip(at).OfType<CElement>().Where(e => !e.Accumulate).Select(e => e.Array));
        return new HashSet<Var>(all.OfType<CArray>().Where(a => !a.Rented && a.Array.AdjointOf is null).Select(a => a.Array).Where(a => !written.Contains(a)));
    }

    /// <summary>Declarations in a loop body, but not inside nested loops (they carry their own).</summary>
    private static void CollectDeclarations(CBlock block, HashSet<Var> defined)
    {
        foreach (var s in block.Statements)
        {
            defined.UnionWith(s.Declares());
            if (s is CIf i)
            {
                CollectDeclarations(i.Then, defined);
                CollectDeclarations(i.Else, defined);
            }
        }
    }

    /// <summary>
    /// Sizes the stacks from the trip count before an outermost counted loop starts (for (i = a; i &lt; b; i += c),
    /// b not changed by the loop, no break), so the loop's own pushes never grow them. Only a size: pushes still grow
    /// the storage (by doubling) when the loop runs longer than reserved or inner loops push too.
    /// </summary>
    private static void Reserve(CBlock root, CLoop forward, List<Var> carried, Func<IrType, Var> stackFor)
    {
        var index = forward.Info.Loop.Index;
        if (forward.Kind != IrLoopKind.For || index is null || forward.Condition is not InlineExpr { Form: InlineForm.Binary, Args.Length: 2 } condition)
        {
            return;
        }

        var assigned = new HashSet<Var>(forward.Step.Select(x => x.Target));
        foreach (var (s, _) in Cleanup.Walk(forward.Body))
        {
            assigned.UnionWith(s.Assigns());
            assigned.UnionWith(s.Declares());
            if (s is CJump { IsBreak: true } or CReturn)
            {
                return;
            }
        }

        bool IsIndex(Expr e) => e is VarExpr v && v.Var == index.LoopVar;
        string op = condition.Token;
        Expr bound;
        if (IsIndex(condition.Args[0]))
        {
            bound = condition.Args[1];
        }
        else if (IsIndex(condition.Args[1]))
        {
            bound = condition.Args[0];
            op = op switch { "<" => ">", "<=" => ">=", ">" => "<", ">=" => "<=", _ => op };
        }
        else
        {
            return;
        }

        bool fits = index.Step > 0 ? op is "<" or "<=" : op is ">" or ">=";
        if (!fits || bound.Type.CSharp != "int" || bound.Vars().Any(assigned.Contains))
        {
            return;
        }

        var parent = Cleanup.Walk(root).FirstOrDefault(x => x.Statement == forward).Block;
        if (parent is null)
        {
            return;
        }

        // Only outermost loops: an inner loop would reserve again at every entry, which costs more on short inner
        // loops (a few iterations, entered thousands of times) than the doubling it saves.
        if (Cleanup.Walk(root).Any(x => x.Statement is CLoop outer && outer != forward && Cleanup.Walk(outer.Body).Any(y => y.Statement == forward)))
        {
            return;
        }

        int at = parent.Statements.IndexOf(forward);
        bool first = true;
        foreach (var group in carried.GroupBy(v => stackFor(v.Type)).OrderBy(g => g.Key.Id))
        {
            var reserve = new CReserve(group.Key, new VarExpr(index.LoopVar), bound, index.Step, op is "<=" or ">=", group.Count());
            if (first)
            {
                reserve.Comment = "room for what the loop pushes, from its trip count (the storage does not grow while it runs)";
                first = false;
            }

            parent.Statements.Insert(at++, reserve);
        }
    }

    private static void InsertPushes(CBlock block, LoopInfo info, List<Var> carried, Func<IrType, Var> stackFor)
    {
        for (int i = block.Statements.Count - 1; i >= 0; i--)
        {
            var s = block.Statements[i];
            if (s is CIf branch)
            {
                InsertPushes(branch.Then, info, carried, stackFor);
                InsertPushes(branch.Else, info, carried, stackFor);
            }
            else if ((s is CJump jump && jump.Info == info) || (s is CEndOfIteration end && end.Info == info))
            {
                block.Statements.InsertRange(i, carried.Select(v => (CStmt)new CPush(stackFor(v.Type), new VarExpr(v))));
            }
        }
    }
}

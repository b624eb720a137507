using System.Globalization;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Optimize;

/// <summary>
/// The passes that make generated code tight and readable, each small and run over the whole body:
/// <list type="number">
/// <item>promotion: within a run of statements, an accumulator's successive values become SSA values (xBar = 0; xBar += a;
/// xBar += b becomes xBar = a + b), so the passes below see through them;</item>
/// <item>simplification: constants fold; x·1, x + 0 vanish; in derivative code (only there) x·0 is 0 and a + a is 2·a;</item>
/// <item>common subexpressions: a pure operation computed twice in scope is computed once;</item>
/// <item>copy propagation and dead code: copies of SSA values disappear, and so does anything nobody reads;</item>
/// <item>in derivative code, an element read, cleared and given back (<c>t = a[i]; a[i] = 0; ...; a[i] += t</c>, the adjoint
/// of <c>q[j] += v</c>) keeps its value with neither store.</item>
/// </list>
/// Forward values are only ever rewritten exactly (bit for bit the same value).
/// </summary>
internal static class Optimizer
{
    /// <summary>Optimizes <paramref name="body"/>; statements from <paramref name="inexactFrom"/> on (the reverse sweep) may be rewritten up to rounding.</summary>
    public static void Run(Block body, IrMethod method, ISet<Var> live, int inexactFrom = -1)
    {
        if (inexactFrom < 0)
        {
            inexactFrom = body.Stmts.FindIndex(s => s is Note n && n.Comment!.StartsWith("reverse sweep", StringComparison.Ordinal));
            if (inexactFrom < 0)
            {
                inexactFrom = body.Stmts.Count;
            }
        }

        var inexact = new HashSet<Stmt>(body.Stmts.Skip(inexactFrom));

        // Up to three rounds, each pass run on what the others left. A round in which no pass changed anything is a
        // fixed point (every pass is a function of the body alone), and the rounds after it would change nothing:
        // they are not run (the third round was a no-op for two methods in three).
        for (int round = 0; round < 3; round++)
        {
            long lap = System.Diagnostics.Stopwatch.GetTimestamp();
            bool changed = new Promote(method, inexact).Run(body);
            lap = Models.DebugHooks.Lap("opt.promote", string.Empty, lap);
            changed |= Cse.Run(body, inexact, method);
            lap = Models.DebugHooks.Lap("opt.cse", string.Empty, lap);
            changed |= Restore.Run(body, inexact);
            lap = Models.DebugHooks.Lap("opt.restore", string.Empty, lap);
            bool removed = Dce.Run(body, live);
            Models.DebugHooks.Lap("opt.dce", string.Empty, lap);
            if (!(changed || removed) || (!removed && round > 0))
            {
                break;
            }
        }
    }

    /// <summary>Is this top-level statement (and everything nested in it) derivative code, where rounding-level rewrites are fine?</summary>
    internal static bool IsInexact(Stmt top, HashSet<Stmt> inexact) => inexact.Contains(top);
}

/// <summary>Algebraic simplification of one instruction whose operands are known.</summary>
internal static class Simplifier
{
    /// <summary>An operand the instruction equals, or null.</summary>
    public static Operand? Simplify(Instr i, bool exact, Func<Var, Instr?> definition)
    {
        var a = i.Args;
        var t = i.Type;
        bool concrete = t.IsReal && !t.IsGeneric;
        double R(double v) => t.IsSingle ? (float)v : v;
        bool Zero(Operand o) => o is Const c && c.Value == 0;
        bool One(Operand o) => o is Const c && c.Value == 1;
        bool Same(Operand x, Operand y) => x.Type.Equals(t) && y.Type.Equals(t);
        switch (i.Op)
        {
            case Opcode.Copy when a[0].Type.Equals(t):
                return a[0];
            case Opcode.Add:
                if (concrete && a[0] is Const x0 && a[1] is Const y0 && Same(x0, y0))
                {
                    return new Const(R(x0.Value + y0.Value), t);
                }

                if (!exact && Zero(a[0]) && a[1].Type.Equals(t))
                {
                    return a[1];
                }

                if (!exact && Zero(a[1]) && a[0].Type.Equals(t))
                {
                    return a[0];
                }

                break;
            case Opcode.Sub:
                if (concrete && a[0] is Const x1 && a[1] is Const y1 && Same(x1, y1))
                {
                    return new Const(R(x1.Value - y1.Value), t);
                }

                if (Zero(a[1]) && a[0].Type.Equals(t) && (!exact || BitConverter.DoubleToInt64Bits(((Const)a[1]).Value) == 0))
                {
                    return a[0];
                }

                break;
            case Opcode.Mul:
                if (concrete && a[0] is Const x2 && a[1] is Const y2 && Same(x2, y2))
                {
                    return new Const(R(x2.Value * y2.Value), t);
                }

                if (One(a[1]) && a[0].Type.Equals(t))
                {
                    return a[0];
                }

                if (One(a[0]) && a[1].Type.Equals(t))
                {
                    return a[1];
                }

                if (!exact && (Zero(a[0]) || Zero(a[1])))
                {
                    return new Const(0, t);
                }

                break;
            case Opcode.Div:
                if (concrete && a[0] is Const x3 && a[1] is Const y3 && Same(x3, y3))
                {
                    return new Const(R(x3.Value / y3.Value), t);
                }

                if (One(a[1]) && a[0].Type.Equals(t))
                {
                    return a[0];
                }

                if (!exact && Zero(a[0]))
                {
                    return new Const(0, t);
                }

                break;
            case Opcode.Neg:
                if (a[0] is Const c && c.Type.Equals(t))
                {
                    return new Const(-c.Value, t);
                }

                if (a[0] is Var nv && definition(nv) is { Op: Opcode.Neg } inner && inner.Args[0].Type.Equals(t))
                {
                    return inner.Args[0];
                }

                break;
            case Opcode.Select:
                if (a[0] is Lit l && l.Text is "true" or "false")
                {
                    return l.Text == "true" ? a[1] : a[2];
                }

                if (ReferenceEquals(a[1], a[2]) || (a[1] is Const s1 && a[2] is Const s2 && s1.Type.Equals(s2.Type) && BitConverter.DoubleToInt64Bits(s1.Value) == BitConverter.DoubleToInt64Bits(s2.Value)))
                {
                    return a[1];
                }

                // p == 0 ? 0 : p is p (but for the sign of a zero): a kink's zero-partial guard once its adjoint is 1.
                if (!exact && Zero(a[1]) && a[0] is Var test && definition(test) is { Op: Opcode.Cmp, Data: CmpKind.Eq } cmp
                    && ((ReferenceEquals(cmp.Args[0], a[2]) && Zero(cmp.Args[1])) || (ReferenceEquals(cmp.Args[1], a[2]) && Zero(cmp.Args[0]))) && a[2].Type.Equals(t))
                {
                    return a[2];
                }

                break;
            case Opcode.Convert when a[0] is Const k && concrete && !k.Type.IsGeneric:
                return new Const(R(k.Value), t);
            case Opcode.And:
                if (a[0] is Lit { Text: "true" })
                {
                    return a[1];
                }

                if (a[1] is Lit { Text: "true" })
                {
                    return a[0];
                }

                if (a[0] is Lit { Text: "false" } || a[1] is Lit { Text: "false" })
                {
                    return Lit.False;
                }

                break;
            case Opcode.Cmp when a[0] is Const c0 && a[1] is Const c1 && c0.Type.Equals(c1.Type) && !c0.Type.IsGeneric && i.Data is CmpKind kind:
                // two constants (Math.Clamp(y, -1, 1)'s equal-bounds test, -1.0 == 1.0): the comparison's value
                return Lit.Bool(kind switch
                {
                    CmpKind.Eq => c0.Value == c1.Value,
                    CmpKind.Ne => c0.Value != c1.Value,
                    CmpKind.Lt => c0.Value < c1.Value,
                    CmpKind.Le => c0.Value <= c1.Value,
                    CmpKind.Gt => c0.Value > c1.Value,
                    _ => c0.Value >= c1.Value,
                });
            case Opcode.Or:
                if (a[0] is Lit { Text: "false" })
                {
                    return a[1];
                }

                if (a[1] is Lit { Text: "false" })
                {
                    return a[0];
                }

                if (a[0] is Lit { Text: "true" } || a[1] is Lit { Text: "true" })
                {
                    return Lit.True;
                }

                break;
            case Opcode.Not:
                if (a[0] is Lit { Text: "true" })
                {
                    return Lit.False;
                }

                if (a[0] is Lit { Text: "false" })
                {
                    return Lit.True;
                }

                break;
            case Opcode.IAdd or Opcode.ISub when !i.Checked && a[1] is Lit li && li.TryInt(out long n) && n == 0 && a[0].Type.Equals(t):
                return a[0];
            case Opcode.IMul when !i.Checked && a[1] is Lit lm && lm.TryInt(out long m) && m == 1 && a[0].Type.Equals(t):
                return a[0];
            case Opcode.IAdd or Opcode.ISub or Opcode.IMul when !i.Checked && t.CSharp == "int" && a[0] is Lit la && a[1] is Lit lb && la.TryInt(out long va) && lb.TryInt(out long vb)
                && la.Type.CSharp == "int" && lb.Type.CSharp == "int":
                int r = i.Op switch
                {
                    Opcode.IAdd => unchecked((int)va + (int)vb),
                    Opcode.ISub => unchecked((int)va - (int)vb),
                    _ => unchecked((int)va * (int)vb),
                };
                return Lit.Int(r);
        }

        return null;
    }

    /// <summary>Rewrites that make derivative code shorter: a + a → 2·a; c₁·(c₂·x) → (c₁c₂)·x; −c·x → (−c)·x.</summary>
    public static Instr? Rewrite(Instr i, Func<Var, Instr?> definition)
    {
        var a = i.Args;
        var t = i.Type;
        if (!t.IsReal || t.IsGeneric)
        {
            return null;
        }

        double R(double v) => t.IsSingle ? (float)v : v;
        switch (i.Op)
        {
            case Opcode.Add when ReferenceEquals(a[0], a[1]) && a[0] is Var:
                return new Instr(Opcode.Mul, t, new Operand[] { new Const(2, t), a[0] }, null, i.Source);
            case Opcode.Mul:
                {
                    // Constants to the left, and nested constant factors multiplied out.
                    if (a[1] is Const && a[0] is not Const)
                    {
                        return new Instr(Opcode.Mul, t, new[] { a[1], a[0] }, null, i.Source);
                    }

                    if (a[0] is Const c1 && a[1] is Var v && definition(v) is { Op: Opcode.Mul } inner && inner.Args[0] is Const c2 && c2.Type.Equals(t) && c1.Type.Equals(t))
                    {
                        return new Instr(Opcode.Mul, t, new[] { new Const(R(c1.Value * c2.Value), t), inner.Args[1] }, null, i.Source);
                    }

                    if (a[0] is Const c3 && a[1] is Var nv && definition(nv) is { Op: Opcode.Neg } neg && c3.Type.Equals(t) && neg.Args[0].Type.Equals(t))
                    {
                        return new Instr(Opcode.Mul, t, new[] { new Const(-c3.Value, t), neg.Args[0] }, null, i.Source);
                    }

                    break;
                }

            case Opcode.Add when a[1] is Var nv2 && definition(nv2) is { Op: Opcode.Neg } neg2 && neg2.Args[0].Type.Equals(t):
                return new Instr(Opcode.Sub, t, new[] { a[0], neg2.Args[0] }, null, i.Source);
        }

        return null;
    }
}

/// <summary>
/// Promotion: within each block, the successive values of a mutable variable (an adjoint accumulator, a loop
/// variable's adjoint) become SSA values; the variable is assigned only where its value must be in it (before a
/// statement that writes it inside a nested block, and at the end of the block).
/// </summary>
internal sealed class Promote
{
    private readonly IrMethod _method;
    private readonly HashSet<Stmt> _inexactTop;
    private readonly Dictionary<Var, Instr> _defs = new();

    /// <summary>Whether this run changed the body (false only when it certainly did not).</summary>
    private bool _changed;

    public Promote(IrMethod method, HashSet<Stmt> inexactTop)
    {
        _method = method;
        _inexactTop = inexactTop;
    }

    /// <summary>Runs the pass; returns false only when the body is certainly unchanged.</summary>
    public bool Run(Block body)
    {
        foreach (var (s, _) in IrWalk.All(body))
        {
            if (s is Assign a && !a.Dst.Mutable)
            {
                _defs[a.Dst] = a.Value;
            }
        }

        Block(body, top: true, exact: true);
        return _changed;
    }

    private Instr? Definition(Var v) => _defs.TryGetValue(v, out var d) ? d : null;

    private void Block(Block block, bool top, bool exact)
    {
        var current = new Dictionary<Var, Operand>();
        var output = new List<Stmt>(block.Stmts.Count);
        foreach (var s in block.Stmts)
        {
            bool stmtExact = top ? !_inexactTop.Contains(s) : exact;
            switch (s)
            {
                case Assign a:
                    {
                        var instr = ForwardCopies(Substitute(a.Value, current));
                        if (a.Dst.Mutable && IsPromotable(instr))
                        {
                            var value = Evaluate(instr, stmtExact, output, a.Comment, a.Dst.Hint);
                            current[a.Dst] = value;
                            _changed = true;
                            continue;
                        }

                        if (!a.Dst.Mutable)
                        {
                            var simplified = stmtExact || instr.Op is Opcode.Load or Opcode.Pop or Opcode.Call or Opcode.Alloc || !instr.IsPure
                                ? Simplifier.Simplify(instr, stmtExact, Definition)
                                : Simplifier.Simplify(instr, stmtExact, Definition);
                            if (simplified is not null && instr.IsEffectFree && simplified.Type.Equals(a.Dst.Type))
                            {
                                // Dst equals an existing operand: keep a copy for now; copy propagation removes it.
                                var copy = new Assign(a.Dst, new Instr(Opcode.Copy, a.Dst.Type, new[] { simplified })) { Comment = a.Comment };
                                _defs[a.Dst] = copy.Value;
                                output.Add(copy);
                                _changed |= !(a.Value.Op == Opcode.Copy && ReferenceEquals(a.Value.Args[0], simplified));
                                continue;
                            }

                            if (!stmtExact && Simplifier.Rewrite(instr, Definition) is { } rewritten)
                            {
                                instr = rewritten;
                            }

                            _defs[a.Dst] = instr;
                        }
                        else
                        {
                            Materialize(a.Dst, current, output);
                            current.Remove(a.Dst);
                        }

                        _changed |= !ReferenceEquals(a.Value, instr);
                        a.Value = instr;
                        output.Add(a);
                        break;
                    }

                case If f:
                    {
                        PrepareCompound(f, current, output);
                        Block(f.Then, false, stmtExact);
                        Block(f.Else, false, stmtExact);
                        output.Add(f);
                        break;
                    }

                case Loop l:
                    {
                        PrepareCompound(l, current, output);
                        Block(l.Header, false, stmtExact);
                        Block(l.Body, false, stmtExact);
                        output.Add(l);
                        break;
                    }

                default:
                    _changed |= current.Count > 0;
                    IrWalk.SubstituteIn(s, current);
                    output.Add(s);
                    break;
            }
        }

        // At the end of the block every promoted variable holds its value again.
        foreach (var v in current.Keys.OrderBy(v => v.Id).ToList())
        {
            Materialize(v, current, output);
        }

        _changed |= current.Count > 0 || output.Count != block.Stmts.Count;
        block.Stmts.Clear();
        block.Stmts.AddRange(output);
    }

    private static bool IsPromotable(Instr instr) => instr.IsPure && instr.Op != Opcode.Opaque || instr.Op == Opcode.Copy;

    /// <summary>The value an instruction computes: an existing operand when it simplifies to one, or a new temporary.</summary>
    private Operand Evaluate(Instr instr, bool exact, List<Stmt> output, string? comment, string hint)
    {
        if (instr.Op == Opcode.Copy)
        {
            return instr.Args[0];
        }

        var simplified = Simplifier.Simplify(instr, exact, Definition);
        if (simplified is not null && simplified.Type.Equals(instr.Type))
        {
            return simplified;
        }

        if (!exact && Simplifier.Rewrite(instr, Definition) is { } rewritten)
        {
            instr = rewritten;
            var again = Simplifier.Simplify(instr, exact, Definition);
            if (again is not null && again.Type.Equals(instr.Type))
            {
                return again;
            }
        }

        var t = _method.NewVar("t", instr.Type, VarRole.Temp);
        _defs[t] = instr;
        output.Add(new Assign(t, instr) { Comment = comment });
        _ = hint;
        return t;
    }

    private static Instr Substitute(Instr instr, Dictionary<Var, Operand> current) => current.Count == 0 ? instr : IrWalk.SubstituteInstr(instr, current);

    /// <summary>
    /// An operand that is a copy of a value (an SSA variable or a constant, of the same type) is read as that value, as
    /// common-subexpression elimination would make it: the simplifications see 1 in x·1 in the round that makes the copy,
    /// instead of the next one (that next round was a third round for most methods).
    /// </summary>
    private Instr ForwardCopies(Instr instr)
    {
        Operand[]? args = null;
        for (int k = 0; k < instr.Args.Length; k++)
        {
            if (instr.Args[k] is Var { Mutable: false } v && _defs.TryGetValue(v, out var def) && def.Op == Opcode.Copy
                && def.Args[0].Type.Equals(v.Type) && def.Args[0] is not Var { Mutable: true })
            {
                args ??= (Operand[])instr.Args.Clone();
                args[k] = def.Args[0];
            }
        }

        return args is null ? instr : instr.With(args);
    }

    /// <summary>
    /// Before an if or a loop: variables it writes get their value assigned first (and are then unknown);
    /// variables it only reads are replaced inside it by their current value.
    /// </summary>
    private void PrepareCompound(Stmt s, Dictionary<Var, Operand> current, List<Stmt> output)
    {
        if (current.Count == 0)
        {
            return;
        }

        _changed = true;

        var written = new HashSet<Var>();
        foreach (var (inner, _) in IrWalk.All(new Block(new List<Stmt> { s })))
        {
            foreach (var w in IrWalk.Writes(inner))
            {
                written.Add(w);
            }
        }

        foreach (var v in current.Keys.Where(written.Contains).OrderBy(v => v.Id).ToList())
        {
            Materialize(v, current, output);
            current.Remove(v);
        }

        if (current.Count > 0)
        {
            IrWalk.Substitute(new Block(new List<Stmt> { s }), current);
        }
    }

    private static void Materialize(Var v, Dictionary<Var, Operand> current, List<Stmt> output)
    {
        if (current.TryGetValue(v, out var value) && !ReferenceEquals(value, v))
        {
            output.Add(new Assign(v, new Instr(Opcode.Copy, v.Type, new[] { value })));
        }
    }
}

/// <summary>
/// In derivative code: <c>t = a[i]; a[i] = 0; ...; a[i] += t</c> with nothing between that reads or writes a (or a view
/// of it) or changes i leaves a[i] as it was (but for the sign of a zero): both stores go. This is the adjoint of an
/// element updated in place (<c>q[j] += v</c>: the old element's adjoint is the new one's).
/// </summary>
internal static class Restore
{
    /// <summary>Runs the pass; returns whether it removed anything.</summary>
    public static bool Run(Block body, HashSet<Stmt> inexact)
    {
        // Only blocks nested in derivative code are looked at: nothing to do in straight-line code.
        if (inexact.Count == 0 || !body.Stmts.Any(s => s is If or Loop && inexact.Contains(s)))
        {
            return false;
        }

        bool changed = false;

        var defs = new Dictionary<Var, Instr>();
        foreach (var (s, _) in IrWalk.All(body))
        {
            if (s is Assign a && !a.Dst.Mutable)
            {
                defs[a.Dst] = a.Value;
            }
        }

        foreach (var top in body.Stmts.Where(s => s is If or Loop && inexact.Contains(s)))
        {
            var blocks = new List<Block> { new(new List<Stmt> { top }) };
            foreach (var (s, _) in IrWalk.All(blocks[0]))
            {
                blocks.AddRange(IrWalk.Children(s));
            }

            foreach (var block in blocks.Skip(1))
            {
                changed |= InBlock(block, defs);
            }
        }

        return changed;
    }

    private static bool InBlock(Block block, Dictionary<Var, Instr> defs)
    {
        bool changed = false;
        var stmts = block.Stmts;
        for (int z = 0; z < stmts.Count; z++)
        {
            if (stmts[z] is not Store { Accumulate: false, Value: Const zero, Array: Var array } clear || zero.Value != 0 || Root(array, defs) is not { } root)
            {
                continue;
            }

            // Back to the read of the same element, forward to the store that gives it back; nothing between may touch the array.
            int load = -1;
            for (int i = z - 1; i >= 0 && load < 0; i--)
            {
                if (stmts[i] is Assign { Value.Op: Opcode.Load } a && ReferenceEquals(a.Value.Args[0], array) && SameIndex(a.Value.Args.Skip(1), clear.Index))
                {
                    load = i;
                }
                else if (!Harmless(stmts[i], root, clear.Index, defs))
                {
                    break;
                }
            }

            if (load < 0)
            {
                continue;
            }

            var t = ((Assign)stmts[load]).Dst;
            for (int j = z + 1; j < stmts.Count; j++)
            {
                if (stmts[j] is Store { Accumulate: true, Array: Var back } give && ReferenceEquals(back, array) && SameIndex(give.Index, clear.Index) && ReferenceEquals(give.Value, t))
                {
                    stmts.RemoveAt(j);
                    stmts.RemoveAt(z);
                    z--;
                    changed = true;
                    break;
                }

                if (!Harmless(stmts[j], root, clear.Index, defs))
                {
                    break;
                }
            }
        }

        return changed;
    }

    private static bool SameIndex(IEnumerable<Operand> a, Operand[] b) => a.Select(IrDump.O).SequenceEqual(b.Select(IrDump.O));

    /// <summary>Neither reads nor writes the array (by its root), nor changes the index's operands, nor leaves the block.</summary>
    private static bool Harmless(Stmt s, Var root, Operand[] index, Dictionary<Var, Instr> defs)
    {
        bool Other(Operand o) => o is Var v && Root(v, defs) is { } r && !ReferenceEquals(r, root) && Distinct(r, root, defs);
        switch (s)
        {
            case Note:
                return true;
            case Assign a:
                if (a.Dst.Mutable && index.Contains(a.Dst))
                {
                    return false;
                }

                if (a.Value.Op == Opcode.Load)
                {
                    return Other(a.Value.Args[0]);
                }

                return a.Value.IsEffectFree && a.Value.Op is not (Opcode.Slice or Opcode.Length or Opcode.GetLength) || a.Value.Op == Opcode.Pop;
            case Store st:
                return Other(st.Array);
            default:
                return false;
        }
    }

    /// <summary>Two roots that cannot share memory: gradient outputs (checked disjoint on entry), arrays the method created, and inputs.</summary>
    private static bool Distinct(Var a, Var b, Dictionary<Var, Instr> defs)
    {
        bool Fresh(Var v) => v.Role == VarRole.Output || (defs.TryGetValue(v, out var d) && d.Op == Opcode.Alloc);
        return (Fresh(a) && (Fresh(b) || b.Role == VarRole.Parameter)) || (Fresh(b) && a.Role == VarRole.Parameter);
    }

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

/// <summary>Common subexpressions: a pure operation already computed in an enclosing scope is not computed again.</summary>
internal static class Cse
{
    /// <summary>Runs the pass; returns false only when the body is certainly unchanged (no value was found to be another).</summary>
    public static bool Run(Block body, HashSet<Stmt> inexact, IrMethod method)
    {
        var map = new Dictionary<Var, Operand>();
        var table = new List<Dictionary<InstrKey, Var>> { new() };
        bool changed = false;
        Block(body, table, map, ref changed);
        _ = inexact;
        _ = method;
        return changed;
    }

    private static void Block(Block block, List<Dictionary<InstrKey, Var>> scopes, Dictionary<Var, Operand> map, ref bool changed)
    {
        scopes.Add(new Dictionary<InstrKey, Var>());

        // Reads of array elements, reused until anything might write memory (only within this block).
        var loads = new Dictionary<InstrKey, Var>();
        foreach (var s in block.Stmts)
        {
            if (map.Count > 0)
            {
                changed |= IrWalk.SubstituteIn(s, map);
            }

            if (s is Store or Effect or Throw or If or Loop || (s is Assign { Value: var v0 } && !v0.IsEffectFree))
            {
                loads.Clear();
            }

            if (s is Assign { Value.Op: Opcode.Load } load && !load.Dst.Mutable && !load.Value.Args.Any(x => x is Var xv && xv.Mutable))
            {
                var lk = new InstrKey(load.Value);
                if (loads.TryGetValue(lk, out var earlier) && earlier.Type.Equals(load.Dst.Type))
                {
                    map[load.Dst] = earlier;
                }
                else
                {
                    loads[lk] = load.Dst;
                }

                continue;
            }

            switch (s)
            {
                case Assign a when !a.Dst.Mutable:
                    // A copy of an SSA value is that value.
                    if (a.Value.Op == Opcode.Copy && a.Value.Args[0].Type.Equals(a.Dst.Type) && !(a.Value.Args[0] is Var src && src.Mutable))
                    {
                        map[a.Dst] = a.Value.Args[0];
                        break;
                    }

                    if (!a.Value.IsPure || a.Value.Args.Any(x => x is Var v && v.Mutable))
                    {
                        break;
                    }

                    var key = new InstrKey(a.Value);
                    Var? existing = null;
                    for (int i = scopes.Count - 1; i >= 0 && existing is null; i--)
                    {
                        scopes[i].TryGetValue(key, out existing);
                    }

                    if (existing is not null && existing.Type.Equals(a.Dst.Type))
                    {
                        map[a.Dst] = existing;
                    }
                    else
                    {
                        scopes[scopes.Count - 1][key] = a.Dst;
                    }

                    break;
                case If f:
                    Block(f.Then, scopes, map, ref changed);
                    Block(f.Else, scopes, map, ref changed);
                    changed |= IrWalk.SubstituteIn(f, map);
                    break;
                case Loop l:
                    Block(l.Header, scopes, map, ref changed);
                    Block(l.Body, scopes, map, ref changed);
                    changed |= IrWalk.SubstituteIn(l, map);
                    break;
            }
        }

        scopes.RemoveAt(scopes.Count - 1);
    }

    /// <summary>
    /// Two instructions compute the same value when they have the same operation, type, operands (the same variable,
    /// or constants and literals of the same bits or text and type) and data. Compared structurally: formatting each
    /// instruction as text was a large part of the optimizer's time on long methods.
    /// </summary>
    private readonly struct InstrKey : IEquatable<InstrKey>
    {
        private readonly Instr _i;
        private readonly int _hash;

        public InstrKey(Instr i)
        {
            _i = i;
            int h = ((int)i.Op * 397) ^ i.Type.GetHashCode();
            foreach (var a in i.Args)
            {
                h = (h * 31) + OperandHash(a);
            }

            _hash = (h * 31) + DataHash(i.Data);
        }

        public bool Equals(InstrKey other)
        {
            var a = _i;
            var b = other._i;
            if (_hash != other._hash || a.Op != b.Op || a.Args.Length != b.Args.Length || !a.Type.Equals(b.Type))
            {
                return false;
            }

            for (int k = 0; k < a.Args.Length; k++)
            {
                if (!SameOperand(a.Args[k], b.Args[k]))
                {
                    return false;
                }
            }

            return SameData(a.Data, b.Data);
        }

        public override bool Equals(object? obj) => obj is InstrKey k && Equals(k);

        public override int GetHashCode() => _hash;

        private static int OperandHash(Operand o) => o switch
        {
            Var v => v.Id,
            Const c => BitConverter.DoubleToInt64Bits(c.Value).GetHashCode() ^ c.Type.GetHashCode(),
            Lit l => StringComparer.Ordinal.GetHashCode(l.Text) ^ l.Type.GetHashCode(),
            _ => 0,
        };

        private static bool SameOperand(Operand x, Operand y) => (x, y) switch
        {
            (Var a, Var b) => ReferenceEquals(a, b),
            (Const a, Const b) => BitConverter.DoubleToInt64Bits(a.Value) == BitConverter.DoubleToInt64Bits(b.Value) && a.Type.Equals(b.Type),
            (Lit a, Lit b) => string.Equals(a.Text, b.Text, StringComparison.Ordinal) && a.Type.Equals(b.Type),
            _ => false,
        };

        private static int DataHash(object? data) => data switch
        {
            CmpKind k => (int)k + 1,
            OpaqueInfo o => StringComparer.Ordinal.GetHashCode(o.Key),
            bool b => b ? 7 : 11,
            GuardedView => 13,
            MathClamp => 17,
            ZeroAdjointGuard => 19,
            _ => 0,
        };

        // Data other than these (calls, allocations, stacks) never makes two instructions the same here: those are
        // not pure, and a load's data is none of them.
        private static bool SameData(object? x, object? y) => (x, y) switch
        {
            (null, null) => true,
            (CmpKind a, CmpKind b) => a == b,
            (OpaqueInfo a, OpaqueInfo b) => string.Equals(a.Key, b.Key, StringComparison.Ordinal),
            (bool a, bool b) => a == b,
            (GuardedView, GuardedView) => true,
            (MathClamp, MathClamp) => true,
            (ZeroAdjointGuard, ZeroAdjointGuard) => true,
            _ => false,
        };
    }
}

/// <summary>Dead code: values nobody reads, mutable variables nobody reads, loops and ifs that do nothing any more.</summary>
internal static class Dce
{
    public static bool Run(Block body, ISet<Var> live)
    {
        bool any = false;
        for (int round = 0; round < 50; round++)
        {
            var reads = CountReads(body);

            bool Read(Var v) => live.Contains(v) || v.Role is VarRole.Output or VarRole.Parameter || reads.ContainsKey(v);
            bool changed = false;

            // Another round (and a recount) is needed only when this one may have left dead code behind: a value whose
            // last read went after its definition was looked at, a phi or loop variable removed (their operands'
            // reads are not taken back), a loop removed whole.
            bool again = false;
            var scanned = new HashSet<Var>();
            var stack = new Stack<Block>();
            stack.Push(body);
            while (stack.Count > 0)
            {
                var block = stack.Pop();
                int before = block.Stmts.Count;

                // Last statement first, and a removed statement's reads no longer count: a dead chain of values goes
                // in one pass (each round used to remove only its last link, and recount the whole method).
                var stmts = block.Stmts;
                int kept = stmts.Count;
                for (int k = stmts.Count - 1; k >= 0; k--)
                {
                    var s = stmts[k];
                    bool dead = s switch
                    {
                        Assign a => !Read(a.Dst) && a.Value.IsEffectFree && a.Value.Data is not CallInfo,
                        If f => f.Then.Stmts.Count == 0 && f.Else.Stmts.Count == 0 && f.Phis.Count == 0,
                        _ => false,
                    };
                    if (!dead)
                    {
                        if (s is Assign kept0)
                        {
                            scanned.Add(kept0.Dst);
                        }

                        continue;
                    }

                    foreach (var o in IrWalk.Reads(s))
                    {
                        if (o is Var rv && reads.TryGetValue(rv, out int n))
                        {
                            if (n <= 1)
                            {
                                reads.Remove(rv);
                                again |= scanned.Contains(rv);
                            }
                            else
                            {
                                reads[rv] = n - 1;
                            }
                        }
                    }

                    stmts[k] = null!;
                    kept--;
                }


                if (kept != stmts.Count)
                {
                    stmts.RemoveAll(s => s is null);
                }

                changed |= block.Stmts.Count != before;
                foreach (var s in block.Stmts)
                {
                    switch (s)
                    {
                        case If f:
                            if (f.Phis.RemoveAll(p => !Read(p.Dst)) > 0)
                            {
                                changed = again = true;
                            }

                            break;
                        case Loop l:
                            if (RemoveDeadLoopVars(l, reads, live))
                            {
                                changed = again = true;
                            }

                            break;
                    }

                    foreach (var child in IrWalk.Children(s))
                    {
                        stack.Push(child);
                    }
                }

                // Loops that do nothing any more (no writes, no effects, no value read after them).
                int count = block.Stmts.Count;
                block.Stmts.RemoveAll(s => s is Loop l && IsUseless(l, reads, live));
                if (count != block.Stmts.Count)
                {
                    changed = again = true;
                }
            }

            any |= changed;
            if (!changed || !again)
            {
                break;
            }
        }

        return any;
    }

    /// <summary>
    /// How often each variable is read (what <see cref="IrWalk.Reads"/> yields, over every statement), without an
    /// iterator per statement: this count is most of dead-code elimination's time on long methods.
    /// </summary>
    private static Dictionary<Var, int> CountReads(Block body)
    {
        var reads = new Dictionary<Var, int>();
        void One(Operand o)
        {
            if (o is Var v)
            {
                reads[v] = (reads.TryGetValue(v, out int n) ? n : 0) + 1;
            }
        }

        void Of(Instr instr)
        {
            foreach (var a in instr.Args)
            {
                One(a);
            }

            switch (instr.Data)
            {
                case AllocInfo { Buffer: { } buffer }:
                    One(buffer);
                    break;
                case StackInfo stack:
                    One(stack.Stack);
                    break;
            }
        }

        var blocks = new Stack<Block>();
        blocks.Push(body);
        while (blocks.Count > 0)
        {
            foreach (var s in blocks.Pop().Stmts)
            {
                switch (s)
                {
                    case Assign a:
                        Of(a.Value);
                        break;
                    case Store st:
                        One(st.Array);
                        foreach (var x in st.Index)
                        {
                            One(x);
                        }

                        One(st.Value);
                        break;
                    case If i:
                        One(i.Cond);
                        foreach (var p in i.Phis)
                        {
                            One(p.Then);
                            One(p.Else);
                        }

                        blocks.Push(i.Then);
                        blocks.Push(i.Else);
                        break;
                    case Loop l:
                        foreach (var v in l.Vars)
                        {
                            One(v.Init);
                            One(v.Next);
                        }

                        One(l.Cond);
                        if (l.Counted is { } c)
                        {
                            One(c.Bound);
                        }

                        blocks.Push(l.Header);
                        blocks.Push(l.Body);
                        break;
                    case Throw t:
                        Of(t.Exception);
                        break;
                    case Effect e:
                        Of(e.Call);
                        break;
                    case Push p:
                        One(p.Stack);
                        One(p.Value);
                        break;
                }
            }
        }

        return reads;
    }

    /// <summary>A loop variable read only to compute its own next value is dead, with that computation.</summary>
    private static bool RemoveDeadLoopVars(Loop l, Dictionary<Var, int> reads, ISet<Var> live)
    {
        bool changed = false;
        foreach (var lv in l.Vars.ToList())
        {
            if (live.Contains(lv.Var) || (l.Counted is { } c && ReferenceEquals(c.Index, lv.Var)))
            {
                continue;
            }

            reads.TryGetValue(lv.Var, out int n);
            if (n == 0)
            {
                l.Vars.Remove(lv);
                changed = true;
                continue;
            }

            if (n == 1 && lv.Next is Var next && reads.TryGetValue(next, out int nn) && nn == 1
                && l.Body.Stmts.OfType<Assign>().FirstOrDefault(a => ReferenceEquals(a.Dst, next)) is { } def
                && def.Value.Args.Any(x => ReferenceEquals(x, lv.Var)) && def.Value.IsEffectFree)
            {
                l.Vars.Remove(lv);
                l.Body.Stmts.Remove(def);
                changed = true;
            }
        }

        return changed;
    }

    private static bool IsUseless(Loop l, Dictionary<Var, int> reads, ISet<Var> live)
    {
        var inside = new HashSet<Var>(l.Vars.Select(v => v.Var));
        foreach (var (s, _) in IrWalk.All(l.Header).Concat(IrWalk.All(l.Body)))
        {
            switch (s)
            {
                case Store or Effect or Throw or Push:
                    return false;
                case Assign a when !a.Value.IsEffectFree || a.Value.Op == Opcode.Pop:
                    return false;
                case Assign a when a.Dst.Mutable && !inside.Contains(a.Dst):
                    return false;
            }

            foreach (var w in IrWalk.Writes(s))
            {
                inside.Add(w);
            }
        }

        // No loop variable may be read after the loop.
        foreach (var lv in l.Vars)
        {
            if (live.Contains(lv.Var))
            {
                return false;
            }

            int insideReads = 0;
            foreach (var (s, _) in IrWalk.All(l.Header).Concat(IrWalk.All(l.Body)))
            {
                insideReads += IrWalk.Reads(s).Count(o => ReferenceEquals(o, lv.Var));
            }

            insideReads += l.Vars.Count(o => ReferenceEquals(o.Next, lv.Var)) + (ReferenceEquals(l.Cond, lv.Var) ? 1 : 0);
            reads.TryGetValue(lv.Var, out int total);
            if (total > insideReads)
            {
                return false;
            }
        }

        _ = CultureInfo.InvariantCulture;
        return true;
    }
}

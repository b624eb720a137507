using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Transforms;

/// <summary>
/// Dense layers over a batch as matrix products (issue #11). The natural first draft of a layer,
/// <code>
/// for (int i = 0; i &lt; m; i++)            // examples
///     for (int j = 0; j &lt; hidden; j++)   // units
///     {
///         double a = b[j];
///         for (int k = 0; k &lt; n; k++) a += w[j * n + k] * x[i * n + k];
///         ...
/// </code>
/// computes each sum alone, one dependent addition after another, and streams all of w through the cache for every
/// example. Its sums are the entries of a matrix product, and the data they read cannot change while the loops run, so
/// they are computed ahead, a block of examples at a time, by <c>SymbolicGrad.Internal.DotTable.Fill</c> (many sums
/// side by side in vector lanes, four examples and sixteen units in registers); the inner loop becomes a read of the
/// table.
/// </summary>
/// <remarks>
/// Every entry is the loop's sum to the last bit: same initial value, same products, added in the same order (the
/// lanes of a vector are different sums). The loops must be exactly this shape, and the pass checks that the values
/// read ahead are those the loop would read:
/// <list type="bullet">
/// <item>three counted loops (step 1, <c>&lt;</c>), each directly in the body of the one around it; the ranges of the
/// inner two and the bounds of the outer one are fixed before the outer one runs, and nothing in the outer one throws
/// by a <c>throw</c> statement;</item>
/// <item>the inner loop does nothing but <c>s = s + p[· + k] · q[· + k]</c> (a real sum, no TensorPrimitives call), the
/// row of p at <c>u · stride + offset</c> and of q at <c>v · stride + offset</c> for the outer and middle indexes (in
/// either order, or fixed), and its other values are used nowhere else;</item>
/// <item>s starts from a value fixed before the outer loop, or from <c>r[v · stride + offset]</c> (a bias);</item>
/// <item>p, q and r are parameters of the user's method, and nothing in the method can write into memory it does not
/// own (see <see cref="Defer"/>).</item>
/// </list>
/// </remarks>
internal static class Tabulate
{
    private const string DotTable = "global::SymbolicGrad.Internal.DotTable.";

    /// <summary>Turns the sums it may into table reads; returns how many loops it replaced.</summary>
    public static int Run(IrMethod method, Block body)
    {
        // Each loop's parent loop (the loop whose body holds it directly) and block.
        var parentOf = new Dictionary<Loop, Loop>();
        var blockOf = new Dictionary<Stmt, Block>();
        var inner = new List<Loop>();
        var defs = new Dictionary<Var, Instr>();
        var all = new List<Stmt>();
        foreach (var (s, block) in IrWalk.All(body))
        {
            all.Add(s);
            blockOf[s] = block;
            if (s is Assign a)
            {
                defs[a.Dst] = a.Value;
            }

            if (s is Loop l)
            {
                foreach (var st in l.Body.Stmts)
                {
                    if (st is Loop child)
                    {
                        parentOf[child] = l;
                    }
                }

                if (l.Counted is not null && l.SumKernel is null && l.Vars.Count == 2)
                {
                    inner.Add(l);
                }
            }
        }

        if (inner.Count == 0 || !Defer.NothingWritesParameters(method, all, defs))
        {
            return 0;
        }

        var uses = IrWalk.UseCounts(body);
        int replaced = 0;
        foreach (var lk in inner)
        {
            if (parentOf.TryGetValue(lk, out var lj) && parentOf.TryGetValue(lj, out var li) && TryReplace(method, lk, lj, li, blockOf[li], defs, uses, out var buffers))
            {
                foreach (var buffer in buffers)
                {
                    body.Add(new Effect(new Instr(Opcode.Opaque, IrType.Object, new Operand[] { buffer }, new OpaqueInfo(new[] { string.Empty, ".Dispose()" }, pure: false, effectFree: false))));
                }

                replaced++;
            }
        }

        return replaced;
    }

    /// <summary>A row start: Σ ± invariant terms + coefficient · index (index null: the same row for every index).</summary>
    private sealed record Row(Var? Index, Operand? Coefficient, List<(bool Negate, Operand Term)> Terms);

    private static bool IsPlainCount(Loop l) => l.Counted is { Step: 1, Cmp: CmpKind.Lt } c && c.Index.Type.CSharp == "int"
        && l.Cond is Var cond && l.Header.Stmts.Count == 1 && l.Header.Stmts[0] is Assign { Value.Op: Opcode.Cmp } h && ReferenceEquals(h.Dst, cond);

    private static bool TryReplace(IrMethod method, Loop lk, Loop lj, Loop li, Block outer, Dictionary<Var, Instr> defs, Dictionary<Var, int> uses, out List<Var> buffersUsed)
    {
        var buffers = new List<Var>();
        buffersUsed = buffers;
        if (!IsPlainCount(lk) || !IsPlainCount(lj) || !IsPlainCount(li))
        {
            return false;
        }

        // What the outer loop assigns (its own loop variables included): an operand assigned there is not fixed.
        var insideOuter = new HashSet<Var>(li.Vars.Select(v => v.Var));
        foreach (var (s, _) in IrWalk.All(li.Body))
        {
            if (s is Throw)
            {
                return false;
            }

            insideOuter.UnionWith(IrWalk.Writes(s));
        }

        foreach (var (s, _) in IrWalk.All(li.Header))
        {
            insideOuter.UnionWith(IrWalk.Writes(s));
        }

        bool Fixed(Operand o) => o is Lit { Type.IsInt: true } || o is Const || (o is Var v && !insideOuter.Contains(v));
        bool FixedInt(Operand o) => o.Type.CSharp == "int" && Fixed(o);

        var ci = li.Counted!;
        var cj = lj.Counted!;
        var ck = lk.Counted!;
        var iInit = li.Vars.First(v => ReferenceEquals(v.Var, ci.Index)).Init;
        var jInit = lj.Vars.First(v => ReferenceEquals(v.Var, cj.Index)).Init;
        var kVar = lk.Vars.First(v => ReferenceEquals(v.Var, ck.Index));
        // The ranges of the inner loops, fixed before the outer loop, or int arithmetic on fixed values (n + 1 computed in
        // the loop): computed again before it.
        var hoist = new List<Stmt>();
        Operand? Before(Operand o, int depth)
        {
            if (FixedInt(o))
            {
                return o;
            }

            if (depth > 8 || o is not Var v || v.Mutable || !defs.TryGetValue(v, out var def) || def.Op is not (Opcode.IAdd or Opcode.ISub or Opcode.IMul) || def.Data is true)
            {
                return null;
            }

            var operands = new Operand[def.Args.Length];
            for (int q = 0; q < operands.Length; q++)
            {
                if (Before(def.Args[q], depth + 1) is not { } again)
                {
                    return null;
                }

                operands[q] = again;
            }

            var copy = method.NewVar("t", IrType.Int32, VarRole.Temp);
            hoist.Add(new Assign(copy, new Instr(def.Op, IrType.Int32, operands)));
            return copy;
        }

        if (!FixedInt(iInit) || !FixedInt(ci.Bound) || Before(jInit, 0) is not { } jFrom || Before(cj.Bound, 0) is not { } jTo
            || Before(kVar.Init, 0) is not { } kFrom || Before(ck.Bound, 0) is not { } kTo)
        {
            return false;
        }

        // A sum known to be short (four inputs) stays a loop: the table's packing would cost more than it saves.
        if (kFrom is Lit lo && lo.TryInt(out long first) && kTo is Lit hi && hi.TryInt(out long last) && last - first < Defer.MinimumCount)
        {
            return false;
        }

        // The inner body: s = s + p[·] * q[·], index arithmetic, and k = k + 1; nothing else, used nowhere else.
        var sum = lk.Vars.First(v => !ReferenceEquals(v.Var, ck.Index));
        var type = sum.Var.Type;
        if (!(type.IsDouble || type.IsSingle) || sum.Next is not Var next || !defs.TryGetValue(next, out var add) || add.Op != Opcode.Add || !add.Type.Equals(type))
        {
            return false;
        }

        var local = new Dictionary<Var, int>();
        foreach (var s in lk.Body.Stmts)
        {
            if (s is not Assign a || (!a.Value.IsPure && a.Value.Op != Opcode.Load) || a.Value.Op is Opcode.IDiv or Opcode.IRem)
            {
                return false;
            }

            local[a.Dst] = 0;
        }

        var inLoop = IrWalk.UseCounts(new Block(new List<Stmt> { lk }));
        foreach (var v in local.Keys)
        {
            int all = uses.TryGetValue(v, out int n) ? n : 0;
            int here = inLoop.TryGetValue(v, out int m) ? m : 0;
            if (all != here)
            {
                return false;
            }
        }

        Operand product = ReferenceEquals(add.Args[0], sum.Var) ? add.Args[1] : ReferenceEquals(add.Args[1], sum.Var) ? add.Args[0] : sum.Var;
        if (ReferenceEquals(product, sum.Var) || product is not Var pv || !local.ContainsKey(pv) || !defs.TryGetValue(pv, out var mul) || mul.Op != Opcode.Mul
            || !mul.Type.Equals(type) || (uses.TryGetValue(pv, out int pu) ? pu : 0) != 1)
        {
            return false;
        }

        // An operand: v[row + k] of a flat parameter, or m[row, k + column] of a double[,] parameter (its rows are
        // read through a flat view: row · columns + column + k, once the row and column ranges are checked).
        // An operand: v[row + k] of a flat parameter; m[row, k + column] of a double[,] parameter (read through its flat
        // view once its rows and columns are checked); or r[k + column] of a row r = rows[row] of a jagged parameter
        // (its rows copied side by side for each block, where the loops would read them).
        // The row of a jagged array: rows[i] read in the loops, or hoisted by the optimizer out of the inner loop into
        // `if (the inner loop runs) { r = rows[i]; }` (when it does not run, no row is read).
        Instr? RowOf(Var row)
        {
            if (defs.TryGetValue(row, out var direct))
            {
                return direct;
            }

            if (lj.Body.Stmts.OfType<If>().FirstOrDefault(f => f.Phis.Any(ph => ReferenceEquals(ph.Dst, row))) is { } guard
                && guard.Phis.First(ph => ReferenceEquals(ph.Dst, row)).Then is Var loaded && guard.Then.Stmts.OfType<Assign>().Any(a => ReferenceEquals(a.Dst, loaded))
                && guard.Cond is Var gc && defs.TryGetValue(gc, out var entry) && entry.Op == Opcode.Cmp && entry.Data is CmpKind kind && kind == ck.Cmp
                && Same(entry.Args[0], kVar.Init) && Same(entry.Args[1], ck.Bound) && defs.TryGetValue(loaded, out var hoisted))
            {
                return hoisted;
            }

            return null;
        }

        (Var Array, Row Row, List<(bool Negate, Operand Term)>? Columns, bool Jagged)? Element(Operand o)
        {
            if (o is not Var e || !local.ContainsKey(e) || !defs.TryGetValue(e, out var load) || load.Op != Opcode.Load || load.Args[0] is not Var array)
            {
                return null;
            }

            if (load.Args.Length == 2 && array.Role == VarRole.Parameter && array.Type.IsVector && array.Type.Element!.Equals(type))
            {
                var row = Affine(load.Args[1], ck.Index, new[] { ci.Index, cj.Index }, defs, Fixed);
                return row is null ? null : (array, row, null, false);
            }

            if (load.Args.Length == 3 && array.Role == VarRole.Parameter && array.Type is { Rank: 2, Form: ArrayForm.Array } && array.Type.Element!.Equals(type)
                && Affine(load.Args[1], null, new[] { ci.Index, cj.Index }, defs, Fixed) is { } matrixRow
                && Affine(load.Args[2], ck.Index, Array.Empty<Var>(), defs, Fixed) is { Index: null } column)
            {
                return (array, matrixRow, column.Terms, false);
            }

            if (load.Args.Length == 2 && !array.Mutable && array.Type.IsVector && array.Type.Element!.Equals(type) && RowOf(array) is { } rowLoad
                && rowLoad.Op == Opcode.Load && rowLoad.Args.Length == 2 && rowLoad.Args[0] is Var { Role: VarRole.Parameter } jagged
                && jagged.Type is { IsVector: true, Form: ArrayForm.Array } && jagged.Type.Element is { IsArray: true, Rank: 1, Form: ArrayForm.Array } rowType && rowType.Element!.Equals(type)
                && Affine(rowLoad.Args[1], null, new[] { ci.Index, cj.Index }, defs, Fixed) is { } jaggedRow
                && Affine(load.Args[1], ck.Index, Array.Empty<Var>(), defs, Fixed) is { Index: null } inRow)
            {
                return (jagged, jaggedRow, inRow.Terms, true);
            }

            return null;
        }

        var e0 = Element(mul.Args[0]);
        var e1 = Element(mul.Args[1]);
        if (e0 is null || e1 is null)
        {
            return false;
        }

        // p follows the outer index (or none), q the middle one (or none); never both on one index.
        var (p, q) = ReferenceEquals(e0.Value.Row.Index, cj.Index) || ReferenceEquals(e1.Value.Row.Index, ci.Index) ? (e1.Value, e0.Value) : (e0.Value, e1.Value);
        if (ReferenceEquals(p.Row.Index, cj.Index) || ReferenceEquals(q.Row.Index, ci.Index))
        {
            return false;
        }

        // The start: fixed, or r[u · stride + v · stride + offset] read in the middle loop's body, or hoisted from it by
        // the optimizer into `if (the middle loop runs) { s0 = r[...]; }` (when it does not run, no sum is read).
        Operand? initValue = null;
        (Var Array, Row Row)? initRow = null;
        (Var Array, Row Row)? Read(Var v, Block where, Var[] indexes)
        {
            if (where.Stmts.OfType<Assign>().Any(a => ReferenceEquals(a.Dst, v)) && defs.TryGetValue(v, out var load) && load.Op == Opcode.Load && load.Args.Length == 2
                && load.Args[0] is Var { Role: VarRole.Parameter, Type: { IsVector: true } rt } r && rt.Element!.Equals(type)
                && Affine(load.Args[1], null, indexes, defs, Fixed) is { } rr)
            {
                return (r, rr);
            }

            return null;
        }

        if (Fixed(sum.Init) && sum.Init.Type.Equals(type))
        {
            initValue = sum.Init;
        }
        else if (sum.Init is Var iv && Read(iv, lj.Body, new[] { ci.Index, cj.Index }) is { } direct)
        {
            initRow = direct;
        }
        else if (sum.Init is Var merged && li.Body.Stmts.OfType<If>().FirstOrDefault(f => f.Phis.Any(ph => ReferenceEquals(ph.Dst, merged))) is { } guard
            && li.Body.Stmts.IndexOf(guard) < li.Body.Stmts.IndexOf(lj) && guard.Phis.First(ph => ReferenceEquals(ph.Dst, merged)).Then is Var loaded
            && guard.Cond is Var gc && defs.TryGetValue(gc, out var entry) && entry.Op == Opcode.Cmp && entry.Data is CmpKind kind && kind == cj.Cmp
            && Same(entry.Args[0], jInit) && Same(entry.Args[1], cj.Bound) && Read(loaded, guard.Then, new[] { ci.Index }) is { } hoisted)
        {
            initRow = hoisted;
        }
        else
        {
            return false;
        }

        // Before the outer loop: the block of examples, the table and its width.
        var pre = new List<Stmt>(hoist);
        Var Int(string hint, string[] parts, params Operand[] args)
        {
            var v = method.NewVar(hint, IrType.Int32, VarRole.Temp);
            pre.Add(new Assign(v, new Instr(Opcode.Opaque, IrType.Int32, args, new OpaqueInfo(parts, pure: true, effectFree: true))));
            return v;
        }

        Operand Start(Row row, Operand lo)
        {
            Operand acc = lo;
            foreach (var (negate, t) in row.Terms)
            {
                if (IsZero(t) || (IsZero(acc) && !negate))
                {
                    acc = IsZero(t) ? acc : t;
                    continue;
                }

                var v = method.NewVar("t", IrType.Int32, VarRole.Temp);
                pre.Add(new Assign(v, new Instr(negate ? Opcode.ISub : Opcode.IAdd, IrType.Int32, new[] { acc, t })));
                acc = v;
            }

            return acc;
        }

        var columns = IsZero(jFrom) ? Int("columns", new[] { "global::System.Math.Max(0, ", ")" }, jTo) : Int("columns", new[] { "global::System.Math.Max(0, ", " - ", ")" }, jTo, jFrom);
        var rows = Int("rows", new[] { DotTable + "BlockRows(", ")" }, columns);
        var length = Int("n", new[] { string.Empty, " * ", string.Empty }, rows, columns);
        Operand count = IsZero(kFrom) ? kTo : Int("n", new[] { string.Empty, " - ", string.Empty }, kTo, kFrom);
        Var Pre(string hint, IrType t, string[] parts, params Operand[] operands)
        {
            var v = method.NewVar(hint, t, VarRole.Temp);
            pre.Add(new Assign(v, new Instr(Opcode.Opaque, t, operands, new OpaqueInfo(parts, pure: false, effectFree: true))));
            return v;
        }

        // Each operand as (span, stride, start); a matrix also gives what its check needs, a jagged array its copy.
        var end = method.NewVar("t", IrType.Int32, VarRole.Temp);
        var inFill = new List<Stmt>();
        var checks = new List<(Var Matrix, Operand Rows, Operand Columns, Operand Coefficient, Operand RowStart, bool ByOuter, bool ByMiddle, Operand First)>();
        (Operand Span, Operand Stride, Operand Start) Spanned((Var Array, Row Row, List<(bool Negate, Operand Term)>? Columns, bool Jagged) e)
        {
            if (e.Columns is null)
            {
                return (e.Array, e.Row.Coefficient ?? Lit.Int(0), Start(e.Row, kFrom));
            }

            if (e.Jagged)
            {
                bool byOuter = ReferenceEquals(e.Row.Index, ci.Index), byMiddle = ReferenceEquals(e.Row.Index, cj.Index);
                var terms = Int("n", new[] { "global::System.Math.Max(0, ", ")" }, count);
                var size = Int("n", new[] { string.Empty, " * ", string.Empty }, byOuter ? rows : byMiddle ? columns : Lit.Int(1), terms);
                var copies = method.NewVar("rowsStorage", IrType.Object, VarRole.Internal);
                method.Resources.Add((copies, "new global::SymbolicGrad.Internal.ScratchBuffer<" + type.CSharp + ">()"));
                buffers.Add(copies);
                var copy = method.NewVar("rows", IrType.ArrayOf(type, ArrayForm.Span), VarRole.Temp);
                pre.Add(new Assign(copy, new Instr(Opcode.Alloc, copy.Type, new Operand[] { size }, new AllocInfo(AllocKind.Scratch, copies)))
                {
                    Comment = "the rows of " + e.Array.Hint + " the sums read, copied side by side for each block",
                });
                var firstRow = Start(e.Row with { Index = null, Coefficient = null }, Lit.Int(0));
                var firstColumn = Start(new Row(null, null, e.Columns), kFrom);
                Operand from = byOuter ? ci.Index : byMiddle ? jFrom : Lit.Int(0);
                Operand to = byOuter ? end : byMiddle ? jTo : Lit.Int(1);
                var operands = new[] { copy, e.Array, e.Row.Coefficient ?? Lit.Int(0), firstRow, from, to, firstColumn, count, ci.Index, end, jFrom, jTo };
                var holes = new List<string> { DotTable + "Gather<" + type.CSharp + ">(" };
                holes.AddRange(Enumerable.Repeat(", ", operands.Length - 1));
                holes.Add(")");
                inFill.Add(new Effect(new Instr(Opcode.Opaque, IrType.Object, operands, new OpaqueInfo(holes.ToArray(), pure: false, effectFree: false)))
                {
                    Comment = "the rows of " + e.Array.Hint + " this block reads, side by side (checked as " + e.Array.Hint + "[row][column] would be)",
                });
                if (!byOuter && !byMiddle)
                {
                    return (copy, Lit.Int(0), Lit.Int(0));
                }

                // Row u of the copy starts at (u − from) · count.
                var shift = method.NewVar("t", IrType.Int32, VarRole.Temp);
                inFill.Add(new Assign(shift, new Instr(Opcode.IMul, IrType.Int32, new[] { from, count })));
                var start0 = method.NewVar("t", IrType.Int32, VarRole.Temp);
                inFill.Add(new Assign(start0, new Instr(Opcode.INeg, IrType.Int32, new Operand[] { shift })));
                return (copy, count, start0);
            }

            var view = Pre("matrix", IrType.ArrayOf(type, ArrayForm.Span), new[] { "global::SymbolicGrad.Internal.MatrixArguments.AsSpan(", ")" }, e.Array);
            var rowsOf = Pre("rows", IrType.Int32, new[] { "global::SymbolicGrad.Internal.GuardedViews.GetLength(", ", 0)" }, e.Array);
            var columnsOf = Pre("columns", IrType.Int32, new[] { "global::SymbolicGrad.Internal.GuardedViews.GetLength(", ", 1)" }, e.Array);
            var coefficient = e.Row.Coefficient ?? Lit.Int(0);
            var rowStart = Start(e.Row with { Index = null, Coefficient = null }, Lit.Int(0));
            var first = Start(new Row(null, null, e.Columns), kFrom);
            var stride = method.NewVar("t", IrType.Int32, VarRole.Temp);
            pre.Add(new Assign(stride, new Instr(Opcode.IMul, IrType.Int32, new[] { coefficient, columnsOf })));
            var skip = method.NewVar("t", IrType.Int32, VarRole.Temp);
            pre.Add(new Assign(skip, new Instr(Opcode.IMul, IrType.Int32, new[] { rowStart, columnsOf })));
            var start = method.NewVar("t", IrType.Int32, VarRole.Temp);
            pre.Add(new Assign(start, new Instr(Opcode.IAdd, IrType.Int32, new[] { skip, first })));
            checks.Add((e.Array, rowsOf, columnsOf, coefficient, rowStart, ReferenceEquals(e.Row.Index, ci.Index), ReferenceEquals(e.Row.Index, cj.Index), first));
            return (view, stride, start);
        }

        var (pSpan, pStride, pStart) = Spanned(p);
        var (qSpan, qStride, qStart) = Spanned(q);
        var buffer = method.NewVar("dotsStorage", IrType.Object, VarRole.Internal);
        method.Resources.Add((buffer, "new global::SymbolicGrad.Internal.ScratchBuffer<" + type.CSharp + ">()"));
        buffers.Add(buffer);
        var table = method.NewVar("dots", IrType.ArrayOf(type, ArrayForm.Span), VarRole.Temp);
        pre.Add(new Assign(table, new Instr(Opcode.Alloc, table.Type, new Operand[] { length }, new AllocInfo(AllocKind.Scratch, buffer)))
        {
            Comment = "the sums of " + (lk.Source ?? "the inner loop") + ", a block of " + (li.Source ?? "the outer loop") + "'s iterations at a time, filled ahead like a matrix product (each the loop's sum, bit for bit)",
        });

        // At the top of the outer loop: a new block every `rows` iterations.
        var top = new List<Stmt>();
        Operand offset = ci.Index;
        if (!IsZero(iInit))
        {
            var from = method.NewVar("t", IrType.Int32, VarRole.Temp);
            top.Add(new Assign(from, new Instr(Opcode.ISub, IrType.Int32, new Operand[] { ci.Index, iInit })));
            offset = from;
        }

        var r0 = method.NewVar("row", IrType.Int32, VarRole.Temp);
        top.Add(new Assign(r0, new Instr(Opcode.IRem, IrType.Int32, new Operand[] { offset, rows })));
        var isStart = method.NewVar("t", IrType.Bool, VarRole.Temp);
        top.Add(new Assign(isStart, new Instr(Opcode.Cmp, IrType.Bool, new Operand[] { r0, Lit.Int(0) }, CmpKind.Eq)));
        var fill = new If(isStart, new Block(), new Block(), new List<Phi>());
        fill.Then.Add(new Assign(end, new Instr(Opcode.Opaque, IrType.Int32, new Operand[] { ci.Index, ci.Bound, rows }, new OpaqueInfo(new[] { DotTable + "BlockEnd(", ", ", ", ", ")" }, pure: true, effectFree: true))));
        fill.Then.Stmts.AddRange(inFill);
        foreach (var c in checks)
        {
            // m[row, column] throws where the row or the column is out of its range, even when the flat index is not.
            Operand from = c.ByOuter ? ci.Index : c.ByMiddle ? jFrom : Lit.Int(0);
            Operand to = c.ByOuter ? end : c.ByMiddle ? jTo : Lit.Int(1);
            var operands = new[] { c.Rows, c.Columns, c.Coefficient, c.RowStart, from, to, c.First, count, ci.Index, end, jFrom, jTo };
            var holes = new List<string> { DotTable + "CheckMatrix(" };
            holes.AddRange(Enumerable.Repeat(", ", operands.Length - 1));
            holes.Add(")");
            fill.Then.Add(new Effect(new Instr(Opcode.Opaque, IrType.Object, operands, new OpaqueInfo(holes.ToArray(), pure: false, effectFree: true)))
            {
                Comment = "the rows and columns of " + c.Matrix.Hint + " the sums read: in range, as m[row, column] requires",
            });
        }

        var args = new List<Operand> { table, ci.Index, end, jFrom, jTo, count, pSpan, pStride, pStart, qSpan, qStride, qStart };
        if (initRow is { } ir)
        {
            args.Add(ir.Array);
            args.Add(ReferenceEquals(ir.Row.Index, ci.Index) ? ir.Row.Coefficient! : Lit.Int(0));
            args.Add(ReferenceEquals(ir.Row.Index, cj.Index) ? ir.Row.Coefficient! : Lit.Int(0));
            args.Add(Start(ir.Row, Lit.Int(0)));
        }
        else
        {
            args.Add(initValue!);
        }

        var parts = new List<string> { DotTable + "Fill<" + type.CSharp + ">(" };
        for (int n = 1; n < args.Count; n++)
        {
            parts.Add(", ");
        }

        parts.Add(")");
        fill.Then.Add(new Effect(new Instr(Opcode.Opaque, IrType.Object, args.ToArray(), new OpaqueInfo(parts.ToArray(), pure: false, effectFree: false)))
        {
            Comment = "vectorized: the sums of " + (lk.Source ?? "the inner loop") + " for this block of iterations, many side by side in vector lanes",
        });
        top.Add(fill);
        outer.Stmts.InsertRange(outer.Stmts.IndexOf(li), pre);
        li.Body.Stmts.InsertRange(0, top);

        // The inner loop becomes a read of the table (and its index its final value, if it is read after it).
        var replacement = new List<Stmt>();
        var rowStart = method.NewVar("t", IrType.Int32, VarRole.Temp);
        replacement.Add(new Assign(rowStart, new Instr(Opcode.IMul, IrType.Int32, new Operand[] { r0, columns })));
        Operand column = cj.Index;
        if (!IsZero(jFrom))
        {
            var c = method.NewVar("t", IrType.Int32, VarRole.Temp);
            replacement.Add(new Assign(c, new Instr(Opcode.ISub, IrType.Int32, new Operand[] { cj.Index, jFrom })));
            column = c;
        }

        var index = method.NewVar("t", IrType.Int32, VarRole.Temp);
        replacement.Add(new Assign(index, new Instr(Opcode.IAdd, IrType.Int32, new Operand[] { rowStart, column })));
        replacement.Add(new Assign(sum.Var, new Instr(Opcode.Load, type, new Operand[] { table, index })) { Comment = "the sum of " + (lk.Source ?? "the inner loop") + ", from the table" });
        if (uses.TryGetValue(ck.Index, out int ku) && ku > (IrWalk.UseCounts(new Block(new List<Stmt> { lk })).TryGetValue(ck.Index, out int kin) ? kin : 0))
        {
            replacement.Add(new Assign(ck.Index, new Instr(Opcode.Opaque, IrType.Int32, new[] { kFrom, kTo }, new OpaqueInfo(new[] { "global::System.Math.Max(", ", ", ")" }, pure: true, effectFree: true))));
        }

        int where = lj.Body.Stmts.IndexOf(lk);
        lj.Body.Stmts.RemoveAt(where);
        lj.Body.Stmts.InsertRange(where, replacement);

        // The bias read the loop started from is read by the table now.
        if (initRow is not null && sum.Init is Var biasRead && uses.TryGetValue(biasRead, out int reads) && reads == 1)
        {
            lj.Body.Stmts.RemoveAll(st => st is Assign a && ReferenceEquals(a.Dst, biasRead));
        }

        return true;
    }

    private static bool Same(Operand a, Operand b) => ReferenceEquals(a, b) || (a is Lit la && b is Lit lb && la.Text == lb.Text && la.Type.Equals(lb.Type));

    private static bool IsZero(Operand o) => o is Lit l && l.TryInt(out long v) && v == 0;

    /// <summary>
    /// idx = k + Σ ± fixed terms + coefficient · one of the indexes, from int additions, subtractions of fixed terms
    /// and one multiplication (k: the inner index, exactly once, or null when none is allowed); else null. In wrapping
    /// int arithmetic, as the loop computes it, the order of the terms does not change the sum.
    /// </summary>
    private static Row? Affine(Operand idx, Var? k, Var[] indexes, Dictionary<Var, Instr> defs, Func<Operand, bool> fixedInt)
    {
        var terms = new List<(bool Negate, Operand Term)>();
        Var? index = null;
        Operand? coefficient = null;
        int ks = 0;
        var work = new Stack<(Operand Operand, bool Negative)>();
        work.Push((idx, false));
        int steps = 0;
        while (work.Count > 0)
        {
            if (++steps > 64)
            {
                return null;
            }

            var (o, negative) = work.Pop();
            if (o.Type.CSharp != "int")
            {
                return null;
            }

            if (fixedInt(o))
            {
                terms.Add((negative, o));
                continue;
            }

            // k and the indexes only with a plus sign (a row that runs backwards is not a row).
            if (negative)
            {
                if (o is Var nv && !nv.Mutable && defs.TryGetValue(nv, out var nd) && nd.Op is Opcode.IAdd or Opcode.ISub && nd.Data is not true)
                {
                    work.Push((nd.Args[0], true));
                    work.Push((nd.Args[1], nd.Op == Opcode.IAdd));
                    continue;
                }

                return null;
            }

            if (k is not null && ReferenceEquals(o, k))
            {
                ks++;
                continue;
            }

            if (o is Var iv && indexes.Contains(iv))
            {
                if (index is not null)
                {
                    return null;
                }

                (index, coefficient) = (iv, Lit.Int(1));
                continue;
            }

            if (o is not Var v || v.Mutable || !defs.TryGetValue(v, out var def))
            {
                return null;
            }

            switch (def.Op)
            {
                case Opcode.IAdd when def.Data is not true:
                    work.Push((def.Args[1], false));
                    work.Push((def.Args[0], false));
                    break;
                case Opcode.ISub when def.Data is not true:
                    work.Push((def.Args[1], true));
                    work.Push((def.Args[0], false));
                    break;
                case Opcode.IMul when def.Data is not true:
                    var (a, b) = (def.Args[0], def.Args[1]);
                    if (a is Var av && indexes.Contains(av) && fixedInt(b) && index is null)
                    {
                        (index, coefficient) = (av, b);
                    }
                    else if (b is Var bv && indexes.Contains(bv) && fixedInt(a) && index is null)
                    {
                        (index, coefficient) = (bv, a);
                    }
                    else
                    {
                        return null;
                    }

                    break;
                default:
                    return null;
            }
        }

        if (k is not null && ks != 1)
        {
            return null;
        }

        return new Row(index, coefficient, terms);
    }
}

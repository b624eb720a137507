using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Transforms;

/// <summary>
/// Idiom recognition (issue #11): a counted loop whose body only adds element-wise into arrays
/// (<c>dW[j * n + k] += x[i * n + k] * g</c>, the adjoint of a dot product; <c>a[k] += b[k]</c>; <c>a[k] += b[k] * c[k]</c>;
/// <c>a[k] += c</c>) becomes one call to a SIMD kernel of the runtime (<c>SymbolicGrad.Internal.Kernels</c>, on
/// TensorPrimitives), with a comment naming the loop it replaces.
/// </summary>
/// <remarks>
/// Run last, on the optimized gradient. The kernels compute, element by element, exactly what the loop computes
/// (<c>d + s·c</c> with two roundings, never an FMA), so the gradient is the same to the last bit. A loop is replaced
/// only when every one of these holds, otherwise it is left as it is:
/// <list type="bullet">
/// <item>its index counts by 1 up to or down to a bound fixed before it (an int; its other loop variables only count
/// iterations);</item>
/// <item>its body has no nested statements, pops, pushes or effects: only stores that add into arrays and pure values
/// that feed them; adjoints it assigns are passed through unchanged (an adjoint that is the same in every iteration);</item>
/// <item>every array element it reads or writes is at the loop index plus an offset fixed before the loop, in a
/// one-dimensional double or float array or span, or in a row fixed before the loop of a double[,] (<c>m[j, k + o]</c>,
/// taken as a span of row j);</item>
/// <item>every array it writes is a gradient output (a span, a double[,], a row of a jagged output) or an array the
/// method created (the entry checks make outputs overlap nothing and the rows of a jagged output distinct; created
/// arrays are fresh), is written by one store only (two rows of one matrix count as one array), and is not read in the
/// loop;</item>
/// <item>nothing it computes is used after it.</item>
/// </list>
/// Each store then adds into distinct elements in every iteration, so the loop's iterations are independent and the
/// order of the additions into any one element is unchanged.
/// </remarks>
internal sealed class Vectorize
{
    private const string KernelType = "global::SymbolicGrad.Internal.Kernels.";

    private readonly IrMethod _method;
    private readonly bool _reassociate;
    private readonly Dictionary<Var, Instr> _defs = new();

    /// <summary>Row views the kernels take of double[,] matrices (MatrixArguments.Row(m, j)): each view's matrix.</summary>
    private readonly Dictionary<Var, Var> _rowOf = new();
    private readonly Dictionary<Var, int> _uses;

    private Vectorize(IrMethod method, Block body, bool reassociate)
    {
        _method = method;
        _reassociate = reassociate;
        foreach (var (s, _) in IrWalk.All(body))
        {
            if (s is Assign a && !a.Dst.Mutable)
            {
                _defs[a.Dst] = a.Value;
            }
        }

        _uses = IrWalk.UseCounts(body);
    }

    /// <summary>
    /// Replaces the loops it recognizes in a gradient body; returns how many. With <paramref name="reassociate"/>, also
    /// sums (<c>s += x[k] * y[k]</c>, <c>s += x[k]</c>), which the kernel adds in a different order than the loop.
    /// </summary>
    public static int Run(IrMethod method, Block body, bool reassociate = false)
    {
        var loops = IrWalk.All(body).Where(x => x.Stmt is Loop).ToList();
        if (loops.Count == 0)
        {
            return 0;
        }

        var v = new Vectorize(method, body, reassociate);
        int replaced = 0;

        // Innermost first (the walk is pre-order): a loop around a replaced loop holds a call and stays a loop.
        for (int i = loops.Count - 1; i >= 0; i--)
        {
            var (stmt, block) = loops[i];
            var loop = (Loop)stmt;
            var replacement = v.TryReplace(loop);
            if (replacement is not null)
            {
                int at = block.Stmts.IndexOf(loop);
                block.Stmts.RemoveAt(at);
                block.Stmts.InsertRange(at, replacement);
                replaced++;
            }
            else if (loop.SumKernel is not null && v.ExactSum(loop) is { } exact)
            {
                // A TensorPrimitives sum that stays a loop (it keeps the elements for the reverse sweep: h[i] of an
                // array the next iteration rewrites): the loop runs for what it stores, and its sum is then the
                // user's call, so the value is the method's to the last bit (red-team F, stop 33).
                block.Stmts.Insert(block.Stmts.IndexOf(loop) + 1, exact);
            }
        }

        return replaced;
    }

    /// <summary>
    /// For a loop that <c>TensorPrimitives.Dot(x, y)</c>, <c>Sum(x)</c> or <c>SumOfSquares(x)</c> became (index k from 0 up
    /// to its bound, one accumulator s = s + x[k]·y[k], x[k]·x[k] or x[k], x and y fixed before it): the assignment
    /// of the call's value to the accumulator, to put after the loop; null for any other shape.
    /// </summary>
    private Assign? ExactSum(Loop l)
    {
        if (l.Counted is not { Step: 1 } c || !c.Index.Type.Equals(IrType.Int32) || l.Vars.FirstOrDefault(v => ReferenceEquals(v.Var, c.Index)) is not { } index
            || !IsZero(index.Init))
        {
            return null;
        }

        var written = new HashSet<Var>(l.Vars.Select(v => v.Var));
        foreach (var (st, _) in IrWalk.All(l.Body))
        {
            written.UnionWith(IrWalk.Writes(st));
        }

        var sums = l.Vars.Where(v => v.Var.Type.IsReal).ToList();
        if (sums.Count != 1 || sums[0] is not { Init: Const { Value: 0 }, Next: Var next } sum || !_defs.TryGetValue(next, out var step)
            || step.Op != Opcode.Add || !ReferenceEquals(step.Args[0], sum.Var) || !IsKernelReal(sum.Var.Type))
        {
            return null;
        }

        Var? Read(Operand o)
        {
            var def = o is Var t && _defs.TryGetValue(t, out var d) ? d : null;
            return def is { Op: Opcode.Load, Args.Length: 2 } && def.Args[0] is Var array && !written.Contains(array) && array.Type.IsVector
                && ReferenceEquals(def.Args[1], c.Index) && array.Type.Element!.Equals(sum.Var.Type) ? array : null;
        }

        var term = step.Args[1] is Var tv && _defs.TryGetValue(tv, out var td) ? td : null;
        (string Kernel, Var X, Var? Y)? call = l.SumKernel switch
        {
            "Sum" when Read(step.Args[1]) is { } x => ("Sum", x, null),
            "Dot" when term is { Op: Opcode.Mul, Args.Length: 2 } && Read(term.Args[0]) is { } x && Read(term.Args[1]) is { } y => ("TensorDot", x, y),
            "SumOfSquares" when term is { Op: Opcode.Mul, Args.Length: 2 } && Read(term.Args[0]) is { } x && Read(term.Args[1]) is { } y && ReferenceEquals(x, y) => ("SumOfSquares", x, null),
            _ => null,
        };
        if (call is not { } k || (c.Bound is Var bound && written.Contains(bound)))
        {
            return null;
        }

        var args = k.Y is null ? new Operand[] { k.X, Lit.Int(0), c.Bound } : new Operand[] { k.X, Lit.Int(0), k.Y, Lit.Int(0), c.Bound };
        string format = k.Kernel + (k.Y is null ? "({0}, {1}, {2})" : "({0}, {1}, {2}, {3}, {4})");
        return new Assign(sum.Var, new Instr(Opcode.Opaque, sum.Var.Type, args, new OpaqueInfo(Template(KernelType + format, args.Length), pure: false, effectFree: true)))
        {
            Comment = "the sum as " + (l.Source ?? "TensorPrimitives." + l.SumKernel) + " gives it (the loop above keeps its elements for the reverse sweep)",
        };
    }

    /// <summary>What a value of the loop body is, as a function of the loop index k.</summary>
    private abstract class Sym
    {
    }

    /// <summary>The same in every iteration: an operand defined before the loop, or a pure value hoisted out of it.</summary>
    private sealed class Inv : Sym
    {
        public Inv(Operand value) => Value = value;

        public Operand Value { get; }
    }

    /// <summary>k + Σ ±terms (an int; the terms are invariant).</summary>
    private sealed class Affine : Sym
    {
        public Affine(List<(bool Negate, Operand Term)> terms) => Terms = terms;

        public List<(bool Negate, Operand Term)> Terms { get; }
    }

    /// <summary>Array[k + offset].</summary>
    private sealed class Element : Sym
    {
        public Element(Var array, Affine offset)
        {
            Array = array;
            Offset = offset;
        }

        public Var Array { get; }

        public Affine Offset { get; }
    }

    /// <summary>X · Scale (Scale invariant).</summary>
    private sealed class Scaled : Sym
    {
        public Scaled(Element x, Operand scale)
        {
            X = x;
            Scale = scale;
        }

        public Element X { get; }

        public Operand Scale { get; }
    }

    /// <summary>Self + Addend: an element and what is added to it (Addend is an element, a product, a scaled element or invariant).</summary>
    private sealed class Update : Sym
    {
        public Update(Element self, Sym addend)
        {
            Self = self;
            Addend = addend;
        }

        public Element Self { get; }

        public Sym Addend { get; }
    }

    /// <summary>X · Y.</summary>
    private sealed class Product : Sym
    {
        public Product(Element x, Element y)
        {
            X = x;
            Y = y;
        }

        public Element X { get; }

        public Element Y { get; }
    }

    private List<Stmt>? TryReplace(Loop l)
    {
        if (l.Counted is not { } c || c.Step is not (1 or -1) || !c.Index.Type.Equals(IrType.Int32))
        {
            return null;
        }

        var index = l.Vars.FirstOrDefault(v => ReferenceEquals(v.Var, c.Index));
        if (index is null)
        {
            return null;
        }

        // What the loop assigns; adjoints passed through unchanged do not count (their value is the same in every iteration).
        var inside = new HashSet<Var>();
        foreach (var block in new[] { l.Header, l.Body })
        {
            foreach (var (s, _) in IrWalk.All(block))
            {
                inside.UnionWith(IrWalk.Writes(s));
            }
        }

        inside.UnionWith(l.Vars.Select(v => v.Var));
        var accumulators = _reassociate && l.SumKernel is null ? Accumulators(l) : new Dictionary<Var, Var>();
        var passThrough = PassThroughs(l, accumulators);
        if (passThrough is null)
        {
            return null;
        }

        inside.ExceptWith(passThrough);
        bool Outside(Operand o) => o is not Var v || !inside.Contains(v);
        if (!Outside(c.Bound) || !Outside(index.Init) || l.Header.Stmts.Any(s => s is not Assign { Value.IsPure: true }))
        {
            return null;
        }

        // Counters (v = v + 1 in every iteration) and, when allowed, sums (s = s + e): read in the loop only there.
        var inLoop = IrWalk.UseCounts(new Block(new List<Stmt> { l }));
        int UsesInLoop(Var v) => inLoop.TryGetValue(v, out int n) ? n : 0;
        var counters = new List<LoopVar>();
        var sums = new List<(Var Acc, Operand Init, Operand Term)>();
        var skip = new HashSet<Var>();
        var syms = new Dictionary<Var, Sym> { [c.Index] = new Affine(new List<(bool, Operand)>()) };
        foreach (var lv in l.Vars)
        {
            if (ReferenceEquals(lv, index))
            {
                continue;
            }

            if (!Outside(lv.Init) || lv.Next is not Var next || !_defs.TryGetValue(next, out var step) || Uses(next) != 1)
            {
                return null;
            }

            bool countsByOne = lv.Var.Type.Equals(IrType.Int32) && step is { Op: Opcode.IAdd, Checked: false } && ReferenceEquals(step.Args[0], lv.Var)
                && step.Args[1] is Lit one && one.TryInt(out long v1) && v1 == 1;
            if (countsByOne && UsesInLoop(lv.Var) != 1)
            {
                // Read in the body too: an induction variable beside an index that counts up from lo, init + (k − lo).
                if (c.Step != 1)
                {
                    return null;
                }

                syms[lv.Var] = new Affine(new List<(bool, Operand)> { (false, lv.Init), (true, index.Init) });
                counters.Add(lv);
            }
            else if (UsesInLoop(lv.Var) != 1)
            {
                return null;
            }
            else if (countsByOne)
            {
                counters.Add(lv);
            }
            else if ((_reassociate || l.SumKernel is not null) && IsKernelReal(lv.Var.Type) && step.Op == Opcode.Add && step.Type.Equals(lv.Var.Type) && ReferenceEquals(step.Args[0], lv.Var))
            {
                sums.Add((lv.Var, lv.Init, step.Args[1]));
            }
            else
            {
                return null;
            }

            skip.Add(next);
        }

        // A variable the reverse sweep adds into in every iteration (tBar = tBar + x[k] * y[k], Accumulators): a sum that
        // starts from the variable's value before the loop.
        foreach (var stmt in l.Body.Stmts)
        {
            if (stmt is not Assign { Dst: var acc } || !accumulators.TryGetValue(acc, out var sum))
            {
                continue;
            }

            var add = _defs[sum];
            if (UsesInLoop(acc) != 1)
            {
                return null;
            }

            sums.Add((acc, acc, ReferenceEquals(add.Args[0], acc) ? add.Args[1] : add.Args[0]));
            skip.Add(sum);
        }

        // The body, value by value.
        var hoisted = new List<Assign>();
        var hoistable = new HashSet<Var>();

        // m[j, k + o] of a double[,] with j the same in every iteration is element k + o of row j: a span of the row,
        // taken once before the kernels (one view per matrix and row operand).
        var rowViews = new Dictionary<(Var, string), Var>();
        Var RowView(Var matrix, Operand row)
        {
            var key = (matrix, IrDump.O(row));
            if (!rowViews.TryGetValue(key, out var view))
            {
                view = _method.NewVar(matrix.Hint + "Row", IrType.ArrayOf(matrix.Type.Element!, ArrayForm.Span), VarRole.Temp);
                var take = new Instr(Opcode.Opaque, view.Type, new[] { matrix, row },
                    new OpaqueInfo(new[] { "global::SymbolicGrad.Internal.MatrixArguments.Row(", ", ", ")" }, pure: false, effectFree: true));
                hoisted.Add(new Assign(view, take));
                _defs[view] = take;
                hoistable.Add(view);
                _rowOf[view] = matrix;
                rowViews[key] = view;
            }

            return view;
        }

        bool IsMatrix(Operand o) => o is Var { Type: { Kind: ValueKind.Array, Rank: 2, Form: ArrayForm.Array } t } && IsKernelReal(t.Element!);
        var stores = new List<(Store Store, Element Target, Sym Value)>();
        Sym? Of(Operand o) => o switch
        {
            Var v when syms.TryGetValue(v, out var s) => s,
            Var v when hoistable.Contains(v) || !inside.Contains(v) => new Inv(v),
            Var => null,
            _ => new Inv(o),
        };

        foreach (var s in l.Body.Stmts)
        {
            switch (s)
            {
                case Note:
                    continue;
                case Assign a when passThrough.Contains(a.Dst) || skip.Contains(a.Dst) || accumulators.ContainsKey(a.Dst):
                    continue;
                case Assign a when !a.Dst.Mutable:
                    {
                        var args = a.Value.Args.Select(Of).ToArray();
                        if (args.Any(x => x is null))
                        {
                            return null;
                        }

                        if (a.Value.Op == Opcode.Copy && args[0] is Inv same)
                        {
                            syms[a.Dst] = same;
                            continue;
                        }

                        if (args.All(x => x is Inv) && a.Value.IsPure)
                        {
                            // The same in every iteration and free of effects: computed once, before the kernel, from
                            // the values its operands stand for (a copy of a pass-through adjoint is not hoisted itself).
                            var invariantArgs = a.Value.Args.Select((o, i) => ((Inv)args[i]!).Value).ToArray();
                            hoisted.Add(invariantArgs.SequenceEqual(a.Value.Args) ? a : new Assign(a.Dst, a.Value.With(invariantArgs)));
                            hoistable.Add(a.Dst);
                            continue;
                        }

                        if (a.Value.Op == Opcode.Load && args.Length == 3 && IsMatrix(a.Value.Args[0]) && args[0] is Inv && args[1] is Inv row && args[2] is Affine column)
                        {
                            syms[a.Dst] = new Element(RowView((Var)a.Value.Args[0], row.Value), column);
                            continue;
                        }

                        var sym = Classify(a.Value, args!);
                        if (sym is null)
                        {
                            return null;
                        }

                        syms[a.Dst] = sym;
                        continue;
                    }

                case Store st when st.Accumulate && st.Index.Length == 1 && st.Array is Var target && !inside.Contains(target)
                    && target.Type is { IsVector: true, Form: not ArrayForm.ReadOnlySpan } && IsKernelReal(target.Type.Element!):
                    {
                        if (Of(st.Index[0]) is not Affine offset || Of(st.Value) is not { } value || !Fits(value, target.Type.Element!))
                        {
                            return null;
                        }

                        stores.Add((st, new Element(target, offset), value));
                        continue;
                    }

                case Store { Accumulate: false } st when st.Index.Length == 1 && st.Array is Var target && !inside.Contains(target)
                    && target.Type is { IsVector: true, Form: not ArrayForm.ReadOnlySpan } && IsKernelReal(target.Type.Element!):
                    {
                        // a[k + o] = a[k + o] + e: an accumulation written out (q[j] += icf[li] * c as the method computes it).
                        if (Of(st.Value) is Update { Self: var other, Addend: Element mine } swapped && ReferenceEquals(mine.Array, target))
                        {
                            // b[k] + a[k] stored into a: a is the element updated.
                            syms[(Var)st.Value] = new Update(mine, other);
                        }

                        if (Of(st.Index[0]) is not Affine offset || Of(st.Value) is not Update update || !ReferenceEquals(update.Self.Array, target)
                            || !SameOffset(update.Self.Offset, offset) || !Fits(update.Addend, target.Type.Element!))
                        {
                            return null;
                        }

                        stores.Add((st, new Element(target, offset), update.Addend));
                        continue;
                    }

                case Store st when st.Index.Length == 2 && IsMatrix(st.Array) && !inside.Contains((Var)st.Array)
                    && Of(st.Index[0]) is Inv row && Of(st.Index[1]) is Affine offset:
                    {
                        var view = RowView((Var)st.Array, row.Value);
                        var element = view.Type.Element!;
                        if (st.Accumulate)
                        {
                            if (Of(st.Value) is not { } value || !Fits(value, element))
                            {
                                return null;
                            }

                            stores.Add((st, new Element(view, offset), value));
                            continue;
                        }

                        // m[j, k] = m[j, k] + e: an accumulation written out.
                        if (Of(st.Value) is Update { Self: var other, Addend: Element mine } swapped && ReferenceEquals(mine.Array, view))
                        {
                            syms[(Var)st.Value] = new Update(mine, other);
                        }

                        if (Of(st.Value) is not Update update || !ReferenceEquals(update.Self.Array, view) || !SameOffset(update.Self.Offset, offset) || !Fits(update.Addend, element))
                        {
                            return null;
                        }

                        stores.Add((st, new Element(view, offset), update.Addend));
                        continue;
                    }

                default:
                    return null;
            }
        }

        // Each sum adds x[k + a] · y[k + b] or x[k + a]: a dot product or a sum of the arrays' elements. A TensorPrimitives
        // sum becomes the call the user wrote (one sum, of its shape); others a dot product or a sum.
        var reductions = new List<(Var Acc, Operand Init, string Kernel, Element X, Element? Y)>();
        if (l.SumKernel is not null && sums.Count != 1)
        {
            return null;
        }

        foreach (var (acc, init, term) in sums)
        {
            switch (Of(term))
            {
                case Product p when p.X.Array.Type.Element!.Equals(acc.Type) && p.Y.Array.Type.Element!.Equals(acc.Type)
                    && l.SumKernel is null or "Dot" or "SumOfSquares":
                    if (l.SumKernel == "SumOfSquares" && !SameElement(p.X, p.Y))
                    {
                        return null;
                    }

                    reductions.Add((acc, init, l.SumKernel ?? "Dot", p.X, l.SumKernel == "SumOfSquares" ? null : p.Y));
                    break;
                case Element e when e.Array.Type.Element!.Equals(acc.Type) && l.SumKernel is null or "Sum":
                    reductions.Add((acc, init, "Sum", e, null));
                    break;
                default:
                    return null;
            }
        }

        if ((stores.Count == 0 && reductions.Count == 0) || !Independent(stores, reductions) || !Local(l))
        {
            return null;
        }

        // The range of the index: [lo, hi).
        var pre = new List<Stmt>();
        Operand lo, hi;
        switch (c.Step, c.Cmp)
        {
            case (1, CmpKind.Lt):
                (lo, hi) = (index.Init, c.Bound);
                break;
            case (1, CmpKind.Le):
                (lo, hi) = (index.Init, PlusOne(c.Bound, pre));
                break;
            case (-1, CmpKind.Ge):
                (lo, hi) = (c.Bound, PlusOne(index.Init, pre));
                break;
            case (-1, CmpKind.Gt):
                (lo, hi) = (PlusOne(c.Bound, pre), PlusOne(index.Init, pre));
                break;
            default:
                return null;
        }

        // Hoist what the kernels need of the invariant values, in their order.
        var needed = new HashSet<Var>();
        void Need(Operand o)
        {
            if (o is Var v)
            {
                needed.Add(v);
            }
        }

        foreach (var (_, target, value) in stores)
        {
            NeedElement(target, Need);
            switch (value)
            {
                case Inv inv:
                    Need(inv.Value);
                    break;
                case Element e:
                    NeedElement(e, Need);
                    break;
                case Scaled sc:
                    NeedElement(sc.X, Need);
                    Need(sc.Scale);
                    break;
                case Product p:
                    NeedElement(p.X, Need);
                    NeedElement(p.Y, Need);
                    break;
            }
        }

        foreach (var (_, _, _, x, y) in reductions)
        {
            NeedElement(x, Need);
            if (y is not null)
            {
                NeedElement(y, Need);
            }
        }

        for (int i = hoisted.Count - 1; i >= 0; i--)
        {
            if (needed.Contains(hoisted[i].Dst))
            {
                foreach (var o in hoisted[i].Value.Args)
                {
                    Need(o);
                }
            }
        }

        pre.AddRange(hoisted.Where(a => needed.Contains(a.Dst)));
        var count = Difference(hi, lo, pre);

        // The reverse of a dot product's loop: d[k] += x[k]·s beside Σ w[k]·x[k] (Reassociate): one pass over x.
        if (stores.Count == 1 && reductions.Count == 1 && l.SumKernel is null && stores[0].Value is Scaled scaled
            && reductions[0] is { Kernel: "Dot", Y: { } second } fused && (SameElement(fused.X, scaled.X) || SameElement(second, scaled.X))
            && fused.Acc.Type.IsDouble && scaled.X.Array.Type.Element!.IsDouble && stores[0].Target.Array.Type.Element!.IsDouble)
        {
            var other = SameElement(fused.X, scaled.X) ? second : fused.X;
            var (st, target, _) = stores[0];
            var args = new[] { target.Array, Start(lo, target.Offset, pre), scaled.X.Array, Start(lo, scaled.X.Offset, pre), count, scaled.Scale, other.Array, Start(lo, other.Offset, pre) };
            var total = _method.NewVar("sum", fused.Acc.Type, VarRole.Temp);
            pre.Add(new Assign(total, new Instr(Opcode.Opaque, fused.Acc.Type, args, new OpaqueInfo(Template(KernelType + "AddScaledDot({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7})", args.Length), pure: false, effectFree: false)))
            {
                Comment = (st.Comment is { } what ? what + "; " : string.Empty) + "vectorized: " + Describe(l)
                    + " (one SIMD kernel for both: its element-wise part the same arithmetic element by element, its sum added in vector lanes, in a different order than the loop: Reassociate = true)",
            });
            bool zeroStart = fused.Init is Const z && BitConverter.DoubleToInt64Bits(z.Value) == 0;
            pre.Add(new Assign(fused.Acc, zeroStart ? new Instr(Opcode.Copy, fused.Acc.Type, new Operand[] { total }) : new Instr(Opcode.Add, fused.Acc.Type, new[] { fused.Init, total })));
            stores.Clear();
            reductions.Clear();
        }
        foreach (var (st, target, value) in stores)
        {
            var start = Start(lo, target.Offset, pre);
            string loop = l.Source ?? "the loop";
            var (kernel, args) = value switch
            {
                Inv inv => ("AddConstant({0}, {1}, {2}, {3})", new[] { target.Array, start, count, inv.Value }),
                Element e => ("Add({0}, {1}, {2}, {3}, {4})", new[] { target.Array, start, e.Array, Start(lo, e.Offset, pre), count }),
                Scaled sc => ("AddScaled({0}, {1}, {2}, {3}, {4}, {5})", new[] { target.Array, start, sc.X.Array, Start(lo, sc.X.Offset, pre), count, sc.Scale }),
                Product p => ("AddProduct({0}, {1}, {2}, {3}, {4}, {5}, {6})", new[] { target.Array, start, p.X.Array, Start(lo, p.X.Offset, pre), p.Y.Array, Start(lo, p.Y.Offset, pre), count }),
                _ => throw new InvalidOperationException("unreachable"),
            };
            var call = new Instr(Opcode.Opaque, IrType.Object, args, new OpaqueInfo(Template(KernelType + kernel, args.Length), pure: false, effectFree: false));
            pre.Add(new Effect(call) { Comment = (st.Comment is { } what ? what + "; " : string.Empty) + "vectorized: " + Describe(l) + " (one SIMD kernel, the same arithmetic element by element)" });
        }

        // Sums end at init + the kernel's sum (in vector lanes: the order of the additions changes).
        foreach (var (acc, init, name, x, y) in reductions)
        {
            var total = _method.NewVar("sum", acc.Type, VarRole.Temp);
            var args = y is null ? new[] { x.Array, Start(lo, x.Offset, pre), count } : new[] { x.Array, Start(lo, x.Offset, pre), y.Array, Start(lo, y.Offset, pre), count };
            // The user's TensorPrimitives.Dot is TensorDot (Dot adds short ranges in another order: the value differed in
            // the last bits below 16 elements; red-team F, stop 33).
            string kernel = (name == "Dot" && l.SumKernel is not null ? "TensorDot" : name) + (y is null ? "({0}, {1}, {2})" : "({0}, {1}, {2}, {3}, {4})");
            pre.Add(new Assign(total, new Instr(Opcode.Opaque, acc.Type, args, new OpaqueInfo(Template(KernelType + kernel, args.Length), pure: false, effectFree: true)))
            {
                Comment = l.SumKernel is not null
                    ? "vectorized: " + Describe(l) + " (TensorPrimitives." + l.SumKernel + ", as written)"
                    : "vectorized: " + Describe(l) + " (one SIMD kernel; its sum is added in vector lanes, in a different order than the loop: Reassociate = true)",
            });
            bool fromZero = init is Const zero && BitConverter.DoubleToInt64Bits(zero.Value) == 0;
            pre.Add(new Assign(acc, fromZero ? new Instr(Opcode.Copy, acc.Type, new Operand[] { total }) : new Instr(Opcode.Add, acc.Type, new[] { init, total })));
        }

        // Counters end at init + max(count, 0).
        Var? trips = null;
        foreach (var lv in counters)
        {
            if (trips is null)
            {
                trips = _method.NewVar("n", IrType.Int32, VarRole.Temp);
                pre.Add(new Assign(trips, new Instr(Opcode.Opaque, IrType.Int32, new[] { count }, new OpaqueInfo(new[] { "global::System.Math.Max(0, ", ")" }, pure: true, effectFree: true))));
            }

            pre.Add(new Assign(lv.Var, IsZero(lv.Init) ? new Instr(Opcode.Copy, IrType.Int32, new Operand[] { trips }) : new Instr(Opcode.IAdd, IrType.Int32, new[] { lv.Init, trips })));
        }

        return pre;
    }

    private static string Describe(Loop l) => l.Comment is { } comment && comment.StartsWith("reverse of ", StringComparison.Ordinal)
        ? comment.Substring(0, comment.IndexOf(':') is int colon and > 0 ? colon : comment.Length)
        : l.Source ?? "a loop";

    private static void NeedElement(Element e, Action<Operand> need)
    {
        need(e.Array);
        foreach (var (_, t) in e.Offset.Terms)
        {
            need(t);
        }
    }

    /// <summary>The template of a kernel call: "K({0}, {1})" → ["K(", ", ", ")"].</summary>
    private static string[] Template(string format, int holes)
    {
        var parts = new string[holes + 1];
        string rest = format;
        for (int i = 0; i < holes; i++)
        {
            string hole = "{" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}";
            int at = rest.IndexOf(hole, StringComparison.Ordinal);
            parts[i] = rest.Substring(0, at);
            rest = rest.Substring(at + hole.Length);
        }

        parts[holes] = rest;
        return parts;
    }

    private int Uses(Var v) => _uses.TryGetValue(v, out int n) ? n : 0;

    /// <summary>The mutable variables the body assigns, when each assignment passes the variable's own value through; else null.</summary>
    private HashSet<Var>? PassThroughs(Loop l, Dictionary<Var, Var> accumulators)
    {
        var result = new HashSet<Var>();
        foreach (var s in l.Body.Stmts)
        {
            if (s is Assign { Dst.Mutable: true } a && !accumulators.ContainsKey(a.Dst))
            {
                if (!(a.Value.Op == Opcode.Copy && a.Value.Args[0] is Var src
                    && (ReferenceEquals(src, a.Dst) || (!src.Mutable && _defs.TryGetValue(src, out var d) && d.Op == Opcode.Copy && ReferenceEquals(d.Args[0], a.Dst)))))
                {
                    return null;
                }

                result.Add(a.Dst);
            }
        }

        return result;
    }

    /// <summary>
    /// The reverse sweep's sums, for Reassociate: a real mutable variable the body assigns once, at its top level, with
    /// <c>acc = t</c> where <c>t = acc + term</c> (or <c>term + acc</c>) is defined in the body and read only there
    /// (<c>tBar = tBar + icf[li] * yBar[j]</c>, the adjoint of a value a loop reads in every iteration). Returns each
    /// variable with its <c>t</c>; whether the variable is read anywhere else in the loop is checked by the caller.
    /// </summary>
    private Dictionary<Var, Var> Accumulators(Loop l)
    {
        var result = new Dictionary<Var, Var>();
        var assigned = new HashSet<Var>();
        foreach (var s in l.Body.Stmts)
        {
            if (s is not Assign { Dst.Mutable: true } a)
            {
                continue;
            }

            if (!assigned.Add(a.Dst))
            {
                result.Remove(a.Dst);
                continue;
            }

            if (IsKernelReal(a.Dst.Type) && a.Value.Op == Opcode.Copy && a.Value.Args[0] is Var { Mutable: false } t && Uses(t) == 1
                && _defs.TryGetValue(t, out var add) && add.Op == Opcode.Add && add.Type.Equals(a.Dst.Type)
                && (ReferenceEquals(add.Args[0], a.Dst) != ReferenceEquals(add.Args[1], a.Dst))
                && l.Body.Stmts.Any(x => x is Assign { Dst: var d } && ReferenceEquals(d, t)))
            {
                result[a.Dst] = t;
            }
        }

        return result;
    }

    /// <summary>Nothing the body defines is read after the loop.</summary>
    private bool Local(Loop l)
    {
        var inLoop = IrWalk.UseCounts(new Block(new List<Stmt> { l }));
        foreach (var (s, _) in IrWalk.All(l.Body))
        {
            if (s is Assign a && !a.Dst.Mutable && Uses(a.Dst) != (inLoop.TryGetValue(a.Dst, out int n) ? n : 0))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsKernelReal(IrType t) => t.IsDouble || t.IsSingle;

    private static bool Fits(Sym value, IrType element) => value switch
    {
        Inv inv => inv.Value.Type.Equals(element),
        Element e => e.Array.Type.Element!.Equals(element),
        Scaled sc => sc.X.Array.Type.Element!.Equals(element) && sc.Scale.Type.Equals(element),
        Product p => p.X.Array.Type.Element!.Equals(element) && p.Y.Array.Type.Element!.Equals(element),
        _ => false,
    };

    private Sym? Classify(Instr instr, Sym[] args)
    {
        switch (instr.Op)
        {
            case Opcode.Copy when args.Length == 1:
                return args[0];
            case Opcode.IAdd when !instr.Checked && instr.Type.Equals(IrType.Int32):
                return (args[0], args[1]) switch
                {
                    (Affine a, Inv b) => Add(a, b.Value, false),
                    (Inv a, Affine b) => Add(b, a.Value, false),
                    _ => null,
                };
            case Opcode.ISub when !instr.Checked && instr.Type.Equals(IrType.Int32) && args[0] is Affine a && args[1] is Inv b:
                return Add(a, b.Value, true);
            case Opcode.Load when args.Length == 2 && instr.Args[0] is Var array && args[0] is Inv && array.Type.IsVector && IsKernelReal(instr.Type) && args[1] is Affine at:
                return new Element(array, at);
            case Opcode.Mul when IsKernelReal(instr.Type):
                return (args[0], args[1]) switch
                {
                    (Element x, Element y) => new Product(x, y),
                    (Element x, Inv s) => new Scaled(x, s.Value),
                    (Inv s, Element x) => new Scaled(x, s.Value),
                    _ => null,
                };
            case Opcode.Neg when IsKernelReal(instr.Type) && args[0] is Element x:
                return new Scaled(x, new Const(-1, instr.Type));
            case Opcode.Add when IsKernelReal(instr.Type):
                // Kept only where a store writes it back to the same element (an update in place); any other use fails later.
                return (args[0], args[1]) switch
                {
                    (Element self, Element or Scaled or Product or Inv) => new Update(self, args[1]),
                    (Element or Scaled or Product or Inv, Element self) => new Update(self, args[0]),
                    _ => null,
                };
            default:
                return null;
        }
    }

    private static Affine Add(Affine a, Operand term, bool negate)
    {
        var terms = new List<(bool, Operand)>(a.Terms) { (negate, term) };
        return new Affine(terms);
    }

    /// <summary>
    /// The stores write arrays that are distinct from each other and from every array the loop reads: then each
    /// element is added to once per iteration, by one store, from values the loop does not change.
    /// </summary>
    private static bool SameOffset(Affine a, Affine b) => ReferenceEquals(a, b)
        || (a.Terms.Count == b.Terms.Count && a.Terms.Zip(b.Terms, (p, q) => p.Negate == q.Negate && IrDump.O(p.Term) == IrDump.O(q.Term)).All(x => x));

    private static bool SameElement(Element a, Element b) =>
        ReferenceEquals(a.Array, b.Array) && a.Offset.Terms.Count == b.Offset.Terms.Count
        && a.Offset.Terms.Zip(b.Offset.Terms, (p, q) => p.Negate == q.Negate && ReferenceEquals(p.Term, q.Term)).All(x => x);

    private bool Independent(List<(Store Store, Element Target, Sym Value)> stores, List<(Var Acc, Operand Init, string Kernel, Element X, Element? Y)> reductions)
    {
        var written = new HashSet<Var>();
        foreach (var (_, target, _) in stores)
        {
            var root = Root(target.Array);
            bool fresh = root.Role == VarRole.Output || (_defs.TryGetValue(root, out var def) && def.Op == Opcode.Alloc);
            if (!fresh || !written.Add(root))
            {
                return false;
            }
        }

        foreach (var (_, _, value) in stores)
        {
            var reads = value switch
            {
                Element e => new[] { e.Array },
                Scaled sc => new[] { sc.X.Array },
                Product p => new[] { p.X.Array, p.Y.Array },
                _ => Array.Empty<Var>(),
            };
            if (reads.Any(r => written.Contains(Root(r))))
            {
                return false;
            }
        }

        foreach (var (_, _, _, x, y) in reductions)
        {
            if (written.Contains(Root(x.Array)) || (y is not null && written.Contains(Root(y.Array))))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The array a view was taken of (through copies and slices), and for a row of a jagged gradient output
    /// (<c>dW[j]</c>) the output itself: its rows are distinct arrays that share no memory with the inputs (checked at
    /// entry), so it is written like an output, and two rows of it count as one array (they may be the same row).
    /// </summary>
    private Var Root(Var v)
    {
        for (int guard = 0; guard < 10_000 && _defs.TryGetValue(v, out var def); guard++)
        {
            if (def.Op is Opcode.Copy or Opcode.Slice && def.Args[0] is Var of)
            {
                v = of;
            }
            else if (def.Op == Opcode.Load && def.Args.Length == 2 && def.Args[0] is Var { Role: VarRole.Output, Type: { Rank: 1, Element.IsArray: true } } output)
            {
                v = output;
            }
            else if (def.Op == Opcode.Opaque && _rowOf.TryGetValue(v, out var matrix))
            {
                v = matrix;
            }
            else
            {
                break;
            }
        }

        return v;
    }

    private Operand PlusOne(Operand o, List<Stmt> pre)
    {
        // (n - 1) + 1 is n.
        if (o is Var v && _defs.TryGetValue(v, out var d) && d is { Op: Opcode.ISub, Checked: false } && d.Args[1] is Lit one && one.TryInt(out long x) && x == 1 && d.Args[0].Type.Equals(IrType.Int32))
        {
            return d.Args[0];
        }

        return Emit(Opcode.IAdd, o, Lit.Int(1), pre);
    }

    private Operand Difference(Operand hi, Operand lo, List<Stmt> pre) => IsZero(lo) ? hi : Emit(Opcode.ISub, hi, lo, pre);

    private Operand Start(Operand lo, Affine offset, List<Stmt> pre)
    {
        // An induction variable's offset is init − lo: lo cancels.
        var terms = offset.Terms.ToList();
        int cancel = terms.FindIndex(t => t.Negate && IrDump.O(t.Term) == IrDump.O(lo));
        Operand sum = lo;
        if (cancel >= 0)
        {
            terms.RemoveAt(cancel);
            sum = Lit.Int(0);
        }

        foreach (var (negate, term) in terms)
        {
            if (IsZero(term))
            {
                continue;
            }

            sum = IsZero(sum) && !negate ? term : Emit(negate ? Opcode.ISub : Opcode.IAdd, sum, term, pre);
        }

        return sum;
    }

    private static bool IsZero(Operand o) => o is Lit l && l.TryInt(out long v) && v == 0;

    private Operand Emit(Opcode op, Operand a, Operand b, List<Stmt> pre)
    {
        if (a is Lit la && b is Lit lb && la.TryInt(out long x) && lb.TryInt(out long y))
        {
            long folded = op == Opcode.IAdd ? x + y : x - y;
            if (folded is >= int.MinValue and <= int.MaxValue)
            {
                return Lit.Int(folded);
            }
        }

        var t = _method.NewVar("t", IrType.Int32, VarRole.Temp);
        pre.Add(new Assign(t, new Instr(op, IrType.Int32, new[] { a, b })));
        return t;
    }
}

using SymbolicGrad.Generator.Analysis;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Rules;

namespace SymbolicGrad.Generator.Transforms;

/// <summary>What the reverse transform produces: the forward sweep (the function, plus iteration counters and adjoint
/// arrays), the reverse sweep (the chain rule, last statement first), and the gradient of each leaf.</summary>
internal sealed class ReverseProgram
{
    public ReverseProgram(Block forward, Block reverse, Dictionary<Leaf, Operand> gradients, Dictionary<Loop, (Loop Forward, Var Counter)> loops)
    {
        Forward = forward;
        Reverse = reverse;
        Gradients = gradients;
        Loops = loops;
    }

    public Block Forward { get; }

    public Block Reverse { get; }

    /// <summary>For each differentiable leaf: its gradient (an adjoint, a constant 0, or the output array the sweep wrote into).</summary>
    public Dictionary<Leaf, Operand> Gradients { get; }

    /// <summary>Each reverse loop, with the forward loop it reverses and that loop's iteration counter.</summary>
    public Dictionary<Loop, (Loop Forward, Var Counter)> Loops { get; }
}

/// <summary>
/// Reverse mode on the structured SSA IR. Every active real value gets an adjoint accumulator, zeroed at the start of
/// the reverse of the block that defines it; every statement, taken last first, adds its contributions to its operands'
/// adjoints (the rules in <see cref="DerivativeRules"/>). The reverse of an if is an if on the same condition; the
/// reverse of a loop is a loop over the same iterations, last first, whose adjoint of each loop variable flows from the
/// end of an iteration to its start. Arrays get adjoint arrays, defined alongside them in the forward sweep. Values of a
/// loop's iterations that the reverse reads are resolved afterwards (<see cref="Resolve"/>): stored or recomputed.
/// </summary>
internal sealed class Reverse
{
    private readonly IrMethod _method;
    private readonly Activity _activity;
    private readonly Dictionary<Var, Var> _adjoints = new();
    private readonly Dictionary<Var, Operand> _arrayAdjoints = new();
    private readonly Dictionary<Loop, Var> _counters = new();

    /// <summary>
    /// Stores of a parameter array into a local array of arrays (h[0] = h0), with the parameter's gradient span: the row's
    /// adjoint is an array of its own, added into the span by the reverse of the store.
    /// </summary>
    private readonly Dictionary<Store, Operand> _proxyRows = new();
    private readonly Dictionary<Loop, (Loop, Var)> _reverseLoops = new();
    private readonly Dictionary<Var, Var> _outputs;
    private readonly string _functionName;

    /// <summary>How deep in ifs and loops each value of the forward body is defined (the body itself: 0).</summary>
    private readonly Dictionary<Var, int> _defDepth = new();

    /// <summary>
    /// Values whose adjoint may be exactly zero at run time because of control flow: used only in some arms of an if, in
    /// a loop that may not run, through a selection (?:) or a kink of max, min, clamp or abs, or upstream of such a value.
    /// Their contributions are guarded (<c>vBar == 0 ? 0 : ∂v/∂a·vBar</c>), so that a value the result does not depend on
    /// here contributes 0 even where its own derivative is infinite or NaN (√ of a negative number computed before an
    /// if that does not use it; exp overflowing in an arm not taken), instead of 0·∞ = NaN.
    /// </summary>
    private readonly HashSet<Var> _mayBeZero = new();
    private int _depth = -1;

    public Reverse(IrMethod method, Activity activity, Dictionary<Var, Var> outputs, string functionName)
    {
        _method = method;
        _activity = activity;
        _outputs = outputs;
        _functionName = functionName;
    }

    public ReverseProgram Build(Operand? seedTarget, Operand? seedArray)
    {
        var forward = _method.Body;

        // Array parameters' adjoints are the caller's output spans; other array parameters in an active class get scratch ones.
        foreach (var leaf in _method.Leaves)
        {
            if (leaf.Var.Type.IsArray && _activity.IsActive(leaf.Var))
            {
                if (_outputs.TryGetValue(leaf.Var, out var output))
                {
                    _arrayAdjoints[leaf.Var] = output;
                }
            }
        }

        if (seedArray is Var resultsSpan && _outputs.TryGetValue(resultsSpan, out var seed))
        {
            _arrayAdjoints[resultsSpan] = seed;
        }

        var prologue = new List<Stmt>();
        PrepareForward(forward, prologue);
        forward.Stmts.InsertRange(0, prologue);

        RecordDepths(forward, 0);
        var defined = _method.Leaves.Select(l => l.Var).ToList();
        var seeds = new List<(Operand Target, Operand Value)>();
        if (seedTarget is Var result && _activity.IsActive(result) && result.Type.IsReal)
        {
            seeds.Add((result, new Const(1, result.Type)));
        }

        var reverse = ReverseBlock(forward, seeds, defined, null);
        var gradients = new Dictionary<Leaf, Operand>();
        foreach (var leaf in _method.Leaves.Where(l => l.Differentiable))
        {
            if (leaf.Var.Type.IsArray)
            {
                gradients[leaf] = _outputs.TryGetValue(leaf.Var, out var o) ? o : new Const(0, leaf.Var.Type.Element!);
            }
            else
            {
                gradients[leaf] = _adjoints.TryGetValue(leaf.Var, out var adj) ? adj : new Const(0, leaf.Var.Type);
            }
        }

        return new ReverseProgram(forward, reverse, gradients, _reverseLoops.ToDictionary(kv => kv.Key, kv => kv.Value));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Forward sweep: iteration counters, and adjoint arrays alongside the arrays

    private void PrepareForward(Block block, List<Stmt> methodPrologue)
    {
        for (int i = 0; i < block.Stmts.Count; i++)
        {
            var s = block.Stmts[i];
            switch (s)
            {
                case Assign a when a.Dst.Type.IsArray && _activity.IsActive(a.Dst):
                    {
                        _arrayDefs[a.Dst] = a.Value;
                        var adjoint = ArrayAdjointOf(a, methodPrologue);
                        if (adjoint is not null)
                        {
                            block.Stmts.Insert(++i, adjoint);
                        }

                        break;
                    }

                case Store { Value: Var inner } st when inner.Type.IsArray && st.Array is Var outer && _arrayAdjoints.TryGetValue(outer, out var outerAdj)
                    && _arrayAdjoints.TryGetValue(inner, out var innerAdj):
                    if (innerAdj.Type.Form != ArrayForm.Array && outerAdj.Type.Element is { Form: ArrayForm.Array } proxyType)
                    {
                        // h[0] = h0 (or new[] { a, b }) of a parameter array: its gradient is the caller's span (dH0), which an
                        // array of arrays cannot hold. The row gets an adjoint array of its own, which the reverse of this
                        // store adds into the span (the row is the parameter itself, never written: SG0018).
                        if (inner.Type.Rank != 1 || proxyType.Rank != 1 || !proxyType.Element!.IsReal)
                        {
                            throw new UnsupportedException(
                                "An array of arrays holding the multi-dimensional parameter array '" + inner.Hint + "', whose gradient is a span the caller passes",
                                "index the parameter array directly",
                                outer.At);
                        }

                        var proxyLength = _method.NewVar("n", IrType.Int32, VarRole.Temp);
                        var proxy = _method.NewVar(inner.Hint + "Row", proxyType, VarRole.Adjoint);
                        block.Stmts.Insert(++i, new Assign(proxyLength, new Instr(Opcode.Length, IrType.Int32, new Operand[] { inner })));
                        block.Stmts.Insert(++i, new Assign(proxy, new Instr(Opcode.Alloc, proxyType, new Operand[] { proxyLength }, new AllocInfo(AllocKind.Heap, null))));
                        block.Stmts.Insert(++i, new Store(outerAdj, st.Index, proxy, accumulate: false));
                        _proxyRows[st] = innerAdj;
                        break;
                    }

                    block.Stmts.Insert(++i, new Store(outerAdj, st.Index, innerAdj, accumulate: false));
                    break;
                case Store { Value: Var data } st when data.Type.IsArray && data.Type.Rank == 1 && data.Type.Element is { IsReal: true } && !_arrayAdjoints.ContainsKey(data) && IsDataArray(data)
                    && st.Array is Var outer && _arrayAdjoints.TryGetValue(outer, out var rowsAdj) && outer.Type.Element is { IsArray: true, Rank: 1 } rowType:
                    {
                        // A row of data in an array of arrays that also holds differentiated rows (acts[0] = x; then
                        // acts[l + 1] = Layer(w[l], acts[l])): the reverse of a read of that row adds into its adjoint
                        // row, a sink of the data's length that nobody reads (the row was null, a NullReferenceException).
                        var length = _method.NewVar("n", IrType.Int32, VarRole.Temp);
                        var sink = _method.NewVar(data.Hint + "Sink", AdjointArrayType(rowType), VarRole.Adjoint);
                        block.Stmts.Insert(++i, new Assign(length, new Instr(Opcode.Length, IrType.Int32, new Operand[] { data })));
                        block.Stmts.Insert(++i, new Assign(sink, new Instr(Opcode.Alloc, sink.Type, new Operand[] { length }, new AllocInfo(AllocKind.Heap, null))));
                        block.Stmts.Insert(++i, new Store(rowsAdj, st.Index, sink, accumulate: false));
                        break;
                    }
                case If f:
                    PrepareForward(f.Then, methodPrologue);
                    PrepareForward(f.Else, methodPrologue);
                    foreach (var p in f.Phis.ToList())
                    {
                        // One branch may hold data (double[] a = w; if (c) a = data;): on that path the adjoint goes
                        // into a sink of the data's length that nobody reads (never dropped, never into w's).
                        Operand? thenAdjoint = ArrayAdjoint(p.Then);
                        Operand? elseAdjoint = ArrayAdjoint(p.Else);
                        if (p.Dst.Type.IsArray && _activity.IsActive(p.Dst) && (thenAdjoint is null) != (elseAdjoint is null))
                        {
                            thenAdjoint ??= DataSink(p.Then, p.Dst.Type, f.Then, methodPrologue) ?? throw Unsupported(p);
                            elseAdjoint ??= DataSink(p.Else, p.Dst.Type, f.Else, methodPrologue) ?? throw Unsupported(p);
                        }

                        if (p.Dst.Type.IsArray && _activity.IsActive(p.Dst) && thenAdjoint is { } t && elseAdjoint is { } e)
                        {
                            var type = t.Type.Form == ArrayForm.Array && e.Type.Form == ArrayForm.Array ? AdjointArrayType(p.Dst.Type) : p.Dst.Type.WithForm(ArrayForm.Span);
                            var dst = _method.NewVar(p.Dst.Hint, type, VarRole.Adjoint);
                            dst.Of = p.Dst;
                            _arrayAdjoints[p.Dst] = dst;
                            f.Phis.Add(new Phi(dst, t, e));
                        }
                    }

                    break;
                case Loop l:
                    {
                        // Array loop variables carry their adjoint arrays along: held as spans when one starts as a
                        // span (a parameter's gradient output) and the loop passes it to another ((a, b) = (b, a) of a
                        // parameter and a local), since a span cannot go into an array variable.
                        var spanAdjoint = new HashSet<Var>(l.Vars.Where(lv => lv.Var.Type.IsArray && _activity.IsActive(lv.Var) && (ArrayAdjoint(lv.Init)?.Type.Form ?? ArrayForm.Array) != ArrayForm.Array).Select(lv => lv.Var));
                        for (bool changed = true; changed;)
                        {
                            changed = false;
                            foreach (var lv in l.Vars)
                            {
                                if (lv.Next is Var next && l.Vars.Any(o => ReferenceEquals(o.Var, next)) && spanAdjoint.Contains(lv.Var) != spanAdjoint.Contains(next)
                                    && lv.Var.Type.IsArray && _activity.IsActive(lv.Var) && _activity.IsActive(next))
                                {
                                    spanAdjoint.Add(lv.Var);
                                    spanAdjoint.Add(next);
                                    changed = true;
                                }
                            }
                        }

                        foreach (var lv in l.Vars.ToList())
                        {
                            if (lv.Var.Type.IsArray && _activity.IsActive(lv.Var))
                            {
                                var initForm = spanAdjoint.Contains(lv.Var) ? ArrayForm.Span : ArrayAdjoint(lv.Init)?.Type.Form ?? ArrayForm.Array;
                                var dst = _method.NewVar(lv.Var.Hint, initForm == ArrayForm.Array ? AdjointArrayType(lv.Var.Type) : lv.Var.Type.WithForm(ArrayForm.Span), VarRole.Adjoint, mutable: true);
                                dst.Of = lv.Var;
                                _arrayAdjoints[lv.Var] = dst;
                            }
                        }

                        PrepareForward(l.Header, methodPrologue);
                        PrepareForward(l.Body, methodPrologue);
                        foreach (var lv in l.Vars.ToList())
                        {
                            // A variable that starts as data and then holds differentiated arrays (the activations of
                            // a network, a = x then a = Layer(w[l], a)): the data's adjoint is a sink of its length,
                            // made before the loop, that nobody reads (as for an if whose one branch holds data: an
                            // array value without an adjoint array is data).
                            Operand? initAdjoint = ArrayAdjoint(lv.Init);
                            if (initAdjoint is null && _arrayAdjoints.TryGetValue(lv.Var, out var pending)
                                && ArrayAdjoint(lv.Next) is not null && lv.Init is Var data)
                            {
                                var before = new Block();
                                initAdjoint = Sink(data, lv.Var.Type, before);
                                if (initAdjoint is not null)
                                {
                                    block.Stmts.InsertRange(i, before.Stmts);
                                    i += before.Stmts.Count;
                                }
                            }

                            if (_arrayAdjoints.TryGetValue(lv.Var, out var adj) && adj is Var adjVar && initAdjoint is { } init && ArrayAdjoint(lv.Next) is { } next)
                            {
                                if (adjVar.Type.Form == ArrayForm.Array && next.Type.Form != ArrayForm.Array)
                                {
                                    // double[] w = d (data, or a local array); for (...) { ...; if (c) w = p; }: the adjoint
                                    // starts as an array (a sink, or the local's adjoint) and the loop hands it a parameter's
                                    // gradient span, which an array variable cannot hold (the generated code did not compile).
                                    throw new UnsupportedException(
                                        "An array variable that holds data or a local array before a loop and that the loop later points at a parameter's array",
                                        "start it at the parameter's array, or keep the parameter and the other arrays in separate variables",
                                        l.At);
                                }

                                l.Vars.Add(new LoopVar(adjVar, init, next));
                            }
                            else if (_arrayAdjoints.ContainsKey(lv.Var) && lv.Init is Lit { Text: "null" or "default" })
                            {
                                // double[] w; do { w = p; ... } while (c); return w[0]: w starts as null (see
                                // Lowerer.BindAssignedInTheLoop), which has no adjoint array to carry.
                                throw new UnsupportedException(
                                    "An array variable declared without a value before a loop, assigned in the loop and read after it",
                                    "give it a value where it is declared (double[] w = p;), or keep what the loop computes in a variable declared in the loop and read it there",
                                    l.At);
                            }
                            else if (_arrayAdjoints.ContainsKey(lv.Var))
                            {
                                // A loop variable that holds data on some iterations and a differentiated array on others.
                                throw new UnsupportedException(
                                    "An array variable that a loop switches between data and a differentiated array",
                                    "keep data and differentiated values in separate array variables",
                                    l.At);
                            }
                        }

                        // Count the iterations, for the reverse loop.
                        var counter = _method.NewVar("n", IrType.Int32, VarRole.Internal, mutable: true);
                        var next2 = _method.NewVar("n", IrType.Int32, VarRole.Internal);
                        l.Body.Add(new Assign(next2, new Instr(Opcode.IAdd, IrType.Int32, new Operand[] { counter, Lit.Int(1) })));
                        l.Vars.Add(new LoopVar(counter, Lit.Int(0), next2));
                        _counters[l] = counter;
                        break;
                    }
            }
        }
    }

    /// <summary>The forward statement that defines an array value's adjoint array, or null (for a leaf already mapped).</summary>
    private Stmt? ArrayAdjointOf(Assign a, List<Stmt> methodPrologue)
    {
        var instr = a.Value;
        var type = AdjointArrayType(a.Dst.Type);
        Instr? adjoint = instr.Op switch
        {
            Opcode.Alloc => new Instr(Opcode.Alloc, type, instr.Args, AdjointAlloc((AllocInfo)instr.Data!, a.Dst)),
            Opcode.Copy when ArrayAdjoint(instr.Args[0]) is { } b => new Instr(Opcode.Copy, b.Type.Form == ArrayForm.Array ? type : type.WithForm(ArrayForm.Span), new[] { b }),
            Opcode.Slice when ArrayAdjoint(instr.Args[0]) is { } b2 => new Instr(Opcode.Slice, type.WithForm(ArrayForm.Span), new[] { b2, instr.Args[1], instr.Args[2] }),
            Opcode.Select when ArrayAdjoint(instr.Args[1]) is { } t && ArrayAdjoint(instr.Args[2]) is { } e => new Instr(Opcode.Select, t.Type.Form == ArrayForm.Array && e.Type.Form == ArrayForm.Array ? type : type.WithForm(ArrayForm.Span), new[] { instr.Args[0], t, e }),
            Opcode.Load when ArrayAdjoint(instr.Args[0]) is { } outer => new Instr(Opcode.Load, type, instr.Args.Skip(1).Prepend(outer).ToArray()),
            _ => null,
        };
        if (adjoint is null)
        {
            return null;
        }

        var dst = _method.NewVar(a.Dst.Hint, adjoint.Type, VarRole.Adjoint);
        dst.Of = a.Dst;
        _arrayAdjoints[a.Dst] = dst;
        return new Assign(dst, adjoint);
    }

    /// <summary>Adjoint arrays are stored like their arrays: pooled scratch for scratch arrays, the heap otherwise.</summary>
    private AllocInfo AdjointAlloc(AllocInfo primal, Var of)
    {
        if (primal.Kind == AllocKind.Scratch)
        {
            var buffer = _method.NewVar(of.Hint + "Adjoint", IrType.Object, VarRole.Internal);
            _method.Resources.Add((buffer, "new global::SymbolicGrad.Internal.ScratchBuffer<" + (of.Type.Element?.CSharp ?? "double") + ">()"));
            return new AllocInfo(AllocKind.Scratch, buffer);
        }

        return new AllocInfo(AllocKind.Heap, null);
    }

    /// <summary>An adjoint array is held like its array (a heap array for a heap array, a span for a span), but always writable.</summary>
    private static IrType AdjointArrayType(IrType t) => t.Form == ArrayForm.ReadOnlySpan ? t.WithForm(ArrayForm.Span) : t;

    private static UnsupportedException Unsupported(Phi p) =>
        new("An array variable chosen between data and a differentiated array here", "keep data and differentiated values in separate array variables");

    /// <summary>
    /// The sink of <see cref="Sink"/> for data on one path of an if. A span parameter's data (never null) gets one sink
    /// for the whole method, made before anything else: a loop that chooses between it and a differentiated span (var a =
    /// t[i] &gt; 1.5 ? u : t, also a choice carried from one iteration to the next) then chooses among views from before the
    /// loop, which the reverse iteration takes again from the stored choice (a span made in the loop cannot be kept for
    /// it), and nothing is allocated per iteration. An array parameter may be null where the method never reads it, so
    /// its length is taken only on the path that chooses it.
    /// </summary>
    private Operand? DataSink(Operand data, IrType like, Block branch, List<Stmt> methodPrologue)
    {
        if (data is Var dv && dv.Type.IsArray && dv.Type.Form != ArrayForm.Array && dv.Role == VarRole.Parameter && _method.Leaves.Any(l => ReferenceEquals(l.Var, dv)))
        {
            if (!_parameterSinks.TryGetValue(dv, out var shared))
            {
                var before = new Block();
                shared = Sink(dv, like, before);
                if (shared is null)
                {
                    return null;
                }

                methodPrologue.AddRange(before.Stmts);
                _parameterSinks[dv] = shared;
            }

            return shared;
        }

        return Sink(data, like, branch);
    }

    private readonly Dictionary<Var, Operand> _parameterSinks = new();

    /// <summary>A write-only adjoint for a data array on one path of an if: a fresh array of its length, at the end of that branch.</summary>
    private Operand? Sink(Operand data, IrType like, Block branch)
    {
        if (data is not Var dv)
        {
            // No array on this path (the variable is unassigned there): no adjoint either.
            return data;
        }

        if (like.Element is not { IsReal: true })
        {
            return null;
        }

        if (like.Rank == 2 && like.Form == ArrayForm.Array && dv.Type.Rank == 2 && dv.Type.Form == ArrayForm.Array)
        {
            // A double[,] of data: a matrix of its shape.
            var rows = _method.NewVar("rows", IrType.Int32, VarRole.Temp);
            var columns = _method.NewVar("columns", IrType.Int32, VarRole.Temp);
            branch.Add(new Assign(rows, new Instr(Opcode.GetLength, IrType.Int32, new Operand[] { dv, Lit.Int(0) })));
            branch.Add(new Assign(columns, new Instr(Opcode.GetLength, IrType.Int32, new Operand[] { dv, Lit.Int(1) })));
            var matrixSink = _method.NewVar(dv.Hint + "Sink", AdjointArrayType(like), VarRole.Adjoint);
            branch.Add(new Assign(matrixSink, new Instr(Opcode.Alloc, matrixSink.Type, new Operand[] { rows, columns }, new AllocInfo(AllocKind.Heap, null))));
            return matrixSink;
        }

        if (like.Rank != 1)
        {
            return null;
        }

        var length = _method.NewVar("n", IrType.Int32, VarRole.Temp);
        branch.Add(new Assign(length, new Instr(Opcode.Length, IrType.Int32, new Operand[] { dv })));
        // An array even for a span's data (ReadOnlySpan<double> a = c ? u : t): a span made in a loop could not be kept for
        // the reverse iteration, which chooses the adjoint again (du or this sink); an array converts to the span it is used as.
        var sink = _method.NewVar(dv.Hint + "Sink", like.WithForm(ArrayForm.Array), VarRole.Adjoint);
        branch.Add(new Assign(sink, new Instr(Opcode.Alloc, sink.Type, new Operand[] { length }, new AllocInfo(AllocKind.Heap, null))));
        return sink;
    }

    /// <summary>
    /// An array that carries no derivative: not active, a parameter that is data, an array that code run as written
    /// returns (a field, a data object's member: checked not to depend on the parameters), or a row or view of one
    /// (active only because a write through an array of arrays holding it could reach it).
    /// </summary>
    private bool IsDataArray(Var v, int depth = 0) =>
        !_activity.IsActive(v)
        || (v.Role == VarRole.Parameter && !_method.Leaves.Any(l => l.Differentiable && ReferenceEquals(l.Var, v)))
        || (depth < 8 && _arrayDefs.TryGetValue(v, out var def)
            && (def.Op == Opcode.Opaque
                || (def.Op is Opcode.Load or Opcode.Copy or Opcode.Slice && def.Args[0] is Var source && !_arrayAdjoints.ContainsKey(source) && IsDataArray(source, depth + 1))));

    private readonly Dictionary<Var, Instr> _arrayDefs = new();

    private Operand? ArrayAdjoint(Operand o) => o is Var v && _arrayAdjoints.TryGetValue(v, out var a) ? a : null;

    // ---------------------------------------------------------------------------------------------------------
    // Reverse sweep

    /// <summary>The adjoint accumulator of a real value (created on first use).</summary>
    private Var Adjoint(Var v)
    {
        if (!_adjoints.TryGetValue(v, out var a))
        {
            a = _method.NewVar(v.Hint, v.Type, VarRole.Adjoint, mutable: true);
            a.Of = v;
            _adjoints[v] = a;
        }

        return a;
    }

    private bool IsActiveReal(Operand o) => o is Var v && v.Type.IsReal && _activity.IsActive(v);

    private void RecordDepths(Block block, int depth)
    {
        // An explicit stack: nesting in the user's code is bounded by its text, but the walk never recurses on it.
        var work = new Stack<(Block Block, int Depth)>();
        work.Push((block, depth));
        while (work.Count > 0)
        {
            var (current, d) = work.Pop();
            foreach (var st in current.Stmts)
            {
                switch (st)
                {
                    case Assign a:
                        _defDepth[a.Dst] = d;
                        break;
                    case If f:
                        foreach (var phi in f.Phis)
                        {
                            _defDepth[phi.Dst] = d;
                        }

                        work.Push((f.Then, d + 1));
                        work.Push((f.Else, d + 1));
                        break;
                    case Loop l:
                        foreach (var lv in l.Vars)
                        {
                            _loopVars.Add(lv.Var);
                            _defDepth[lv.Var] = d;
                        }

                        work.Push((l.Header, d + 1));
                        work.Push((l.Body, d + 1));
                        break;
                }
            }
        }
    }

    private readonly HashSet<Var> _loopVars = new();

    /// <summary>
    /// A contribution to <paramref name="target"/>'s adjoint made inside an if arm or a loop body that its definition is
    /// outside: it may not be made at all, so the adjoint may stay zero. (A loop variable's adjoint is carried through
    /// the iterations and flows to its initial value whether or not the loop runs: not counted.)
    /// </summary>
    private void NoteContribution(Operand target)
    {
        if (target is Var v && !_loopVars.Contains(v) && _depth > (_defDepth.TryGetValue(v, out int d) ? d : 0))
        {
            _mayBeZero.Add(v);
        }
    }

    /// <summary>∂v/∂a·vBar, or 0 where vBar is 0 when v's adjoint may be zero (see <see cref="_mayBeZero"/>).</summary>
    private Operand Contribution(Operand partial, Operand vBar, Operand? zeroAdjoint, Builder b, bool zeroPartial = false)
    {
        // A constant partial is finite: its product with a zero adjoint is zero already.
        var product = b.Mul(partial, vBar);
        if (zeroPartial && partial is not Const && vBar is not Const)
        {
            // A kink's argument not chosen contributes 0 even where the adjoint is infinite: Math.Sqrt(Math.Max(x, 0)) at
            // x = −1 was 0·∞ = NaN (red-team N); PyTorch and JAX give 0 there too.
            product = b.Select(b.Op(Opcode.Cmp, IrType.Bool, CmpKind.Eq, partial, new Const(0, partial.Type)), new Const(0, product.Type), product);
        }

        return zeroAdjoint is null || partial is Const ? product : b.Op(Opcode.Select, product.Type, ZeroAdjointGuard.Instance, zeroAdjoint, new Const(0, product.Type), product);
    }

    /// <summary>vBar == 0, the guard of v's contributions, when v's adjoint may be zero; else null.</summary>
    private Operand? ZeroAdjoint(Var v, Var vBar, Builder b) =>
        _mayBeZero.Contains(v) ? b.Op(Opcode.Cmp, IrType.Bool, CmpKind.Eq, vBar, new Const(0, vBar.Type)) : null;


    /// <summary>
    /// The reverse of a block: the adjoints of the values it defines zeroed, then <paramref name="prologue"/> (flows into
    /// the block from its end: φs, loop variables, the seed), then its statements' contributions, last first.
    /// </summary>
    private Block ReverseBlock(Block block, List<(Operand Target, Operand Value)> prologue, List<Var>? definedAbove, Loop? loop)
    {
        foreach (var (target, _) in prologue)
        {
            if (target is Var tv)
            {
                Adjoint(tv);
            }
        }

        _depth++;
        var body = new Block();
        var b = new Builder(_method, body, exact: false);
        var defined = new List<Var>(definedAbove ?? new List<Var>());
        for (int i = block.Stmts.Count - 1; i >= 0; i--)
        {
            var s = block.Stmts[i];
            switch (s)
            {
                case Assign a:
                    defined.AddRange(IrWalk.Writes(a));
                    ReverseAssign(a, b);
                    break;
                case Store st:
                    ReverseStore(st, b);
                    break;
                case If f:
                    defined.AddRange(f.Phis.Select(p => p.Dst));
                    ReverseIf(f, b);
                    break;
                case Loop l:
                    defined.AddRange(l.Vars.Select(v => v.Var));
                    ReverseLoop(l, b);
                    break;
            }
        }

        // Zero the adjoints of what this block defines (those that anything uses), then the flows from the block's end.
        var head = new Block();
        var h = new Builder(_method, head, exact: false);
        foreach (var v in defined)
        {
            if (_adjoints.TryGetValue(v, out var adj))
            {
                h.Set(adj, new Const(0, adj.Type));
            }
        }

        foreach (var (target, value) in prologue)
        {
            if (target is Var tv && _adjoints.TryGetValue(tv, out var adj))
            {
                NoteContribution(tv);
                h.Accumulate(adj, Convert(value, adj.Type, h));
            }
        }

        head.Stmts.AddRange(body.Stmts);
        _depth--;
        return head;
    }

    private static Operand Convert(Operand value, IrType type, Builder b) =>
        value.Type.Equals(type) ? value : b.Op(Opcode.Convert, type, value);

    /// <summary>A comment for a contribution to a named value (a parameter or a local of the user's); none for temporaries.</summary>
    private string? Describe(Instr instr, Operand target)
    {
        if (target is not Var v || v.Role is not (VarRole.Parameter or VarRole.Local) || instr.Source is null)
        {
            return null;
        }

        string of = v.Role == VarRole.Parameter ? (v.Name ?? v.Hint).TrimStart('@') : v.Hint;
        return "∂" + _functionName + "/∂" + of + " from " + instr.Source + " (" + DerivativeRules.Name(instr.Op) + ")";
    }

    private void ReverseAssign(Assign a, Builder b)
    {
        var v = a.Dst;
        var instr = a.Value;
        if (!v.Type.IsReal || !_activity.IsActive(v) || !_adjoints.TryGetValue(v, out var vBar))
        {
            return;
        }

        switch (instr.Op)
        {
            case Opcode.Load:
                if (ArrayAdjoint(instr.Args[0]) is { } adjArray)
                {
                    b.PendingComment = Describe(instr, instr.Args[0]);
                    b.Add(new Store(adjArray, instr.Args.Skip(1).ToArray(), vBar, accumulate: true));
                }

                return;
            case Opcode.Call:
                {
                    var call = (CallInfo)instr.Data!;
                    int argBase = instr.Args.Length - call.Differentiable.Length;
                    int k = 0;
                    for (int i = 0; i < call.Differentiable.Length; i++)
                    {
                        if (!call.Differentiable[i])
                        {
                            continue;
                        }

                        var partial = call.Partials[k++];
                        var arg = instr.Args[argBase + i];
                        if (IsActiveReal(arg))
                        {
                            b.PendingComment = Describe(instr, arg);
                            var target = Adjoint((Var)arg);
                            var zero = ZeroAdjoint(v, vBar, b);
                            NoteContribution(arg);
                            if (zero is not null)
                            {
                                _mayBeZero.Add((Var)arg);
                            }

                            b.Accumulate(target, Convert(Contribution(partial, vBar, zero, b), target.Type, b));
                        }
                    }

                    return;
                }

            case Opcode.Select:
                for (int i = 1; i <= 2; i++)
                {
                    if (IsActiveReal(instr.Args[i]))
                    {
                        b.PendingComment = Describe(instr, instr.Args[i]);
                        var target = Adjoint((Var)instr.Args[i]);
                        var zero = new Const(0, v.Type);
                        _mayBeZero.Add((Var)instr.Args[i]);
                        var part = i == 1 ? b.Select(instr.Args[0], vBar, zero) : b.Select(instr.Args[0], zero, vBar);
                        b.Accumulate(target, Convert(part, target.Type, b));
                    }
                }

                return;
        }

        if (!instr.IsRealMath || DerivativeRules.IsStep(instr.Op))
        {
            return;
        }

        bool any = false;
        foreach (var arg in instr.Args)
        {
            any |= IsActiveReal(arg);
        }

        if (!any)
        {
            return;
        }

        b.PendingComment = null;
        if (instr.Op == Opcode.Mul && instr.Args.Length == 2 && ReferenceEquals(instr.Args[0], instr.Args[1]) && instr.Args[0] is Var square && IsActiveReal(square))
        {
            // x·x: one contribution x·(2·v̄), not x·v̄ twice (added as 2·(x·v̄)). The same value (scaling by 2 is exact,
            // unless x·v̄ is subnormal), and 2·v̄ does not depend on x: outside a loop when v̄ is (a mean's 1/n, the
            // squared residuals of least squares), where the hand-written gradient has it too.
            var twice = b.Mul(new Const(2, vBar.Type), vBar);
            var zeroSquare = ZeroAdjoint(v, vBar, b);
            b.PendingComment = Describe(instr, square);
            var squareTarget = Adjoint(square);
            NoteContribution(square);
            if (zeroSquare is not null)
            {
                _mayBeZero.Add(square);
            }

            b.Accumulate(squareTarget, Convert(Contribution(square, twice, zeroSquare, b), squareTarget.Type, b));
            return;
        }

        if (instr.Op is Opcode.Div or Opcode.Log && instr.Args[instr.Args.Length - 1].Type.Equals(v.Type) && QuotientContributions(a, vBar, b))
        {
            return;
        }

        var partials = DerivativeRules.Partials(instr, v, b);
        Operand? zeroAdjoint = null;
        bool zeroChecked = false;
        for (int i = 0; i < instr.Args.Length; i++)
        {
            var arg = instr.Args[i];
            if (partials[i] is not { } p || !IsActiveReal(arg))
            {
                continue;
            }

            if (!zeroChecked)
            {
                zeroAdjoint = ZeroAdjoint(v, vBar, b);
                zeroChecked = true;
            }

            b.PendingComment = Describe(instr, arg);
            var target = Adjoint((Var)arg);
            NoteContribution(arg);
            if (zeroAdjoint is not null || DerivativeRules.IsKink(instr.Op))
            {
                _mayBeZero.Add((Var)arg);
            }

            b.Accumulate(target, Convert(Contribution(p, vBar, zeroAdjoint, b, DerivativeRules.IsKink(instr.Op)), target.Type, b));
        }
    }

    /// <summary>
    /// The contributions of a quotient v = a / d and of v = log(d), written with one division: ā += v̄ / d (not (1 / d)·v̄),
    /// d̄ −= v·(v̄ / d) (not (v / d)·v̄, a second division), and for v = 1 / d (a sigmoid's 1 / (1 + e⁻ᶻ)) d̄ −= (v·v)·v̄, no
    /// division at all. The same derivatives, each rounded once or twice less; the hand-written gradient of a sigmoid
    /// or a log-likelihood has no division either. Returns false (nothing emitted) for shapes it does not cover.
    /// </summary>
    private bool QuotientContributions(Assign a, Var vBar, Builder b)
    {
        var v = a.Dst;
        var instr = a.Value;
        var den = instr.Args[instr.Args.Length - 1];
        bool numActive = instr.Op == Opcode.Div && IsActiveReal(instr.Args[0]);
        bool denActive = IsActiveReal(den);
        if (!denActive && !numActive)
        {
            return true;
        }

        var zero = ZeroAdjoint(v, vBar, b);
        Operand Guard(Operand product) =>
            zero is null ? product : b.Op(Opcode.Select, product.Type, ZeroAdjointGuard.Instance, zero, new Const(0, product.Type), product);

        void Add(Var arg, Operand contribution)
        {
            b.PendingComment = Describe(instr, arg);
            var target = Adjoint(arg);
            NoteContribution(arg);
            if (zero is not null)
            {
                _mayBeZero.Add(arg);
            }

            b.Accumulate(target, Convert(Guard(contribution), target.Type, b));
        }

        if (instr.Op == Opcode.Log)
        {
            Add((Var)den, b.Div(vBar, den));
            return true;
        }

        if (!numActive && instr.Args[0] is Const { } one && one.Is(1))
        {
            Add((Var)den, b.Neg(b.Mul(b.Mul(v, v), vBar)));
            return true;
        }

        var q = b.Div(vBar, den);
        if (numActive)
        {
            Add((Var)instr.Args[0], q);
        }

        if (denActive)
        {
            Add((Var)den, b.Neg(b.Mul(v, q)));
        }

        return true;
    }

    private void ReverseStore(Store st, Builder b)
    {
        if (_proxyRows.TryGetValue(st, out var gradientSpan) && ArrayAdjoint(st.Array) is { } rows)
        {
            // h[k] = p, a parameter array whose gradient is a span: what the reads through h[k] added into the row's own
            // adjoint array goes into the span, element by element.
            var rowType = rows.Type.Element!;
            var row = b.Op(Opcode.Load, rowType, null, Prepend(rows, st.Index));
            var length = b.Op(Opcode.Length, IrType.Int32, (object?)null, row);
            var loop = new Loop { Source = "the reverse of a row that is a parameter's array" };
            var j = _method.NewVar("j", IrType.Int32, VarRole.Internal, mutable: true);
            var c = _method.NewVar("c", IrType.Bool, VarRole.Temp);
            loop.Header.Add(new Assign(c, new Instr(Opcode.Cmp, IrType.Bool, new Operand[] { j, length }, CmpKind.Lt)));
            loop.Cond = c;
            var body = new Builder(_method, loop.Body, exact: false);
            var element = body.Op(Opcode.Load, rowType.Element!, (object?)null, row, j);
            body.Add(new Store(gradientSpan, new Operand[] { j }, Convert(element, gradientSpan.Type.Element!, body), accumulate: true));
            var jNext = body.Op(Opcode.IAdd, IrType.Int32, j, Lit.Int(1));
            loop.Vars.Add(new LoopVar(j, Lit.Int(0), jNext));
            loop.Counted = new Counted(j, 1, CmpKind.Lt, length);
            b.Add(loop);
            return;
        }

        if (ArrayAdjoint(st.Array) is not { } adjArray || !st.Array.Type.Element!.IsReal)
        {
            return;
        }

        if (IsActiveReal(st.Value))
        {
            var g = b.Op(Opcode.Load, st.Array.Type.Element, null, Prepend(adjArray, st.Index));
            var target = Adjoint((Var)st.Value);
            b.PendingComment = ((Var)st.Value).Role is VarRole.Local or VarRole.Parameter ? "∂" + _functionName + "/∂" + ((Var)st.Value).Hint + " through the element it was written to" : null;
            b.Accumulate(target, Convert(g, target.Type, b));
        }

        if (!st.Accumulate)
        {
            // The element was overwritten: what it held before contributes nothing after this point.
            b.Add(new Store(adjArray, st.Index, new Const(0, st.Array.Type.Element), accumulate: false));
        }
    }

    private static Operand[] Prepend(Operand first, Operand[] rest)
    {
        var all = new Operand[rest.Length + 1];
        all[0] = first;
        Array.Copy(rest, 0, all, 1, rest.Length);
        return all;
    }

    private void ReverseIf(If f, Builder b)
    {
        var thenFlows = new List<(Operand, Operand)>();
        var elseFlows = new List<(Operand, Operand)>();
        foreach (var p in f.Phis)
        {
            if (!p.Dst.Type.IsReal || !_adjoints.TryGetValue(p.Dst, out var pBar))
            {
                continue;
            }

            if (IsActiveReal(p.Then))
            {
                thenFlows.Add((p.Then, pBar));
                if (_mayBeZero.Contains(p.Dst))
                {
                    _mayBeZero.Add((Var)p.Then);
                }
            }

            if (IsActiveReal(p.Else))
            {
                elseFlows.Add((p.Else, pBar));
                if (_mayBeZero.Contains(p.Dst))
                {
                    _mayBeZero.Add((Var)p.Else);
                }
            }
        }

        var then = ReverseBlock(f.Then, thenFlows, null, null);
        var @else = ReverseBlock(f.Else, elseFlows, null, null);
        if (then.Stmts.Count == 0 && @else.Stmts.Count == 0)
        {
            return;
        }

        b.Add(new If(f.Cond, then, @else, new List<Phi>()));
    }

    private void ReverseLoop(Loop l, Builder b)
    {
        var counter = _counters[l];
        var reverse = new Loop { Source = l.Source, At = l.At };
        var k = _method.NewVar("k", IrType.Int32, VarRole.Internal, mutable: true);
        var first = b.Op(Opcode.ISub, IrType.Int32, counter, Lit.Int(1));
        var kNext = _method.NewVar("k", IrType.Int32, VarRole.Internal);
        reverse.Header.Add(new Assign(_method.NewVar("c", IrType.Bool, VarRole.Temp), new Instr(Opcode.Cmp, IrType.Bool, new Operand[] { k, Lit.Int(0) }, CmpKind.Ge)));
        reverse.Cond = ((Assign)reverse.Header.Stmts[0]).Dst;

        // The end of an iteration: each loop variable's adjoint flows to the value it was given (in parallel).
        var flows = new List<(Operand, Operand)>();
        var moves = new List<Stmt>();
        var mb = new Builder(_method, new Block(), exact: false);
        // Every active loop variable carries an adjoint through the iterations, whether or not anything after the loop
        // uses it yet: uses inside the body (reversed below) flow into it and on to the previous iteration.
        var active = l.Vars.Where(lv => lv.Var.Type.IsReal && _activity.IsActive(lv.Var)).ToList();
        foreach (var lv in active)
        {
            Adjoint(lv.Var);
        }

        var temps = new List<(LoopVar, Operand)>();
        foreach (var lv in active)
        {
            var adj = _adjoints[lv.Var];
            var t = mb.Op(Opcode.Copy, adj.Type, (object?)null, adj);
            temps.Add((lv, t));
        }

        foreach (var (lv, _) in temps)
        {
            mb.Set(_adjoints[lv.Var], new Const(0, lv.Var.Type));
        }

        foreach (var (lv, t) in temps)
        {
            if (IsActiveReal(lv.Next))
            {
                flows.Add((lv.Next, t));
                if (_mayBeZero.Contains(lv.Var))
                {
                    _mayBeZero.Add((Var)lv.Next);
                }
            }
        }

        var body = ReverseBlock(l.Body, flows, null, l);
        body.Stmts.InsertRange(0, mb.Block.Stmts);
        if (body.Stmts.Count == 0)
        {
            return;
        }

        // The flows are into values of the body, whose adjoints the body zeroes first; put the moves before those zeroings
        // would lose them, so they go right after: ReverseBlock put them after the zeroing already; the reads of the loop
        // variables' adjoints must come before anything else.
        reverse.Body.Stmts.AddRange(body.Stmts);
        reverse.Vars.Add(new LoopVar(k, first, kNext));
        reverse.Counted = new Counted(k, -1, CmpKind.Ge, Lit.Int(0));
        reverse.Body.Add(new Assign(kNext, new Instr(Opcode.ISub, IrType.Int32, new Operand[] { k, Lit.Int(1) })));
        reverse.Comment = "reverse of " + (l.Source ?? "the loop") + ": its iterations, last first";
        b.Add(reverse);
        _reverseLoops[reverse] = (l, counter);

        // Before the loop: the loop variables' adjoints flow to their initial values.
        foreach (var lv in active)
        {
            if (IsActiveReal(lv.Init))
            {
                if (_mayBeZero.Contains(lv.Var))
                {
                    _mayBeZero.Add((Var)lv.Init);
                }

                var target = Adjoint((Var)lv.Init);
                b.Accumulate(target, Convert(_adjoints[lv.Var], target.Type, b));
            }
        }
    }
}

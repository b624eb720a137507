using SymbolicGrad.Generator.Analysis;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Rules;

namespace SymbolicGrad.Generator.Transforms;

/// <summary>
/// Forward mode (tangents) on the structured IR: every real value v that varies with the seeded inputs gets a tangent
/// v̇, computed right after v from the tangents of its operands (v̇ = Σ ∂v/∂aᵢ · ȧᵢ, the same rules the reverse sweep
/// uses); every real array in a varied class gets a tangent array alongside it (allocated, viewed, chosen and carried
/// like the array), and every write into the array writes the tangent array too. Applied to a method's own body it
/// gives Jacobian-vector products (NameTangent); applied to the body of NameGradient (forward sweep, tape and reverse
/// sweep) it gives forward-over-reverse: the tangent of the gradient is the Hessian times the direction.
/// </summary>
internal sealed class Tangent
{
    private readonly IrMethod _method;
    private readonly Dictionary<Var, Operand> _seeds;
    private readonly Dictionary<Var, Var> _tangents = new();
    private readonly Dictionary<Var, Operand> _arrayTangents = new();
    private readonly HashSet<Var> _varied = new();
    private readonly HashSet<Var> _variedClasses = new();
    private readonly HashSet<Var> _variedStacks = new();
    private readonly Dictionary<Var, string> _unknown = new();
    private readonly Dictionary<Var, Operand> _zeroTests = new();
    private readonly Aliasing _aliasing;
    private readonly Block _root;
    private readonly string _what;

    /// <param name="method">The method whose variables the new ones are numbered after.</param>
    /// <param name="root">The body to transform (read; a new body is returned).</param>
    /// <param name="seeds">The inputs' tangents: a real or a real array (span) for each seeded variable; the outputs'
    /// arrays whose tangents are the caller's spans too (an adjoint span dW and its tangent).</param>
    /// <param name="what">What is being computed, for messages ("second derivatives", "the Jacobian").</param>
    public Tangent(IrMethod method, Block root, Dictionary<Var, Operand> seeds, string what)
    {
        _method = method;
        _root = root;
        _seeds = seeds;
        _what = what;
        var scope = new IrMethod(method.ReturnType) { Body = root };
        scope.Params.AddRange(method.Params);
        _aliasing = new Aliasing(scope);
        foreach (var kv in seeds)
        {
            if (kv.Key.Type.IsArray)
            {
                _arrayTangents[kv.Key] = kv.Value;
            }
        }

        Analyze();
    }

    /// <summary>Does the value vary with the seeded inputs (so that it has a tangent)?</summary>
    public bool IsVaried(Operand o)
    {
        if (o is not Var v)
        {
            return false;
        }

        if (v.Type.IsArray)
        {
            return _variedClasses.Contains(_aliasing.Find(v));
        }

        return v.Type.IsReal && _varied.Contains(v);
    }

    /// <summary>The tangent of a real value after the transform: its tangent variable, or 0.</summary>
    public Operand TangentOf(Operand o)
    {
        if (o is Var v && v.Type.IsReal && IsVaried(v))
        {
            if (_unknown.TryGetValue(v, out var callee))
            {
                throw Unknown(callee);
            }

            if (_seeds.TryGetValue(v, out var seed))
            {
                return seed;
            }

            return TangentVar(v);
        }

        return new Const(0, o.Type.IsReal ? o.Type : IrType.Double);
    }

    /// <summary>The tangent array of an array value, or null when its class does not vary.</summary>
    public Operand? ArrayTangentOf(Operand o) => o is Var v && _arrayTangents.TryGetValue(v, out var t) ? t : null;

    public Block Run() => TransformBlock(_root);

    // ---------------------------------------------------------------------------------------------------------
    // Which values vary (a fixpoint, as loops carry values around)

    private void Analyze()
    {
        foreach (var kv in _seeds)
        {
            Mark(kv.Key);
        }

        bool changed = true;
        for (int pass = 0; changed && pass < 100; pass++)
        {
            changed = false;
            foreach (var (s, _) in IrWalk.All(_root))
            {
                switch (s)
                {
                    case Assign a when a.Value.Op == Opcode.Pop && a.Dst.Type.IsArray && a.Value.Data is StackInfo { Pushed: { } pushed } si:
                        // The array the forward sweep pushed and the one the reverse pops are the same memory: if either
                        // varies (the reverse sweep writes adjoints into arrays the forward only allocated), both have a
                        // tangent, and the stack carries it.
                        if (IsVaried(a.Dst) || IsVaried(pushed))
                        {
                            changed |= Mark(a.Dst);
                            changed |= Mark(pushed);
                            changed |= IsVaried(a.Dst) && _variedStacks.Add(si.Stack);
                        }

                        break;
                    case Assign a:
                        if (Derives(a.Value))
                        {
                            changed |= Mark(a.Dst);
                            if (a.Value.Data is CallInfo call)
                            {
                                foreach (var p in call.Partials)
                                {
                                    if (p.Type.IsReal || p.Type.IsArray)
                                    {
                                        changed |= Mark(p);
                                        _unknown[p] = call.Description;
                                    }
                                }
                            }
                        }

                        break;
                    case Store st:
                        if (IsVaried(st.Value) && st.Array is Var arr && st.Array.Type.IsArray && Activity.CarriesDerivative(st.Array.Type.Element!))
                        {
                            changed |= _variedClasses.Add(_aliasing.Find(arr));
                        }

                        break;
                    case Push p:
                        if (IsVaried(p.Value))
                        {
                            changed |= _variedStacks.Add(p.Stack);
                        }

                        break;
                    case If i:
                        foreach (var p in i.Phis)
                        {
                            if (IsVaried(p.Then) || IsVaried(p.Else))
                            {
                                changed |= Mark(p.Dst);
                            }
                        }

                        break;
                    case Loop l:
                        foreach (var lv in l.Vars)
                        {
                            if (IsVaried(lv.Init) || IsVaried(lv.Next))
                            {
                                changed |= Mark(lv.Var);
                            }
                        }

                        break;
                }
            }
        }
    }

    private bool Derives(Instr instr)
    {
        if (!(instr.Type.IsReal || (instr.Type.IsArray && Activity.CarriesDerivative(instr.Type))))
        {
            return false;
        }

        switch (instr.Op)
        {
            case Opcode.Pop:
                return _variedStacks.Contains(((StackInfo)instr.Data!).Stack);
            case Opcode.Opaque:
                return false;
            case Opcode.Load:
                return IsVaried(instr.Args[0]);
            case Opcode.Alloc:
                return false;
            default:
                if (instr.IsRealMath && DerivativeRules.IsStep(instr.Op))
                {
                    return false;
                }

                foreach (var a in instr.Args)
                {
                    if (IsVaried(a))
                    {
                        return true;
                    }
                }

                return false;
        }
    }

    private bool Mark(Var v)
    {
        if (v.Type.IsArray)
        {
            return Activity.CarriesDerivative(v.Type.Element!) && _variedClasses.Add(_aliasing.Find(v));
        }

        return v.Type.IsReal && _varied.Add(v);
    }

    private UnsupportedException Unknown(string callee) => new(
        "Taking " + _what + " through " + callee + ", whose derivative is compiled (a [CustomDerivative] or a [Differentiable] method of another assembly) and first order only,",
        "call a method whose source is in the compilation, or drop Hessian = true");

    private Var TangentVar(Var v)
    {
        if (!_tangents.TryGetValue(v, out var t))
        {
            t = _method.NewVar(v.Hint, v.Type, VarRole.Tangent, v.Mutable);
            t.Of = v;
            _tangents[v] = t;
        }

        return t;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The transform

    private Block TransformBlock(Block block)
    {
        var result = new Block();
        var b = new Builder(_method, result, exact: false);
        foreach (var s in block.Stmts)
        {
            switch (s)
            {
                case Assign a:
                    TransformAssign(a, b);
                    break;
                case Store st:
                    b.Add(st);
                    TransformStore(st, b);
                    break;
                case If f:
                    TransformIf(f, b);
                    break;
                case Loop l:
                    TransformLoop(l, b);
                    break;
                case Push p:
                    b.Add(p);
                    if (_variedStacks.Contains(p.Stack))
                    {
                        if (p.Value.Type.IsReal)
                        {
                            b.Add(new Push(p.Stack, TangentOf(p.Value)));
                        }
                        else if (p.Value.Type.IsArray && Activity.CarriesDerivative(p.Value.Type))
                        {
                            var t = ArrayTangentOf(p.Value);
                            if (t is not null && t.Type.Form != ArrayForm.Array)
                            {
                                throw new UnsupportedException(_what + " of a method that keeps a span for its reverse sweep", "use arrays (T[]) for values a loop keeps", (p.Value as Var)?.At);
                            }

                            b.Add(new Push(p.Stack, t ?? new Lit("null!", p.Value.Type)));
                        }
                    }

                    break;
                default:
                    b.Add(s);
                    break;
            }
        }

        return result;
    }

    private void TransformAssign(Assign a, Builder b)
    {
        var dst = a.Dst;
        var instr = a.Value;
        if (dst.Type.IsArray)
        {
            b.Add(a);
            if (IsVaried(dst))
            {
                DefineArrayTangent(a, b);
            }
            else if (instr.Op == Opcode.Pop && _variedStacks.Contains(((StackInfo)instr.Data!).Stack) && Activity.CarriesDerivative(dst.Type))
            {
                // The stack carries tangents (for other arrays): this array's slot (null) comes off too, unused.
                var unused = _method.NewVar(dst.Hint, WritableLike(dst.Type), VarRole.Tangent);
                b.Block.Stmts.Insert(b.Block.Stmts.Count - 1, new Assign(unused, new Instr(Opcode.Pop, unused.Type, Array.Empty<Operand>(), instr.Data)));
            }

            return;
        }

        if (instr.Op == Opcode.Cmp && instr.Cmp == CmpKind.Eq && instr.Args[1] is Const { Value: 0 })
        {
            // A test v̄ == 0, which a guarded contribution (ZeroAdjointGuard) may read.
            _zeroTests[dst] = instr.Args[0];
        }

        if (!dst.Type.IsReal || !IsVaried(dst))
        {
            b.Add(a);
            return;
        }

        if (instr.Op == Opcode.Pop)
        {
            // The forward sweep pushed the value, then its tangent: the tangent comes off first.
            var popped = new Assign(TangentVar(dst), new Instr(Opcode.Pop, dst.Type, Array.Empty<Operand>(), instr.Data));
            b.Add(popped);
            b.Add(a);
            return;
        }

        if (instr.Op == Opcode.Call)
        {
            b.Add(a);
            b.Set(TangentVar(dst), CallTangent(instr, b));
            return;
        }

        // A value that reads itself (an accumulator: s = s + x) is computed into a temporary first, so that its
        // tangent is taken at the operands' old values.
        bool selfReading = dst.Mutable || Array.Exists(instr.Args, o => ReferenceEquals(o, dst));
        if (!selfReading)
        {
            b.Add(a);
            b.Set(TangentVar(dst), TangentExpr(instr, dst, b));
            return;
        }

        var temp = _method.NewVar(dst.Hint, dst.Type, VarRole.Temp);
        b.Add(new Assign(temp, instr) { Comment = a.Comment });
        var dot = TangentExpr(instr, temp, b);
        b.Add(new Assign(dst, new Instr(Opcode.Copy, dst.Type, new Operand[] { temp })));
        b.Set(TangentVar(dst), dot);
    }

    /// <summary>Σ ∂Ω/∂aᵢ · ȧᵢ for one instruction whose result is <paramref name="result"/>.</summary>
    private Operand TangentExpr(Instr instr, Var result, Builder b)
    {
        var type = result.Type;
        switch (instr.Op)
        {
            case Opcode.Copy:
                return Convert(TangentOf(instr.Args[0]), type, b);
            case Opcode.Convert:
                return Convert(TangentOf(instr.Args[0]), type, b);
            case Opcode.Select when instr.Data is ZeroAdjointGuard && instr.Args[0] is Var test && _zeroTests.TryGetValue(test, out var adjoint) && IsVaried(adjoint):
                {
                    // v̄ == 0 ? 0 : ∂v/∂a·v̄ is ∂v/∂a·v̄ wherever the partial is finite: where v̄ is zero its tangent is
                    // still ∂v/∂a·v̄̇ (the Hessian at a zero residual is JᵀJ), and only where v̄̇ is zero too does the
                    // contribution's tangent stay exactly zero (a value the result does not use at all).
                    var dot = Convert(TangentOf(instr.Args[2]), type, b);
                    var zero = new Const(0, type);
                    var still = b.Select(b.Op(Opcode.Cmp, IrType.Bool, CmpKind.Eq, Convert(TangentOf(adjoint), type, b), zero), zero, dot);
                    return b.Select(instr.Args[0], still, dot);
                }

            case Opcode.Select:
                return b.Select(instr.Args[0], Convert(TangentOf(instr.Args[1]), type, b), Convert(TangentOf(instr.Args[2]), type, b));
            case Opcode.Load:
                return ArrayTangentOf(instr.Args[0]) is { } t
                    ? b.Op(Opcode.Load, type, null, Prepend(t, instr.Args, 1))
                    : new Const(0, type);
            case Opcode.Opaque:
                return new Const(0, type);
        }

        if (!instr.IsRealMath || DerivativeRules.IsStep(instr.Op))
        {
            return new Const(0, type);
        }

        Operand sum = new Const(0, type);
        bool any = false;
        foreach (var arg in instr.Args)
        {
            any |= IsVaried(arg) && arg.Type.IsReal;
        }

        if (!any)
        {
            return sum;
        }

        var partials = DerivativeRules.Partials(instr, result, b);
        for (int i = 0; i < instr.Args.Length; i++)
        {
            var arg = instr.Args[i];
            if (partials[i] is not { } p || !arg.Type.IsReal || !IsVaried(arg))
            {
                continue;
            }

            var product = b.Mul(Convert(p, type, b), Convert(TangentOf(arg), type, b));
            if (DerivativeRules.IsKink(instr.Op) && p is not Const)
            {
                // The argument not chosen contributes 0 even where its tangent is infinite (Max(Log(x), -10) at x = 0).
                var zero = new Const(0, type);
                product = b.Select(b.Op(Opcode.Cmp, IrType.Bool, CmpKind.Eq, Convert(p, type, b), zero), zero, product);
            }
            else if (p is not Const && (InfinitePartialAt0(instr.Op) || (instr.Op == Opcode.Pow && i == 0)))
            {
                // An argument that does not move contributes 0 even where the partial is infinite: the tangent of
                // Math.Sqrt(Math.Max(x, 0)) at x = −1, or along y, was ∞·0 = NaN (red-team N).
                var zero = new Const(0, type);
                product = b.Select(b.Op(Opcode.Cmp, IrType.Bool, CmpKind.Eq, Convert(TangentOf(arg), type, b), zero), zero, product);
            }
            else if (instr.Op == Opcode.Pow && i == 1 && p is not Const)
            {
                // An exponent that does not move contributes 0, even where ∂(x^y)/∂y = x^y·ln(x) is NaN (x < 0): in
                // second order, ∂²(x^y)/∂x² at x = −2, y = 3 is −12, not NaN·0 (the y-direction of H alone is NaN there).
                var zero = new Const(0, type);
                product = b.Select(b.Op(Opcode.Cmp, IrType.Bool, CmpKind.Eq, Convert(TangentOf(arg), type, b), zero), zero, product);
            }

            sum = b.Add(sum, product);
        }

        return sum;
    }

    /// <summary>
    /// Operations whose partial is infinite at a finite argument where an argument that does not move to first order
    /// leaves the value still to first order, or at a kink: a square root or an arcsine (√(x²) = |x|, √(x³)), a
    /// logarithm (whose value is infinite there). Not odd roots: ∛(x³) = x has derivative 1 at 0 (red-team P).
    /// </summary>
    private static bool InfinitePartialAt0(Opcode op) => op is Opcode.Sqrt or Opcode.Log or Opcode.Log2
        or Opcode.Log10 or Opcode.LogP1 or Opcode.Log2P1 or Opcode.Log10P1 or Opcode.LogBase or Opcode.Asin or Opcode.Acos
        or Opcode.AsinPi or Opcode.AcosPi or Opcode.Atanh or Opcode.Acosh;

    private Operand CallTangent(Instr instr, Builder b)
    {
        var call = (CallInfo)instr.Data!;
        var type = instr.Type;
        int argBase = instr.Args.Length - call.Differentiable.Length;
        int k = 0;
        Operand sum = new Const(0, type);
        for (int i = 0; i < call.Differentiable.Length; i++)
        {
            if (!call.Differentiable[i])
            {
                continue;
            }

            var partial = call.Partials[k++];
            var arg = instr.Args[argBase + i];
            if (!IsVaried(arg))
            {
                continue;
            }

            if (arg.Type.IsReal)
            {
                sum = b.Add(sum, b.Mul(Convert(partial, type, b), Convert(TangentOf(arg), type, b)));
            }
            else if (arg.Type.IsArray && ArrayTangentOf(arg) is { } t)
            {
                sum = b.Add(sum, Dot(partial, t, type, b));
            }
        }

        return sum;
    }

    /// <summary>Σⱼ a[j]·b[j] over two one-dimensional arrays of the same length, as a counted loop.</summary>
    private Operand Dot(Operand a, Operand t, IrType type, Builder b)
    {
        if (a.Type.Rank != 1 || t.Type.Rank != 1 || !a.Type.Element!.IsReal)
        {
            throw new UnsupportedException(_what + " through a compiled call with a multi-dimensional array argument", "pass a one-dimensional array");
        }

        var length = b.Op(Opcode.Length, IrType.Int32, (object?)null, a);
        var loop = new Loop { Source = "the dot product of a compiled call's partials with the tangents" };
        var j = _method.NewVar("j", IrType.Int32, VarRole.Internal, mutable: true);
        var acc = _method.NewVar("dot", type, VarRole.Internal, mutable: true);
        var c = _method.NewVar("c", IrType.Bool, VarRole.Temp);
        loop.Header.Add(new Assign(c, new Instr(Opcode.Cmp, IrType.Bool, new Operand[] { j, length }, CmpKind.Lt)));
        loop.Cond = c;
        var body = new Builder(_method, loop.Body, exact: false);
        var x = body.Op(Opcode.Load, a.Type.Element!, (object?)null, a, j);
        var y = body.Op(Opcode.Load, t.Type.Element!, (object?)null, t, j);
        var next = body.Op(Opcode.Add, type, acc, body.Mul(Convert(x, type, body), Convert(y, type, body)));
        var jNext = body.Op(Opcode.IAdd, IrType.Int32, j, Lit.Int(1));
        loop.Vars.Add(new LoopVar(j, Lit.Int(0), jNext));
        loop.Vars.Add(new LoopVar(acc, new Const(0, type), next));
        loop.Counted = new Counted(j, 1, CmpKind.Lt, length);
        b.Add(loop);
        return acc;
    }

    private static Operand Convert(Operand value, IrType type, Builder b)
    {
        if (value.Type.Equals(type))
        {
            return value;
        }

        if (value is Const c)
        {
            return new Const(c.Value, type);
        }

        return b.Op(Opcode.Convert, type, value);
    }

    private static Operand[] Prepend(Operand first, Operand[] args, int skip)
    {
        var all = new Operand[args.Length - skip + 1];
        all[0] = first;
        Array.Copy(args, skip, all, 1, args.Length - skip);
        return all;
    }

    private void TransformStore(Store st, Builder b)
    {
        if (ArrayTangentOf(st.Array) is not { } t)
        {
            return;
        }

        if (st.Value.Type.IsArray)
        {
            if (ArrayTangentOf(st.Value) is { } inner)
            {
                if (inner.Type.Form != ArrayForm.Array && t.Type.Element is { Form: ArrayForm.Array } rowType && inner.Type.Rank == 1)
                {
                    // h[0] = h0 of a parameter array: its tangent is the caller's direction, a read-only span, which an array
                    // of arrays cannot hold. A copy of it (the row is the parameter itself, never written: SG0018).
                    var copy = _method.NewVar((st.Value as Var)?.Hint ?? "row", rowType, VarRole.Tangent);
                    b.Add(new Assign(copy, new Instr(Opcode.Opaque, rowType, new[] { inner }, new OpaqueInfo(new[] { string.Empty, ".ToArray()" }, pure: false, effectFree: true))));
                    inner = copy;
                }

                b.Add(new Store(t, st.Index, inner, accumulate: false));
                return;
            }

            if (st.Value is Var && st.Value.Type.Rank == 1 && ZeroTangent(st.Value, st.Value.Type, b) is Var zeros)
            {
                // A row of data (a [NoDerivative] parameter or a row of one, which have no tangent) in an array of
                // arrays that also holds differentiated rows (acts[0] = x): zeros of its length, as the reverse sweep
                // gives it an adjoint nobody reads.
                b.Add(new Store(t, st.Index, zeros, accumulate: false));
                return;
            }

            throw new UnsupportedException(_what + " of an array of arrays that mixes data and differentiated arrays", "keep data and differentiated values in separate arrays", (st.Value as Var)?.At ?? (st.Array as Var)?.At);
        }

        if (!st.Value.Type.IsReal)
        {
            return;
        }

        var dot = TangentOf(st.Value);
        if (st.Accumulate && Builder.IsZero(dot))
        {
            return;
        }

        b.Add(new Store(t, st.Index, Convert(dot, t.Type.Element!, b), st.Accumulate));
    }

    /// <summary>The tangent array of an array value defined by <paramref name="a"/> (its class varies).</summary>
    private void DefineArrayTangent(Assign a, Builder b)
    {
        if (_arrayTangents.ContainsKey(a.Dst))
        {
            return;
        }

        var instr = a.Value;
        var type = WritableLike(a.Dst.Type);
        Instr? tangent;
        switch (instr.Op)
        {
            case Opcode.Alloc:
                tangent = new Instr(Opcode.Alloc, type, instr.Args, TangentAlloc((AllocInfo)instr.Data!, a.Dst));
                break;
            case Opcode.Copy:
                tangent = ArrayTangentOf(instr.Args[0]) is { } c ? new Instr(Opcode.Copy, FormOf(type, c.Type.Form), new[] { c }) : null;
                break;
            case Opcode.Slice:
                // A guarded view (taken at the top of a reverse iteration, where the array may not exist) has a guarded
                // tangent view: the tangent array is missing on the same paths.
                tangent = ArrayTangentOf(instr.Args[0]) is { } s
                    ? new Instr(Opcode.Slice, FormOf(type, s.Type.Form == ArrayForm.ReadOnlySpan ? ArrayForm.ReadOnlySpan : ArrayForm.Span), new[] { s, instr.Args[1], instr.Args[2] }, instr.Data as GuardedView)
                    : null;
                break;
            case Opcode.Select:
                {
                    // A choice between a data array and a differentiated one (per iteration, var a = c ? w : x, taken again
                    // in the reverse sweep): the data side has zeros of its length as its tangent, as an if/else's phi does.
                    var t1 = ArrayTangentOf(instr.Args[1]);
                    var t2 = ArrayTangentOf(instr.Args[2]);
                    if ((t1 is null) != (t2 is null))
                    {
                        t1 ??= ZeroTangent(instr.Args[1], type, b);
                        t2 ??= ZeroTangent(instr.Args[2], type, b);
                    }

                    tangent = t1 is not null && t2 is not null
                        ? new Instr(Opcode.Select, FormOf(type, Join(t1.Type.Form, t2.Type.Form)), new[] { instr.Args[0], t1, t2 })
                        : null;
                    break;
                }
            case Opcode.Load:
                tangent = ArrayTangentOf(instr.Args[0]) is { } outer ? new Instr(Opcode.Load, type, Prepend(outer, instr.Args, 1)) : null;
                break;
            case Opcode.Pop:
                {
                    var popped = _method.NewVar(a.Dst.Hint, type, VarRole.Tangent);
                    popped.Of = a.Dst;
                    // Pushed after the array: popped before it.
                    b.Block.Stmts.Insert(b.Block.Stmts.Count - 1, new Assign(popped, new Instr(Opcode.Pop, type, Array.Empty<Operand>(), instr.Data)));
                    _arrayTangents[a.Dst] = popped;
                    return;
                }

            default:
                tangent = null;
                break;
        }

        if (tangent is null && (instr.Op is Opcode.Copy or Opcode.Slice or Opcode.Load && instr.Args[0] is Var || instr.Op == Opcode.Opaque)
            && ZeroViewTangent(a.Dst, instr.Op == Opcode.Slice ? instr.Args[2] : null, b) is { } zeros)
        {
            // A view of data (a [NoDerivative] parameter, an array from a call or a field) in a class with differentiated
            // arrays (a variable holds either): the method never writes data (Discovery.CheckWrites), so its tangent is 0.
            // The same for an array that code run as written returns (a data call, or the placeholder value of a throw
            // expression, x ?? throw ...: never reached), as the reverse sweep gives it an adjoint nobody reads.
            _arrayTangents[a.Dst] = zeros;
            return;
        }

        if (tangent is null)
        {
            throw new UnsupportedException(_what + " of an array that is partly data (" + a.Dst.Hint + ")", "keep data and differentiated values in separate arrays", a.Dst.At);
        }

        var dst = _method.NewVar(a.Dst.Hint, tangent.Type, VarRole.Tangent);
        dst.Of = a.Dst;
        _arrayTangents[a.Dst] = dst;
        b.Add(new Assign(dst, tangent));
    }

    private static ArrayForm Join(ArrayForm a, ArrayForm b) =>
        a == b ? a : a == ArrayForm.ReadOnlySpan || b == ArrayForm.ReadOnlySpan ? ArrayForm.ReadOnlySpan : ArrayForm.Span;

    private static IrType FormOf(IrType t, ArrayForm form) => t.Form == form ? t : t.WithForm(form);

    private static IrType WritableLike(IrType t) => t.Form == ArrayForm.ReadOnlySpan ? t.WithForm(ArrayForm.Span) : t;

    private AllocInfo TangentAlloc(AllocInfo primal, Var of)
    {
        if (primal.Kind == AllocKind.Scratch)
        {
            var buffer = _method.NewVar(of.Hint + "Tangent", IrType.Object, VarRole.Internal);
            _method.Resources.Add((buffer, "new global::SymbolicGrad.Internal.ScratchBuffer<" + (of.Type.Element?.CSharp ?? "double") + ">()"));
            return new AllocInfo(AllocKind.Scratch, buffer);
        }

        return new AllocInfo(AllocKind.Heap, null);
    }

    private void TransformIf(If f, Builder b)
    {
        var then = TransformBlock(f.Then);
        var @else = TransformBlock(f.Else);
        var phis = new List<Phi>(f.Phis);
        var tb = new Builder(_method, then, exact: false);
        var eb = new Builder(_method, @else, exact: false);
        foreach (var p in f.Phis)
        {
            if (p.Dst.Type.IsReal && IsVaried(p.Dst))
            {
                phis.Add(new Phi(TangentVar(p.Dst), Convert(TangentOf(p.Then), p.Dst.Type, tb), Convert(TangentOf(p.Else), p.Dst.Type, eb)));
            }
            else if (p.Dst.Type.IsArray && IsVaried(p.Dst))
            {
                var t1 = ArrayTangentOf(p.Then) ?? ZeroTangent(p.Then, p.Dst.Type, tb);
                var t2 = ArrayTangentOf(p.Else) ?? ZeroTangent(p.Else, p.Dst.Type, eb);
                if (t1 is null || t2 is null)
                {
                    throw new UnsupportedException(_what + " of an array chosen between data and a differentiated array", "keep data and differentiated values in separate arrays", p.Dst.At);
                }

                var dst = _method.NewVar(p.Dst.Hint, FormOf(WritableLike(p.Dst.Type), Join(t1.Type.Form, t2.Type.Form)), VarRole.Tangent);
                dst.Of = p.Dst;
                _arrayTangents[p.Dst] = dst;
                phis.Add(new Phi(dst, t1, t2));
            }
        }

        b.Add(new If(f.Cond, then, @else, phis) { Comment = f.Comment });
    }

    /// <summary>
    /// The tangent of a data array on the branch where a varied array variable holds data: zeros of its length
    /// (a fresh array: data has no derivative), of its shape for a double[,]. Null for jagged and deeper arrays.
    /// </summary>
    private Operand? ZeroTangent(Operand data, IrType like, Builder b)
    {
        bool rectangular = like.Rank == 2 && like.Form == ArrayForm.Array && data.Type.Rank == 2 && data.Type.Form == ArrayForm.Array;
        if (!data.Type.IsArray || like.Element is not { IsReal: true } element || (like.Rank > 1 && !rectangular))
        {
            return null;
        }

        if (data is not Var)
        {
            // No array on this path (the variable is unassigned there): nor is there a tangent.
            return data;
        }

        if (rectangular)
        {
            var rows = b.Op(Opcode.GetLength, IrType.Int32, (object?)null, data, Lit.Int(0));
            var columns = b.Op(Opcode.GetLength, IrType.Int32, (object?)null, data, Lit.Int(1));
            return b.Op(Opcode.Alloc, IrType.ArrayOf(element, ArrayForm.Array, 2), new AllocInfo(AllocKind.Heap, null), rows, columns);
        }

        var length = b.Op(Opcode.Length, IrType.Int32, (object?)null, data);
        return b.Op(Opcode.Alloc, IrType.ArrayOf(element, ArrayForm.Array), new AllocInfo(AllocKind.Heap, null), length);
    }

    /// <summary>Zeros as long as the view <paramref name="view"/> (a one-dimensional real array or span), or null.</summary>
    private Var? ZeroViewTangent(Var view, Operand? length, Builder b)
    {
        if (view.Type.Element is not { IsReal: true } element || view.Type.Rank > 1)
        {
            return null;
        }

        // An array variable may be null where it is viewed: a guarded length (0) then.
        length ??= b.Op(Opcode.Length, IrType.Int32, view.Type.Form == ArrayForm.Array ? GuardedView.Instance : null, view);
        var zeros = _method.NewVar(view.Hint, IrType.ArrayOf(element, ArrayForm.Array), VarRole.Tangent);
        zeros.Of = view;
        b.Add(new Assign(zeros, new Instr(Opcode.Alloc, zeros.Type, new[] { length }, new AllocInfo(AllocKind.Heap, null))));
        return zeros;
    }

    private void TransformLoop(Loop l, Builder b)
    {
        var loop = new Loop { Cond = l.Cond, Source = l.Source, At = l.At, Reversed = l.Reversed, Counted = l.Counted, Comment = l.Comment, SumKernel = l.SumKernel };
        loop.Vars.AddRange(l.Vars);

        // Array loop variables carry their tangent arrays; their form is decided by the initial value's.
        var arrayVars = new List<(LoopVar Lv, Var Tangent, Operand Init)>();
        foreach (var lv in l.Vars)
        {
            if (lv.Var.Type.IsArray && IsVaried(lv.Var))
            {
                // A variable that starts as data (the activations of a network, a = x): zeros of its length first.
                var init = ArrayTangentOf(lv.Init) ?? ZeroTangent(lv.Init, lv.Var.Type, b) ?? throw new UnsupportedException(_what + " of a loop that starts an array from data (" + lv.Var.Hint + ")", "start it from an array the method creates", l.At);
                // A span variable (re-pointed by the loop at views of other arrays) gets a span tangent whatever its first value.
                // A span variable that starts at a read-only tangent (the direction vP of the parameter it starts at,
                // ReadOnlySpan<double> w = p or Span<double> w = p) keeps a read-only tangent: vP cannot go into a Span
                // (CS0029 in the tangent of a residual method whose loop re-points w), and nothing writes through w, since
                // a write through a variable that may hold p is SG0018.
                var form = lv.Var.Type.Form == ArrayForm.Array ? init.Type.Form
                    : init.Type.Form == ArrayForm.ReadOnlySpan ? ArrayForm.ReadOnlySpan : ArrayForm.Span;
                var t = _method.NewVar(lv.Var.Hint, FormOf(WritableLike(lv.Var.Type), form), VarRole.Tangent, mutable: true);
                t.Of = lv.Var;
                _arrayTangents[lv.Var] = t;
                arrayVars.Add((lv, t, init));
            }
        }

        // The header computes only the condition: copied as it is.
        loop.Header.Stmts.AddRange(l.Header.Stmts);
        var body = TransformBlock(l.Body);
        loop.Body.Stmts.AddRange(body.Stmts);
        var bb = new Builder(_method, loop.Body, exact: false);
        foreach (var lv in l.Vars)
        {
            if (lv.Var.Type.IsReal && IsVaried(lv.Var))
            {
                var init = Convert(TangentOf(lv.Init), lv.Var.Type, b);
                var next = Convert(TangentOf(lv.Next), lv.Var.Type, bb);
                loop.Vars.Add(new LoopVar(TangentVar(lv.Var), init, next));
            }
        }

        foreach (var (lv, t, init) in arrayVars)
        {
            var next = ArrayTangentOf(lv.Next) ?? throw new UnsupportedException(_what + " of a loop that moves an array to data (" + lv.Var.Hint + ")", "keep data and differentiated values in separate arrays", l.At);
            if ((t.Type.Form == ArrayForm.Array && next.Type.Form != ArrayForm.Array) || (t.Type.Form == ArrayForm.Span && next.Type.Form == ArrayForm.ReadOnlySpan))
            {
                // double[] w = d (or a local array); for (...) { ...; if (c) w = p; }: the tangent starts as an array and the
                // loop hands it the direction vP of p, a read-only span (the generated code did not compile).
                throw new UnsupportedException(
                    _what + " of a loop that points an array variable at a parameter's array after it held another array (" + lv.Var.Hint + ")",
                    "start it at the parameter's array, or keep the parameter and the other arrays in separate variables",
                    l.At);
            }

            loop.Vars.Add(new LoopVar(t, init, next));
        }

        b.Add(loop);
    }
}

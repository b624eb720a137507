using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Emit;

/// <summary>
/// Reads a method's primal IR (after the front end: helpers inlined, LINQ and foreach lowered) as one formula of its
/// parameters: straight-line code by substitution, an if as a choice per merged value (a branch that throws is left
/// out), and a counted loop over an array whose values only accumulate (s += term(i)) as Σᵢ term(i). Anything else
/// becomes a <see cref="ExprKind.Fail"/> node that remembers what it depends on, so a formula that does not need it
/// (the derivative with respect to a parameter it does not involve) is still written.
/// </summary>
internal sealed class FormulaReader
{
    /// <summary>Nesting of ifs and loops read: deeper code is not described (the walk recurses once per level).</summary>
    private const int NestingCap = 32;

    private readonly Algebra _g;
    private readonly IrMethod _method;
    private readonly Dictionary<Var, Expr> _env = new();
    private readonly bool _arraysWritten;
    private int _loopDepth;

    public FormulaReader(Algebra g, IrMethod method, string indexName)
    {
        _g = g;
        _method = method;
        Index = g.Index(indexName);

        // Writes into the parameters' arrays (or views of them) make element reads unreliable: then none is read.
        var allocated = new HashSet<Var>();
        foreach (var (s, _) in IrWalk.All(method.Body))
        {
            if (s is Assign { Value.Op: Opcode.Alloc } a)
            {
                allocated.Add(a.Dst);
            }
        }

        foreach (var (s, _) in IrWalk.All(method.Body))
        {
            if (s is Store st && !(st.Array is Var v && allocated.Contains(v)))
            {
                _arraysWritten = true;
            }
        }
    }

    /// <summary>The index of every sum (loops are read one level deep, so one index serves them all).</summary>
    public Expr Index { get; }

    /// <summary>The formula node of each parameter leaf, by the leaf's variable.</summary>
    public Dictionary<Var, Expr> Leaves { get; } = new();

    /// <summary>How a leaf is named in formulas: the parameter's name, "p.X" for a struct field, "Member" for a [Trainable] member.</summary>
    public static string LeafName(IrParam p, Leaf leaf)
    {
        string name = p.Name.TrimStart('@');
        if (name.StartsWith("this.", StringComparison.Ordinal))
        {
            name = name.Substring(5);
        }

        return name + leaf.Access;
    }

    /// <summary>The method's result as a formula of its parameters.</summary>
    public Expr Read()
    {
        foreach (var p in _method.Params)
        {
            foreach (var leaf in p.Leaves)
            {
                string name = LeafName(p, leaf);
                var e = leaf.Var.Type.IsArray ? _g.ArrayOf(name) : _g.Symbol(name);
                Leaves[leaf.Var] = e;
                _env[leaf.Var] = e;
            }
        }

        bool throws = ReadBlock(_method.Body, 0);
        return throws || _method.Result is null ? _g.Fail(Failure.Unsupported, Symbols.All) : Op(_method.Result);
    }

    /// <summary>Reads a block; true when it always ends in a throw.</summary>
    private bool ReadBlock(Block block, int depth)
    {
        if (depth > NestingCap)
        {
            throw new FormulaBudgetException();
        }

        foreach (var s in block.Stmts)
        {
            switch (s)
            {
                case Assign a:
                    _env[a.Dst] = Eval(a.Value);
                    break;
                case If i:
                    {
                        var cond = Op(i.Cond);
                        bool thenThrows = ReadBlock(i.Then, depth + 1);
                        bool elseThrows = ReadBlock(i.Else, depth + 1);
                        foreach (var phi in i.Phis)
                        {
                            _env[phi.Dst] = thenThrows && elseThrows ? _g.Fail(Failure.Unsupported, Symbols.All)
                                : thenThrows ? Op(phi.Else)
                                : elseThrows ? Op(phi.Then)
                                : _g.Select(cond, Op(phi.Then), Op(phi.Else));
                        }

                        if (thenThrows && elseThrows)
                        {
                            return true;
                        }

                        break;
                    }

                case Loop l:
                    ReadLoop(l, depth);
                    break;
                case Throw:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A counted loop over 0 … n−1 (either direction) whose carried values each add a term per iteration:
    /// s_final = s_init + Σᵢ term(i). Any other carried value is a failure (its dependence unknown).
    /// </summary>
    private void ReadLoop(Loop l, int depth)
    {
        var inits = l.Vars.Select(v => Op(v.Init)).ToList();
        void FailAll()
        {
            foreach (var v in l.Vars)
            {
                _env[v.Var] = _g.Fail(Failure.Loop, Symbols.All);
            }
        }

        // The counter: the front end's (a Counted loop), or a variable from 0 that the condition compares (i < n) and
        // the body steps by one (a loop whose bound is re-read each iteration, such as i < _xs.Length).
        var c = l.Counted;
        int at = c is not null ? l.Vars.FindIndex(v => ReferenceEquals(v.Var, c.Index)) : CounterOf(l);
        if (_loopDepth > 0 || at < 0)
        {
            FailAll();
            return;
        }

        var bound = c is not null ? Op(c.Bound) : null;
        bool forward = c is null || (c.Step == 1 && c.Cmp == CmpKind.Lt);
        if (!(forward ? inits[at].IsNumberValue(0) : c!.Step == -1 && c.Cmp == CmpKind.Ge && bound!.IsNumberValue(0)))
        {
            FailAll();
            return;
        }

        var accumulators = new Expr?[l.Vars.Count];
        for (int k = 0; k < l.Vars.Count; k++)
        {
            if (k == at)
            {
                _env[l.Vars[k].Var] = Index;
            }
            else
            {
                accumulators[k] = _g.Accumulator(l.Vars[k].Var.Hint);
                _env[l.Vars[k].Var] = accumulators[k]!;
            }
        }

        _loopDepth++;
        bool headerThrows = ReadBlock(l.Header, depth + 1);
        var cond = Op(l.Cond);
        bool bodyThrows = ReadBlock(l.Body, depth + 1);
        _loopDepth--;

        // The condition must be the counter against a bound that the iterations do not change.
        bool counted = cond.Kind == ExprKind.Compare && ReferenceEquals(cond.Args[0], Index) && (bound is null || ReferenceEquals(cond.Args[1], bound))
            && cond.Compare == (forward ? CmpKind.Lt : CmpKind.Ge)
            && !cond.Args[1].Free.Contains(Index.Bit) && accumulators.All(a => a is null || !cond.Args[1].Free.Contains(a.Bit))
            && (c is not null || ReferenceEquals(Op(l.Vars[at].Next), _g.Add(Index, _g.One)));
        if (headerThrows || bodyThrows || !counted)
        {
            FailAll();
            return;
        }

        var count = forward ? cond.Args[1] : _g.Add(inits[at], _g.One);
        var finals = new Expr[l.Vars.Count];
        for (int k = 0; k < l.Vars.Count; k++)
        {
            if (k == at)
            {
                finals[k] = _g.Fail(Failure.Loop, Symbols.None);
                continue;
            }

            var term = _g.Sub(Op(l.Vars[k].Next), accumulators[k]!);
            bool accumulates = accumulators.All(a => a is null || !term.Free.Contains(a.Bit));
            finals[k] = accumulates ? _g.Add(inits[k], _g.SumOver(Index, term, count)) : _g.Fail(Failure.Loop, Symbols.All);
        }

        for (int k = 0; k < l.Vars.Count; k++)
        {
            _env[l.Vars[k].Var] = finals[k];
        }
    }

    /// <summary>The loop variable the loop's condition compares (i in i &lt; n), or -1.</summary>
    private static int CounterOf(Loop l)
    {
        if (l.Cond is not Var cond)
        {
            return -1;
        }

        foreach (var s in l.Header.Stmts)
        {
            if (s is Assign { Value: { Op: Opcode.Cmp } test } a && ReferenceEquals(a.Dst, cond) && test.Cmp == CmpKind.Lt && test.Args[0] is Var counter)
            {
                return l.Vars.FindIndex(v => ReferenceEquals(v.Var, counter));
            }
        }

        return -1;
    }

    private Expr Op(Operand o)
    {
        switch (o)
        {
            case Var v:
                return _env.TryGetValue(v, out var e) ? e : _g.Fail(Failure.Unsupported, Symbols.All);
            case Const c:
                if (c.Type.IsSingle ? (float)c.Value == (float)Math.PI : c.Value == Math.PI)
                {
                    return _g.Pi;
                }

                return _g.Num(c.Type.IsSingle ? Number.FromSingle((float)c.Value) : Number.FromDouble(c.Value));
            case Lit l:
                if (ReferenceEquals(l, Lit.True) || l.Text == "true")
                {
                    return _g.True;
                }

                if (ReferenceEquals(l, Lit.False) || l.Text == "false")
                {
                    return _g.False;
                }

                return l.TryInt(out long n) ? _g.Num(n) : _g.Fail(Failure.Unsupported, Symbols.None);
            default:
                return _g.Fail(Failure.Unsupported, Symbols.All);
        }
    }

    private Expr Eval(Instr i)
    {
        var g = _g;
        var a = i.Args.Select(Op).ToArray();
        Expr Fail() => g.Fail(Failure.Unsupported, a);
        Expr F(string name) => g.Func(name, a[0]);
        switch (i.Op)
        {
            // Checked integer arithmetic has the same value when it does not throw.
            case Opcode.Add or Opcode.IAdd:
                return g.Add(a[0], a[1]);
            case Opcode.Sub or Opcode.ISub:
                return g.Sub(a[0], a[1]);
            case Opcode.Mul or Opcode.IMul:
                return g.Mul(a[0], a[1]);
            case Opcode.Div:
                return g.Div(a[0], a[1]);
            case Opcode.Neg or Opcode.INeg:
                return g.Neg(a[0]);
            case Opcode.Convert or Opcode.Copy or Opcode.BitIncrement or Opcode.BitDecrement:
                return a[0];
            case Opcode.Exp:
                return F("exp");
            case Opcode.Exp2:
                return g.Pow(g.Num(2), a[0]);
            case Opcode.Exp10:
                return g.Pow(g.Num(10), a[0]);
            case Opcode.ExpM1:
                return g.Sub(F("exp"), g.One);
            case Opcode.Log:
                return F("ln");
            case Opcode.LogBase:
                return g.Div(F("ln"), g.Func("ln", a[1]));
            case Opcode.Log10:
                return F("log₁₀");
            case Opcode.Log2:
                return F("log₂");
            case Opcode.LogP1:
                return g.Func("ln", g.Add(g.One, a[0]));
            case Opcode.Sqrt:
                return g.Pow(a[0], g.Num(Number.Half));
            case Opcode.Cbrt:
                return g.Pow(a[0], g.Num(Number.Fraction(1, 3)));
            case Opcode.RootN:
                return a[1].IsNumber && a[1].Value.IsInteger && a[1].Value.N != 0 ? g.Pow(a[0], g.Num(Number.Fraction(1, a[1].Value.N))) : Fail();
            case Opcode.Pow:
                return g.Pow(a[0], a[1]);
            case Opcode.Sin or Opcode.Cos or Opcode.Tan or Opcode.Asin or Opcode.Acos or Opcode.Atan
                or Opcode.Sinh or Opcode.Cosh or Opcode.Tanh or Opcode.Asinh or Opcode.Acosh or Opcode.Atanh:
                return F(i.Op.ToString().ToLowerInvariant());
            case Opcode.Atan2:
                return g.Func("atan2", a[0], a[1]);
            case Opcode.SinPi:
                return g.Func("sin", g.Mul(g.Pi, a[0]));
            case Opcode.CosPi:
                return g.Func("cos", g.Mul(g.Pi, a[0]));
            case Opcode.Abs:
                return F("abs");
            case Opcode.Max:
                return g.Func("max", a[0], a[1]);
            case Opcode.Min:
                return g.Func("min", a[0], a[1]);
            case Opcode.Clamp:
                return g.Func("clamp", a[0], a[1], a[2]);
            case Opcode.Fma:
                return g.Add(g.Mul(a[0], a[1]), a[2]);
            case Opcode.Hypot:
                return g.Pow(g.Add(g.Pow(a[0], g.Num(2)), g.Pow(a[1], g.Num(2))), g.Num(Number.Half));
            case Opcode.Lerp:
                return g.Add(a[0], g.Mul(g.Sub(a[1], a[0]), a[2]));
            case Opcode.DegreesToRadians:
                return g.Multiply(new[] { g.Pi, a[0], g.Num(Number.Fraction(1, 180)) });
            case Opcode.RadiansToDegrees:
                return g.Multiply(new[] { g.Num(180), a[0], g.Pow(g.Pi, g.MinusOne) });
            case Opcode.Floor:
                return F("floor");
            case Opcode.Ceiling:
                return F("ceil");
            case Opcode.Round:
                return F("round");
            case Opcode.Truncate:
                return F("trunc");
            case Opcode.Select:
                return i.Type.IsArray ? Fail() : g.Select(a[0], a[1], a[2]);
            case Opcode.Cmp:
                return g.Compare(i.Cmp, a[0], a[1]);
            case Opcode.Not:
                return g.Not(a[0]);
            case Opcode.And:
                return g.And(a[0], a[1]);
            case Opcode.Or:
                return g.Or(a[0], a[1]);
            case Opcode.Cast:
                // To an integer from a real truncates; between integers and from integer to real the value is kept.
                return i.Args[0].Type.IsReal && i.Type.IsInt ? F("trunc") : a[0];
            case Opcode.Load:
                // An element of a parameter; an element of a local array (or of one chosen or carried by a loop)
                // holds whatever was stored into it: a value of unknown dependence.
                return a.Length == 2 && a[0].Kind == ExprKind.Array && !_arraysWritten ? g.Element(a[0], a[1]) : g.Fail(Failure.Unsupported, Symbols.All);
            case Opcode.Length:
                return a[0].Kind == ExprKind.Array ? g.Symbol(a[0].Name + ".Length") : Fail();
            case Opcode.Opaque:
                return Opaque(i, a);
            default:
                return Fail();
        }
    }

    /// <summary>
    /// A data member read (this._scale, a static array _xs): a named constant, by its member name. Other data
    /// expressions are not shown.
    /// </summary>
    private Expr Opaque(Instr i, Expr[] a)
    {
        var info = (OpaqueInfo)i.Data!;
        if (!info.Step && (i.Type.IsReal || i.Type.IsInt || i.Type.IsArray) && i.Args.All(x => x is Lit { Text: "this" }))
        {
            string text = string.Concat(info.Parts.Select((p, k) => k == 0 ? p : "this" + p)).Replace("global::", string.Empty);
            string name = text.Substring(text.LastIndexOf('.') + 1);
            if (text.All(ch => char.IsLetterOrDigit(ch) || ch is '_' or '.') && name.Length is > 0 and <= 32 && !char.IsDigit(name[0]))
            {
                return i.Type.IsArray ? _g.ArrayOf(name) : _g.Symbol(name);
            }
        }

        return _g.Fail(Failure.Unsupported, a);
    }
}

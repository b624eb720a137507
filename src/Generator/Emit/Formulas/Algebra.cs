using System.Globalization;
using System.Text;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Emit;

/// <summary>Thrown when the formulas of a method have used up their work budget: the caller falls back to descriptions.</summary>
internal sealed class FormulaBudgetException : Exception
{
    public FormulaBudgetException()
        : base("the formulas used up their work budget")
    {
    }
}

/// <summary>
/// Makes formula nodes in a canonical form, the way a person simplifies as they write: numbers folded, like terms
/// collected (x + x = 2·x), equal factors collected into powers (x·x = x², x/x = 1), −(a − b) written b − a, and equal
/// nodes shared. Sums are not expanded: 2·(w − 3) stays as written. Every node is capped in size and depth (a node
/// past a cap becomes a <see cref="ExprKind.Fail"/> leaf), so no walk over a node is deep or long, and the total work
/// per method is capped too (<see cref="FormulaBudgetException"/>).
/// </summary>
internal sealed class Algebra
{
    /// <summary>Nodes in the printed tree of any node: more could not print in a line anyway.</summary>
    public const int SizeCap = 160;

    /// <summary>Nesting of any node: bounds every recursive walk.</summary>
    public const int DepthCap = 40;

    /// <summary>Terms of any sum: a line holds no more.</summary>
    public const int MaxTerms = 24;

    private readonly Dictionary<NodeKey, Expr> _interned = new();
    private readonly int _budget;
    private int _nextId;
    private int _nextBit;
    private int _work;

    public Algebra(int budget = 2_000_000)
    {
        _budget = budget;
        Zero = Num(Number.Zero);
        One = Num(Number.One);
        MinusOne = Num(Number.MinusOne);
        True = Make(new NodeKey(ExprKind.Bool, Number.One), e => e.Value = Number.One);
        False = Make(new NodeKey(ExprKind.Bool, Number.Zero), e => e.Value = Number.Zero);
        Pi = Make(new NodeKey(ExprKind.Symbol, "π"), e => e.Name = "π");
    }

    public Expr Zero { get; }

    public Expr One { get; }

    public Expr MinusOne { get; }

    public Expr True { get; }

    public Expr False { get; }

    public Expr Pi { get; }

    // ---------------------------------------------------------------------------------------------------------
    // Leaves

    public Expr Num(Number v) => Make(new NodeKey(ExprKind.Number, v), e => e.Value = v);

    public Expr Num(long v) => Num(Number.Of(v));

    public Expr Bool(bool v) => v ? True : False;

    /// <summary>A named value (a parameter, a data member, an array's length): the same name is the same symbol.</summary>
    public Expr Symbol(string name) => Make(new NodeKey(ExprKind.Symbol, name), e => NewBit(e, name));

    public Expr ArrayOf(string name) => Make(new NodeKey(ExprKind.Array, name), e => NewBit(e, name));

    public Expr Index(string name) => Make(new NodeKey(ExprKind.Index, name), e => NewBit(e, name));

    /// <summary>A fresh accumulator (never shared).</summary>
    public Expr Accumulator(string name)
    {
        var e = new Expr(_nextId++, ExprKind.Accumulator) { Name = name };
        NewBit(e, name);
        return e;
    }

    /// <summary>A value that cannot be shown, depending on <paramref name="free"/> (never shared: two failures are two values).</summary>
    public Expr Fail(Failure why, Symbols free)
    {
        Spend(1);
        return new Expr(_nextId++, ExprKind.Fail) { Failure = why, Free = free };
    }

    /// <summary>A failure depending on whatever the operands depend on.</summary>
    public Expr Fail(Failure why, params Expr[] operands)
    {
        var free = Symbols.None;
        foreach (var o in operands)
        {
            free = free.Union(o.Free);
        }

        return Fail(why, free);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Arithmetic

    public Expr Add(Expr a, Expr b) => Sum(new[] { (Number.One, a), (Number.One, b) });

    public Expr Sub(Expr a, Expr b) => Sum(new[] { (Number.One, a), (Number.MinusOne, b) });

    public Expr Neg(Expr a) => Sum(new[] { (Number.MinusOne, a) });

    public Expr Scale(Number c, Expr a) => Sum(new[] { (c, a) });

    /// <summary>Σ c·e, flattened, with like terms collected; the constant term is the coefficient of 1.</summary>
    public Expr Sum(IReadOnlyList<(Number C, Expr E)> items)
    {
        var order = new List<Expr>();
        var coefs = new Dictionary<Expr, Number>();

        void Accumulate(Number c, Expr term)
        {
            if (coefs.TryGetValue(term, out var old))
            {
                coefs[term] = old + c;
            }
            else
            {
                coefs[term] = c;
                order.Add(term);
            }
        }

        void Put(Number c, Expr e)
        {
            if (c.IsZero)
            {
                return;
            }

            switch (e.Kind)
            {
                case ExprKind.Number:
                    Accumulate(c * e.Value, One);
                    break;
                case ExprKind.Sum:
                    Spend(e.Args.Length);
                    for (int k = 0; k < e.Args.Length; k++)
                    {
                        Accumulate(c * e.Coefs[k], e.Args[k]);
                    }

                    break;
                case ExprKind.Product when !e.Value.IsOne:
                    {
                        var unit = Product(Number.One, e.Args, e.Exponents);
                        var k = c * e.Value;
                        if (unit.Kind == ExprKind.Sum && (k.IsOne || k.IsMinusOne))
                        {
                            Put(k, unit);
                        }
                        else
                        {
                            Accumulate(k, unit);
                        }

                        break;
                    }

                default:
                    Accumulate(c, e);
                    break;
            }
        }

        foreach (var (c, e) in items)
        {
            Put(c, e);
        }

        var terms = new List<Expr>(order.Count);
        var cs = new List<Number>(order.Count);
        foreach (var t in order)
        {
            var c = coefs[t];
            if (!c.IsZero)
            {
                terms.Add(t);
                cs.Add(c);
            }
        }

        if (terms.Count == 0)
        {
            return Zero;
        }

        if (terms.Count == 1)
        {
            if (ReferenceEquals(terms[0], One))
            {
                return Num(cs[0]);
            }

            return cs[0].IsOne ? terms[0] : Multiply(new[] { Num(cs[0]), terms[0] });
        }

        if (terms.Count > MaxTerms || terms.Sum(t => t.Size) > SizeCap)
        {
            return Overflow(terms, cs);
        }

        var args = terms.ToArray();
        var coefArray = cs.ToArray();
        var ids = new int[args.Length];
        var perm = new int[args.Length];
        for (int k = 0; k < args.Length; k++)
        {
            ids[k] = args[k].Id;
            perm[k] = k;
        }

        System.Array.Sort(ids, perm);
        var sortedCoefs = new Number[perm.Length];
        for (int k = 0; k < perm.Length; k++)
        {
            sortedCoefs[k] = coefArray[perm[k]];
        }

        return Make(new NodeKey(ExprKind.Sum, Number.Zero, ids, sortedCoefs), e =>
        {
            e.Args = args;
            e.Coefs = coefArray;
        });
    }

    /// <summary>
    /// A sum too long to print: the terms that depend on the same symbols are merged into one failure each, so a
    /// derivative that needs only some of them (∂/∂x of x + sin(y) + sin(2·y) + …) can still be written.
    /// </summary>
    private Expr Overflow(List<Expr> terms, List<Number> cs)
    {
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<string>();
        for (int k = 0; k < terms.Count; k++)
        {
            string key = terms[k].Free.Key;
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = new List<int>();
                order.Add(key);
            }

            list.Add(k);
        }

        if (order.Count > MaxTerms / 2 || order.Count == terms.Count)
        {
            return Fail(Failure.TooLong, terms.ToArray());
        }

        var items = new List<(Number, Expr)>();
        foreach (var key in order)
        {
            var group = groups[key];
            items.Add(group.Count == 1 ? (cs[group[0]], terms[group[0]]) : (Number.One, Fail(Failure.TooLong, group.Select(k => terms[k]).ToArray())));
        }

        return items.Count == 1 ? items[0].Item2 : Sum(items);
    }

    public Expr Mul(Expr a, Expr b) => Multiply(new[] { a, b });

    public Expr Mul(Expr a, Expr b, Expr c) => Multiply(new[] { a, b, c });

    public Expr Div(Expr a, Expr b) => Multiply(new[] { a, Pow(b, MinusOne) });

    /// <summary>Π factors, flattened, numbers folded into the coefficient, equal bases collected (x·x = x²).</summary>
    public Expr Multiply(IReadOnlyList<Expr> factors)
    {
        var coef = Number.One;
        var bases = new List<Expr>();
        var exponents = new List<Expr>();
        foreach (var f in factors)
        {
            switch (f.Kind)
            {
                case ExprKind.Number:
                    coef *= f.Value;
                    break;
                case ExprKind.Product:
                    coef *= f.Value;
                    bases.AddRange(f.Args);
                    exponents.AddRange(f.Exponents);
                    Spend(f.Args.Length);
                    break;
                default:
                    bases.Add(f);
                    exponents.Add(One);
                    break;
            }
        }

        return Product(coef, bases, exponents);
    }

    /// <summary>b^e: folded for numbers, distributed over a product for an integer e, powers of powers multiplied where that is exact.</summary>
    public Expr Pow(Expr b, Expr e)
    {
        if (e.IsNumberValue(0))
        {
            return One;
        }

        if (e.IsNumberValue(1))
        {
            return b;
        }

        if (b.IsNumberValue(1))
        {
            return One;
        }

        bool integer = e.IsNumber && e.Value.IsInteger;
        if (b.IsNumber && integer && b.Value.Power(e.Value.N) is { } folded)
        {
            return Num(folded);
        }

        if (b.IsNumber && b.Value.IsZero && e.IsNumber && !e.Value.IsNegative)
        {
            return Zero;
        }

        if (b.Kind == ExprKind.Product && e.IsNumber)
        {
            // (c·x^k·y)^e = c^e·x^(k·e)·y^e where that holds for every x: e an integer, or k not an even integer.
            bool safe = integer || (b.Value.IsOne && b.Args.Length == 1 && b.Exponents[0].IsNumber && !IsEvenInteger(b.Exponents[0].Value));
            Number? c = integer ? b.Value.Power(e.Value.N) : b.Value.IsOne ? Number.One : null;
            if (safe && c is { } coef)
            {
                var exps = new Expr[b.Args.Length];
                for (int k = 0; k < exps.Length; k++)
                {
                    exps[k] = Mul(b.Exponents[k], e);
                }

                return Product(coef, b.Args, exps);
            }
        }

        return Product(Number.One, new[] { b }, new[] { e });
    }

    /// <summary>Whether the sum b is −a: the same terms with opposite coefficients.</summary>
    private static bool IsNegation(Expr a, Expr b)
    {
        if (a.Args.Length != b.Args.Length || a.Args.Length > MaxTerms)
        {
            return false;
        }

        for (int k = 0; k < a.Args.Length; k++)
        {
            int m = System.Array.IndexOf(b.Args, a.Args[k]);
            if (m < 0 || !(b.Coefs[m] + a.Coefs[k]).IsZero)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsEvenInteger(Number v) => v.IsInteger && v.N % 2 == 0;

    private Expr Product(Number coef, IReadOnlyList<Expr> inBases, IReadOnlyList<Expr> inExponents)
    {
        if (coef.IsZero)
        {
            return Zero;
        }

        var order = new List<Expr>();
        var exps = new Dictionary<Expr, Expr>();
        for (int k = 0; k < inBases.Count; k++)
        {
            var b = inBases[k];

            // −(x − mu)·(x − mu) is −(x − mu)²: a sum that is the negation of one already here joins it (for integer
            // powers), written as the older of the two, which is the one the source wrote.
            if (b.Kind == ExprKind.Sum && !exps.ContainsKey(b) && inExponents[k] is { IsNumber: true, Value.IsInteger: true } power)
            {
                for (int j = 0; j < order.Count; j++)
                {
                    var seen = order[j];
                    if (seen.Kind != ExprKind.Sum || !IsNegation(seen, b))
                    {
                        continue;
                    }

                    if (b.Id < seen.Id && exps[seen] is { IsNumber: true, Value.IsInteger: true } seenPower)
                    {
                        order[j] = b;
                        exps.Remove(seen);
                        exps[b] = seenPower;
                        coef = seenPower.Value.N % 2 != 0 ? -coef : coef;
                    }
                    else
                    {
                        b = seen;
                        coef = power.Value.N % 2 != 0 ? -coef : coef;
                    }

                    break;
                }
            }

            if (exps.TryGetValue(b, out var old))
            {
                exps[b] = Add(old, inExponents[k]);
            }
            else
            {
                exps[b] = inExponents[k];
                order.Add(b);
            }
        }

        var bases = new List<Expr>();
        var exponents = new List<Expr>();
        foreach (var b in order)
        {
            var e = exps[b];
            if (e.IsNumberValue(0))
            {
                continue;
            }

            if (b.IsNumber && e.IsNumber && e.Value.IsInteger && b.Value.Power(e.Value.N) is { } folded)
            {
                coef *= folded;
                continue;
            }

            if (b.IsNumberValue(1))
            {
                continue;
            }

            bases.Add(b);
            exponents.Add(e);
        }

        if (coef.IsZero)
        {
            return Zero;
        }

        if (bases.Count == 0)
        {
            return Num(coef);
        }

        if (bases.Count == 1 && ReferenceEquals(exponents[0], One))
        {
            if (coef.IsOne)
            {
                return bases[0];
            }

            if (coef.IsMinusOne && bases[0].Kind == ExprKind.Sum)
            {
                // −(a − b) is written b − a.
                return Neg(bases[0]);
            }
        }

        // −(mu − x)/s² is written (x − mu)/s²: a lone minus sign goes into the one sum there is.
        if (coef.IsMinusOne)
        {
            var sums = Enumerable.Range(0, bases.Count).Where(k => bases[k].Kind == ExprKind.Sum).ToList();
            if (sums.Count == 1 && ReferenceEquals(exponents[sums[0]], One))
            {
                bases[sums[0]] = Neg(bases[sums[0]]);
                return Product(Number.One, bases, exponents);
            }
        }

        var args = bases.ToArray();
        var exponentArray = exponents.ToArray();
        var baseIds = new int[args.Length];
        var exponentIds = new int[args.Length];
        for (int k = 0; k < args.Length; k++)
        {
            baseIds[k] = args[k].Id;
            exponentIds[k] = exponentArray[k].Id;
        }

        System.Array.Sort(baseIds, exponentIds);
        var pairs = new int[2 * args.Length];
        for (int k = 0; k < args.Length; k++)
        {
            pairs[2 * k] = baseIds[k];
            pairs[(2 * k) + 1] = exponentIds[k];
        }

        return Make(new NodeKey(ExprKind.Product, coef, pairs, null), e =>
        {
            e.Value = coef;
            e.Args = args;
            e.Exponents = exponentArray;
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Functions, choices and sums over an index

    public Expr Func(string name, params Expr[] args)
    {
        if (args.Length == 1)
        {
            var a = args[0];
            switch (name)
            {
                case "exp" when a.IsNumberValue(0):
                    return One;
                case "exp" when a.Kind == ExprKind.Function && a.Name == "ln":
                    return a.Args[0];
                case "ln" when a.IsNumberValue(1):
                    return Zero;
                case "ln" when a.Kind == ExprKind.Function && a.Name == "exp":
                    return a.Args[0];
                case "abs" when a.IsNumber:
                    return a.Value.IsNegative ? Num(-a.Value) : a;
                case "sign" when a.IsNumber:
                    return Num(a.Value.IsZero ? 0 : a.Value.IsNegative ? -1 : 1);
                case "sin" or "tan" or "sinh" or "tanh" or "asin" or "atan" or "asinh" or "atanh" when a.IsNumberValue(0):
                    return Zero;
                case "cos" or "cosh" when a.IsNumberValue(0):
                    return One;
            }
        }

        return Make(new NodeKey(ExprKind.Function, name, 0, Ids(args)), e =>
        {
            e.Name = name;
            e.Args = args;
        });
    }

    public Expr Select(Expr c, Expr a, Expr b)
    {
        if (c.Kind == ExprKind.Bool)
        {
            return c.Value.IsZero ? b : a;
        }

        if (ReferenceEquals(a, b))
        {
            return a;
        }

        if (c.Kind == ExprKind.Not)
        {
            return Select(c.Args[0], b, a);
        }

        return Make(new NodeKey(ExprKind.Select, null, 0, Ids(c, a, b)), e => e.Args = new[] { c, a, b });
    }

    public Expr Compare(CmpKind kind, Expr a, Expr b)
    {
        if (a.IsNumber && b.IsNumber)
        {
            int cmp = a.Value.CompareTo(b.Value);
            return Bool(kind switch
            {
                CmpKind.Eq => cmp == 0,
                CmpKind.Ne => cmp != 0,
                CmpKind.Lt => cmp < 0,
                CmpKind.Le => cmp <= 0,
                CmpKind.Gt => cmp > 0,
                _ => cmp >= 0,
            });
        }

        return Make(new NodeKey(ExprKind.Compare, null, (int)kind, Ids(a, b)), e =>
        {
            e.Compare = kind;
            e.Args = new[] { a, b };
        });
    }

    public Expr Not(Expr a)
    {
        switch (a.Kind)
        {
            case ExprKind.Bool:
                return Bool(a.Value.IsZero);
            case ExprKind.Not:
                return a.Args[0];
            case ExprKind.Compare:
                // Read as real numbers (not NaN): !(a < b) is a ≥ b.
                var flipped = a.Compare switch
                {
                    CmpKind.Eq => CmpKind.Ne,
                    CmpKind.Ne => CmpKind.Eq,
                    CmpKind.Lt => CmpKind.Ge,
                    CmpKind.Le => CmpKind.Gt,
                    CmpKind.Gt => CmpKind.Le,
                    _ => CmpKind.Lt,
                };
                return Compare(flipped, a.Args[0], a.Args[1]);
            default:
                return Make(new NodeKey(ExprKind.Not, null, 0, Ids(a)), e => e.Args = new[] { a });
        }
    }

    public Expr And(Expr a, Expr b)
    {
        if (a.Kind == ExprKind.Bool)
        {
            return a.Value.IsZero ? False : b;
        }

        if (b.Kind == ExprKind.Bool)
        {
            return b.Value.IsZero ? False : a;
        }

        return ReferenceEquals(a, b) ? a : Make(new NodeKey(ExprKind.And, null, 0, Ids(a, b)), e => e.Args = new[] { a, b });
    }

    public Expr Or(Expr a, Expr b)
    {
        if (a.Kind == ExprKind.Bool)
        {
            return a.Value.IsZero ? b : True;
        }

        if (b.Kind == ExprKind.Bool)
        {
            return b.Value.IsZero ? a : True;
        }

        return ReferenceEquals(a, b) ? a : Make(new NodeKey(ExprKind.Or, null, 0, Ids(a, b)), e => e.Args = new[] { a, b });
    }

    public Expr Element(Expr array, Expr index) => Make(new NodeKey(ExprKind.Element, null, 0, Ids(array, index)), e => e.Args = new[] { array, index });

    /// <summary>Σ over <paramref name="index"/> of <paramref name="body"/> (<paramref name="count"/> terms); factors that do not depend on the index are taken out.</summary>
    public Expr SumOver(Expr index, Expr body, Expr count)
    {
        if (body.IsNumberValue(0))
        {
            return Zero;
        }

        if (!body.Free.Contains(index.Bit))
        {
            return Mul(count, body);
        }

        if (body.Kind == ExprKind.Product)
        {
            var inside = new List<Expr>();
            var outside = new List<Expr> { Num(body.Value) };
            for (int k = 0; k < body.Args.Length; k++)
            {
                var f = Pow(body.Args[k], body.Exponents[k]);
                (f.Free.Contains(index.Bit) ? inside : outside).Add(f);
            }

            if (outside.Count > 1 || !body.Value.IsOne)
            {
                return Mul(Multiply(outside), SumOver(index, Multiply(inside), count));
            }
        }

        return Make(new NodeKey(ExprKind.SumOver, null, 0, Ids(index, body, count)), e => e.Args = new[] { index, body, count });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Interning and caps

    private static int[] Ids(params Expr[] es)
    {
        var ids = new int[es.Length];
        for (int k = 0; k < es.Length; k++)
        {
            ids[k] = es[k].Id;
        }

        return ids;
    }

    private void Spend(int units)
    {
        _work += units;
        if (_work > _budget)
        {
            throw new FormulaBudgetException();
        }
    }

    private void NewBit(Expr e, string name)
    {
        e.Name = name;
        e.Bit = _nextBit++;
        e.Free = Symbols.Single(e.Bit);
    }

    private Expr Make(NodeKey key, Action<Expr> fill)
    {
        Spend(1);
        if (_interned.TryGetValue(key, out var found))
        {
            return found;
        }

        var kind = key.Kind;
        var e = new Expr(_nextId++, kind);
        fill(e);
        if (e.Args.Length > 0)
        {
            int size = 1;
            int depth = 0;
            var free = Symbols.None;
            bool choice = kind == ExprKind.Select;
            foreach (var a in e.Args)
            {
                size = Math.Min(size + a.Size, int.MaxValue / 4);
                depth = Math.Max(depth, a.Depth);
                free = free.Union(a.Free);
                choice |= a.HasChoice;
            }

            foreach (var x in e.Exponents)
            {
                if (!ReferenceEquals(x, One))
                {
                    size = Math.Min(size + x.Size, int.MaxValue / 4);
                    depth = Math.Max(depth, x.Depth);
                    free = free.Union(x.Free);
                    choice |= x.HasChoice;
                }
            }

            e.HasChoice = choice;

            Spend(e.Args.Length + e.Exponents.Length);
            e.Size = size + e.Coefs.Length;
            e.Depth = depth + 1;
            e.Free = kind == ExprKind.SumOver ? free.Without(e.Args[0].Bit) : free;
            if (e.Size > SizeCap || e.Depth > DepthCap)
            {
                return Fail(Failure.TooLong, e.Free);
            }
        }

        _interned.Add(key, e);
        return e;
    }

    /// <summary>
    /// What makes two nodes equal, compared field by field (no key text is built): the kind, a name (symbols,
    /// functions), a number (numbers, booleans, a product's coefficient), a tag (a comparison's kind), the operands' ids
    /// (a sum's and a product's sorted by id, so the order of the terms does not matter) and a sum's coefficients.
    /// </summary>
    private readonly struct NodeKey : IEquatable<NodeKey>
    {
        private static readonly int[] NoIds = System.Array.Empty<int>();

        private readonly string? _name;
        private readonly Number _value;
        private readonly int _tag;
        private readonly int[] _ids;
        private readonly Number[]? _coefs;
        private readonly int _hash;

        public NodeKey(ExprKind kind, Number value)
            : this(kind, null, value, 0, NoIds, null)
        {
        }

        public NodeKey(ExprKind kind, string name)
            : this(kind, name, Number.Zero, 0, NoIds, null)
        {
        }

        public NodeKey(ExprKind kind, string? name, int tag, int[] ids)
            : this(kind, name, Number.Zero, tag, ids, null)
        {
        }

        public NodeKey(ExprKind kind, Number value, int[] ids, Number[]? coefs)
            : this(kind, null, value, 0, ids, coefs)
        {
        }

        private NodeKey(ExprKind kind, string? name, Number value, int tag, int[] ids, Number[]? coefs)
        {
            Kind = kind;
            _name = name;
            _value = value;
            _tag = tag;
            _ids = ids;
            _coefs = coefs;
            int h = ((int)kind * 31) + (name is null ? 0 : StringComparer.Ordinal.GetHashCode(name));
            h = (h * 31) + value.GetHashCode();
            h = (h * 31) + tag;
            foreach (int id in ids)
            {
                h = (h * 31) + id;
            }

            if (coefs is not null)
            {
                foreach (var c in coefs)
                {
                    h = (h * 31) + c.GetHashCode();
                }
            }

            _hash = h;
        }

        public ExprKind Kind { get; }

        public bool Equals(NodeKey other)
        {
            if (_hash != other._hash || Kind != other.Kind || _tag != other._tag || !string.Equals(_name, other._name, StringComparison.Ordinal)
                || !_value.Equals(other._value) || _ids.Length != other._ids.Length || (_coefs is null) != (other._coefs is null))
            {
                return false;
            }

            for (int k = 0; k < _ids.Length; k++)
            {
                if (_ids[k] != other._ids[k])
                {
                    return false;
                }
            }

            if (_coefs is not null)
            {
                for (int k = 0; k < _coefs.Length; k++)
                {
                    if (!_coefs[k].Equals(other._coefs![k]))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => obj is NodeKey k && Equals(k);

        public override int GetHashCode() => _hash;
    }
}

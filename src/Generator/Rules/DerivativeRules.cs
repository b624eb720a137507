using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Rules;

/// <summary>The arguments of one application of a rule.</summary>
internal readonly struct RuleContext
{
    public RuleContext(IExprBuilder builder, Expr[] args, Expr result, IrType type)
    {
        B = builder;
        Args = args;
        Result = result;
        Type = type;
    }

    public IExprBuilder B { get; }

    public Expr[] Args { get; }

    /// <summary>Ω, the operation's own (forward) value: reused, never recomputed.</summary>
    public Expr Result { get; }

    public IrType Type { get; }

    public Expr A => Args[0];

    public Expr K(double value) => B.Const(value, Type);

    public Expr Add(Expr a, Expr b) => B.Op(Op.Add, Type, a, b);

    public Expr Sub(Expr a, Expr b) => B.Op(Op.Sub, Type, a, b);

    public Expr Mul(Expr a, Expr b) => B.Op(Op.Mul, Type, a, b);

    public Expr Div(Expr a, Expr b) => B.Op(Op.Div, Type, a, b);

    public Expr Neg(Expr a) => B.Op(Op.Neg, Type, a);

    public Expr F(Op op, params Expr[] args) => B.Op(op, Type, args);

    public Expr Square(Expr a) => Mul(a, a);

    public Expr Select(Expr condition, Expr whenTrue, Expr whenFalse) => B.Op(Op.Select, Type, condition, whenTrue, whenFalse);

    public Expr Cmp(string token, Expr a, Expr b) => B.Compare(token, a, b);
}

/// <summary>
/// One derivative rule: the partial derivative of an operation with respect to each argument, written with
/// the operation's result Ω where that saves work (exp, sqrt, tanh...), and a formula for comments.
/// </summary>
internal sealed class DerivativeRule
{
    public DerivativeRule(Op op, string name, string formula, Func<RuleContext, int, Expr>? partial)
    {
        Op = op;
        Name = name;
        Formula = formula;
        Partial = partial;
    }

    public Op Op { get; }

    /// <summary>The rule's name in comments ("product rule").</summary>
    public string Name { get; }

    /// <summary>The rule in plain math, for comments and documentation.</summary>
    public string Formula { get; }

    /// <summary>∂Ω/∂args[i]; null for operations whose derivative is zero almost everywhere (floor, round...).</summary>
    public Func<RuleContext, int, Expr>? Partial { get; }

    public bool IsZero => Partial is null;
}

/// <summary>
/// The table of derivative rules, one per line, in the spirit of ChainRules.jl. Conventions at kinks
/// (documented in the README and tested): |x|′(0) = 0; ∂(x^y)/∂x = 0 where y = 0 and ∂(x^y)/∂y = 0 where
/// x = 0 and y ≥ 0; max/min split a tie evenly (½ each), so
/// max(x, x) has derivative 1; clamp passes the derivative to x on the closed interval [lo, hi], to lo
/// below it and to hi above it; hypot has derivative 0 at the origin; floor, ceiling, round, truncate
/// and sign have derivative 0.
/// </summary>
internal static class DerivativeRules
{
    private static readonly Dictionary<Op, DerivativeRule> Table = Build();

    public static DerivativeRule For(Op op) => Table[op];

    public static IEnumerable<DerivativeRule> All => Table.Values;

    private static Dictionary<Op, DerivativeRule> Build()
    {
        var rules = new List<DerivativeRule>
        {
            new(Op.Add, "sum rule", "∂(a + b) = ∂a + ∂b", (c, i) => c.K(1)),
            new(Op.Sub, "difference rule", "∂(a − b) = ∂a − ∂b", (c, i) => c.K(i == 0 ? 1 : -1)),
            new(Op.Mul, "product rule", "∂(a·b) = b·∂a + a·∂b", (c, i) => c.Args[1 - i]),
            new(Op.Div, "quotient rule", "∂(a/b) = ∂a/b − (a/b)·∂b/b", (c, i) => i == 0 ? c.Div(c.K(1), c.Args[1]) : c.Neg(c.Div(c.Result, c.Args[1]))),
            new(Op.Rem, "remainder rule", "∂(a % b) = ∂a − trunc(a/b)·∂b", (c, i) => i == 0 ? c.K(1) : c.Neg(c.F(Op.Truncate, c.Div(c.Args[0], c.Args[1])))),
            new(Op.Neg, "negation", "∂(−a) = −∂a", (c, i) => c.K(-1)),
            new(Op.Convert, "conversion", "∂(T)a = ∂a", (c, i) => c.K(1)),
            new(Op.Exp, "exp rule", "∂exp(x) = exp(x)·∂x", (c, i) => c.Result),
            new(Op.Log, "log rule", "∂ln(x) = ∂x/x", (c, i) => c.Div(c.K(1), c.A)),
            new(Op.LogBase, "log rule", "∂log_b(x) = ∂x/(x·ln b) − log_b(x)·∂b/(b·ln b)", (c, i) => i == 0
                ? c.Div(c.K(1), c.Mul(c.A, c.F(Op.Log, c.Args[1])))
                : c.Neg(c.Div(c.Result, c.Mul(c.Args[1], c.F(Op.Log, c.Args[1]))))),
            new(Op.Log10, "log rule", "∂log10(x) = ∂x/(x·ln 10)", (c, i) => c.Div(c.K(1 / Math.Log(10)), c.A)),
            new(Op.Log2, "log rule", "∂log2(x) = ∂x/(x·ln 2)", (c, i) => c.Div(c.K(1 / Math.Log(2)), c.A)),
            new(Op.Sqrt, "sqrt rule", "∂√x = ∂x/(2√x)", (c, i) => c.Div(c.K(0.5), c.Result)),
            new(Op.Cbrt, "cbrt rule", "∂∛x = ∂x/(3·∛x²)", (c, i) => c.Div(c.K(1), c.Mul(c.K(3), c.Square(c.Result)))),
            new(Op.Pow, "power rule", "∂(a^b) = b·a^(b−1)·∂a + a^b·ln(a)·∂b", Pow),
            new(Op.Sin, "sin rule", "∂sin(x) = cos(x)·∂x", (c, i) => c.F(Op.Cos, c.A)),
            new(Op.Cos, "cos rule", "∂cos(x) = −sin(x)·∂x", (c, i) => c.Neg(c.F(Op.Sin, c.A))),
            new(Op.Tan, "tan rule", "∂tan(x) = (1 + tan²(x))·∂x", (c, i) => c.Add(c.K(1), c.Square(c.Result))),
            new(Op.Asin, "asin rule", "∂asin(x) = ∂x/√(1 − x²)", (c, i) => c.Div(c.K(1), c.F(Op.Sqrt, c.Sub(c.K(1), c.Square(c.A))))),
            new(Op.Acos, "acos rule", "∂acos(x) = −∂x/√(1 − x²)", (c, i) => c.Div(c.K(-1), c.F(Op.Sqrt, c.Sub(c.K(1), c.Square(c.A))))),
            new(Op.Atan, "atan rule", "∂atan(x) = ∂x/(1 + x²)", (c, i) => c.Div(c.K(1), c.Add(c.K(1), c.Square(c.A)))),
            new(Op.Atan2, "atan2 rule", "∂atan2(y, x) = (x·∂y − y·∂x)/(x² + y²)", (c, i) =>
            {
                var r2 = c.Add(c.Square(c.Args[1]), c.Square(c.Args[0]));
                return i == 0 ? c.Div(c.Args[1], r2) : c.Neg(c.Div(c.Args[0], r2));
            }),
            new(Op.Sinh, "sinh rule", "∂sinh(x) = cosh(x)·∂x", (c, i) => c.F(Op.Cosh, c.A)),
            new(Op.Cosh, "cosh rule", "∂cosh(x) = sinh(x)·∂x", (c, i) => c.F(Op.Sinh, c.A)),
            new(Op.Tanh, "tanh rule", "∂tanh(x) = (1 − tanh²(x))·∂x", (c, i) => c.Sub(c.K(1), c.Square(c.Result))),
            new(Op.Asinh, "asinh rule", "∂asinh(x) = ∂x/√(x² + 1)", (c, i) => c.Div(c.K(1), c.F(Op.Sqrt, c.Add(c.Square(c.A), c.K(1))))),
            new(Op.Acosh, "acosh rule", "∂acosh(x) = ∂x/√(x² − 1)", (c, i) => c.Div(c.K(1), c.F(Op.Sqrt, c.Sub(c.Square(c.A), c.K(1))))),
            new(Op.Atanh, "atanh rule", "∂atanh(x) = ∂x/(1 − x²)", (c, i) => c.Div(c.K(1), c.Sub(c.K(1), c.Square(c.A)))),
            new(Op.Abs, "abs rule", "∂|x| = sign(x)·∂x, with 0 at x = 0", (c, i) =>
                c.Select(c.Cmp(">", c.A, c.K(0)), c.K(1), c.Select(c.Cmp("<", c.A, c.K(0)), c.K(-1), c.K(0)))),
            new(Op.Max, "max rule", "∂max(a, b) = ∂a if a > b, ∂b if b > a, (∂a + ∂b)/2 on a tie", (c, i) =>
                c.Select(c.Cmp(">", c.Args[i], c.Args[1 - i]), c.K(1), c.Select(c.Cmp("==", c.Args[0], c.Args[1]), c.K(0.5), c.K(0)))),
            new(Op.Min, "min rule", "∂min(a, b) = ∂a if a < b, ∂b if b < a, (∂a + ∂b)/2 on a tie", (c, i) =>
                c.Select(c.Cmp("<", c.Args[i], c.Args[1 - i]), c.K(1), c.Select(c.Cmp("==", c.Args[0], c.Args[1]), c.K(0.5), c.K(0)))),
            new(Op.Clamp, "clamp rule", "∂clamp(x, lo, hi) = ∂x on lo ≤ x ≤ hi, ∂lo when x < lo, ∂hi when x > hi", Clamp),
            new(Op.FusedMultiplyAdd, "fused multiply-add rule", "∂(a·b + c) = b·∂a + a·∂b + ∂c", (c, i) => i == 2 ? c.K(1) : c.Args[1 - i]),
            new(Op.Hypot, "hypot rule", "∂hypot(a, b) = (a·∂a + b·∂b)/hypot(a, b), with 0 at the origin", (c, i) =>
                c.Select(c.Cmp("==", c.Result, c.K(0)), c.K(0), c.Div(c.Args[i], c.Result))),
            new(Op.Floor, "step function", "∂floor(x) = 0", null),
            new(Op.Ceiling, "step function", "∂ceiling(x) = 0", null),
            new(Op.Round, "step function", "∂round(x) = 0", null),
            new(Op.Truncate, "step function", "∂truncate(x) = 0", null),
            new(Op.Select, "selection", "∂(c ? a : b) = c ? ∂a : ∂b", null),
        };
        return rules.ToDictionary(r => r.Op);
    }

    private static Expr Pow(RuleContext c, int i)
    {
        var a = c.Args[0];
        var b = c.Args[1];
        if (i == 0)
        {
            // b·a^(b−1); a^1 and a^0 fold away, so x² gives 2·x. With a variable exponent, 0 where b = 0
            // (as PyTorch): a^0 = 1 does not change with a, even at a = 0 where b·a^(b−1) would be 0·∞.
            var power = c.Mul(b, c.F(Op.Pow, a, c.Sub(b, c.K(1))));
            return b is ConstExpr ? power : c.Select(c.Cmp("==", b, c.K(0)), c.K(0), power);
        }

        if (a is ConstExpr k && k.Value > 0)
        {
            return c.Mul(c.Result, c.F(Op.Log, a));
        }

        // a^b·ln(a), taken as 0 where a = 0 and b ≥ 0 (as PyTorch does): 0^b does not change with b there.
        return c.Select(
            c.B.And(c.Cmp("==", a, c.K(0)), c.Cmp(">=", b, c.K(0))),
            c.K(0),
            c.Mul(c.Result, c.F(Op.Log, a)));
    }

    private static Expr Clamp(RuleContext c, int i)
    {
        var x = c.Args[0];
        return i switch
        {
            0 => c.Select(c.B.And(c.Cmp(">=", x, c.Args[1]), c.Cmp("<=", x, c.Args[2])), c.K(1), c.K(0)),
            1 => c.Select(c.Cmp("<", x, c.Args[1]), c.K(1), c.K(0)),
            _ => c.Select(c.Cmp(">", x, c.Args[2]), c.K(1), c.K(0)),
        };
    }
}

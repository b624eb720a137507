using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Emit;

/// <summary>
/// Symbolic differentiation of formula nodes with respect to one parameter (a symbol) or one element of an array
/// parameter (w[i], where i is the index of the sums). Memoized per node, so shared subexpressions are differentiated
/// once; the recursion is bounded by <see cref="Algebra.DepthCap"/>, since every node is.
/// </summary>
internal sealed class Derivatives
{
    /// <summary>The derivative of f(a) with respect to a, one line per function (the chain rule multiplies by ∂a).</summary>
    private static readonly Dictionary<string, Func<Algebra, Expr, Expr>> Unary = new(StringComparer.Ordinal)
    {
        ["exp"] = (g, a) => g.Func("exp", a),
        ["ln"] = (g, a) => g.Pow(a, g.MinusOne),
        ["log₁₀"] = (g, a) => g.Div(g.One, g.Mul(g.Func("ln", g.Num(10)), a)),
        ["log₂"] = (g, a) => g.Div(g.One, g.Mul(g.Func("ln", g.Num(2)), a)),
        ["sin"] = (g, a) => g.Func("cos", a),
        ["cos"] = (g, a) => g.Neg(g.Func("sin", a)),
        ["tan"] = (g, a) => g.Add(g.One, g.Pow(g.Func("tan", a), g.Num(2))),
        ["asin"] = (g, a) => g.Pow(g.Sub(g.One, g.Pow(a, g.Num(2))), g.Num(Number.Fraction(-1, 2))),
        ["acos"] = (g, a) => g.Neg(g.Pow(g.Sub(g.One, g.Pow(a, g.Num(2))), g.Num(Number.Fraction(-1, 2)))),
        ["atan"] = (g, a) => g.Pow(g.Add(g.One, g.Pow(a, g.Num(2))), g.MinusOne),
        ["sinh"] = (g, a) => g.Func("cosh", a),
        ["cosh"] = (g, a) => g.Func("sinh", a),
        ["tanh"] = (g, a) => g.Sub(g.One, g.Pow(g.Func("tanh", a), g.Num(2))),
        ["asinh"] = (g, a) => g.Pow(g.Add(g.Pow(a, g.Num(2)), g.One), g.Num(Number.Fraction(-1, 2))),
        ["acosh"] = (g, a) => g.Pow(g.Sub(g.Pow(a, g.Num(2)), g.One), g.Num(Number.Fraction(-1, 2))),
        ["atanh"] = (g, a) => g.Pow(g.Sub(g.One, g.Pow(a, g.Num(2))), g.MinusOne),
        ["abs"] = (g, a) => g.Func("sign", a),
        ["sign"] = (g, _) => g.Zero,
        ["floor"] = (g, _) => g.Zero,
        ["ceil"] = (g, _) => g.Zero,
        ["round"] = (g, _) => g.Zero,
        ["trunc"] = (g, _) => g.Zero,
    };

    private readonly Algebra _g;
    private readonly Expr _target;
    private readonly Expr? _index;
    private readonly Dictionary<Expr, Expr> _memo = new();

    /// <param name="g">The algebra the nodes come from.</param>
    /// <param name="target">A symbol, or an array parameter (then the derivative is with respect to target[index]).</param>
    /// <param name="index">For an array: the index of the sums.</param>
    public Derivatives(Algebra g, Expr target, Expr? index)
    {
        _g = g;
        _target = target;
        _index = index;
    }

    public Expr Of(Expr e)
    {
        if (!e.Free.Contains(_target.Bit))
        {
            return _g.Zero;
        }

        if (_memo.TryGetValue(e, out var done))
        {
            return done;
        }

        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();

        var d = Compute(e);
        _memo[e] = d;
        return d;
    }

    private Expr Compute(Expr e)
    {
        var g = _g;
        switch (e.Kind)
        {
            case ExprKind.Symbol:
                return ReferenceEquals(e, _target) ? g.One : g.Zero;
            case ExprKind.Element:
                // w[i] inside a sum over i: each term of the sum holds one element, so ∂/∂w[i] picks the term at i.
                return ReferenceEquals(e.Args[0], _target)
                    ? ReferenceEquals(e.Args[1], _index) ? g.One : g.Fail(Failure.Unsupported, Symbols.All)
                    : g.Fail(Failure.Unsupported, Symbols.All);
            case ExprKind.Sum:
                {
                    var items = new List<(Number, Expr)>();
                    for (int k = 0; k < e.Args.Length; k++)
                    {
                        items.Add((e.Coefs[k], Of(e.Args[k])));
                    }

                    return g.Sum(items);
                }

            case ExprKind.Product:
                return Product(e);
            case ExprKind.Function:
                return Function(e);
            case ExprKind.Select:
                return g.Select(e.Args[0], Of(e.Args[1]), Of(e.Args[2]));
            case ExprKind.SumOver:
                {
                    var body = Of(e.Args[1]);
                    return _index is null ? g.SumOver(e.Args[0], body, e.Args[2]) : body;
                }

            case ExprKind.Fail:
                return g.Fail(e.Failure, Symbols.All);
            default:
                // Booleans, the index, numbers: no derivative. An accumulator never reaches here in a finished formula.
                return e.Kind == ExprKind.Accumulator ? g.Fail(Failure.Loop, Symbols.All) : g.Zero;
        }
    }

    /// <summary>∂(c·Π bₖ^eₖ) = Σₖ (c·Π bⱼ^eⱼ)·(eₖ·∂bₖ/bₖ + ∂eₖ·ln bₖ), written back with the powers collected.</summary>
    private Expr Product(Expr e)
    {
        var g = _g;
        var terms = new List<(Number, Expr)>();
        for (int k = 0; k < e.Args.Length; k++)
        {
            var b = e.Args[k];
            var x = e.Exponents[k];
            var db = Of(b);
            var dx = Of(x);
            if (db.IsNumberValue(0) && dx.IsNumberValue(0))
            {
                continue;
            }

            // The other factors, and b^(x−1)·(x·∂b) (+ b^x·ln b·∂x).
            var others = new List<Expr> { g.Num(e.Value) };
            for (int j = 0; j < e.Args.Length; j++)
            {
                if (j != k)
                {
                    others.Add(g.Pow(e.Args[j], e.Exponents[j]));
                }
            }

            var rest = g.Multiply(others);
            if (!db.IsNumberValue(0))
            {
                terms.Add((Number.One, g.Multiply(new[] { rest, x, g.Pow(b, g.Sub(x, g.One)), db })));
            }

            if (!dx.IsNumberValue(0))
            {
                terms.Add((Number.One, g.Multiply(new[] { rest, g.Pow(b, x), g.Func("ln", b), dx })));
            }
        }

        return g.Sum(terms);
    }

    private Expr Function(Expr e)
    {
        var g = _g;
        var a = e.Args;
        switch (e.Name)
        {
            case "max":
                return g.Select(g.Compare(CmpKind.Gt, a[0], a[1]), Of(a[0]), Of(a[1]));
            case "min":
                return g.Select(g.Compare(CmpKind.Lt, a[0], a[1]), Of(a[0]), Of(a[1]));
            case "clamp":
                return g.Select(g.Compare(CmpKind.Lt, a[0], a[1]), Of(a[1]), g.Select(g.Compare(CmpKind.Gt, a[0], a[2]), Of(a[2]), Of(a[0])));
            case "atan2":
                {
                    // atan2(y, x): ∂y → x/(x² + y²), ∂x → −y/(x² + y²).
                    var r2 = g.Add(g.Pow(a[1], g.Num(2)), g.Pow(a[0], g.Num(2)));
                    return g.Div(g.Sub(g.Mul(a[1], Of(a[0])), g.Mul(a[0], Of(a[1]))), r2);
                }
        }

        if (a.Length == 1 && Unary.TryGetValue(e.Name, out var rule))
        {
            var da = Of(a[0]);
            return da.IsNumberValue(0) ? g.Zero : g.Mul(rule(g, a[0]), da);
        }

        return g.Fail(Failure.Unsupported, Symbols.All);
    }
}

namespace SymbolicGrad.Generator.Emit;

/// <summary>
/// Moves choices to the front of a formula: x·(x &gt; y ? ln(y) : 0) + (x &gt; y ? x·ln(y) : y²) is also
/// x &gt; y ? 2·x·ln(y) : y², one formula per branch. <see cref="Formulas"/> keeps whichever prints shorter.
/// </summary>
internal sealed class Choices
{
    /// <summary>Conditions moved to the front, at most: each one doubles the formula before it simplifies.</summary>
    private const int MaxLifted = 3;

    private readonly Algebra _g;

    public Choices(Algebra g) => _g = g;

    /// <summary>e with its choices moved to the front (up to <see cref="MaxLifted"/> conditions deep).</summary>
    public Expr Lift(Expr e) => Lift(e, 0);

    private Expr Lift(Expr e, int depth)
    {
        if (!e.HasChoice)
        {
            return e;
        }

        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (e.Kind == ExprKind.Select)
        {
            return _g.Select(e.Args[0], Lift(e.Args[1], depth), Lift(e.Args[2], depth));
        }

        if (depth >= MaxLifted || FirstCondition(e, new HashSet<Expr>()) is not { } c)
        {
            return e;
        }

        return _g.Select(c, Lift(Assume(e, c, true, new()), depth + 1), Lift(Assume(e, c, false, new()), depth + 1));
    }

    /// <summary>The condition of the first choice met (in reading order) outside the sums (a choice inside Σᵢ depends on the sum's own i).</summary>
    private static Expr? FirstCondition(Expr e, HashSet<Expr> seen)
    {
        if (!seen.Add(e) || e.Kind == ExprKind.SumOver)
        {
            return null;
        }

        if (e.Kind == ExprKind.Select && e.Args[0].Kind != ExprKind.Bool)
        {
            return e.Args[0];
        }

        foreach (var a in e.Args)
        {
            if (FirstCondition(a, seen) is { } c)
            {
                return c;
            }
        }

        return null;
    }

    private static bool ContainsIndex(Expr e, HashSet<Expr> seen)
    {
        if (e.Kind == ExprKind.Index)
        {
            return true;
        }

        if (!seen.Add(e))
        {
            return false;
        }

        foreach (var a in e.Args)
        {
            if (ContainsIndex(a, seen))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>e where <paramref name="cond"/> has the value <paramref name="value"/> (and its negation the other).</summary>
    private Expr Assume(Expr e, Expr cond, bool value, Dictionary<Expr, Expr> memo)
    {
        if (memo.TryGetValue(e, out var done))
        {
            return done;
        }

        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        var g = _g;
        Expr A(Expr x) => Assume(x, cond, value, memo);
        Expr result;
        if (ReferenceEquals(e, cond))
        {
            result = g.Bool(value);
        }
        else if (ReferenceEquals(e, g.Not(cond)))
        {
            result = g.Bool(!value);
        }
        else
        {
            switch (e.Kind)
            {
                case ExprKind.Select:
                    result = g.Select(A(e.Args[0]), A(e.Args[1]), A(e.Args[2]));
                    break;
                case ExprKind.Sum:
                    {
                        var items = new List<(Number, Expr)>();
                        for (int k = 0; k < e.Args.Length; k++)
                        {
                            items.Add((e.Coefs[k], A(e.Args[k])));
                        }

                        result = g.Sum(items);
                        break;
                    }

                case ExprKind.Product:
                    {
                        var factors = new List<Expr> { g.Num(e.Value) };
                        for (int k = 0; k < e.Args.Length; k++)
                        {
                            factors.Add(g.Pow(A(e.Args[k]), A(e.Exponents[k])));
                        }

                        result = g.Multiply(factors);
                        break;
                    }

                case ExprKind.Function:
                    result = g.Func(e.Name, e.Args.Select(A).ToArray());
                    break;
                case ExprKind.Compare:
                    result = g.Compare(e.Compare, A(e.Args[0]), A(e.Args[1]));
                    break;
                case ExprKind.Not:
                    result = g.Not(A(e.Args[0]));
                    break;
                case ExprKind.And:
                    result = g.And(A(e.Args[0]), A(e.Args[1]));
                    break;
                case ExprKind.Or:
                    result = g.Or(A(e.Args[0]), A(e.Args[1]));
                    break;
                case ExprKind.SumOver:
                    // Inside the sum the index is the sum's own: a condition on the index outside means another i.
                    result = ContainsIndex(cond, new HashSet<Expr>()) ? e : g.SumOver(e.Args[0], A(e.Args[1]), e.Args[2]);
                    break;
                default:
                    result = e;
                    break;
            }
        }

        memo[e] = result;
        return result;
    }
}

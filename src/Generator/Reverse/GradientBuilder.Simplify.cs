using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Reverse;

/// <summary>
/// Constant folding and algebraic identities, applied as each operation is built. The forward sweep only
/// uses rewrites that leave the function's value bit for bit unchanged (exact folds, x·1, x+0, x/1); the
/// reverse sweep, which computes derivatives, may also prune x·0, reassociate constants and turn x + x into 2·x.
/// </summary>
internal sealed partial class GradientBuilder
{
    private Expr? Simplify(Op op, IrType type, Expr[] a)
    {
        // Generic T: no folding, whose double arithmetic could differ from T's; the identities still apply.
        if (!type.IsGeneric && a.All(x => x is ConstExpr) && Fold(op, type, a.Cast<ConstExpr>().Select(c => c.Value).ToArray()) is { } folded)
        {
            return folded;
        }

        switch (op)
        {
            case Ir.Op.Convert:
                if (a[0].Type.CSharp == type.CSharp)
                {
                    return a[0];
                }

                break;
            case Ir.Op.Add:
                if (a[1].IsConst(0))
                {
                    return a[0];
                }

                if (a[0].IsConst(0))
                {
                    return a[1];
                }

                if (_reverse)
                {
                    if (DefinitionOf(a[1]) is { Op: Ir.Op.Neg } n1)
                    {
                        return MakeOp(Ir.Op.Sub, type, new[] { a[0], n1.Args[0] }, null);
                    }

                    if (DefinitionOf(a[0]) is { Op: Ir.Op.Neg } n0)
                    {
                        return MakeOp(Ir.Op.Sub, type, new[] { a[1], n0.Args[0] }, null);
                    }

                    if (a[0].Key == a[1].Key)
                    {
                        return MakeOp(Ir.Op.Mul, type, new[] { Const(2, type), a[0] }, null);
                    }
                }

                break;
            case Ir.Op.Sub:
                if (a[1].IsConst(0))
                {
                    return a[0];
                }

                if (_reverse)
                {
                    if (a[0].IsConst(0))
                    {
                        return MakeOp(Ir.Op.Neg, type, new[] { a[1] }, null);
                    }

                    if (DefinitionOf(a[1]) is { Op: Ir.Op.Neg } n)
                    {
                        return MakeOp(Ir.Op.Add, type, new[] { a[0], n.Args[0] }, null);
                    }
                }

                break;
            case Ir.Op.Mul:
                if (a[1].IsConst(1))
                {
                    return a[0];
                }

                if (a[0].IsConst(1))
                {
                    return a[1];
                }

                if (_reverse)
                {
                    return SimplifyReverseMul(type, a[0], a[1]);
                }

                break;
            case Ir.Op.Div:
                if (a[1].IsConst(1))
                {
                    return a[0];
                }

                if (_reverse)
                {
                    if (a[0].IsConst(0))
                    {
                        return a[0];
                    }

                    if (a[1].IsConst(-1))
                    {
                        return MakeOp(Ir.Op.Neg, type, new[] { a[0] }, null);
                    }
                }

                break;
            case Ir.Op.Neg:
                if (DefinitionOf(a[0]) is { Op: Ir.Op.Neg } inner)
                {
                    return inner.Args[0];
                }

                break;
            case Ir.Op.Pow:
                if (a[1].IsConst(1))
                {
                    return a[0];
                }

                if (_reverse && a[1].IsConst(0))
                {
                    return Const(1, type);
                }

                if (_reverse && a[1].IsConst(2))
                {
                    return MakeOp(Ir.Op.Mul, type, new[] { a[0], a[0] }, null);
                }

                break;
            case Ir.Op.Select:
                if (a[1].Key == a[2].Key)
                {
                    return a[1];
                }

                break;
        }

        return null;
    }

    private Expr? SimplifyReverseMul(IrType type, Expr x, Expr y)
    {
        if (x.IsConst(0) || y.IsConst(0))
        {
            return Const(0, type);
        }

        if (x.IsConst(-1))
        {
            return MakeOp(Ir.Op.Neg, type, new[] { y }, null);
        }

        if (y.IsConst(-1))
        {
            return MakeOp(Ir.Op.Neg, type, new[] { x }, null);
        }

        // (−a)·b = −(a·b): lets double negations cancel.
        if (DefinitionOf(x) is { Op: Ir.Op.Neg } nx)
        {
            return MakeOp(Ir.Op.Neg, type, new[] { MakeOp(Ir.Op.Mul, type, new[] { nx.Args[0], y }, null) }, null);
        }

        if (DefinitionOf(y) is { Op: Ir.Op.Neg } ny)
        {
            return MakeOp(Ir.Op.Neg, type, new[] { MakeOp(Ir.Op.Mul, type, new[] { x, ny.Args[0] }, null) }, null);
        }

        // c1·(c2·z) = (c1·c2)·z.
        if (x is ConstExpr c1 && DefinitionOf(y) is { Op: Ir.Op.Mul } my && my.Args[0] is ConstExpr c2)
        {
            return MakeOp(Ir.Op.Mul, type, new[] { Const(c1.Value * c2.Value, type), my.Args[1] }, null);
        }

        if (y is ConstExpr d1 && DefinitionOf(x) is { Op: Ir.Op.Mul } mx && mx.Args[0] is ConstExpr d2)
        {
            return MakeOp(Ir.Op.Mul, type, new[] { Const(d1.Value * d2.Value, type), mx.Args[1] }, null);
        }

        // (c ? k1 : k2)·y = c ? k1·y : k2·y, for constant k: the indicator functions of max, min, clamp and abs.
        if (DefinitionOf(x) is { Op: Ir.Op.Select } sx && IsConstSelect(sx))
        {
            return DistributeSelect(type, sx, y);
        }

        if (DefinitionOf(y) is { Op: Ir.Op.Select } sy && IsConstSelect(sy))
        {
            return DistributeSelect(type, sy, x);
        }

        return null;
    }

    private bool IsConstSelect(OpExpr select) =>
        select.Args.Skip(1).All(b => b is ConstExpr || (DefinitionOf(b) is { Op: Ir.Op.Select } inner && IsConstSelect(inner)));

    private Expr DistributeSelect(IrType type, OpExpr select, Expr factor)
    {
        Expr Branch(Expr b) => DefinitionOf(b) is { Op: Ir.Op.Select } inner
            ? DistributeSelect(type, inner, factor)
            : MakeOp(Ir.Op.Mul, type, new[] { b, factor }, null);

        return MakeOp(Ir.Op.Select, type, new[] { select.Args[0], Branch(select.Args[1]), Branch(select.Args[2]) }, null);
    }

    /// <summary>Folds an operation on constants, where the result is exact (or, in the reverse sweep, where a tiny rounding difference is harmless).</summary>
    private Expr? Fold(Op op, IrType type, double[] v)
    {
        double? r = op switch
        {
            Ir.Op.Add => v[0] + v[1],
            Ir.Op.Sub => v[0] - v[1],
            Ir.Op.Mul => v[0] * v[1],
            Ir.Op.Div => v[0] / v[1],
            Ir.Op.Rem => v[0] % v[1],
            Ir.Op.Neg => -v[0],
            Ir.Op.Convert => v[0],
            Ir.Op.Sqrt when !type.IsSingle => Math.Sqrt(v[0]),
            Ir.Op.Abs => Math.Abs(v[0]),
            Ir.Op.Floor => Math.Floor(v[0]),
            Ir.Op.Ceiling => Math.Ceiling(v[0]),
            Ir.Op.Truncate => Math.Truncate(v[0]),
            Ir.Op.Max => Math.Max(v[0], v[1]),
            Ir.Op.Min => Math.Min(v[0], v[1]),
            Ir.Op.Log when _reverse && !type.IsSingle => Math.Log(v[0]),
            Ir.Op.Exp when _reverse && !type.IsSingle => Math.Exp(v[0]),
            _ => null,
        };
        if (r is not { } value)
        {
            return null;
        }

        if (type.IsSingle)
        {
            value = (float)value;
        }

        return Const(value, type);
    }
}

using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Transforms;

/// <summary>
/// Appends instructions to a block, simplifying as it goes: constants fold, x·1 and x + 0 disappear, and in derivative
/// code (where <see cref="Exact"/> is false) x·0 is 0. Forward values are only ever folded exactly.
/// </summary>
internal sealed class Builder
{
    private readonly IrMethod _method;

    public Builder(IrMethod method, Block block, bool exact)
    {
        _method = method;
        Block = block;
        Exact = exact;
    }

    public Block Block { get; set; }

    /// <summary>True for forward values (bit-exact rewrites only); false for derivatives.</summary>
    public bool Exact { get; }

    /// <summary>A comment attached to the next statement emitted.</summary>
    public string? PendingComment { get; set; }

    public IrMethod Method => _method;

    public Var NewVar(string hint, IrType type, VarRole role, bool mutable = false) => _method.NewVar(hint, type, role, mutable);

    public void Add(Stmt s)
    {
        if (PendingComment is not null && s.Comment is null)
        {
            s.Comment = PendingComment;
            PendingComment = null;
        }

        Block.Add(s);
    }

    public Operand K(double value, IrType type) => new Const(value, type);

    public static bool IsZero(Operand o) => o is Const c && c.Value == 0;

    public static bool IsOne(Operand o) => o is Const c && c.Value == 1;

    public Operand Op(Opcode op, IrType type, params Operand[] args)
    {
        var simplified = Simplify(op, type, args);
        if (simplified is not null)
        {
            return simplified;
        }

        var dst = _method.NewVar("t", type, VarRole.Temp);
        Add(new Assign(dst, new Instr(op, type, args)));
        return dst;
    }

    public Operand Op(Opcode op, IrType type, object? data, params Operand[] args)
    {
        var dst = _method.NewVar("t", type, VarRole.Temp);
        Add(new Assign(dst, new Instr(op, type, args, data)));
        return dst;
    }

    public Operand Add(Operand a, Operand b) => Op(Opcode.Add, a.Type.IsReal ? a.Type : b.Type, a, b);

    public Operand Sub(Operand a, Operand b) => Op(Opcode.Sub, a.Type.IsReal ? a.Type : b.Type, a, b);

    public Operand Mul(Operand a, Operand b) => Op(Opcode.Mul, a.Type.IsReal ? a.Type : b.Type, a, b);

    public Operand Div(Operand a, Operand b) => Op(Opcode.Div, a.Type.IsReal ? a.Type : b.Type, a, b);

    public Operand Neg(Operand a) => Op(Opcode.Neg, a.Type, a);

    public Operand Cmp(CmpKind kind, Operand a, Operand b)
    {
        var dst = _method.NewVar("c", IrType.Bool, VarRole.Temp);
        Add(new Assign(dst, new Instr(Opcode.Cmp, IrType.Bool, new[] { a, b }, kind)));
        return dst;
    }

    public Operand And(Operand a, Operand b) => Op(Opcode.And, IrType.Bool, a, b);

    public Operand Or(Operand a, Operand b) => Op(Opcode.Or, IrType.Bool, a, b);

    public Operand Select(Operand cond, Operand a, Operand b) => Op(Opcode.Select, a.Type.IsReal ? a.Type : b.Type, cond, a, b);

    /// <summary>Assigns a mutable variable.</summary>
    public void Set(Var target, Operand value, string? comment = null)
    {
        var s = new Assign(target, new Instr(Opcode.Copy, target.Type, new[] { value }));
        if (comment is not null)
        {
            s.Comment = comment;
        }

        Add(s);
    }

    /// <summary>target += value (for adjoint accumulators).</summary>
    public void Accumulate(Var target, Operand value, string? comment = null)
    {
        if (!Exact && IsZero(value))
        {
            return;
        }

        var sum = Op(Opcode.Add, target.Type, target, value);
        var s = new Assign(target, new Instr(Opcode.Copy, target.Type, new[] { sum }));
        if (comment is not null)
        {
            s.Comment = comment;
        }

        Add(s);
    }

    private Operand? Simplify(Opcode op, IrType type, Operand[] args)
    {
        bool realOnly = type.IsReal && !type.IsGeneric;
        double R(double v) => type.IsSingle ? (float)v : v;
        switch (op)
        {
            case Opcode.Copy when args[0].Type.Equals(type):
                return args[0];
            case Opcode.Add:
                if (realOnly && args[0] is Const a0 && args[1] is Const b0 && a0.Type.Equals(type) && b0.Type.Equals(type))
                {
                    return new Const(R(a0.Value + b0.Value), type);
                }

                if (!Exact && IsZero(args[0]))
                {
                    return args[1];
                }

                if (!Exact && IsZero(args[1]))
                {
                    return args[0];
                }

                break;
            case Opcode.Sub:
                if (realOnly && args[0] is Const a1 && args[1] is Const b1 && a1.Type.Equals(type) && b1.Type.Equals(type))
                {
                    return new Const(R(a1.Value - b1.Value), type);
                }

                if (IsZero(args[1]) && (!Exact || (args[1] is Const z && BitConverter.DoubleToInt64Bits(z.Value) >= 0)))
                {
                    return args[0];
                }

                if (!Exact && IsZero(args[0]))
                {
                    return Op(Opcode.Neg, type, args[1]);
                }

                break;
            case Opcode.Mul:
                if (realOnly && args[0] is Const a2 && args[1] is Const b2 && a2.Type.Equals(type) && b2.Type.Equals(type))
                {
                    return new Const(R(a2.Value * b2.Value), type);
                }

                if (IsOne(args[1]) && args[0].Type.Equals(type))
                {
                    return args[0];
                }

                if (IsOne(args[0]) && args[1].Type.Equals(type))
                {
                    return args[1];
                }

                if (!Exact && (IsZero(args[0]) || IsZero(args[1])))
                {
                    return new Const(0, type);
                }

                if (!Exact && args[0] is Const m1 && m1.Value == -1)
                {
                    return Op(Opcode.Neg, type, args[1]);
                }

                if (!Exact && args[1] is Const m2 && m2.Value == -1)
                {
                    return Op(Opcode.Neg, type, args[0]);
                }

                break;
            case Opcode.Div:
                if (realOnly && args[0] is Const a3 && args[1] is Const b3 && a3.Type.Equals(type) && b3.Type.Equals(type))
                {
                    return new Const(R(a3.Value / b3.Value), type);
                }

                if (IsOne(args[1]) && args[0].Type.Equals(type))
                {
                    return args[0];
                }

                if (!Exact && IsZero(args[0]))
                {
                    return new Const(0, type);
                }

                break;
            case Opcode.Neg:
                if (args[0] is Const c && c.Type.Equals(type))
                {
                    return new Const(-c.Value, type);
                }

                break;
            case Opcode.Select:
                if (args[0] is Lit cond && (cond == Lit.True || cond == Lit.False || cond.Text is "true" or "false"))
                {
                    return cond.Text == "true" ? args[1] : args[2];
                }

                if (args[1] is Const s1 && args[2] is Const s2 && s1.Type.Equals(s2.Type) && BitConverter.DoubleToInt64Bits(s1.Value) == BitConverter.DoubleToInt64Bits(s2.Value))
                {
                    return args[1];
                }

                if (ReferenceEquals(args[1], args[2]))
                {
                    return args[1];
                }

                break;
            case Opcode.And:
                if (args[0] is Lit { Text: "true" })
                {
                    return args[1];
                }

                if (args[1] is Lit { Text: "true" })
                {
                    return args[0];
                }

                break;
            case Opcode.Convert when args[0] is Const k && !type.IsGeneric && !k.Type.IsGeneric:
                return new Const(R(k.Value), type);
        }

        return null;
    }
}

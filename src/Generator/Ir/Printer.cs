using System.Globalization;
using System.Text;
using SymbolicGrad.Generator.Rules;

namespace SymbolicGrad.Generator.Ir;

/// <summary>Prints IR expressions as C# (for the generated code) or as plain math (for comments and remarks).</summary>
internal static class Printer
{
    // C# precedence, higher binds tighter.
    public const int Primary = 16;
    public const int Unary = 15;
    public const int Multiplicative = 14;
    public const int Additive = 13;
    public const int Relational = 11;
    public const int Equality = 10;
    public const int LogicalAnd = 6;
    public const int LogicalOr = 5;
    public const int Conditional = 3;

    public static string CSharp(Expr e)
    {
        var sb = new StringBuilder();
        Write(sb, e, 0, math: false);
        return sb.ToString();
    }

    public static string Math(Expr e)
    {
        var sb = new StringBuilder();
        Write(sb, e, 0, math: true);
        return sb.ToString();
    }

    public static string Literal(double value, IrType type)
    {
        if (type.IsGeneric)
        {
            return value switch
            {
                0 when BitConverter.DoubleToInt64Bits(value) == 0 => type.CSharp + ".Zero",
                1 => type.CSharp + ".One",
                -1 => type.CSharp + ".NegativeOne",
                _ => type.CSharp + ".CreateChecked(" + Literal(value, IrType.Double) + ")",
            };
        }

        if (type.IsSingle)
        {
            float f = (float)value;
            if (float.IsNaN(f))
            {
                return "float.NaN";
            }

            if (float.IsInfinity(f))
            {
                return f > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
            }

            return f.ToString("R", CultureInfo.InvariantCulture) + "f";
        }

        if (double.IsNaN(value))
        {
            return "double.NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
        }

        string s = value.ToString("R", CultureInfo.InvariantCulture);
        if (s.IndexOfAny(new[] { '.', 'E', 'e', 'N', 'I' }) < 0)
        {
            s += ".0";
        }

        return s;
    }

    public static int PrecedenceOf(Expr e) => e switch
    {
        ConstExpr c => !c.Type.IsGeneric && BitConverter.DoubleToInt64Bits(c.Value) < 0 ? Unary : Primary,
        LiteralExpr l => l.Text.StartsWith("-", StringComparison.Ordinal) ? Unary : Primary,
        VarExpr => Primary,
        CallExpr => Primary,
        InlineExpr i => i.Precedence,
        OpExpr o => o.Op switch
        {
            Op.Add or Op.Sub => Additive,
            Op.Mul or Op.Div or Op.Rem => Multiplicative,
            Op.Neg or Op.Convert => Unary,
            Op.Select => Conditional,
            _ => Primary,
        },
        _ => Primary,
    };

    private static void Write(StringBuilder sb, Expr e, int context, bool math)
    {
        int p = PrecedenceOf(e);
        bool parens = p < context;
        if (parens)
        {
            sb.Append('(');
        }

        switch (e)
        {
            case ConstExpr c:
                sb.Append(math ? MathNumber(c.Value) : Literal(c.Value, c.Type));
                break;
            case LiteralExpr l:
                sb.Append(l.Text);
                break;
            case VarExpr v:
                sb.Append(v.Var.FinalName ?? v.Var.Name);
                break;
            case OpExpr o:
                WriteOp(sb, o, math);
                break;
            case InlineExpr i:
                WriteInline(sb, i, math);
                break;
            case CallExpr call:
                sb.Append(math ? call.Target.Name : call.Target.Receiver + "." + call.Target.Name);
                WriteArgs(sb, call.Args, math);
                break;
            case ElementExpr el:
                sb.Append(el.Array.FinalName ?? el.Array.Name).Append('[');
                Write(sb, el.Index, 0, math);
                sb.Append(']');
                break;
        }

        if (parens)
        {
            sb.Append(')');
        }
    }

    private static void WriteBinary(StringBuilder sb, Expr left, string token, Expr right, int p, bool math)
    {
        Write(sb, left, p, math);
        sb.Append(token);
        // Floating-point + and * are not associative: a right operand of equal precedence keeps its parentheses.
        Write(sb, right, p + 1, math);
    }

    private static void WriteOp(StringBuilder sb, OpExpr o, bool math)
    {
        var a = o.Args;
        switch (o.Op)
        {
            case Op.Add:
                WriteBinary(sb, a[0], " + ", a[1], Additive, math);
                return;
            case Op.Sub:
                WriteBinary(sb, a[0], math ? " − " : " - ", a[1], Additive, math);
                return;
            case Op.Mul:
                WriteBinary(sb, a[0], math ? "·" : " * ", a[1], Multiplicative, math);
                return;
            case Op.Div:
                WriteBinary(sb, a[0], math ? "/" : " / ", a[1], Multiplicative, math);
                return;
            case Op.Rem:
                WriteBinary(sb, a[0], " % ", a[1], Multiplicative, math);
                return;
            case Op.Neg:
                sb.Append(math ? "−" : "-");
                // Avoid "--x" and "- -1.0", which C# would read differently or awkwardly.
                Write(sb, a[0], PrecedenceOf(a[0]) == Unary ? Primary : Unary, math);
                return;
            case Op.Convert:
                if (math)
                {
                    Write(sb, a[0], Unary, math);
                }
                else
                {
                    sb.Append('(').Append(o.Type.CSharp).Append(')');
                    Write(sb, a[0], Unary, math);
                }

                return;
            case Op.Select:
                Write(sb, a[0], Conditional + 1, math);
                sb.Append(" ? ");
                Write(sb, a[1], Conditional + 1, math);
                sb.Append(" : ");
                Write(sb, a[2], Conditional, math);
                return;
        }

        if (math)
        {
            sb.Append(MathName(o.Op));
        }
        else
        {
            sb.Append(o.Type.CSharp).Append('.').Append(KnownMethods.MethodName(o.Op));
        }

        WriteArgs(sb, a, math);
    }

    private static void WriteInline(StringBuilder sb, InlineExpr i, bool math)
    {
        switch (i.Form)
        {
            case InlineForm.Binary:
                WriteBinary(sb, i.Args[0], " " + i.Token + " ", i.Args[1], i.Precedence, math);
                break;
            case InlineForm.Prefix:
                sb.Append(i.Token);
                Write(sb, i.Args[0], PrecedenceOf(i.Args[0]) == Unary ? Primary : Unary, math);
                break;
            case InlineForm.Cast:
                if (!math)
                {
                    sb.Append('(').Append(i.Token).Append(')');
                }

                Write(sb, i.Args[0], Unary, math);
                break;
            case InlineForm.Call:
                sb.Append(i.Token);
                WriteArgs(sb, i.Args, math);
                break;
            case InlineForm.Conditional:
                Write(sb, i.Args[0], Conditional + 1, math);
                sb.Append(" ? ");
                Write(sb, i.Args[1], Conditional + 1, math);
                sb.Append(" : ");
                Write(sb, i.Args[2], Conditional, math);
                break;
            case InlineForm.Member:
                Write(sb, i.Args[0], Primary, math);
                sb.Append('.').Append(i.Token);
                break;
            case InlineForm.Index:
                Write(sb, i.Args[0], Primary, math);
                sb.Append('[');
                for (int k = 1; k < i.Args.Length; k++)
                {
                    if (k > 1)
                    {
                        sb.Append(", ");
                    }

                    Write(sb, i.Args[k], 0, math);
                }

                sb.Append(']');
                break;
            case InlineForm.MethodCall:
                Write(sb, i.Args[0], Primary, math);
                sb.Append('.').Append(i.Token);
                WriteArgs(sb, i.Args.Skip(1).ToArray(), math);
                break;
            default:
                sb.Append(i.Token);
                break;
        }
    }

    private static void WriteArgs(StringBuilder sb, Expr[] args, bool math)
    {
        sb.Append('(');
        for (int k = 0; k < args.Length; k++)
        {
            if (k > 0)
            {
                sb.Append(", ");
            }

            Write(sb, args[k], 0, math);
        }

        sb.Append(')');
    }

    private static string MathNumber(double v)
    {
        string s = v.ToString("R", CultureInfo.InvariantCulture);
        return s.StartsWith("-", StringComparison.Ordinal) ? "−" + s.Substring(1) : s;
    }

    private static string MathName(Op op) => op switch
    {
        Op.Log => "ln",
        Op.LogBase => "log",
        Op.Log10 => "log10",
        Op.Log2 => "log2",
        Op.Sqrt => "√",
        Op.Cbrt => "∛",
        Op.Abs => "abs",
        Op.FusedMultiplyAdd => "fma",
        _ => KnownMethods.MethodName(op)?.ToLowerInvariant() ?? op.ToString().ToLowerInvariant(),
    };
}

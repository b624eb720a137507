using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Transforms;

namespace SymbolicGrad.Generator.Rules;

/// <summary>
/// The derivative rules, one per operation, in the spirit of ChainRules.jl: the partial derivative of an operation's
/// result Ω with respect to each argument, written with Ω where that saves work (exp, sqrt, tanh...). The reverse sweep
/// multiplies them by the result's adjoint; the tangent sweep by the arguments' tangents. Conventions at kinks (tested,
/// and documented in the README): |x|′(0) = 0; max/min split a tie evenly (½ each); clamp passes the derivative to x on
/// the closed interval [lo, hi]; hypot has derivative 0 at the origin; ∂(x^y)/∂x = 0 where y = 0 and ∂(x^y)/∂y = 0 where
/// x = 0 and y ≥ 0 (as PyTorch); floor, ceiling, round, truncate and sign have derivative 0.
/// </summary>
internal static class DerivativeRules
{
    /// <summary>The rule's name, for comments ("product rule").</summary>
    public static string Name(Opcode op) => op switch
    {
        Opcode.Add => "sum rule",
        Opcode.Sub => "difference rule",
        Opcode.Mul => "product rule",
        Opcode.Div => "quotient rule",
        Opcode.Rem => "remainder rule",
        Opcode.Neg => "negation",
        Opcode.Convert => "conversion",
        Opcode.Copy => "copy",
        Opcode.Select => "selection",
        Opcode.Pow => "power rule",
        Opcode.Fma => "fused multiply-add rule",
        Opcode.Max => "max rule",
        Opcode.Min => "min rule",
        Opcode.Clamp => "clamp rule",
        Opcode.Abs => "abs rule",
        Opcode.Load => "element read",
        Opcode.Call => "chain rule through a compiled derivative",
        _ => (KnownMethods.MethodName(op) ?? op.ToString()).ToLowerInvariant() + " rule",
    };

    /// <summary>The rule in plain math, for documentation.</summary>
    public static string Formula(Opcode op) => op switch
    {
        Opcode.Add => "∂(a + b) = ∂a + ∂b",
        Opcode.Sub => "∂(a − b) = ∂a − ∂b",
        Opcode.Mul => "∂(a·b) = b·∂a + a·∂b",
        Opcode.Div => "∂(a/b) = ∂a/b − (a/b)·∂b/b",
        Opcode.Rem => "∂(a % b) = ∂a − trunc(a/b)·∂b",
        Opcode.Exp => "∂exp(x) = exp(x)·∂x",
        Opcode.Log => "∂ln(x) = ∂x/x",
        Opcode.Sqrt => "∂√x = ∂x/(2√x)",
        Opcode.Pow => "∂(a^b) = b·a^(b−1)·∂a + a^b·ln(a)·∂b",
        Opcode.Sin => "∂sin(x) = cos(x)·∂x",
        Opcode.Cos => "∂cos(x) = −sin(x)·∂x",
        Opcode.Tanh => "∂tanh(x) = (1 − tanh²(x))·∂x",
        Opcode.Abs => "∂|x| = sign(x)·∂x, 0 at x = 0",
        Opcode.Max => "∂max(a, b) = ∂a if a > b, ∂b if b > a, (∂a + ∂b)/2 on a tie",
        Opcode.Min => "∂min(a, b) = ∂a if a < b, ∂b if b < a, (∂a + ∂b)/2 on a tie",
        _ => Name(op),
    };

    /// <summary>
    /// Operations with a kink whose partials are exactly zero on one side (max, min, clamp, abs and their variants): a
    /// zero partial times an infinite or NaN derivative of the argument not chosen must give 0, not NaN.
    /// </summary>
    public static bool IsKink(Opcode op) => op is Opcode.Max or Opcode.Min or Opcode.Clamp or Opcode.Abs or Opcode.MaxMagnitude
        or Opcode.MinMagnitude or Opcode.MaxNumber or Opcode.MinNumber;

    /// <summary>Operations whose derivative is zero wherever it exists.</summary>
    public static bool IsStep(Opcode op) => op is Opcode.Floor or Opcode.Ceiling or Opcode.Round or Opcode.RoundDigits or Opcode.Truncate;

    /// <summary>
    /// ∂Ω/∂args[i] for each argument (null where the argument is not differentiable, such as an integer exponent),
    /// emitted into <paramref name="b"/>. <paramref name="result"/> is Ω, the operation's own value.
    /// </summary>
    public static Operand?[] Partials(Instr instr, Operand result, Builder b)
    {
        var a = instr.Args;
        var t = instr.Type;
        Operand K(double v) => b.K(v, t);
        var p = new Operand?[a.Length];
        switch (instr.Op)
        {
            case Opcode.Add:
                p[0] = K(1);
                p[1] = K(1);
                break;
            case Opcode.Sub:
                p[0] = K(1);
                p[1] = K(-1);
                break;
            case Opcode.Mul:
                p[0] = a[1];
                p[1] = a[0];
                break;
            case Opcode.Div:
                p[0] = b.Div(K(1), a[1]);
                p[1] = b.Neg(b.Div(result, a[1]));
                break;
            case Opcode.Rem:
                p[0] = K(1);
                p[1] = b.Neg(b.Op(Opcode.Truncate, t, b.Div(a[0], a[1])));
                break;
            case Opcode.Neg:
                p[0] = K(-1);
                break;
            case Opcode.Convert or Opcode.Copy or Opcode.BitIncrement or Opcode.BitDecrement:
                p[0] = K(1);
                break;
            case Opcode.Exp:
                p[0] = result;
                break;
            case Opcode.Exp2:
                p[0] = b.Mul(result, K(Math.Log(2)));
                break;
            case Opcode.Exp10:
                p[0] = b.Mul(result, K(Math.Log(10)));
                break;
            case Opcode.ExpM1:
                p[0] = b.Add(result, K(1));
                break;
            case Opcode.Log:
                p[0] = b.Div(K(1), a[0]);
                break;
            case Opcode.LogBase:
                {
                    var lnb = b.Op(Opcode.Log, t, a[1]);
                    p[0] = b.Div(K(1), b.Mul(a[0], lnb));
                    p[1] = b.Neg(b.Div(result, b.Mul(a[1], lnb)));
                    break;
                }

            case Opcode.Log10:
                p[0] = b.Div(K(1 / Math.Log(10)), a[0]);
                break;
            case Opcode.Log2:
                p[0] = b.Div(K(1 / Math.Log(2)), a[0]);
                break;
            case Opcode.LogP1:
                p[0] = b.Div(K(1), b.Add(K(1), a[0]));
                break;
            case Opcode.Sqrt:
                p[0] = b.Div(K(0.5), result);
                break;
            case Opcode.Cbrt:
                p[0] = b.Div(K(1), b.Mul(K(3), b.Mul(result, result)));
                break;
            case Opcode.RootN:
                {
                    // (1/n)·x^(1/n − 1) as 1 / (n·r^(n − 1)), r = x^(1/n): r/(n·x) was 0/0 = NaN at x = 0, where the
                    // derivative is 1 for n = 1 and +∞ for n ≥ 2, as Cbrt's (red-team N).
                    var n = b.Op(Opcode.Cast, t, a[1]);
                    p[0] = b.Div(K(1), b.Mul(n, b.Op(Opcode.Pow, t, result, b.Sub(n, K(1)))));
                    break;
                }

            case Opcode.Pow:
                Pow(a, result, b, t, p);
                break;
            case Opcode.Sin:
                p[0] = b.Op(Opcode.Cos, t, a[0]);
                break;
            case Opcode.Cos:
                p[0] = b.Neg(b.Op(Opcode.Sin, t, a[0]));
                break;
            case Opcode.Tan:
                p[0] = b.Add(K(1), b.Mul(result, result));
                break;
            case Opcode.Asin:
                p[0] = b.Div(K(1), b.Op(Opcode.Sqrt, t, b.Sub(K(1), b.Mul(a[0], a[0]))));
                break;
            case Opcode.Acos:
                p[0] = b.Div(K(-1), b.Op(Opcode.Sqrt, t, b.Sub(K(1), b.Mul(a[0], a[0]))));
                break;
            case Opcode.Atan:
                p[0] = b.Div(K(1), b.Add(K(1), b.Mul(a[0], a[0])));
                break;
            case Opcode.Atan2:
                {
                    var r2 = b.Add(b.Mul(a[1], a[1]), b.Mul(a[0], a[0]));
                    p[0] = b.Div(a[1], r2);
                    p[1] = b.Neg(b.Div(a[0], r2));
                    break;
                }

            case Opcode.Sinh:
                p[0] = b.Op(Opcode.Cosh, t, a[0]);
                break;
            case Opcode.Cosh:
                p[0] = b.Op(Opcode.Sinh, t, a[0]);
                break;
            case Opcode.Tanh:
                p[0] = b.Sub(K(1), b.Mul(result, result));
                break;
            case Opcode.Asinh:
                p[0] = b.Div(K(1), b.Op(Opcode.Sqrt, t, b.Add(b.Mul(a[0], a[0]), K(1))));
                break;
            case Opcode.Acosh:
                p[0] = b.Div(K(1), b.Op(Opcode.Sqrt, t, b.Sub(b.Mul(a[0], a[0]), K(1))));
                break;
            case Opcode.Atanh:
                p[0] = b.Div(K(1), b.Sub(K(1), b.Mul(a[0], a[0])));
                break;
            case Opcode.SinPi:
                p[0] = b.Mul(K(Math.PI), b.Op(Opcode.CosPi, t, a[0]));
                break;
            case Opcode.CosPi:
                p[0] = b.Neg(b.Mul(K(Math.PI), b.Op(Opcode.SinPi, t, a[0])));
                break;
            case Opcode.TanPi:
                // d/dx tan(πx) = π (1 + tan²(πx))
                p[0] = b.Mul(K(Math.PI), b.Add(K(1), b.Mul(result, result)));
                break;
            case Opcode.AsinPi:
                p[0] = b.Div(K(1 / Math.PI), b.Op(Opcode.Sqrt, t, b.Sub(K(1), b.Mul(a[0], a[0]))));
                break;
            case Opcode.AcosPi:
                p[0] = b.Neg(b.Div(K(1 / Math.PI), b.Op(Opcode.Sqrt, t, b.Sub(K(1), b.Mul(a[0], a[0])))));
                break;
            case Opcode.AtanPi:
                p[0] = b.Div(K(1 / Math.PI), b.Add(K(1), b.Mul(a[0], a[0])));
                break;
            case Opcode.Atan2Pi:
                {
                    var r2 = b.Mul(K(Math.PI), b.Add(b.Mul(a[1], a[1]), b.Mul(a[0], a[0])));
                    p[0] = b.Div(a[1], r2);
                    p[1] = b.Neg(b.Div(a[0], r2));
                    break;
                }

            case Opcode.Exp2M1:
                p[0] = b.Mul(b.Add(result, K(1)), K(Math.Log(2)));
                break;
            case Opcode.Exp10M1:
                p[0] = b.Mul(b.Add(result, K(1)), K(Math.Log(10)));
                break;
            case Opcode.Log2P1:
                p[0] = b.Div(K(1 / Math.Log(2)), b.Add(K(1), a[0]));
                break;
            case Opcode.Log10P1:
                p[0] = b.Div(K(1 / Math.Log(10)), b.Add(K(1), a[0]));
                break;
            case Opcode.MaxMagnitude or Opcode.MinMagnitude:
                {
                    // The argument whose magnitude wins. At equal magnitudes: half to each when a = b (as Max), and when
                    // a = −b ≠ b all to the argument .NET returns, the positive one for MaxMagnitude and the negative one
                    // for MinMagnitude (MaxMagnitude(x, −x) is |x|: half to each gave 0; red-team K).
                    bool max = instr.Op == Opcode.MaxMagnitude;
                    var strict = max ? CmpKind.Gt : CmpKind.Lt;
                    var m0 = b.Op(Opcode.Abs, t, a[0]);
                    var m1 = b.Op(Opcode.Abs, t, a[1]);
                    var tie = b.Cmp(CmpKind.Eq, m0, m1);
                    var same = b.Cmp(CmpKind.Eq, a[0], a[1]);
                    var firstReturned = b.Cmp(max ? CmpKind.Gt : CmpKind.Lt, a[0], K(0));
                    var share0 = b.Select(same, K(0.5), b.Select(firstReturned, K(1), K(0)));
                    var share1 = b.Select(same, K(0.5), b.Select(firstReturned, K(0), K(1)));
                    p[0] = b.Select(b.Cmp(strict, m0, m1), K(1), b.Select(tie, share0, K(0)));
                    p[1] = b.Select(b.Cmp(strict, m1, m0), K(1), b.Select(tie, share1, K(0)));
                    break;
                }

            case Opcode.MaxNumber or Opcode.MinNumber:
                {
                    // As Max and Min, and a NaN argument loses: the derivative goes to the number.
                    var strict = instr.Op == Opcode.MaxNumber ? CmpKind.Gt : CmpKind.Lt;
                    var tie = b.Cmp(CmpKind.Eq, a[0], a[1]);
                    var nan0 = b.Cmp(CmpKind.Ne, a[0], a[0]);
                    var nan1 = b.Cmp(CmpKind.Ne, a[1], a[1]);
                    p[0] = b.Select(b.Or(b.Cmp(strict, a[0], a[1]), nan1), K(1), b.Select(tie, K(0.5), K(0)));
                    p[1] = b.Select(b.Or(b.Cmp(strict, a[1], a[0]), nan0), K(1), b.Select(tie, K(0.5), K(0)));
                    break;
                }

            case Opcode.Abs:
                p[0] = b.Select(b.Cmp(CmpKind.Gt, a[0], K(0)), K(1), b.Select(b.Cmp(CmpKind.Lt, a[0], K(0)), K(-1), K(0)));
                break;
            case Opcode.Max or Opcode.Min:
                {
                    var strict = instr.Op == Opcode.Max ? CmpKind.Gt : CmpKind.Lt;
                    var tie = b.Cmp(CmpKind.Eq, a[0], a[1]);
                    p[0] = b.Select(b.Cmp(strict, a[0], a[1]), K(1), b.Select(tie, K(0.5), K(0)));
                    p[1] = b.Select(b.Cmp(strict, a[1], a[0]), K(1), b.Select(tie, K(0.5), K(0)));
                    break;
                }

            case Opcode.Clamp:
                // Math.Clamp returns the value unless it is below min or above max: a NaN bound chooses it (its
                // derivative was 0 with x >= min && x <= max; red-team N).
                // With min == max the value is that bound wherever x is: Math.Clamp(x, y, y) is y, so at x == y the
                // derivative goes to min, not to x (it was (1, 0) for (x, y); red-team P).
                var pinned = b.And(b.Cmp(CmpKind.Eq, a[1], a[2]), b.Cmp(CmpKind.Le, a[0], a[2]));
                p[0] = b.Select(b.Or(b.Or(b.Cmp(CmpKind.Lt, a[0], a[1]), b.Cmp(CmpKind.Gt, a[0], a[2])), pinned), K(0), K(1));
                p[1] = b.Select(b.Or(b.Cmp(CmpKind.Lt, a[0], a[1]), pinned), K(1), K(0));
                p[2] = b.Select(b.Cmp(CmpKind.Gt, a[0], a[2]), K(1), K(0));
                break;
            case Opcode.Fma:
                p[0] = a[1];
                p[1] = a[0];
                p[2] = K(1);
                break;
            case Opcode.Hypot:
                {
                    var origin = b.Cmp(CmpKind.Eq, result, K(0));
                    p[0] = b.Select(origin, K(0), b.Div(a[0], result));
                    p[1] = b.Select(origin, K(0), b.Div(a[1], result));
                    break;
                }

            case Opcode.CopySign:
                p[0] = b.Select(b.Cmp(CmpKind.Eq, result, a[0]), K(1), K(-1));
                p[1] = K(0);
                break;
            case Opcode.ScaleB:
                p[0] = b.Op(Opcode.ScaleB, t, K(1), a[1]);
                break;
            case Opcode.IeeeRemainder:
                p[0] = K(1);
                p[1] = b.Neg(b.Op(Opcode.Round, t, b.Div(a[0], a[1])));
                break;
            case Opcode.Lerp:
                p[0] = b.Sub(K(1), a[2]);
                p[1] = a[2];
                p[2] = b.Sub(a[1], a[0]);
                break;
            case Opcode.DegreesToRadians:
                p[0] = K(Math.PI / 180);
                break;
            case Opcode.RadiansToDegrees:
                p[0] = K(180 / Math.PI);
                break;
            case Opcode.Select:
                p[1] = b.Select(a[0], K(1), K(0));
                p[2] = b.Select(a[0], K(0), K(1));
                break;
        }

        // Integer arguments (RootN's n, ScaleB's n, Round's digits) and conditions get no partial.
        for (int i = 0; i < a.Length; i++)
        {
            if (!a[i].Type.IsReal)
            {
                p[i] = null;
            }
        }

        return p;
    }

    private static void Pow(Operand[] a, Operand result, Builder b, IrType t, Operand?[] p)
    {
        var x = a[0];
        var y = a[1];
        Operand K(double v) => b.K(v, t);

        // y·x^(y−1); with a variable exponent, 0 where y = 0 (as PyTorch): x^0 = 1 does not change with x, even at x = 0.
        // The factor y stays outside the guard, which only replaces x^(y−1) at x = y = 0 (where 0·0^(−1) would be NaN):
        // the partial's own derivative with respect to y at y = 0 is x^(−1), and forward mode over the reverse sweep
        // takes it from y·(…) (a guard y == 0 ? 0 : … would make it 0, and ∂²(x^y)/∂x∂y at y = 0 would be lost).
        if (y is Const c)
        {
            p[0] = c.Value == 2 ? b.Mul(K(2), x) : c.Value == 1 ? K(1) : c.Value == 0 ? K(0) : b.Mul(y, b.Op(Opcode.Pow, t, x, K(c.Value - 1)));
        }
        else
        {
            var origin = b.And(b.Cmp(CmpKind.Eq, x, K(0)), b.Cmp(CmpKind.Eq, y, K(0)));
            p[0] = b.Mul(y, b.Select(origin, K(0), b.Op(Opcode.Pow, t, x, b.Sub(y, K(1)))));
        }

        // x^y·ln(x), 0 where x = 0 and y ≥ 0 (as PyTorch): 0^y does not change with y there.
        if (x is Const k && k.Value > 0)
        {
            p[1] = b.Mul(result, K(Math.Log(k.Value)));
        }
        else
        {
            var zero = b.And(b.Cmp(CmpKind.Eq, x, K(0)), b.Cmp(CmpKind.Ge, y, K(0)));
            p[1] = b.Select(zero, K(0), b.Mul(result, b.Op(Opcode.Log, t, x)));
        }
    }
}

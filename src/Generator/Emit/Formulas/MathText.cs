using System.Globalization;
using System.Text;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Emit;

/// <summary>
/// Prints a formula the way it is written by hand: · for products, a fraction bar for negative powers (x/(2·√y)), −
/// and superscripts (x², √x, ∛x), the sign of a term in front of it (a − 2·b, never a + −2·b), parentheses only
/// where precedence needs them, functions by their usual names (exp, ln, sin, |x|), Σᵢ for sums over arrays.
/// Printing stops as soon as the text passes its length limit.
/// </summary>
internal sealed class MathText
{
    private const int Conditional = 1;
    private const int OrLevel = 2;
    private const int AndLevel = 3;
    private const int Comparison = 4;
    private const int Additive = 5;
    private const int Multiplicative = 6;
    private const int Unary = 7;
    private const int Power = 8;
    private const int Primary = 9;

    private const string Superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";

    private readonly StringBuilder _sb = new();
    private readonly int _max;
    private readonly string _freeIndex;
    private readonly string _boundIndex;
    private int _inSum;

    private MathText(int max, string freeIndex, string boundIndex)
    {
        _max = max;
        _freeIndex = freeIndex;
        _boundIndex = boundIndex;
    }

    /// <summary>
    /// The text of <paramref name="e"/>, or null (with the reason) when it holds a value that cannot be shown or is
    /// longer than <paramref name="max"/> characters. The index prints as <paramref name="freeIndex"/> outside sums
    /// (in the formula of an element w[i]) and as <paramref name="boundIndex"/> inside them.
    /// </summary>
    public static string? Print(Expr e, int max, string freeIndex, string boundIndex, out Failure why)
    {
        var w = new MathText(max, freeIndex, boundIndex);
        try
        {
            w.Write(e, 0);
        }
        catch (StopException stop)
        {
            why = stop.Why;
            return null;
        }

        why = Failure.None;
        return w._sb.ToString();
    }

    private sealed class StopException : Exception
    {
        public StopException(Failure why)
            : base(why.ToString()) => Why = why;

        public Failure Why { get; }
    }

    private void Put(string s)
    {
        _sb.Append(s);
        if (_sb.Length > _max)
        {
            throw new StopException(Failure.TooLong);
        }
    }

    private void Write(Expr e, int context)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        bool parens = Precedence(e) < context;
        if (parens)
        {
            Put("(");
        }

        switch (e.Kind)
        {
            case ExprKind.Number:
                WriteNumber(e.Value, fractionAllowed: true);
                break;
            case ExprKind.Bool:
                Put(e.Value.IsZero ? "false" : "true");
                break;
            case ExprKind.Symbol or ExprKind.Array:
                Put(e.Name);
                break;
            case ExprKind.Index:
                Put(_inSum > 0 ? _boundIndex : _freeIndex);
                break;
            case ExprKind.Element:
                Write(e.Args[0], Primary);
                Put("[");
                Write(e.Args[1], 0);
                Put("]");
                break;
            case ExprKind.Sum:
                WriteSum(e);
                break;
            case ExprKind.Product:
                WriteProduct(e.Value, e.Args, e.Exponents);
                break;
            case ExprKind.Function:
                WriteFunction(e);
                break;
            case ExprKind.Select:
                Write(e.Args[0], OrLevel);
                Put(" ? ");
                Write(e.Args[1], Conditional + 1);
                Put(" : ");
                Write(e.Args[2], Conditional);
                break;
            case ExprKind.Compare:
                Write(e.Args[0], Additive);
                Put(e.Compare switch
                {
                    CmpKind.Eq => " == ",
                    CmpKind.Ne => " ≠ ",
                    CmpKind.Lt => " < ",
                    CmpKind.Le => " ≤ ",
                    CmpKind.Gt => " > ",
                    _ => " ≥ ",
                });
                Write(e.Args[1], Additive);
                break;
            case ExprKind.Not:
                Put("!");
                Write(e.Args[0], Primary);
                break;
            case ExprKind.And or ExprKind.Or:
                {
                    int level = e.Kind == ExprKind.And ? AndLevel : OrLevel;
                    Write(e.Args[0], level);
                    Put(e.Kind == ExprKind.And ? " && " : " || ");
                    Write(e.Args[1], level + 1);
                    break;
                }

            case ExprKind.SumOver:
                {
                    // Σᵢ runs over the array the body reads, Σ(i < n) over a count of another kind.
                    var body = e.Args[1];
                    var count = e.Args[2];
                    if (count.Kind == ExprKind.Symbol && count.Name.EndsWith(".Length", StringComparison.Ordinal)
                        && Reads(body, count.Name.Substring(0, count.Name.Length - 7), new HashSet<Expr>()))
                    {
                        Put("Σ" + Subscript(_boundIndex));
                    }
                    else
                    {
                        Put("Σ(" + _boundIndex + " < ");
                        Write(count, Additive);
                        Put(")");
                    }

                    _inSum++;
                    if (body.Kind is ExprKind.Symbol or ExprKind.Element or ExprKind.Function or ExprKind.Index || (body.IsNumber && body.Value.IsInteger && !body.Value.IsNegative))
                    {
                        Put(" ");
                        Write(body, Primary);
                    }
                    else
                    {
                        Put(" (");
                        Write(body, 0);
                        Put(")");
                    }

                    _inSum--;
                    break;
                }

            case ExprKind.Fail:
                throw new StopException(e.Failure == Failure.None ? Failure.Unsupported : e.Failure);
            default:
                throw new StopException(Failure.Loop);
        }

        if (parens)
        {
            Put(")");
        }
    }

    /// <summary>Whether e reads an element of the array named <paramref name="array"/>.</summary>
    private static bool Reads(Expr e, string array, HashSet<Expr> seen)
    {
        if (e.Kind == ExprKind.Element && e.Args[0].Name == array)
        {
            return true;
        }

        if (!seen.Add(e))
        {
            return false;
        }

        foreach (var a in e.Args)
        {
            if (Reads(a, array, seen))
            {
                return true;
            }
        }

        foreach (var x in e.Exponents)
        {
            if (Reads(x, array, seen))
            {
                return true;
            }
        }

        return false;
    }

    private static int Precedence(Expr e) => e.Kind switch
    {
        ExprKind.Number => e.Value.IsNegative ? Unary : (e.Value.IsExact && !e.Value.IsInteger && !Terminates(e.Value)) ? Multiplicative : Primary,
        ExprKind.Sum => Additive,
        ExprKind.Product => ProductPrecedence(e),
        ExprKind.Select => Conditional,
        ExprKind.Compare => Comparison,
        ExprKind.And => AndLevel,
        ExprKind.Or => OrLevel,
        ExprKind.Not or ExprKind.SumOver => Unary,
        _ => Primary,
    };

    private static int ProductPrecedence(Expr e)
    {
        if (e.Value.IsNegative)
        {
            return Unary;
        }

        if (e.Value.IsOne && e.Args.Length == 1)
        {
            var x = e.Exponents[0];
            if (x.IsNumber && x.Value.IsNegative)
            {
                return Multiplicative;
            }

            return IsRoot(x) ? Unary : Power;
        }

        return Multiplicative;
    }

    private static bool IsRoot(Expr x) => x.IsNumber && x.Value.IsExact && x.Value.N == 1 && x.Value.D is 2 or 3;

    /// <summary>A number on its own prints as a decimal when it has one (2.5, 0.01; 1/3 stays a fraction).</summary>
    private static bool Terminates(Number v) => v.IsExact && !v.IsInteger && IsDecimal(v, fivesNeeded: false);

    /// <summary>
    /// A coefficient prints as a decimal when its denominator is made of 2s and 5s with at least one 5 (0.2·x, 0.01·x);
    /// otherwise as a fraction around the rest of the product (x/2, 3·x/4, 2·x/3).
    /// </summary>
    private static bool IsDecimal(Number v, bool fivesNeeded = true)
    {
        if (!v.IsExact || v.IsInteger)
        {
            return false;
        }

        long d = v.D;
        int fives = 0;
        while (d % 5 == 0)
        {
            d /= 5;
            fives++;
        }

        while (d % 2 == 0)
        {
            d /= 2;
        }

        return d == 1 && (fives > 0 || !fivesNeeded);
    }

    private void WriteNumber(Number v, bool fractionAllowed, bool standalone = true)
    {
        if (!v.IsFinite)
        {
            throw new StopException(Failure.Unsupported);
        }

        if (v.IsNegative)
        {
            Put("−");
            v = -v;
        }

        if (!v.IsExact)
        {
            string s = v.Inexact.ToString("G15", CultureInfo.InvariantCulture);
            int e = s.IndexOf('E');
            if (e >= 0)
            {
                string exponent = s.Substring(e + 1).TrimStart('+');
                bool negative = exponent.StartsWith("-", StringComparison.Ordinal);
                exponent = exponent.TrimStart('-').TrimStart('0');
                s = s.Substring(0, e) + "e" + (negative ? "−" : string.Empty) + exponent;
            }

            Put(s);
        }
        else if (v.IsInteger)
        {
            Put(v.N.ToString(CultureInfo.InvariantCulture));
        }
        else if (standalone ? Terminates(v) : IsDecimal(v))
        {
            Put(((decimal)v.N / v.D).ToString(CultureInfo.InvariantCulture));
        }
        else if (fractionAllowed)
        {
            Put(v.N.ToString(CultureInfo.InvariantCulture) + "/" + v.D.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            throw new StopException(Failure.Unsupported);
        }
    }

    /// <summary>Terms in the order they were first written, but starting with a positive one when there is one (1 − x, not −x + 1).</summary>
    private void WriteSum(Expr e)
    {
        var order = Enumerable.Range(0, e.Args.Length).ToList();
        int firstPositive = order.FindIndex(k => !e.Coefs[k].IsNegative);
        if (firstPositive > 0)
        {
            int k = order[firstPositive];
            order.RemoveAt(firstPositive);
            order.Insert(0, k);
        }

        bool first = true;
        foreach (int k in order)
        {
            var c = e.Coefs[k];
            var t = e.Args[k];
            bool negative = c.IsNegative;
            if (first)
            {
                if (negative)
                {
                    Put("−");
                }
            }
            else
            {
                Put(negative ? " − " : " + ");
            }

            var m = negative ? -c : c;
            if (t.IsNumberValue(1))
            {
                WriteNumber(m, fractionAllowed: true);
            }
            else if (m.IsOne)
            {
                Write(t, negative ? Multiplicative : Additive + 1);
            }
            else if (t.Kind == ExprKind.Product)
            {
                WriteProduct(m, t.Args, t.Exponents);
            }
            else
            {
                WriteProduct(m, new[] { t }, new[] { UnitExponent });
            }

            first = false;
        }
    }

    /// <summary>Products print their factors as symbols and elements first, then functions (and powers with a variable exponent), then sums, each group in order of first appearance.</summary>
    private static int Rank(Expr b) => b.Kind switch
    {
        ExprKind.Symbol or ExprKind.Element or ExprKind.Index or ExprKind.Array or ExprKind.Number => 0,
        ExprKind.Function => 1,
        ExprKind.Product => 1,
        ExprKind.Sum => 2,
        ExprKind.SumOver => 3,
        _ => 4,
    };

    private void WriteProduct(Number coef, Expr[] bases, Expr[] exponents)
    {
        var numerator = new List<(Expr Base, Expr Exponent)>();
        var denominator = new List<(Expr Base, Expr Exponent)>();
        var sorted = Enumerable.Range(0, bases.Length).OrderBy(k => exponents[k].IsNumber ? Rank(bases[k]) : Math.Max(Rank(bases[k]), 1)).ThenBy(k => bases[k].Id).ToList();
        foreach (int k in sorted)
        {
            var x = exponents[k];
            if (x.IsNumber && x.Value.IsNegative)
            {
                denominator.Add((bases[k], x));
            }
            else
            {
                numerator.Add((bases[k], x));
            }
        }

        bool negative = coef.IsNegative;
        var m = negative ? -coef : coef;
        Number numeratorCoef = m;
        long denominatorCoef = 1;
        if (m.IsExact && !m.IsInteger && !IsDecimal(m))
        {
            numeratorCoef = Number.Of(m.N);
            denominatorCoef = m.D;
        }

        if (negative)
        {
            Put("−");
        }

        bool any = false;
        if (!numeratorCoef.IsOne || numerator.Count == 0)
        {
            WriteNumber(numeratorCoef, fractionAllowed: false, standalone: false);
            any = true;
        }

        for (int k = 0; k < numerator.Count; k++)
        {
            var (b, x) = numerator[k];
            if (any)
            {
                Put("·");
            }

            // A sum Σᵢ (…) followed by another factor is closed by parentheses: (Σᵢ w[i])·Σᵢ (w[i]²).
            WriteFactor(b, x, b.Kind == ExprKind.SumOver && k < numerator.Count - 1 ? Primary : Multiplicative + 1);
            any = true;
        }

        int items = denominator.Count + (denominatorCoef != 1 ? 1 : 0);
        if (items == 0)
        {
            return;
        }

        Put("/");
        if (items > 1)
        {
            Put("(");
        }

        bool started = false;
        if (denominatorCoef != 1)
        {
            Put(denominatorCoef.ToString(CultureInfo.InvariantCulture));
            started = true;
        }

        foreach (var (b, x) in denominator)
        {
            if (started)
            {
                Put("·");
            }

            var positive = x.IsNumberValue(-1) ? null : x;
            if (positive is null)
            {
                Write(b, items > 1 ? Multiplicative + 1 : Power);
            }
            else
            {
                WriteFactor(b, NegatedExponent(x), items > 1 ? Multiplicative + 1 : Unary);
            }

            started = true;
        }

        if (items > 1)
        {
            Put(")");
        }
    }

    /// <summary>A factor b^x at a precedence context: x², √x, ∛x, x^(3/2), x^y.</summary>
    private void WriteFactor(Expr b, Expr x, int context)
    {
        if (x.IsNumberValue(1))
        {
            Write(b, context);
            return;
        }

        bool root = IsRoot(x);
        int own = root ? Unary : Power;
        bool parens = own < context;
        if (parens)
        {
            Put("(");
        }

        if (root)
        {
            Put(x.Value.D == 2 ? "√" : "∛");
            Write(b, Primary);
        }
        else if (x.IsNumber && x.Value.IsInteger && x.Value.N >= 2)
        {
            Write(b, Primary);
            Put(Superscript(x.Value.N));
        }
        else
        {
            Write(b, Primary);
            Put("^");
            Write(x, Primary);
        }

        if (parens)
        {
            Put(")");
        }
    }

    private Expr NegatedExponent(Expr x) => _negated.TryGetValue(x.Value.Key, out var e) ? e : _negated[x.Value.Key] = Negated(x);

    private readonly Dictionary<string, Expr> _negated = new(StringComparer.Ordinal);

    /// <summary>A stand-alone number node for −x (printing only; it never enters an algebra).</summary>
    private static Expr Negated(Expr x) => new(-1, ExprKind.Number) { Value = -x.Value };

    private static readonly Expr UnitExponent = new(-1, ExprKind.Number) { Value = Number.One };

    private void WriteFunction(Expr e)
    {
        if (e.Name == "abs")
        {
            Put("|");
            Write(e.Args[0], 0);
            Put("|");
            return;
        }

        Put(e.Name);
        Put("(");
        for (int k = 0; k < e.Args.Length; k++)
        {
            if (k > 0)
            {
                Put(", ");
            }

            Write(e.Args[k], 0);
        }

        Put(")");
    }

    private static string Superscript(long n)
    {
        var s = n.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(s.Length);
        foreach (char ch in s)
        {
            sb.Append(Superscripts[ch - '0']);
        }

        return sb.ToString();
    }

    /// <summary>ᵢ for i (and the other letters Unicode has subscripts for), _name otherwise.</summary>
    public static string Subscript(string name)
    {
        const string letters = "aehijklmnoprstuvx";
        const string subscripts = "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ";
        if (name.Length == 1 && letters.IndexOf(name[0]) is var at && at >= 0)
        {
            return subscripts[at].ToString();
        }

        return "_" + name;
    }
}

using System.Globalization;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Reads and evaluates the formulas the generator writes (∂F/∂x = −2·(1 − x) − 400·x·(y − x²)), independently of the
/// generator: a small recursive-descent parser of the notation documented in docs/formulas.md, so a formula that
/// prints the wrong derivative (or an ambiguous text) fails the numeric comparison with the generated gradient.
/// </summary>
public sealed class FormulaEvaluator
{
    private const string Superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";
    private const string SubscriptLetters = "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ";
    private const string Letters = "aehijklmnoprstuvx";

    private readonly string _text;
    private readonly Func<string, double> _scalar;
    private readonly Func<string, double[]> _array;
    private readonly Dictionary<string, double> _bound = new(StringComparer.Ordinal);
    private readonly int _count;
    private int _pos;

    private FormulaEvaluator(string text, Func<string, double> scalar, Func<string, double[]> array, int count)
    {
        _text = text;
        _scalar = scalar;
        _array = array;
        _count = count;
    }

    /// <summary>
    /// The value of <paramref name="formula"/>: names read through <paramref name="scalar"/> (parameters, the free index,
    /// name.Length) and <paramref name="array"/> (name[index]); Σ runs its index over 0 … <paramref name="count"/> − 1.
    /// </summary>
    public static double Evaluate(string formula, Func<string, double> scalar, Func<string, double[]> array, int count)
    {
        var e = new FormulaEvaluator(formula, scalar, array, count);
        var result = e.Parse();
        if (e._pos != formula.Length)
        {
            throw new FormatException($"unexpected '{formula.Substring(e._pos)}' at {e._pos} in: {formula}");
        }

        return result;
    }

    // The grammar is re-parsed for every evaluation (Σ bodies once per term): formulas are short.
    private double Parse() => Conditional();

    private double Conditional()
    {
        double c = Or();
        if (!Eat("?"))
        {
            return c;
        }

        double a = Conditional();
        Expect(":");
        double b = Conditional();
        return c != 0 ? a : b;
    }

    private double Or()
    {
        double v = And();
        while (Eat("||"))
        {
            double r = And();
            v = (v != 0 || r != 0) ? 1 : 0;
        }

        return v;
    }

    private double And()
    {
        double v = Comparison();
        while (Eat("&&"))
        {
            double r = Comparison();
            v = (v != 0 && r != 0) ? 1 : 0;
        }

        return v;
    }

    private double Comparison()
    {
        double a = Additive();
        foreach (var op in new[] { "==", "≠", "≤", "≥", "<", ">" })
        {
            if (Eat(op))
            {
                double b = Additive();
                bool r = op switch
                {
                    "==" => a == b,
                    "≠" => a != b,
                    "≤" => a <= b,
                    "≥" => a >= b,
                    "<" => a < b,
                    _ => a > b,
                };
                return r ? 1 : 0;
            }
        }

        return a;
    }

    private double Additive()
    {
        double v = Multiplicative();
        while (true)
        {
            if (Eat("+"))
            {
                v += Multiplicative();
            }
            else if (Eat("−"))
            {
                v -= Multiplicative();
            }
            else
            {
                return v;
            }
        }
    }

    private double Multiplicative()
    {
        double v = Unary();
        while (true)
        {
            if (Eat("·"))
            {
                v *= Unary();
            }
            else if (Peek("/"))
            {
                _pos++;
                v /= Unary();
            }
            else
            {
                return v;
            }
        }
    }

    private double Unary()
    {
        Skip();
        if (Eat("−") || Eat("-"))
        {
            return -Unary();
        }

        if (Eat("!"))
        {
            return Unary() != 0 ? 0 : 1;
        }

        if (Eat("√"))
        {
            return Math.Sqrt(Postfix());
        }

        if (Eat("∛"))
        {
            return Math.Cbrt(Postfix());
        }

        if (Peek("Σ"))
        {
            return Sum();
        }

        return Power();
    }

    private double Power()
    {
        double b = Postfix();
        if (_pos < _text.Length && Superscripts.IndexOf(_text[_pos]) >= 0)
        {
            int n = 0;
            while (_pos < _text.Length && Superscripts.IndexOf(_text[_pos]) is var d && d >= 0)
            {
                n = n * 10 + d;
                _pos++;
            }

            return Math.Pow(b, n);
        }

        if (Eat("^"))
        {
            return Math.Pow(b, Postfix());
        }

        return b;
    }

    /// <summary>Σᵢ body: the body is an atom or a parenthesized formula, evaluated for each index 0 … count − 1.</summary>
    private double Sum()
    {
        _pos++; // Σ
        string index;
        int count = _count;
        if (_text[_pos] == '(')
        {
            // Σ(i < n) body
            _pos++;
            index = Name();
            Expect("<");
            count = (int)Additive();
            Expect(")");
        }
        else if (_text[_pos] == '_')
        {
            int start = ++_pos;
            while (char.IsLetterOrDigit(_text[_pos]))
            {
                _pos++;
            }

            index = _text.Substring(start, _pos - start);
        }
        else
        {
            int at = SubscriptLetters.IndexOf(_text[_pos]);
            if (at < 0)
            {
                throw new FormatException("Σ without an index in: " + _text);
            }

            index = Letters[at].ToString();
            _pos++;
        }

        int bodyStart = _pos;
        double total = 0;
        int end = bodyStart;
        bool hadBefore = _bound.TryGetValue(index, out double before);
        for (int i = 0; i < Math.Max(count, 1); i++)
        {
            _pos = bodyStart;
            _bound[index] = i;
            double term = Postfix();
            if (i < count)
            {
                total += term;
            }

            end = _pos;
        }

        if (hadBefore)
        {
            _bound[index] = before;
        }
        else
        {
            _bound.Remove(index);
        }

        _pos = end;
        return total;
    }

    private double Postfix()
    {
        Skip();
        if (Eat("("))
        {
            double v = Parse();
            Expect(")");
            return v;
        }

        if (Eat("|"))
        {
            double v = Parse();
            Expect("|");
            return Math.Abs(v);
        }

        if (_pos < _text.Length && char.IsDigit(_text[_pos]))
        {
            return NumberLiteral();
        }

        string name = Name();
        if (Eat("("))
        {
            var args = new List<double> { Parse() };
            while (Eat(","))
            {
                args.Add(Parse());
            }

            Expect(")");
            return Call(name, args);
        }

        if (Eat("["))
        {
            double index = Parse();
            Expect("]");
            return _array(name)[(int)index];
        }

        return name switch
        {
            "π" => Math.PI,
            "true" => 1,
            "false" => 0,
            _ => _bound.TryGetValue(name, out double v) ? v : _scalar(name),
        };
    }

    private double NumberLiteral()
    {
        int start = _pos;
        while (_pos < _text.Length && (char.IsDigit(_text[_pos]) || _text[_pos] == '.'))
        {
            _pos++;
        }

        string digits = _text.Substring(start, _pos - start);
        int exponent = 0;
        if (_pos + 1 < _text.Length && _text[_pos] == 'e' && (char.IsDigit(_text[_pos + 1]) || _text[_pos + 1] == '−'))
        {
            _pos++;
            bool negative = Eat("−");
            int e0 = _pos;
            while (_pos < _text.Length && char.IsDigit(_text[_pos]))
            {
                _pos++;
            }

            exponent = int.Parse(_text.Substring(e0, _pos - e0), CultureInfo.InvariantCulture) * (negative ? -1 : 1);
        }

        return double.Parse(digits + (exponent != 0 ? "e" + exponent.ToString(CultureInfo.InvariantCulture) : string.Empty), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private string Name()
    {
        int start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.' or 'π' || (_text[_pos] >= '₀' && _text[_pos] <= '₉')))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw new FormatException($"a name or number expected at {_pos} in: {_text}");
        }

        return _text.Substring(start, _pos - start);
    }

    private static double Call(string name, List<double> a) => name switch
    {
        "exp" => Math.Exp(a[0]),
        "ln" => Math.Log(a[0]),
        "log₁₀" => Math.Log10(a[0]),
        "log₂" => Math.Log2(a[0]),
        "sin" => Math.Sin(a[0]),
        "cos" => Math.Cos(a[0]),
        "tan" => Math.Tan(a[0]),
        "asin" => Math.Asin(a[0]),
        "acos" => Math.Acos(a[0]),
        "atan" => Math.Atan(a[0]),
        "atan2" => Math.Atan2(a[0], a[1]),
        "sinh" => Math.Sinh(a[0]),
        "cosh" => Math.Cosh(a[0]),
        "tanh" => Math.Tanh(a[0]),
        "asinh" => Math.Asinh(a[0]),
        "acosh" => Math.Acosh(a[0]),
        "atanh" => Math.Atanh(a[0]),
        "sign" => Math.Sign(a[0]),
        "max" => Math.Max(a[0], a[1]),
        "min" => Math.Min(a[0], a[1]),
        "clamp" => Math.Clamp(a[0], a[1], a[2]),
        "floor" => Math.Floor(a[0]),
        "ceil" => Math.Ceiling(a[0]),
        "round" => Math.Round(a[0]),
        "trunc" => Math.Truncate(a[0]),
        _ => throw new FormatException("unknown function " + name),
    };

    private void Skip()
    {
        while (_pos < _text.Length && _text[_pos] == ' ')
        {
            _pos++;
        }
    }

    private bool Peek(string s)
    {
        Skip();
        return string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;
    }

    private bool Eat(string s)
    {
        if (!Peek(s))
        {
            return false;
        }

        _pos += s.Length;
        return true;
    }

    private void Expect(string s)
    {
        if (!Eat(s))
        {
            throw new FormatException($"'{s}' expected at {_pos} in: {_text}");
        }
    }
}

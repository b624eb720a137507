using System.Globalization;

namespace SymbolicGrad.Generator.Emit;

/// <summary>
/// A number in a formula: an exact fraction N/D while it fits in a long (so 2·(1/2) is 1, not 0.99…), otherwise a double.
/// Formulas are for reading, so a literal like 0.01 becomes 1/100 exactly (printed back as 0.01).
/// </summary>
internal readonly struct Number : IEquatable<Number>
{
    public static readonly Number Zero = new(0, 1);
    public static readonly Number One = new(1, 1);
    public static readonly Number MinusOne = new(-1, 1);
    public static readonly Number Half = new(1, 2);

    private Number(long n, long d)
    {
        N = n;
        D = d;
        Inexact = 0;
    }

    private Number(double v)
    {
        N = 0;
        D = 0;
        Inexact = v;
    }

    /// <summary>The numerator when exact.</summary>
    public long N { get; }

    /// <summary>The denominator (positive) when exact; 0 for an inexact number.</summary>
    public long D { get; }

    /// <summary>The value of an inexact number.</summary>
    public double Inexact { get; }

    public bool IsExact => D != 0;

    public double Value => IsExact ? (double)N / D : Inexact;

    public bool IsZero => IsExact ? N == 0 : Inexact == 0;

    public bool IsOne => IsExact && N == 1 && D == 1;

    public bool IsMinusOne => IsExact && N == -1 && D == 1;

    public bool IsInteger => IsExact && D == 1;

    public bool IsNegative => IsExact ? N < 0 : Inexact < 0;

    public bool IsFinite => IsExact || (!double.IsNaN(Inexact) && !double.IsInfinity(Inexact));

    /// <summary>Appends <see cref="Key"/> without making a string.</summary>
    public void AppendKey(System.Text.StringBuilder sb)
    {
        if (IsExact)
        {
            sb.Append(N).Append('/').Append(D);
        }
        else
        {
            sb.Append('~').Append(Inexact.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A key for hash-consing: equal numbers have equal keys.</summary>
    public string Key => IsExact
        ? N.ToString(CultureInfo.InvariantCulture) + "/" + D.ToString(CultureInfo.InvariantCulture)
        : "~" + Inexact.ToString("R", CultureInfo.InvariantCulture);

    public static Number Of(long n) => new(n, 1);

    /// <summary>n/d reduced; a double when it cannot be held exactly.</summary>
    public static Number Fraction(long n, long d)
    {
        if (d == 0)
        {
            return new Number((double)n / d);
        }

        if (d < 0)
        {
            if (n == long.MinValue || d == long.MinValue)
            {
                return new Number((double)n / d);
            }

            n = -n;
            d = -d;
        }

        long g = Gcd(n, d);
        return g > 1 ? new Number(n / g, d / g) : new Number(n, d);
    }

    /// <summary>A constant of the IR: exact when it is an integer or a short decimal (0.01 → 1/100), otherwise inexact.</summary>
    public static Number FromDouble(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return new Number(v);
        }

        if (Math.Abs(v) < 9e15 && v == Math.Floor(v))
        {
            return new Number((long)v, 1);
        }

        // The shortest text that reads back as v: a decimal fraction when it is short.
        return FromText(v.ToString("R", CultureInfo.InvariantCulture)) ?? new Number(v);
    }

    /// <summary>A float constant, read through its own shortest text (0.1f is 1/10, not 0.100000001490116).</summary>
    public static Number FromSingle(float f)
    {
        if (float.IsNaN(f) || float.IsInfinity(f))
        {
            return new Number(f);
        }

        if (Math.Abs(f) < 9e15f && f == Math.Floor(f))
        {
            return new Number((long)f, 1);
        }

        return FromText(f.ToString("R", CultureInfo.InvariantCulture)) ?? new Number(f);
    }

    /// <summary>The exact value of a decimal text such as "0.01" or "1E-08"; null when it is too long to hold.</summary>
    private static Number? FromText(string s)
    {
        int e = s.IndexOfAny(new[] { 'E', 'e' });
        int exponent = 0;
        if (e >= 0)
        {
            if (!int.TryParse(s.Substring(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
            {
                return null;
            }

            s = s.Substring(0, e);
        }

        bool negative = s.StartsWith("-", StringComparison.Ordinal);
        if (negative)
        {
            s = s.Substring(1);
        }

        int dot = s.IndexOf('.');
        string digits = dot < 0 ? s : s.Substring(0, dot) + s.Substring(dot + 1);
        int decimals = (dot < 0 ? 0 : s.Length - dot - 1) - exponent;
        if (digits.Length > 17 || decimals > 18 || decimals < 0 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long mantissa))
        {
            return null;
        }

        long scale = 1;
        for (int i = 0; i < decimals; i++)
        {
            scale *= 10;
        }

        return Fraction(negative ? -mantissa : mantissa, scale);
    }

    public static Number operator +(Number a, Number b)
    {
        if (a.IsExact && b.IsExact)
        {
            try
            {
                checked
                {
                    long g = Gcd(a.D, b.D);
                    long d = a.D / g * b.D;
                    return Fraction(a.N * (d / a.D) + b.N * (d / b.D), d);
                }
            }
            catch (OverflowException)
            {
            }
        }

        return new Number(a.Value + b.Value);
    }

    public static Number operator -(Number a) => a.IsExact && a.N != long.MinValue ? new Number(-a.N, a.D) : new Number(-a.Value);

    public static Number operator -(Number a, Number b) => a + -b;

    public static Number operator *(Number a, Number b)
    {
        if (a.IsExact && b.IsExact)
        {
            try
            {
                checked
                {
                    long g1 = Gcd(a.N, b.D);
                    long g2 = Gcd(b.N, a.D);
                    return Fraction(a.N / g1 * (b.N / g2), a.D / g2 * (b.D / g1));
                }
            }
            catch (OverflowException)
            {
            }
        }

        return new Number(a.Value * b.Value);
    }

    /// <summary>1/a; null for zero.</summary>
    public Number? Inverse()
    {
        if (IsZero)
        {
            return null;
        }

        return IsExact ? Fraction(D, N) : new Number(1 / Inexact);
    }

    /// <summary>a^k for a small integer k; null when it does not stay finite or exact enough to be worth it.</summary>
    public Number? Power(long k)
    {
        if (k < 0)
        {
            return Inverse()?.Power(-k);
        }

        if (k > 64)
        {
            return null;
        }

        var r = One;
        for (long i = 0; i < k; i++)
        {
            r *= this;
        }

        return r.IsFinite ? r : null;
    }

    public int CompareTo(Number other) => Value.CompareTo(other.Value);

    /// <summary>The same number the same way: both exact with the same reduced fraction, or both inexact with the same
    /// bits (−0 is not 0, every NaN is NaN), as their <see cref="Key"/>s compare.</summary>
    public bool Equals(Number other) =>
        IsExact
            ? other.IsExact && N == other.N && D == other.D
            : !other.IsExact && (double.IsNaN(Inexact) ? double.IsNaN(other.Inexact) : BitConverter.DoubleToInt64Bits(Inexact) == BitConverter.DoubleToInt64Bits(other.Inexact));

    public override bool Equals(object? obj) => obj is Number n && Equals(n);

    public override int GetHashCode() =>
        IsExact ? (N.GetHashCode() * 31) + D.GetHashCode() : double.IsNaN(Inexact) ? -1 : BitConverter.DoubleToInt64Bits(Inexact).GetHashCode();

    public override string ToString() => Key;

    private static long Gcd(long a, long b)
    {
        a = a < 0 ? (a == long.MinValue ? long.MaxValue : -a) : a;
        b = b < 0 ? (b == long.MinValue ? long.MaxValue : -b) : b;
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a == 0 ? 1 : a;
    }
}

using System.Globalization;

namespace SymbolicGrad.Benchmarks;

/// <summary>How numbers are written in the report.</summary>
public static class Format
{
    /// <summary>A time with its unit and three significant digits: 1.23 ns, 45.6 µs, 789 ms, 1.20 s.</summary>
    public static string Time(double nanoseconds)
    {
        (double v, string unit) = nanoseconds switch
        {
            < 1e3 => (nanoseconds, "ns"),
            < 1e6 => (nanoseconds / 1e3, "µs"),
            < 1e9 => (nanoseconds / 1e6, "ms"),
            _ => (nanoseconds / 1e9, "s"),
        };
        string digits = v switch { < 10 => "0.00", < 100 => "0.0", _ => "0" };
        return v.ToString(digits, CultureInfo.InvariantCulture) + " " + unit;
    }

    public static string Time(TimeSpan t) => Time(t.Ticks * 100.0);

    /// <summary>A ratio as a plain number: 1.07, 23.4, 512.</summary>
    public static string Ratio(double r)
    {
        if (double.IsNaN(r) || double.IsInfinity(r))
        {
            return "n/a";
        }

        string digits = Math.Abs(r) switch { < 10 => "0.00", < 100 => "0.0", _ => "0" };
        return r.ToString(digits, CultureInfo.InvariantCulture);
    }
}

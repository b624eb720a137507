using System.Globalization;

namespace SymbolicGrad.Optimizers;

/// <summary>Eager argument validation shared by every type in the suite.</summary>
internal static class Guard
{
    public static double NonNegative(double value, string argument)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(argument, value, $"{argument} must be a finite number ≥ 0.");
        }

        return value;
    }

    public static double Positive(double value, string argument)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(argument, value, $"{argument} must be a finite number > 0.");
        }

        return value;
    }

    /// <summary>Requires <paramref name="low"/> ≤ value &lt; or ≤ <paramref name="high"/>.</summary>
    public static double InRange(double value, double low, double high, bool highInclusive, string argument)
    {
        bool ok = value >= low && (highInclusive ? value <= high : value < high);
        if (!ok)
        {
            string interval = string.Create(CultureInfo.InvariantCulture, $"[{low}, {high}{(highInclusive ? "]" : ")")}");
            throw new ArgumentOutOfRangeException(argument, value, $"{argument} must lie in {interval}.");
        }

        return value;
    }

    public static int AtLeast(int value, int minimum, string argument)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(argument, value, $"{argument} must be at least {minimum}.");
        }

        return value;
    }

    public static long AtLeast(long value, long minimum, string argument)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(argument, value, $"{argument} must be at least {minimum}.");
        }

        return value;
    }
}

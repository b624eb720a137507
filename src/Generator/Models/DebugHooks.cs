namespace SymbolicGrad.Generator.Models;

/// <summary>For the generator's own tests: a place to observe the IR between stages (null in real builds).</summary>
internal static class DebugHooks
{
    /// <summary>Called with (stage, method, text) when set.</summary>
    public static Action<string, string, string>? Trace { get; set; }

    /// <summary>Called with (method, "phase: time") by <see cref="Lap"/> when set; unlike <see cref="Trace"/>, prints no IR.</summary>
    public static Action<string, string>? Timing { get; set; }

    public static void Emit(string stage, string method, Func<string> text) => Trace?.Invoke(stage, method, text());

    /// <summary>Reports the time since <paramref name="start"/> (a Stopwatch timestamp) as stage "timing", and returns now.</summary>
    public static long Lap(string phase, string method, long start)
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (Timing is { } timing)
        {
            timing(method, phase + ": " + ((now - start) * 1000.0 / System.Diagnostics.Stopwatch.Frequency).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + " ms");
        }
        else if (Trace is { } trace)
        {
            trace("timing", method, phase + ": " + ((now - start) * 1000.0 / System.Diagnostics.Stopwatch.Frequency).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + " ms");
        }

        return now;
    }
}

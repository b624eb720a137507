namespace SymbolicGrad.Generator.Models;

/// <summary>For the generator's own tests: a place to observe the IR between stages (null in real builds).</summary>
internal static class DebugHooks
{
    /// <summary>Called with (stage, method, text) when set.</summary>
    public static Action<string, string, string>? Trace { get; set; }

    public static void Emit(string stage, string method, Func<string> text) => Trace?.Invoke(stage, method, text());

    /// <summary>Reports the time since <paramref name="start"/> (a Stopwatch timestamp) as stage "timing", and returns now.</summary>
    public static long Lap(string phase, string method, long start)
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (Trace is { } trace)
        {
            trace("timing", method, phase + ": " + ((now - start) * 1000.0 / System.Diagnostics.Stopwatch.Frequency).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " ms");
        }

        return now;
    }
}

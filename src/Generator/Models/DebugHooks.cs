namespace SymbolicGrad.Generator.Models;

/// <summary>For the generator's own tests: a place to observe the IR between stages (null in real builds).</summary>
internal static class DebugHooks
{
    /// <summary>Called with (stage, method, text) when set.</summary>
    public static Action<string, string, string>? Trace { get; set; }

    public static void Emit(string stage, string method, Func<string> text) => Trace?.Invoke(stage, method, text());
}

using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// An array that depends on the parameters wrapped in a Memory&lt;double&gt; or ReadOnlyMemory&lt;double&gt;
/// (ReadOnlyMemory&lt;double&gt; t = w; t.Span[0] * t.Span[1]) was converted by code run as written, with no check, and read
/// back through .Span as data: a zero gradient, silently (red-team M, stop 35; also for a model's [Trainable] array, a
/// local array built from the parameters, W.AsMemory(), a property returning the memory). Now SG0015 at the conversion,
/// advising a span; data arrays still go through memories.
/// </summary>
public class MemoryWrapperTests
{
    [Theory]
    [InlineData("ReadOnlyMemory<double> t = [|w|]; return t.Span[0] * t.Span[1] * x;")]
    [InlineData("ReadOnlyMemory<double> t = [|w.AsMemory()|]; return t.Span[0] * x;")]
    [InlineData("var a = new[] { w[0], x }; ReadOnlyMemory<double> t = [|a|]; return t.Span[0] * t.Span[1];")]
    public void AVariedArrayInAMemoryIsRefused(string body) => Expect.Refused(
        "    [Differentiable] public static double F(double[] w, double x) { " + body + " }", "SG0015", "Memory<double>", "span");

    /// <summary>Data in a memory is data: F = w₀·Σ d (d = [NoDerivative] data read through ReadOnlyMemory).</summary>
    [Fact]
    public void DataInAMemoryStillWorks() => Expect.Gradient(
        "    [Differentiable] public static double F(double[] w, [NoDerivative] double[] d) { ReadOnlyMemory<double> t = d; double s = 0; for (int i = 0; i < t.Length; i++) s += t.Span[i]; return w[0] * s; }",
        "F", new[] { 0.5 }, new[] { 6.0 }, 1, new[] { 1.0, 2.0, 3.0 });
}

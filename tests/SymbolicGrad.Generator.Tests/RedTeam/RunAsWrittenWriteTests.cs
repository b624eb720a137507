namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Calls the generator runs as written that write into an array they are given (red-team pass, stop 29):
/// <list type="bullet">
/// <item>a local copy of data sorted (or overwritten) after a loop had read it: the reverse sweep read the array again
/// and saw the sorted contents, a silently wrong gradient;</item>
/// <item><c>w.AsSpan().TryCopyTo(c)</c>, a copy of differentiated values by a call that returns a bool: treated as data,
/// a zero gradient; now SG0015 at the call;</item>
/// <item>the long overloads of Array.Copy and CopyTo: generated code that did not compile (CS1503).</item>
/// </list>
/// </summary>
public class RunAsWrittenWriteTests
{
    /// <summary>
    /// s = Σ wᵢ²·cᵢ over c, a copy of x; then c is rewritten by the call; F = s² + c[0]. ∂wᵢ = 2s·2wᵢ·xᵢ with x as it
    /// was: at w = 1, x = (3, 1, 4, 2), s = 10, ∂w = 40x.
    /// </summary>
    [Theory]
    [InlineData("Array.Sort(c);")]
    [InlineData("Array.Sort(c, 0, 3);")]
    [InlineData("c.AsSpan().Sort();")]
    [InlineData("Buffer.BlockCopy(new double[] { 9, 8, 7, 6 }, 0, c, 0, 32);")]
    [InlineData("Array.ConstrainedCopy(new double[] { 9, 8, 7, 6 }, 0, c, 0, 4);")]
    [InlineData("new double[] { 9, 8, 7, 6 }.AsSpan().TryCopyTo(c);")]
    [InlineData("bool copied = new double[] { 9, 8, 7, 6 }.AsSpan().TryCopyTo(c);")]
    [InlineData("c.AsSpan().Replace(3.0, 50.0);")]
    [InlineData("new System.Collections.Generic.List<double> { 9, 8, 7, 6 }.CopyTo(c);")]
    [InlineData("c.SetValue(50.0, 0);")]
    public void DataRewrittenAfterALoopReadIt(string rewrite) => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] w, [NoDerivative] double[] x)
            {
                var c = x.ToArray();
                double s = 0;
                for (int i = 0; i < w.Length; i++) s += w[i] * w[i] * c[i];
                REWRITE
                return s * s + c[0];
            }
        """.Replace("REWRITE", rewrite, StringComparison.Ordinal), "F", new[] { 1.0, 1.0, 1.0, 1.0 }, new[] { 120.0, 40.0, 160.0, 80.0 }, 4, new[] { 3.0, 1.0, 4.0, 2.0 });

    /// <summary>A call that returns a value and copies differentiated values into an array: refused where it is.</summary>
    [Theory]
    [InlineData("var c = new double[w.Length]; [|w.AsSpan().TryCopyTo(c)|]; return c[0] * c[1];")]
    [InlineData("var c = (double[])w.Clone(); [|new double[] { 1, 2 }.AsSpan().TryCopyTo(c)|]; return c[0] * c[1];")]
    public void ACopyByACallWithAResultIsRefused(string body) => KnownBugs.Expect.Refused(
        "    [Differentiable] public static double F(double[] w) { " + body + " }\n", "SG0015", "receives a value that depends on the differentiated parameters");

    /// <summary>Writing a data parameter through such a call is SG0018, as writing one of its elements is.</summary>
    [Fact]
    public void WritingAParameterThroughACallIsRefused() => KnownBugs.Expect.Refused(
        "    [Differentiable] public static double F(double w, [NoDerivative] double[] x) { [|new double[] { 1, 2 }.AsSpan().TryCopyTo(x)|]; return w * x[0]; }\n", "SG0018");

    /// <summary>The long overloads: c = w copied (then shifted by one for CopyTo(c, 1L)); F = c[0]·c[1] + c[2].</summary>
    [Theory]
    [InlineData("Array.Copy(w, 0L, c, 0L, (long)w.Length);", 0)]
    [InlineData("Array.Copy(w, c, (long)w.Length);", 0)]
    [InlineData("w.AsSpan(0, 3).ToArray().CopyTo(c, 1L);", 1)]
    public void LongPositions(string copy, int shift)
    {
        double[] w = { 0.5, -2.0, 3.0 };
        double[] expected = shift == 0 ? new[] { w[1], w[0], 1.0 } : new[] { 0.0, 1.0, 0.0 };
        KnownBugs.Expect.Gradient("""
                [Differentiable]
                public static double F(double[] w)
                {
                    var c = new double[w.Length + 1];
                    COPY
                    return c[0] * c[1] + c[2];
                }
            """.Replace("COPY", copy, StringComparison.Ordinal), "F", w, expected, 3);
    }
}

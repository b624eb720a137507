namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>Refusals whose advice did not fit the code they refused (red-team rt-ml).</summary>
public class AdviceTests
{
    /// <summary>A tuple local in a data expression: the advice said "compute the value in a local first", and t already is one.</summary>
    [Fact]
    public void ATupleInADataExpressionIsAdvisedToUseItsNumbers() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double a, double b)
            {
                var t = (a * b, a + b);
                string s = [|t|].ToString();
                return t.Item1 * s.Length;
            }
        """, "SG0017", "the struct or tuple 't'", "use its numbers here one by one (t.Item1, p.X)");
}

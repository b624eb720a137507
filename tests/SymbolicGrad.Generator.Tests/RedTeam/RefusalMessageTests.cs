namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team T (stop 37): refusals whose message did not match the code. A const [Trainable] member was said to be
/// static; a deconstruction through an extension Deconstruct said to use "a struct with a Deconstruct method", which it
/// has.
/// </summary>
public class RefusalMessageTests
{
    [Fact]
    public void AConstTrainableMemberIsCalledAConstant()
    {
        var run = Harness.Run(Harness.Usings + """
            namespace Demo;
            public partial class M
            {
                [Trainable] public const double K = 2;
                [Trainable] public double W = 1;
                [Differentiable] public double Loss(double x) => W * K * x;
            }
            """);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Contains("is a constant", error.GetMessage(), StringComparison.Ordinal);
        Assert.DoesNotContain("static", error.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void AnExtensionDeconstructIsNamedAsNotFollowed()
    {
        var run = Harness.Run(Harness.Usings + """
            namespace Demo;
            public struct S2 { public double A, B; }
            public static class S2Ext { public static void Deconstruct(this S2 s, out double a, out double b) { a = s.A; b = s.B; } }
            public static partial class C
            {
                [Differentiable] public static double F(double x) { var s = new S2 { A = x, B = 2 * x }; var (a, b) = s; return a * b; }
            }
            """);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Contains("an extension Deconstruct is not followed", error.GetMessage(), StringComparison.Ordinal);
    }
}

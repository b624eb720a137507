namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team R (stop 37): a model whose loss reads a protected member of its base class (a bias, an epsilon, a mask, a
/// gain read by an inherited protected helper) got generated code that did not compile: ((Base)this).Bias is CS1540 for
/// a protected member. It is read as base.Bias now when that name is the member; a protected member hidden in between
/// or virtual is SG0017. Against the closed form and centered differences.
/// </summary>
public class ProtectedBaseMemberTests
{
    [Fact]
    public void ProtectedMembersOfTheBaseClassAreReadThroughBase()
    {
        var run = Harness.Run(Harness.Usings + """
            namespace Demo;
            public abstract class Base
            {
                protected double Bias = 0.5;
                protected double Gain { get; set; } = 2.0;
                protected double[] Mask = { 1.0, 0.0, 1.0 };
                protected double Act(double z) => Math.Tanh(Gain * z);
            }
            public partial class Model : Base
            {
                [Trainable] public double W = 0.3;
                [Differentiable] public double Loss([NoDerivative] double x)
                {
                    double s = 0;
                    for (int i = 0; i < Mask.Length; i++) s += Mask[i] * Act(W * x * (i + 1));
                    return (s + Bias) * (s + Bias);
                }
                public static DifferentiableFunction Make(double x) => new Model().LossObjective(x);
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        var f = (DifferentiableFunction)run.Load().GetType("Demo.Model")!.GetMethod("Make")!.Invoke(null, new object[] { 0.7 })!;

        // s = tanh(2·0.7w) + tanh(2·0.7w·3); f = (s + ½)², f' = 2(s + ½)·(1.4·sech²(1.4w) + 4.2·sech²(4.2w)).
        double w = 0.3, a = Math.Tanh(1.4 * w), b = Math.Tanh(4.2 * w), s = a + b;
        double expected = 2 * (s + 0.5) * (1.4 * (1 - a * a) + 4.2 * (1 - b * b));
        var g = new double[1];
        f.ValueAndGradient(new[] { w }, g);
        Assert.Equal(expected, g[0], 12);
        Assert.True(GradientCheck.Check(f, new[] { w }).Passed);
    }

    /// <summary>A protected member hidden in between (Middle's new Bias): the model reads Middle's, through base.</summary>
    [Fact]
    public void AProtectedMemberHiddenInBetweenReadsTheNearestOne()
    {
        var run = Harness.Run(Harness.Usings + """
            namespace Demo;
            public class Base { protected double Bias = 0.5; }
            public class Middle : Base { protected new double Bias = 2.0; }
            public partial class Model : Middle
            {
                [Trainable] public double W = 0.3;
                [Differentiable] public double Loss([NoDerivative] double x) => W * x * Bias;
                public static DifferentiableFunction Make(double x) => new Model().LossObjective(x);
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.CompilationProblems.Count == 0, string.Join("\n", run.CompilationProblems));
        var f = (DifferentiableFunction)run.Load().GetType("Demo.Model")!.GetMethod("Make")!.Invoke(null, new object[] { 0.7 })!;
        var g = new double[1];
        f.ValueAndGradient(new[] { 0.3 }, g);
        Assert.Equal(0.7 * 2.0, g[0], 14);
    }
}

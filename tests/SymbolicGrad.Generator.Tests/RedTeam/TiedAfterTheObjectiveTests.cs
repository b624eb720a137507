using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Two [Trainable] members made one array (B = A), or a member made one of the objective's data arrays (W = features),
/// after the objective was made, with the same length: nothing was checked, each point was written twice into one array
/// and the gradient was wrong (analytic [0.2, −0.4, −5.4, −0.4] against numeric [0, 0, −5.2, −0.8]); the caller's data
/// array was overwritten by the optimizer's points (red-team O, stop 36). The objective checks them again when a member
/// is replaced, as it does when it is made.
/// </summary>
public class TiedAfterTheObjectiveTests
{
    private const string Source = """
        namespace Demo;
        using SymbolicGrad;

        public partial class Tied
        {
            [Trainable] public double[] A = new double[2];
            [Trainable] public double[] B = new double[2];
            [Differentiable] public double Loss() => (A[0] - 1) * (A[0] - 1) + 3 * (B[0] - 2) * (B[0] - 2) + A[1] * B[1];
        }

        public partial class Linear
        {
            [Trainable] public double[] W = new double[3];
            [Trainable] public double Bias;

            [Differentiable]
            public double Loss([NoDerivative] double[] x, [NoDerivative] double y)
            {
                double r = Bias - y;
                for (int j = 0; j < W.Length; j++) r += W[j] * x[j];
                return r * r;
            }
        }
        """;

    private static readonly Assembly Compiled = Expect.Compiles(Source);

    [Fact]
    public void MembersTiedAfterTheObjectiveWasMadeAreNamed()
    {
        var type = Compiled.GetType("Demo.Tied")!;
        var model = Activator.CreateInstance(type)!;
        var f = (DifferentiableFunction)type.GetMethod("LossObjective")!.Invoke(model, null)!;
        var g = new double[4];
        Assert.Equal(0.49 + 3 * 0.81 - 0.28, f.ValueAndGradient(new[] { 0.3, 0.7, 1.1, -0.4 }, g), 12);

        // a new, separate array of the same length is fine; the same array as A is not
        type.GetField("B")!.SetValue(model, new double[2]);
        f.ValueAndGradient(new[] { 0.3, 0.7, 1.1, -0.4 }, g);
        type.GetField("B")!.SetValue(model, type.GetField("A")!.GetValue(model));
        var error = Assert.Throws<InvalidOperationException>(() => f.ValueAndGradient(new[] { 0.3, 0.7, 1.1, -0.4 }, g));
        Assert.Contains("A and B are the same array", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMemberMadeOneOfTheDataArraysIsNamedAndTheDataIsNotOverwritten()
    {
        var type = Compiled.GetType("Demo.Linear")!;
        var model = Activator.CreateInstance(type)!;
        double[] features = { 1.0, 2.0, 3.0 };
        var f = (DifferentiableFunction)type.GetMethod("LossObjective")!.Invoke(model, new object[] { features, 1.0 })!;
        type.GetField("W")!.SetValue(model, features);
        var error = Assert.Throws<ArgumentException>(() => f.Value(new[] { 0.5, -0.25, 0.125, 0.3 }));
        Assert.Contains("is the model's [Trainable] W", error.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, features);
    }
}

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

        public partial class Jag
        {
            [Trainable] public double[][] W = { new double[2], new double[2] };
            [Differentiable] public double Loss() => (W[0][0] - 1) * (W[0][0] - 1) + 3 * (W[1][0] - 2) * (W[1][0] - 2) + W[0][1] * W[1][1];
        }

        public partial class ListDot
        {
            [Trainable] public double[] W = new double[3];
            [Differentiable] public double Loss([NoDerivative] System.Collections.Generic.List<double[]> rows, [NoDerivative] (double[] X, double Y) pair)
            {
                double s = 0;
                foreach (var r in rows) for (int j = 0; j < 3; j++) s += W[j] * r[j];
                return s + W[0] * pair.X[0] * pair.Y;
            }
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

    /// <summary>A row of a jagged member replaced after the objective was made (W[1] = W[0]): the same wrong gradient (red-team P); named now. A fresh row is fine.</summary>
    [Fact]
    public void ARowTiedAfterTheObjectiveWasMadeIsNamed()
    {
        var type = Compiled.GetType("Demo.Jag")!;
        var model = Activator.CreateInstance(type)!;
        var f = (DifferentiableFunction)type.GetMethod("LossObjective")!.Invoke(model, null)!;
        var w = (double[][])type.GetField("W")!.GetValue(model)!;
        var g = new double[4];
        w[1] = new double[2];
        f.ValueAndGradient(new[] { 0.3, 0.7, 1.1, -0.4 }, g);
        Assert.Equal(new[] { 2 * (0.3 - 1), -0.4, 6 * (1.1 - 2), 0.7 }, g, (a, b) => Math.Abs(a - b) < 1e-12);
        w[1] = w[0];
        var error = Assert.Throws<InvalidOperationException>(() => f.ValueAndGradient(new[] { 0.3, 0.7, 1.1, -0.4 }, g));
        Assert.Contains("W[0] and W[1] are the same array", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Data that holds a [Trainable] array in a List&lt;double[]&gt; or a tuple: the gradient was half the numeric one and
    /// the data row was overwritten with the point (red-team P). Refused when the objective is made, and when a member is
    /// replaced by a data row afterwards.
    /// </summary>
    [Fact]
    public void AListOrATupleOfDataHoldingAMemberIsNamed()
    {
        var type = Compiled.GetType("Demo.ListDot")!;
        var model = Activator.CreateInstance(type)!;
        var w = (double[])type.GetField("W")!.GetValue(model)!;
        var make = type.GetMethod("LossObjective")!;
        var error = Assert.Throws<TargetInvocationException>(() => make.Invoke(model, new object[] { new List<double[]> { w, new[] { 0.5, 0.5, 0.5 } }, (new[] { 1.0 }, 2.0) }));
        Assert.Contains("rows[0] is the model's [Trainable] W", Assert.IsType<ArgumentException>(error.InnerException).Message, StringComparison.Ordinal);
        error = Assert.Throws<TargetInvocationException>(() => make.Invoke(model, new object[] { new List<double[]>(), (w, 2.0) }));
        Assert.Contains("is the model's [Trainable] W", Assert.IsType<ArgumentException>(error.InnerException).Message, StringComparison.Ordinal);

        var row = new[] { 0.5, 0.5, 0.5 };
        var f = (DifferentiableFunction)make.Invoke(model, new object[] { new List<double[]> { row }, (new[] { 1.0 }, 2.0) })!;
        var g = new double[3];
        Assert.Equal(0.1 * 0.5 + 0.2 * 0.5 + 0.3 * 0.5 + 0.1 * 2.0, f.ValueAndGradient(new[] { 0.1, 0.2, 0.3 }, g), 12);
        Assert.Equal(new[] { 2.5, 0.5, 0.5 }, g);
        type.GetField("W")!.SetValue(model, row);
        Assert.Throws<ArgumentException>(() => f.ValueAndGradient(new[] { 0.1, 0.2, 0.3 }, g));
        Assert.Equal(new[] { 0.5, 0.5, 0.5 }, row);
    }
}

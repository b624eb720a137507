using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A null array given to a generated gradient, or a model whose [Trainable] array is null, threw a NullReferenceException
/// from inside the generated code, at the output's length check (red-team L, stop 35). Each is now named at entry: an
/// ArgumentNullException for the parameter, an InvalidOperationException for the member.
/// </summary>
public class NullArrayTests
{
    private const string Source = """
        namespace Demo;
        using SymbolicGrad;
        using System;

        public static partial class S
        {
            [Differentiable(Hessian = true)] public static double Mse(double[] w, [NoDerivative] double[] x) => w[0] * x[0] * w[1];
            public static double Gradient(double[]? w) => MseGradient(w!, new[] { 1.0, 2.0 }, new double[2]);
            public static void Product(double[]? w) => MseHessianVectorProduct(w!, new[] { 1.0, 2.0 }, new double[2], new double[2], new double[2]);
            [Differentiable] public static void R(double[] w, Span<double> r) { r[0] = w[0] * w[1]; r[1] = w[0]; }
            public static void Jacobian(double[]? w) => RJacobian(w!, new double[2], new double[4]);
        }

        public partial class Lin
        {
            [Trainable] public double[] W = new double[2];
            [Differentiable] public double Loss([NoDerivative] double[] x) => W[0] * x[0] + W[1] * x[1];
            public double Gradient() => LossGradient(new[] { 1.0, 2.0 }, new double[2]);
        }
        """;

    [Fact]
    public void ANullArrayParameterIsNamed()
    {
        var type = Expect.Compiles(Source).GetType("Demo.S")!;
        foreach (string method in new[] { "Gradient", "Product", "Jacobian" })
        {
            var e = Assert.Throws<TargetInvocationException>(() => type.GetMethod(method)!.Invoke(null, new object?[] { null }));
            var inner = Assert.IsType<ArgumentNullException>(e.InnerException);
            Assert.Equal("w", inner.ParamName);
        }

        Assert.Equal(0.0, (double)type.GetMethod("Gradient")!.Invoke(null, new object?[] { new[] { 0.5, 0.0 } })!);
    }

    /// <summary>
    /// A null double[,] or jagged parameter threw a NullReferenceException (or, with a null output, a shape message
    /// saying "0 × 0") from inside the generated code; it is named at entry now, in the gradient and the Hessian-vector
    /// product (stop 36).
    /// </summary>
    [Fact]
    public void ANullMatrixParameterIsNamed()
    {
        var type = Expect.Compiles("""
            namespace Demo;
            using SymbolicGrad;

            public static partial class M
            {
                [Differentiable(Hessian = true)] public static double F(double[,] w, double[][] v) => w[0, 0] * w[0, 0] * v[0][0];
                public static double Gradient(double[,]? w, double[][]? v) => FGradient(w!, v!, new double[1, 1], new[] { new double[1] });
                public static void Product(double[,]? w, double[][]? v) =>
                    FHessianVectorProduct(w!, v!, new double[1, 1], new[] { new double[1] }, new double[1, 1], new[] { new double[1] }, new double[1, 1], new[] { new double[1] });
            }
            """).GetType("Demo.M")!;
        foreach (string method in new[] { "Gradient", "Product" })
        {
            var e = Assert.Throws<TargetInvocationException>(() => type.GetMethod(method)!.Invoke(null, new object?[] { null, new[] { new[] { 2.0 } } }));
            Assert.Equal("w", Assert.IsType<ArgumentNullException>(e.InnerException).ParamName);
            e = Assert.Throws<TargetInvocationException>(() => type.GetMethod(method)!.Invoke(null, new object?[] { new double[1, 1], null }));
            Assert.Equal("v", Assert.IsType<ArgumentNullException>(e.InnerException).ParamName);
        }

        Assert.Equal(18.0, (double)type.GetMethod("Gradient")!.Invoke(null, new object?[] { new double[,] { { 3.0 } }, new[] { new[] { 2.0 } } })!);
    }

    [Fact]
    public void ANullTrainableArrayIsNamed()
    {
        var type = Expect.Compiles(Source).GetType("Demo.Lin")!;
        var model = Activator.CreateInstance(type)!;
        type.GetField("W")!.SetValue(model, null);
        var e = Assert.Throws<TargetInvocationException>(() => type.GetMethod("Gradient")!.Invoke(model, null));
        var inner = Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("this.W is null", inner.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A row of a jagged [Trainable] member replaced by one of another length after the objective was made threw an
    /// ArgumentException about "dJ[1]", the objective's own gradient buffer (red-team L); the member is named now, as a
    /// replaced array member is. A rectangular member replaced by another shape too.
    /// </summary>
    [Fact]
    public void AMatrixMemberReshapedAfterTheObjectiveIsNamed()
    {
        var type = Expect.Compiles("""
            namespace Demo;
            using SymbolicGrad;

            public partial class Mat
            {
                [Trainable] public double[][] J = { new[] { 0.1, 0.2 }, new[] { 0.3, -0.4, 0.5 } };
                [Trainable] public double[,] R = new double[2, 2];
                [Differentiable] public double Loss([NoDerivative] double x) { double s = R[0, 0] * R[1, 1]; foreach (var row in J) foreach (var v in row) s += v * v * x; return s; }
            }
            """).GetType("Demo.Mat")!;
        var model = Activator.CreateInstance(type)!;
        var f = (DifferentiableFunction)type.GetMethod("LossObjective")!.Invoke(model, new object[] { 0.5 })!;
        Assert.Equal(9, f.Dimension);
        ((double[][])type.GetField("J")!.GetValue(model)!)[1] = new[] { 1.0, 2.0 };
        var e = Assert.Throws<InvalidOperationException>(() => f.ValueAndGradient(new double[9], new double[9]));
        Assert.Contains("J[1] has length 2", e.Message, StringComparison.Ordinal);

        ((double[][])type.GetField("J")!.GetValue(model)!)[1] = new[] { 1.0, 2.0, 3.0 };
        type.GetField("R")!.SetValue(model, new double[3, 2]);
        e = Assert.Throws<InvalidOperationException>(() => f.Value(new double[9]));
        Assert.Contains("R is 3 × 2", e.Message, StringComparison.Ordinal);
    }
}

using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Custom derivatives of two natural shapes that were refused (red-team L, stop 35): an <c>in double</c> parameter (SG0017
/// "a struct or tuple argument to a compiled method") and a generic-math method with a generic derivative method
/// (SG0033 "was not found with the expected signature": the derivative was compared unconstructed with the call's
/// constructed method). Both are called now, with exact gradients.
/// </summary>
public class CustomDerivativeShapeTests
{
    private const string Source = """
        using System.Numerics;

        [CustomDerivative(nameof(InGradient))] public static double In(in double x, double y) => x * y * y;
        public static double InGradient(in double x, double y, out double dX, out double dY) { dX = y * y; dY = 2 * x * y; return x * y * y; }
        [Differentiable] public static double A(double x, double y) => In(x, y) + In(x * x, 2.0);

        [CustomDerivative(nameof(SquareGradient))] public static T Square<T>(T x) where T : IFloatingPointIeee754<T> => x * x;
        public static T SquareGradient<T>(T x, out T dX) where T : IFloatingPointIeee754<T> { dX = x + x; return x * x; }
        [Differentiable] public static T G<T>(T x) where T : IFloatingPointIeee754<T> => Square(T.Sin(x));
        [Differentiable] public static double D(double x) => Square(x * x);
        public static double[] Float(float x) { float v = GGradient(x, out float dx); return new double[] { v, dx }; }
        """;

    /// <summary>A = x·y² + 4x²: ∂x = y² + 8x, ∂y = 2xy.</summary>
    [Fact]
    public void AnInParameter() => Expect.Gradient(Source, "A", new[] { 0.7, -1.3 }, new[] { 1.69 + 5.6, 2 * 0.7 * -1.3 });

    /// <summary>D = x⁴: 4x³; G = sin²x: sin 2x, in double and in float.</summary>
    [Fact]
    public void AGenericMethodWithAGenericDerivative()
    {
        Expect.Gradient(Source, "D", new[] { 0.7 }, new[] { 4 * 0.343 });
        var type = Expect.Compiles(Expect.InClass(Source)).GetType("Demo.C")!;
        var g = (DifferentiableFunction)type.GetMethod("GObjective")!.Invoke(null, null)!;
        var gradient = new double[1];
        g.ValueAndGradient(new[] { 0.7 }, gradient);
        Assert.Equal(Math.Sin(1.4), gradient[0], 14);
        var single = (double[])type.GetMethod("Float")!.Invoke(null, new object[] { 0.7f })!;
        Assert.Equal(MathF.Sin(1.4f), single[1], 6);
    }

    /// <summary>
    /// A generic derivative stricter than the method (where T : struct, IBinaryFloatingPointIeee754&lt;T&gt;) called in
    /// generic code gave CS0453 in the generated file (red-team M): SG0033 now.
    /// </summary>
    [Fact]
    public void AStricterGenericDerivativeIsRefused() => Expect.Refused("""
            [CustomDerivative(nameof(SqG))] public static T Sq<T>(T x) where T : System.Numerics.INumber<T> => x * x;
            public static T SqG<T>(T x, out T dX) where T : struct, System.Numerics.IBinaryFloatingPointIeee754<T> { dX = x + x; return x * x; }
            [Differentiable] public static T F<T>(T a) where T : System.Numerics.IFloatingPointIeee754<T> => [|Sq(a)|] * a;
        """, "SG0033", "SqG");

    /// <summary>
    /// An instance custom derivative of a model called on data in a Hessian = true loss crashed the generator (SG9999, an
    /// index past the end: the receiver was counted among the parameters; red-team M). L = tanh(x)·S: ∂S = tanh(x), and
    /// its second derivative in S is 0.
    /// </summary>
    [Fact]
    public void AModelsCustomDerivativeOnDataWithHessian()
    {
        var type = Expect.Compiles("""
            namespace Demo;
            using SymbolicGrad;
            using System;

            public partial class M
            {
                [Trainable] public double S = 0.5;
                [CustomDerivative(nameof(ActGradient))] public double Act(double v) => Math.Tanh(v);
                public double ActGradient(double v, out double dV) { double t = Math.Tanh(v); dV = 1 - t * t; return t; }
                [Differentiable(Hessian = true)] public double Loss([NoDerivative] double x) => Act(x) * S * S;
            }
            """).GetType("Demo.M")!;
        var f = (DifferentiableFunction)type.GetMethod("LossObjective")!.Invoke(Activator.CreateInstance(type), new object[] { 0.8 })!;
        var g = new double[1];
        f.ValueAndGradient(new[] { 0.3 }, g);
        Assert.Equal(2 * 0.3 * Math.Tanh(0.8), g[0], 14);
        var h = new double[1];
        f.Hessian(new[] { 0.3 }, h);
        Assert.Equal(2 * Math.Tanh(0.8), h[0], 14);
    }

    /// <summary>A custom derivative whose parameters mix float and double gave CS0266 in the generated code (red-team M): SG0017 now.</summary>
    [Fact]
    public void MixedFloatAndDoubleParametersAreRefused() => Expect.Refused("""
            [CustomDerivative(nameof(MulGradient))] public static double Mul(double x, float y) => x * y;
            public static double MulGradient(double x, float y, out double dX, out float dY) { dX = y; dY = (float)x; return x * y; }
            [Differentiable] public static double F(double a, float b) => [|Mul(a, b)|] * a;
        """, "SG0017", "mix float and double");
}

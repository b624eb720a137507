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
}

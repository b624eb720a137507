using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team N (stop 36), the math surface: 0·∞ at a kink (Math.Sqrt(Math.Max(x, 0)) had a NaN gradient, tangent,
/// Hessian-vector product and Jacobian where the derivative is 0), Math.Clamp with a NaN bound (derivative 0, the value
/// x), RootN at 0 (0/0), generic-math constants printed on their interface (CS8926), ConvertToInteger without its type
/// argument (CS0411), and IBinaryFloatingPointIeee754 refused (SG0002). Each against its closed form.
/// </summary>
public class MathSurfaceTests
{
    private const string Source = """
        namespace Demo;
        using System;
        using System.Numerics;
        using SymbolicGrad;

        public static partial class M
        {
            [Differentiable(Hessian = true)] public static double A(double x, double y) => Math.Sqrt(Math.Max(x, 0)) + y * y;
            [Differentiable(Hessian = true)] public static double B(double x, double y) => Math.Sqrt(Math.Clamp(x, 0, 1)) + Math.Log(Math.Max(y, 0)) * 0 + y * y;
            [Differentiable] public static void R(double x, double y, Span<double> r) { r[0] = Math.Sqrt(Math.Max(x, 0)); r[1] = y - 1; }
            [Differentiable] public static double K(double x, [NoDerivative] double lo, [NoDerivative] double hi) => Math.Clamp(x, lo, hi) * 3;
            [Differentiable(Hessian = true)] public static double Root1(double x) => double.RootN(x, 1) + x;
            [Differentiable(Hessian = true)] public static double Root3(double x) => double.RootN(x, 3) + x;
            [Differentiable(Hessian = true)] public static double Root5(double x) => double.RootN(x, 5) * x;
            [Differentiable(Hessian = true)] public static double OddRoot(double x, double y) => Math.Cbrt(x * x * x) + y;
            [Differentiable] public static double Pinned(double x, double y) => Math.Clamp(x, y, y) * 3;
            public static double[] GradPinned(double x, double y) { PinnedGradient(x, y, out var dx, out var dy); return new[] { dx, dy }; }
            public static double TangentOddRoot(double x, double y, double vx, double vy) { OddRootTangent(x, y, vx, vy, out var t); return t; }

            public static double[] GradA(double x, double y) { AGradient(x, y, out var dx, out var dy); return new[] { dx, dy }; }
            public static double[] GradB(double x, double y) { BGradient(x, y, out var dx, out var dy); return new[] { dx, dy }; }
            public static double TangentA(double x, double y, double vx, double vy) { ATangent(x, y, vx, vy, out var t); return t; }
            public static double[] HvpA(double x, double y, double vx, double vy) { AHessianVectorProduct(x, y, vx, vy, out _, out _, out var hx, out var hy); return new[] { hx, hy }; }
            public static double[] JacobianR(double x, double y) { var j = new double[4]; RJacobian(x, y, new double[2], j); return j; }
            public static double GradK(double x, double lo, double hi) { KGradient(x, lo, hi, out var dx); return dx; }
            public static double GradRoot(int n, double x) { double d; if (n == 1) Root1Gradient(x, out d); else if (n == 3) Root3Gradient(x, out d); else Root5Gradient(x, out d); return d; }
            public static double HvpRoot5(double x) { Root5HessianVectorProduct(x, 1.0, out _, out var h); return h; }
        }

        public static partial class G
        {
            [Differentiable] public static T Eps<T>(T x) where T : IFloatingPointIeee754<T> => x * x + T.Epsilon;
            [Differentiable] public static T Bounded<T>(T x) where T : IFloatingPointIeee754<T>, IMinMaxValue<T> => T.Min(x * x, T.MaxValue) + T.MultiplicativeIdentity * x + T.AdditiveIdentity;
            [Differentiable] public static T Radix<T>(T x) where T : IFloatingPointIeee754<T> => x * T.CreateChecked(T.Radix);
            [Differentiable] public static double ArgMin(double x) => Smallest(x);
            private static T Smallest<T>(T x) where T : IFloatingPointIeee754<T>, IMinMaxValue<T>
            {
                T best = T.MaxValue;
                for (int i = 0; i < 3; i++) best = T.Min(best, x * T.CreateChecked(i + 1));
                return best;
            }

            [Differentiable] public static double Truncated(double x) => double.ConvertToInteger<long>(x) + x * x + double.ConvertToIntegerNative<int>(x);
            [Differentiable] public static T TruncatedT<T>(T x) where T : IFloatingPointIeee754<T> => T.CreateChecked(T.ConvertToInteger<int>(x)) + x * x;
            [Differentiable] public static T Binary<T>(T x) where T : IBinaryFloatingPointIeee754<T> => T.Sin(x) * x;

            public static double[] All(double x)
            {
                EpsGradient(x, out var a); BoundedGradient(x, out var b); RadixGradient(x, out var c); ArgMinGradient(x, out var d);
                TruncatedGradient(x, out var e); TruncatedTGradient(x, out var f); BinaryGradient(x, out var g); BinaryGradient((float)x, out float h);
                return new[] { a, b, c, d, e, f, g, h, Truncated(x), TruncatedT(x) };
            }
        }
        """;

    private static readonly Type M, G;

    static MathSurfaceTests()
    {
        var assembly = Expect.Compiles(Source);
        M = assembly.GetType("Demo.M")!;
        G = assembly.GetType("Demo.G")!;
    }

    private static T Call<T>(Type type, string name, params object[] args) => (T)type.GetMethod(name)!.Invoke(null, args)!;

    [Fact]
    public void TheArgumentAKinkDoesNotChooseContributesNothingWhereTheOuterDerivativeIsInfinite()
    {
        Assert.Equal(new[] { 0.0, 4.0 }, Call<double[]>(M, "GradA", -1.0, 2.0));
        Assert.Equal(new[] { 0.0, 4.0 }, Call<double[]>(M, "GradB", -1.0, 2.0));
        Assert.Equal(4.0, Call<double>(M, "TangentA", -1.0, 2.0, 0.0, 1.0));
        Assert.Equal(4.0, Call<double>(M, "TangentA", -1.0, 2.0, 1.0, 1.0));
        Assert.Equal(new[] { 0.0, 2.0 }, Call<double[]>(M, "HvpA", -1.0, 2.0, 0.0, 1.0));
        Assert.Equal(new[] { 0.0, 0.0, 0.0, 1.0 }, Call<double[]>(M, "JacobianR", -1.0, 2.0));

        // where the kink chooses x, the derivative is the root's: ½/√x at x = 4, and +∞ at x = 0 (0.5 of it, the tie rule)
        Assert.Equal(new[] { 0.25, 4.0 }, Call<double[]>(M, "GradA", 4.0, 2.0));
        Assert.Equal(double.PositiveInfinity, Call<double[]>(M, "GradA", 0.0, 2.0)[0]);
    }

    /// <summary>
    /// ∛(x³) = x has derivative 1 at 0, where x³'s tangent is 0 and ∛'s partial infinite: the zero-tangent rule gave a
    /// silent 0 there (red-team P). Odd roots are left out of it: the tangent is NaN, as the gradient is, not a wrong 0
    /// (along y too, where the exact 1 is what the rule gave: a zero tangent does not say whether x moves at all).
    /// </summary>
    [Fact]
    public void AnOddRootOfAZeroTangentIsNotASilentZero()
    {
        double t = Call<double>(M, "TangentOddRoot", 0.0, 0.0, 1.0, 0.0);
        Assert.True(double.IsNaN(t) || t == 1.0, $"tangent {t}");
        t = Call<double>(M, "TangentOddRoot", 0.0, 0.0, 0.0, 1.0);
        Assert.True(double.IsNaN(t) || t == 1.0, $"tangent along y {t}"); // NaN: the price of no silent 0 along x
        Assert.Equal(2.0, Call<double>(M, "TangentOddRoot", 2.0, 0.0, 1.0, 1.0), 12);
    }

    [Theory]
    [InlineData(0.5, double.NaN, 1.0, 3.0)]
    [InlineData(0.5, 0.0, double.NaN, 3.0)]
    [InlineData(-0.5, 0.0, 1.0, 0.0)]
    [InlineData(1.5, 0.0, 1.0, 0.0)]
    [InlineData(0.5, 0.0, 1.0, 3.0)]
    public void MathClampWithANaNBoundReturnsTheValueAndItsDerivative(double x, double lo, double hi, double expected) =>
        Assert.Equal(expected, Call<double>(M, "GradK", x, lo, hi));

    /// <summary>Math.Clamp(x, y, y) is y wherever x is: its gradient is (0, 3) at x == y too (it was (3, 0); red-team P).</summary>
    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(0.25, 0.5)]
    [InlineData(0.75, 0.5)]
    public void AClampWithEqualBoundsFollowsTheBound(double x, double y) =>
        Assert.Equal(new[] { 0.0, 3.0 }, Call<double[]>(M, "GradPinned", x, y));

    [Fact]
    public void RootNAtZeroAndAtNegativeArguments()
    {
        Assert.Equal(2.0, Call<double>(M, "GradRoot", 1, 0.0));
        Assert.Equal(double.PositiveInfinity, Call<double>(M, "GradRoot", 3, 0.0));
        Assert.Equal(1 + 1.0 / 12, Call<double>(M, "GradRoot", 3, -8.0), 14);
        Assert.Equal(-2 - 32.0 / 80, Call<double>(M, "GradRoot", 5, -32.0), 14);

        // d²/dx² of x·x^(1/5) = (6/25)·x^(−4/5): at −32, 6/25/16
        Assert.Equal(6.0 / 25 / 16, Call<double>(M, "HvpRoot5", -32.0), 14);
    }

    [Fact]
    public void GenericConstantsConvertToIntegerAndBinaryFloatingPointCompileAndDifferentiate()
    {
        var r = Call<double[]>(G, "All", 2.5);
        Assert.Equal(5.0, r[0]);                              // x² + ε
        Assert.Equal(6.0, r[1]);                              // min(x², MaxValue) + x
        Assert.Equal(2.0, r[2]);                              // x·Radix
        Assert.Equal(1.0, r[3]);                              // min(x, 2x, 3x) at x > 0
        Assert.Equal(5.0, r[4]);                              // the integer parts are steps
        Assert.Equal(5.0, r[5]);
        Assert.Equal(Math.Cos(2.5) * 2.5 + Math.Sin(2.5), r[6], 14);
        Assert.Equal(Math.Cos(2.5) * 2.5 + Math.Sin(2.5), r[7], 5);
        Assert.Equal(2 + 6.25 + 2, r[8]);
        Assert.Equal(2 + 6.25, r[9]);
    }
}

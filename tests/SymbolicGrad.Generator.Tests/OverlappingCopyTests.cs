using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// <c>Array.Copy</c> and <c>Span.CopyTo</c> copy correctly when source and destination overlap (every element is read
/// before it is overwritten). The generated code copied element by element from the first, so a copy to a later part of
/// the same array smeared the first element along it: the gradient method's value and gradient were both wrong, with no
/// diagnostic (found by a red-team pass: <c>t.AsSpan(0, 2).CopyTo(t.AsSpan(1))</c>). Each method below is checked three
/// ways: the gradient method's value has the method's bits, the gradient equals that of a twin that copies through a
/// fresh array by hand, and it passes a tight numeric check.
/// </summary>
public class OverlappingCopyTests
{
    private const string Members = """
        static double Weigh(double[] t) { double s = 0; for (int i = 0; i < t.Length; i++) s += (i + 1.5) * t[i] * t[i] + t[i]; return s; }

        // the twin: what a memmove does, written with a fresh array
        static void Move(double[] t, int from, int to, int n) { var tmp = new double[n]; for (int i = 0; i < n; i++) tmp[i] = t[from + i]; for (int i = 0; i < n; i++) t[to + i] = tmp[i]; }

        [Differentiable] public static double Right(double[] x) { var t = (double[])x.Clone(); t.AsSpan(0, 3).CopyTo(t.AsSpan(1)); return Weigh(t); }
        [Differentiable] public static double RightTwin(double[] x) { var t = (double[])x.Clone(); Move(t, 0, 1, 3); return Weigh(t); }

        [Differentiable] public static double Left(double[] x) { var t = (double[])x.Clone(); t.AsSpan(1, 3).CopyTo(t); return Weigh(t); }
        [Differentiable] public static double LeftTwin(double[] x) { var t = (double[])x.Clone(); Move(t, 1, 0, 3); return Weigh(t); }

        [Differentiable] public static double ArrayCopy(double[] x) { var t = (double[])x.Clone(); Array.Copy(t, 0, t, 2, 2); return Weigh(t); }
        [Differentiable] public static double ArrayCopyTwin(double[] x) { var t = (double[])x.Clone(); Move(t, 0, 2, 2); return Weigh(t); }

        [Differentiable] public static double Nested(double[] x) { var t = (double[])x.Clone(); var s = t.AsSpan(1); s.Slice(0, 2).CopyTo(s.Slice(1)); return Weigh(t); }
        [Differentiable] public static double NestedTwin(double[] x) { var t = (double[])x.Clone(); Move(t, 1, 2, 2); return Weigh(t); }

        // offsets known only at run time: the order is chosen then
        [Differentiable] public static double Runtime(double[] x, int from, int to) { var t = (double[])x.Clone(); Array.Copy(t, from, t, to, 2); return Weigh(t); }
        [Differentiable] public static double RuntimeTwin(double[] x, int from, int to) { var t = (double[])x.Clone(); Move(t, from, to, 2); return Weigh(t); }

        // two rows of a jagged array that are one array: nothing tells them apart, the copy goes through a fresh array
        [Differentiable] public static double Rows(double[] x) { var t = (double[])x.Clone(); var rows = new double[2][]; rows[0] = t; rows[1] = t; rows[0].AsSpan(0, 3).CopyTo(rows[1].AsSpan(1)); return Weigh(t); }
        [Differentiable] public static double RowsTwin(double[] x) { var t = (double[])x.Clone(); Move(t, 0, 1, 3); return Weigh(t); }

        // a variable that may hold the destination's array
        [Differentiable] public static double Chosen(double[] x, bool same) { var t = (double[])x.Clone(); var other = new double[4]; double[] u = other; if (same) u = t; u.AsSpan(0, 2).CopyTo(t.AsSpan(1)); return Weigh(t); }
        [Differentiable] public static double ChosenTwin(double[] x, bool same) { var t = (double[])x.Clone(); if (same) Move(t, 0, 1, 2); else { t[1] = 0; t[2] = 0; } return Weigh(t); }

        // Reverse is a permutation (it was SG0015 "no derivative rule"): whole array, a span's part, a range
        [Differentiable] public static double Reversed(double[] x) { var t = (double[])x.Clone(); Array.Reverse(t); t.AsSpan(1, 3).Reverse(); Array.Reverse(t, 0, 2); return Weigh(t); }
        [Differentiable] public static double ReversedTwin(double[] x) { var t = new[] { x[0], x[3], x[1], x[2] }; return Weigh(t); }

        // a shift register in a loop (an FIR filter): the copy runs every iteration
        [Differentiable] public static double Shift(double[] x) { var buf = new double[3]; double s = 0; for (int k = 0; k < x.Length; k++) { Array.Copy(buf, 0, buf, 1, 2); buf[0] = x[k]; s += buf[0] * 0.5 + buf[1] * buf[2] + buf[2] * x[k]; } return s; }
        [Differentiable] public static double ShiftTwin(double[] x) { var buf = new double[3]; double s = 0; for (int k = 0; k < x.Length; k++) { buf[2] = buf[1]; buf[1] = buf[0]; buf[0] = x[k]; s += buf[0] * 0.5 + buf[1] * buf[2] + buf[2] * x[k]; } return s; }
        """;

    private static readonly Lazy<Type> Compiled = new(() => Expect.Compiles(Harness.InClass(Members)).GetType("Demo.C")!);

    public static TheoryData<string, object?[]> Cases => new()
    {
        { "Right", Array.Empty<object?>() },
        { "Left", Array.Empty<object?>() },
        { "ArrayCopy", Array.Empty<object?>() },
        { "Nested", Array.Empty<object?>() },
        { "Runtime", new object?[] { 0, 1 } },
        { "Runtime", new object?[] { 2, 1 } },
        { "Runtime", new object?[] { 1, 1 } },
        { "Runtime", new object?[] { 0, 2 } },
        { "Rows", Array.Empty<object?>() },
        { "Chosen", new object?[] { true } },
        { "Chosen", new object?[] { false } },
        { "Shift", Array.Empty<object?>() },
        { "Reversed", Array.Empty<object?>() },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OverlappingCopiesAreMemmoves(string name, object?[] data)
    {
        var type = Compiled.Value;
        object?[] arguments = data.Prepend(4).ToArray(); // the length of x, then the data
        var f = (DifferentiableFunction)type.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments)!;
        var twin = (DifferentiableFunction)type.GetMethod(name + "Twin" + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments)!;
        foreach (var x in new[] { new[] { 0.7, -1.3, 2.1, 0.4 }, new[] { -0.2, 0.9, 1.6, -2.4 } })
        {
            var g = new double[x.Length];
            var gTwin = new double[x.Length];
            double value = f.ValueAndGradient(x, g);
            double valueTwin = twin.ValueAndGradient(x, gTwin);
            Assert.Equal(BitConverter.DoubleToInt64Bits(f.Value(x)), BitConverter.DoubleToInt64Bits(value));
            Assert.Equal(valueTwin, value, 12);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(Math.Abs(g[i] - gTwin[i]) <= 1e-12 * (1 + Math.Abs(gTwin[i])), $"{name} component {i}: {g[i]:R}, the twin's {gTwin[i]:R}");
            }

            var check = GradientCheck.Check(f, x, Expect.Tight);
            Assert.True(check.Passed, check.ToString());
        }
    }

    /// <summary>The shift in a vector-valued method: the residuals inside the Jacobian's sweeps and the Jacobian itself.</summary>
    [Fact]
    public void OverlappingCopyInAVectorValuedMethod()
    {
        const string members = """
            [Differentiable] public static void R(double[] x, Span<double> r)
            {
                for (int i = 0; i < 4; i++) r[i] = x[i] * (i + 1);
                r.Slice(0, 3).CopyTo(r.Slice(1));
                r[0] = x[0] * x[1];
            }
            """;
        var type = Expect.Compiles(Harness.InClass(members)).GetType("Demo.C")!;
        var f = (LeastSquaresFunction)type.GetMethod("RLeastSquares", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object?[] { 4, 4 })!;
        double[] x = { 0.7, -1.3, 2.1, 0.4 };
        var r = new double[4];
        var j = new double[16];
        f.Jacobian(x, r, j);
        // r = (x0·x1, x0, 2·x1, 3·x2): the shifted residuals, and their Jacobian row by row
        Assert.Equal(new[] { x[0] * x[1], x[0], 2 * x[1], 3 * x[2] }, r);
        Assert.Equal(new double[] { x[1], x[0], 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0 }, j);
        GradientCheck.CheckJacobian(f, x).ThrowIfFailed();
    }

    /// <summary>Second order through the copy: the Hessian of a method that shifts its array before a cubic.</summary>
    [Fact]
    public void OverlappingCopyInSecondOrder()
    {
        const string members = """
            [Differentiable(Hessian = true)] public static double H(double[] x)
            {
                var t = (double[])x.Clone();
                Array.Copy(t, 0, t, 1, 2);
                return t[1] * t[1] * t[2] + t[0] * t[2];
            }
            """;
        var type = Expect.Compiles(Harness.InClass(members)).GetType("Demo.C")!;
        var f = (DifferentiableFunction)type.GetMethod("HObjective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object?[] { 3 })!;
        double[] x = { 0.7, -1.3, 2.1 };
        // t = (x0, x0, x1): f = x0²·x1 + x0·x1
        var h = new double[9];
        f.Hessian(x, h);
        double[] expected = { 2 * x[1], 2 * x[0] + 1, 0, 2 * x[0] + 1, 0, 0, 0, 0, 0 };
        for (int i = 0; i < 9; i++)
        {
            Assert.True(Math.Abs(h[i] - expected[i]) <= 1e-12, $"H[{i}] = {h[i]:R}, expected {expected[i]:R}");
        }

        GradientCheck.CheckHessian(f, x).ThrowIfFailed();
    }
}

using System.Numerics;
using SymbolicGrad;

namespace SymbolicGrad.Tests;

/// <summary>Generic math: one [Differentiable] method for double and float; the gradient is in the same T.</summary>
public static partial class G
{
    [Differentiable]
    public static T SoftPlus<T>(T x)
        where T : IFloatingPointIeee754<T> => T.Log(T.One + T.Exp(x));

    [Differentiable]
    public static T Mixed<T>(T x, T y)
        where T : IFloatingPointIeee754<T>
    {
        T two = T.CreateChecked(2);
        T r = x * x * y - two * y + T.Sin(x) / (T.One + y * y);
        if (x > T.Zero)
        {
            r += T.Sqrt(x + T.One) * T.Pi;
        }

        return r + T.Max(x, y) + T.Atan2(y, x) + T.Pow(T.Abs(y) + T.One, x);
    }

    [Differentiable]
    public static T Rosenbrock<T>(ReadOnlySpan<T> x)
        where T : IFloatingPointIeee754<T>
    {
        T s = T.Zero;
        T hundred = T.CreateChecked(100);
        for (int i = 0; i < x.Length - 1; i++)
        {
            T a = x[i + 1] - x[i] * x[i];
            T b = T.One - x[i];
            s += hundred * a * a + b * b;
        }

        return s;
    }
}

public class GenericMathTests
{
    private static readonly GradientCheckOptions Tight = new() { Richardson = true, AbsoluteTolerance = 1e-8, RelativeTolerance = 1e-7 };

    [Fact]
    public void GenericScalarFunctionsInDouble()
    {
        var soft = new DifferentiableFunction(1, p => G.SoftPlus(p[0]), (p, g) => G.SoftPlusGradient(p[0], out g[0]));
        var r = GradientCheck.Check(soft, new[] { 0.7 }, Tight);
        Assert.True(r.Passed, r.ToString());
        G.SoftPlusGradient(0.7, out double d);
        Assert.Equal(1 / (1 + Math.Exp(-0.7)), d, 14);

        var mixed = new DifferentiableFunction(2, p => G.Mixed(p[0], p[1]), (p, g) => G.MixedGradient(p[0], p[1], out g[0], out g[1]));
        foreach (var point in new[] { new[] { 0.6, -0.4 }, new[] { -0.8, 0.3 }, new[] { 1.5, 2.0 } })
        {
            r = GradientCheck.Check(mixed, point, Tight);
            Assert.True(r.Passed, r.ToString());
        }
    }

    [Fact]
    public void GenericFunctionsInFloatAgreeWithDouble()
    {
        float value = G.MixedGradient(0.6f, -0.4f, out float dx, out float dy);
        double valueD = G.MixedGradient(0.6, -0.4, out double dxD, out double dyD);
        Assert.Equal(valueD, value, 5);
        Assert.Equal(dxD, dx, 4);
        Assert.Equal(dyD, dy, 4);
    }

    [Fact]
    public void GenericSpanLoops()
    {
        var x = new[] { -1.2, 1.0, 0.5, 0.3 };
        var f = new DifferentiableFunction(4, p => G.Rosenbrock(p), (p, g) => G.RosenbrockGradient(p, g));
        var r = GradientCheck.Check(f, x, Tight);
        Assert.True(r.Passed, r.ToString());
        var xf = x.Select(v => (float)v).ToArray();
        var gf = new float[4];
        var gd = new double[4];
        G.RosenbrockGradient<float>(xf, gf);
        G.RosenbrockGradient<double>(x, gd);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(gd[i], gf[i], 3);
        }
    }
}

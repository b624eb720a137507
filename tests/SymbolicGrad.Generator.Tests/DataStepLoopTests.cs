using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Loops whose counter advances by a value the loop does not change (<c>for (t = 0; t &lt;= (c − 1) * b − 1; t += b)</c>,
/// ADBench's LSTM objective as its C code is written): counted by a trip count computed before the loop, so a span the
/// loop re-points at <c>t + b</c> is taken again in the reverse sweep (it was SG0006). Each case: the method's value bit
/// for bit, the gradient against a closed form or against the same method written with a constant step (bit for bit:
/// the same arithmetic in the same order), and a tight numeric check; where marked, the Hessian against differences.
/// </summary>
public class DataStepLoopTests
{
    private const string Members = """
        [Differentiable(Hessian = true)] public static double Lstm(double[] w, [NoDerivative] double[] seq, [NoDerivative] int c, [NoDerivative] int b)
        {
            double total = 0, h = 0;
            ReadOnlySpan<double> input = seq.AsSpan(0, b);
            for (int t = 0; t <= (c - 1) * b - 1; t += b)
            {
                for (int i = 0; i < b; i++) h = Math.Tanh(w[i] * input[i] + 0.5 * h);
                input = seq.AsSpan(t + b, b);
                total += h * h;
            }
            return total;
        }
        [Differentiable(Hessian = true)] public static double LstmCounted(double[] w, [NoDerivative] double[] seq, [NoDerivative] int c, [NoDerivative] int b)
        {
            double total = 0, h = 0;
            ReadOnlySpan<double> input = seq.AsSpan(0, b);
            for (int k = 0; k < c - 1; k++)
            {
                for (int i = 0; i < b; i++) h = Math.Tanh(w[i] * input[i] + 0.5 * h);
                input = seq.AsSpan((k + 1) * b, b);
                total += h * h;
            }
            return total;
        }
        [Differentiable(Hessian = true)] public static double Down(double x, [NoDerivative] int n, [NoDerivative] int step)
        {
            double s = 0;
            for (int t = n; t > 0; t -= step) s += Math.Sin(x * t);
            return s;
        }
        [Differentiable] public static double StepFirst(double[] x, [NoDerivative] int b)
        {
            double s = 0;
            for (int t = 0; t < x.Length; t = b + t) s += x[t] * x[t] * (t + 1);
            return s;
        }
        [Differentiable] public static double Columns(double[] x, [NoDerivative] int stride)
        {
            double s = 0;
            for (int r = 0; r < stride; r++)
            {
                ReadOnlySpan<double> v = x.AsSpan(r);
                for (int t = r; t < x.Length - stride; t += stride)
                {
                    s += Math.Exp(v[0]) * (r + 1);
                    v = x.AsSpan(t + stride);
                }
            }
            return s;
        }
        [Differentiable] public static double Growing(double x, [NoDerivative] int n, [NoDerivative] int b)
        {
            double s = 0;
            for (int t = 0; t < n; t += b) { s += x * x * t; b++; }
            return s;
        }
        [Differentiable] public static double Wraps(double x, [NoDerivative] int n, [NoDerivative] int step)
        {
            double s = 0;
            for (int t = 0; t < n; t += step) s += x;
            return s;
        }
        """;

    private static readonly Lazy<Type> Compiled = new(() => Expect.Compiles(Harness.InClass(Members)).GetType("Demo.C")!);

    // An array parameter's objective takes its length first (LstmObjective(wLength, seq, c, b)).
    private static DifferentiableFunction Objective(string name, params object?[] data) =>
        (DifferentiableFunction)Compiled.Value.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, data)!;

    private static double[] GradientAt(DifferentiableFunction f, double[] x, out double value)
    {
        var g = new double[x.Length];
        value = f.ValueAndGradient(x, g);
        Assert.Equal(BitConverter.DoubleToInt64Bits(f.Value(x)), BitConverter.DoubleToInt64Bits(value));
        var check = GradientCheck.Check(f, x, Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        return g;
    }

    [Theory]
    [InlineData(4, 3)]
    [InlineData(1, 3)]
    [InlineData(2, 1)]
    [InlineData(5, 2)]
    public void TheLstmLoopSteppedByItsBlockIsTheCountedLoopBitForBit(int c, int b)
    {
        var random = new Random(c * 10 + b);
        var seq = Enumerable.Range(0, c * b).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var w = Enumerable.Range(0, b).Select(_ => random.NextDouble() - 0.5).ToArray();
        var stepped = GradientAt(Objective("Lstm", b, seq, c, b), w, out double value);
        var counted = GradientAt(Objective("LstmCounted", b, seq, c, b), w, out double countedValue);
        Assert.Equal(BitConverter.DoubleToInt64Bits(countedValue), BitConverter.DoubleToInt64Bits(value));
        Assert.Equal(counted.Select(BitConverter.DoubleToInt64Bits), stepped.Select(BitConverter.DoubleToInt64Bits));
        if (c > 1)
        {
            Assert.Contains(stepped, g => g != 0);
        }

        GradientCheck.CheckHessian(Objective("Lstm", b, seq, c, b), w).ThrowIfFailed();
    }

    [Theory]
    [InlineData(7, 2)]
    [InlineData(6, 3)]
    [InlineData(0, 5)]
    [InlineData(1, 1)]
    public void ACounterSteppingDownByAValue(int n, int step)
    {
        const double x = 0.3;
        var ts = new List<int>();
        for (int t = n; t > 0; t -= step)
        {
            ts.Add(t);
        }

        var f = Objective("Down", n, step);
        var g = GradientAt(f, new[] { x }, out double value);
        Assert.Equal(ts.Sum(t => Math.Sin(x * t)), value, 14);
        Assert.Equal(ts.Sum(t => t * Math.Cos(x * t)), g[0], 12);
        var h = new double[1];
        f.Hessian(new[] { x }, h);
        Assert.Equal(ts.Sum(t => -t * t * Math.Sin(x * t)), h[0], 10);
    }

    [Fact]
    public void TheStepWrittenFirstAndAColumnWalkInsideAnotherLoop()
    {
        var x = new[] { 0.5, -1.0, 2.0, 0.25, -0.75, 1.5, 0.1 };
        var g = GradientAt(Objective("StepFirst", x.Length, 3), x, out _);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(i % 3 == 0 ? 2 * x[i] * (i + 1) : 0, g[i], 12);
        }

        // Columns: iteration t of column r reads x[t] (v is x from t on), t < 7 − 3, so ∂/∂x[t] = exp(x[t]) · (t mod 3 + 1) there.
        var gc = GradientAt(Objective("Columns", x.Length, 3), x, out double value);
        Assert.Equal(Enumerable.Range(0, 4).Sum(t => Math.Exp(x[t]) * (t % 3 + 1)), value, 12);
        for (int t = 0; t < x.Length; t++)
        {
            Assert.Equal(t < 4 ? Math.Exp(x[t]) * (t % 3 + 1) : 0, gc[t], 12);
        }
    }

    [Fact]
    public void AStepTheLoopChangesIsNotCountedAndStillExact()
    {
        // b grows before each step: t = 0, 3, 7, so s = x²·10.
        var g = GradientAt(Objective("Growing", 10, 2), new[] { 0.7 }, out double value);
        Assert.Equal(0.7 * 0.7 * 10, value, 14);
        Assert.Equal(2 * 0.7 * 10, g[0], 12);
    }

    [Fact]
    public void AStepThatWouldNeverEndThrowsInsteadOfHanging()
    {
        // The method itself would loop forever; its gradient says why instead.
        var g = new double[1];
        var zero = Assert.Throws<InvalidOperationException>(() => Objective("Down", 5, 0).ValueAndGradient(new[] { 0.3 }, g));
        Assert.Contains("would never end", zero.Message, StringComparison.Ordinal);
        var away = Assert.Throws<InvalidOperationException>(() => Objective("Down", 5, -1).ValueAndGradient(new[] { 0.3 }, g));
        Assert.Contains("its step must be negative", away.Message, StringComparison.Ordinal);

        // A loop that does not start never looks at its step.
        Assert.Equal(0.0, Objective("Down", 0, 0).ValueAndGradient(new[] { 0.3 }, g));
        Assert.Equal(0.0, g[0]);

        // 0, 2³⁰, then t += 2³⁰ wraps to int.MinValue and the method cycles forever.
        var wraps = Assert.Throws<OverflowException>(() => Objective("Wraps", int.MaxValue, 1 << 30).ValueAndGradient(new[] { 0.3 }, g));
        Assert.Contains("passes the end of int", wraps.Message, StringComparison.Ordinal);

        // Close to the end of int without passing it: t = 0 and 2³⁰ − 1, then 2³¹ − 2 ends the loop.
        Assert.Equal(0.6, Objective("Wraps", (1 << 30) + 1, (1 << 30) - 1).ValueAndGradient(new[] { 0.3 }, g), 14);
        Assert.Equal(2.0, g[0]);
    }
}

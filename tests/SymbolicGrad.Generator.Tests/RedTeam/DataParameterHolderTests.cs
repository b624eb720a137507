using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team J (stop 34): data parameters that hold arrays. A struct holding one array passed as <c>in</c> (or by value)
/// made the gradient's overlap check cast the struct to a span (did not compile); a ref struct of the user's own made
/// NameObjective capture it in a lambda (CS9108); an output sharing memory with a struct's, a record's or a
/// Memory&lt;float&gt;'s array was not checked (value and gradient 0, silently). Closed forms.
/// </summary>
public class DataParameterHolderTests
{
    private const string Members = """
        public struct SRows { public double[] X; }
        public record struct RS(double[] X) { public required double[] Y { get; init; } }
        public ref struct SpanRows { public ReadOnlySpan<double> X; }

        [Differentiable] public static double In(double[] w, [NoDerivative] in SRows r) => w[0] * r.X[0] + w[1] * r.X[1];
        [Differentiable] public static double Record(double[] w, [NoDerivative] RS r) => w[0] * r.X[0] + w[1] * r.Y[1];
        [Differentiable] public static float Floats(float[] w, [NoDerivative] Memory<float> m) => w[0] * m.Span[0] + w[1] * m.Span[1];
        [Differentiable] public static double Spans(double[] w, [NoDerivative] SpanRows r) => w[0] * r.X[0] + w[1] * r.X[1];

        [Differentiable] public static double Tuple(double[] w, [NoDerivative] (double[] xs, double[] ys) d) => w[0] * d.xs[0] + w[1] * d.ys[1];

        public static double CallTuple(double[] w, double[] x, double[] y, double[] g) => TupleGradient(w, (x, y), g);
        public static double CallIn(double[] w, double[] x, double[] g) => InGradient(w, new SRows { X = x }, g);
        public static double CallRecord(double[] w, double[] x, double[] y, double[] g) => RecordGradient(w, new RS(x) { Y = y }, g);
        public static float CallFloats(float[] w, float[] m, float[] g) => FloatsGradient(w, m, g);
        public static double CallSpans(double[] w, double[] x, double[] g) => SpansGradient(w, new SpanRows { X = x }, g);
        """;

    private static readonly Lazy<Type> Compiled = new(() => Expect.Compiles(Harness.InClass(Members)).GetType("Demo.C")!);

    private static object? Call(string name, params object[] arguments) =>
        Compiled.Value.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments);

    private static string Refused(string name, params object[] arguments) =>
        Assert.IsType<ArgumentException>(Assert.Throws<TargetInvocationException>(() => Call(name, arguments)).InnerException).Message;

    [Fact]
    public void AStructHoldingAnArrayCompilesAndIsChecked()
    {
        // In = 3·1 + 5·2 at w = (3, 5), x = (1, 2).
        double[] w = [3, 5], x = [1, 2];
        var g = new double[2];
        Assert.Equal(13.0, (double)Call("CallIn", w, x, g)!);
        Assert.Equal([1.0, 2.0], g);
        Assert.StartsWith("dW overlaps r.X,", Refused("CallIn", w, x, x), StringComparison.Ordinal);
        Assert.Equal([1.0, 2.0], x);

        // Record = 3·1 + 5·4 with X = (1, 2), Y = (6, 4).
        double[] y = [6, 4];
        Assert.Equal(23.0, (double)Call("CallRecord", w, x, y, g)!);
        Assert.Equal([1.0, 4.0], g);
        Assert.StartsWith("dW overlaps r.X,", Refused("CallRecord", w, x, y, x), StringComparison.Ordinal);
        Assert.StartsWith("dW overlaps r.Y,", Refused("CallRecord", w, x, y, y), StringComparison.Ordinal);
    }

    [Fact]
    public void ATuplesArraysAreChecked()
    {
        // Tuple = 3·1 + 5·4 with xs = (1, 2), ys = (6, 4).
        double[] w = [3, 5], x = [1, 2], y = [6, 4];
        var g = new double[2];
        Assert.Equal(23.0, (double)Call("CallTuple", w, x, y, g)!);
        Assert.Equal([1.0, 4.0], g);
        Assert.StartsWith("dW overlaps d.xs,", Refused("CallTuple", w, x, y, x), StringComparison.Ordinal);
        Assert.StartsWith("dW overlaps d.ys,", Refused("CallTuple", w, x, y, y), StringComparison.Ordinal);
        Assert.Equal([6.0, 4.0], y);
    }

    [Fact]
    public void AMemoryOfFloatsIsChecked()
    {
        float[] w = [3, 5], m = [1, 2];
        var g = new float[2];
        Assert.Equal(13f, (float)Call("CallFloats", w, m, g)!);
        Assert.Equal([1f, 2f], g);
        Assert.StartsWith("dW overlaps m,", Refused("CallFloats", w, m, m), StringComparison.Ordinal);
    }

    [Fact]
    public void ARefStructParameterGetsAGradientButNoObjective()
    {
        double[] w = [3, 5], x = [1, 2];
        var g = new double[2];
        Assert.Equal(13.0, (double)Call("CallSpans", w, x, g)!);
        Assert.Equal([1.0, 2.0], g);
        Assert.Null(Compiled.Value.GetMethod("SpansObjective"));
        Assert.NotNull(Compiled.Value.GetMethod("InObjective"));
    }
}

using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team I (stop 34): a gradient output that shares memory with something the method reads as data was checked only
/// against array parameters. A List&lt;double&gt;, IReadOnlyList&lt;double&gt; (a double[] passed as one) or
/// ReadOnlyMemory&lt;double&gt; parameter, a static field, a model's field that is not [Trainable] or a field of a data
/// parameter given the output's memory was cleared before the forward sweep read it: value 0 and gradient 0, silently.
/// Each output (gradient, Hessian-vector product, tangent, residuals, Jacobian) is now checked against them at entry,
/// before it is cleared, and the data is left as it was.
/// </summary>
public class DataOverlapTests
{
    private const string Members = """
        public static double[] Scale = { 2, 1, 1 };

        public sealed class Rows
        {
            public double[] X = { 1, 2, 1 };
        }

        [Differentiable(Hessian = true)]
        public static double L(double[] w, [NoDerivative] System.Collections.Generic.List<double> ys, [NoDerivative] System.Collections.Generic.IReadOnlyList<double> zs,
            [NoDerivative] ReadOnlyMemory<double> m, [NoDerivative] Rows rows)
        {
            double s = 0;
            for (int i = 0; i < w.Length; i++)
            {
                s += w[i] * w[i] * ys[i] * zs[i] * m.Span[i] * Scale[i] * rows.X[i];
            }

            return s;
        }

        [Differentiable]
        public static double J(double[][] w)
        {
            double s = 0;
            for (int i = 0; i < w[0].Length; i++)
            {
                s += w[0][i] * Scale[i];
            }

            return s;
        }

        [Differentiable]
        public static void R(double[] x, [NoDerivative] System.Collections.Generic.IReadOnlyList<double> t, Span<double> r)
        {
            for (int i = 0; i < r.Length; i++)
            {
                r[i] = x[0] * t[i] - Scale[i];
            }
        }

        // A generic-math gradient (its output a span of T) and a float one, checked against the same field.
        [Differentiable]
        public static T G<T>(T[] w) where T : System.Numerics.IFloatingPointIeee754<T> => w[0] * T.CreateChecked(Scale[0]) + w[1] * w[1];

        [Differentiable]
        public static float F(float[] w, [NoDerivative] float[]? unused) => w[0] * (float)Scale[1];

        public static double GenericGradient(double[] w, double[] dW) => GGradient<double>(w, dW);

        public static double GenericGradientIntoScale(double[] w) => GGradient<double>(w, Scale.AsSpan(1, 2));

        public static float FloatGradient(float[] w, float[] unused, float[] dW) => FGradient(w, unused, dW);

        // Spans cannot pass through reflection: these take arrays (x is the Rows' X).
        public static double Gradient(double[] w, System.Collections.Generic.List<double> ys, double[] zs, double[] m, double[] x, double[] dW) =>
            LGradient(w, ys, zs, m, new Rows { X = x }, dW);

        public static double GradientIntoList(double[] w, System.Collections.Generic.List<double> ys, double[] zs, double[] m, double[] x) =>
            LGradient(w, ys, zs, m, new Rows { X = x }, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ys));

        public static double Product(double[] w, System.Collections.Generic.List<double> ys, double[] zs, double[] m, double[] x, double[] v, double[] hv) =>
            LHessianVectorProduct(w, ys, zs, m, new Rows { X = x }, v, new double[w.Length], hv);

        public static void Jacobian(double[] x, double[] t, double[] r, double[] jacobian) => RJacobian(x, t, r, jacobian);
        """;

    private static readonly Lazy<Type> Compiled = new(() => Expect.Compiles(Harness.InClass(Members)).GetType("Demo.C")!);

    private static object? Call(string name, params object?[] arguments) =>
        Compiled.Value.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments);

    private static ArgumentException Refused(string name, params object?[] arguments)
    {
        var thrown = Assert.Throws<TargetInvocationException>(() => Call(name, arguments));
        return Assert.IsType<ArgumentException>(thrown.InnerException);
    }

    private static double[] Scale => (double[])Compiled.Value.GetField("Scale")!.GetValue(null)!;

    [Fact]
    public void AGradientOutputSharingMemoryWithDataIsRefused()
    {
        double[] w = [1, 2, 3], zs = [1, 1, 1], m = [1, 3, 1], x = [1, 2, 1];
        List<double> ys = [1, 1, 3];

        // Separate buffers: f = Σ w_i² ys_i zs_i m_i Scale_i X_i, ∂f/∂w_i = 2 w_i ys_i zs_i m_i Scale_i X_i.
        var dW = new double[3];
        Assert.Equal(1 * 2 + 4 * 6 + 9 * 3, (double)Call("Gradient", w, ys, zs, m, x, dW)!);
        Assert.Equal([4.0, 24, 18], dW);

        var e = Refused("Gradient", w, ys, zs, m, x, zs);
        Assert.StartsWith("dW overlaps zs, which the gradient reads as data", e.Message, StringComparison.Ordinal);
        Assert.Equal("dW", e.ParamName);
        Assert.Equal([1.0, 1, 1], zs);

        Assert.StartsWith("dW overlaps m,", Refused("Gradient", w, ys, zs, m, x, m).Message, StringComparison.Ordinal);
        Assert.Equal([1.0, 3, 1], m);
        Assert.StartsWith("dW overlaps Scale,", Refused("Gradient", w, ys, zs, m, x, Scale).Message, StringComparison.Ordinal);
        Assert.Equal([2.0, 1, 1], Scale);
        Assert.StartsWith("dW overlaps rows.X,", Refused("Gradient", w, ys, zs, m, x, x).Message, StringComparison.Ordinal);
        Assert.Equal([1.0, 2, 1], x);
        Assert.StartsWith("dW overlaps ys,", Refused("GradientIntoList", w, ys, zs, m, x).Message, StringComparison.Ordinal);
        Assert.Equal([1.0, 1, 3], ys);
    }

    [Fact]
    public void AHessianVectorProductSharingMemoryWithDataIsRefused()
    {
        double[] w = [1, 2, 3], zs = [1, 1, 1], m = [1, 3, 1], x = [1, 2, 1];
        List<double> ys = [1, 1, 3];

        // H is diagonal, H_ii = 2 ys_i zs_i m_i Scale_i X_i: H e₀ = (4, 0, 0).
        var hv = new double[3];
        Call("Product", w, ys, zs, m, x, new[] { 1.0, 0, 0 }, hv);
        Assert.Equal([4.0, 0, 0], hv);
        var e = Refused("Product", w, ys, zs, m, x, new[] { 1.0, 0, 0 }, zs);
        Assert.StartsWith("hvW overlaps zs,", e.Message, StringComparison.Ordinal);
        Assert.Equal([1.0, 1, 1], zs);
    }

    [Fact]
    public void AJaggedOutputsRowsAndTheResidualsAreChecked()
    {
        var jagged = Compiled.Value.GetMethod("JGradient", BindingFlags.Public | BindingFlags.Static)!;
        double[][] w = [[1, 1, 1]];
        double[][] dW = [new double[3]];
        Assert.Equal(4.0, (double)jagged.Invoke(null, new object?[] { w, dW })!);
        Assert.Equal(Scale, dW[0]);
        var thrown = Assert.Throws<TargetInvocationException>(() => jagged.Invoke(null, new object?[] { w, new[] { Scale } }));
        Assert.StartsWith("dW overlaps Scale,", Assert.IsType<ArgumentException>(thrown.InnerException).Message, StringComparison.Ordinal);
        Assert.Equal([2.0, 1, 1], Scale);

        // Residuals r_i = x t_i − Scale_i; r given t's memory (a double[] passed as IReadOnlyList<double>) is refused.
        double[] t = [1, 2, 3];
        var e = Refused("Jacobian", new[] { 2.0 }, t, t, new double[3]);
        Assert.StartsWith("r overlaps t,", e.Message, StringComparison.Ordinal);
        Assert.Equal([1.0, 2, 3], t);
        var r = new double[3];
        var j = new double[3];
        Call("Jacobian", new[] { 2.0 }, t, r, j);
        Assert.Equal([0.0, 3, 5], r);
        Assert.Equal(t, j);
        Assert.StartsWith("jacobian overlaps Scale,", Refused("Jacobian", new[] { 2.0 }, t, r, Scale).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GenericAndFloatGradientsAreCheckedToo()
    {
        var dW = new double[2];
        Assert.Equal(2.0 + 9.0, (double)Call("GenericGradient", new[] { 1.0, 3.0 }, dW)!);
        Assert.Equal([2.0, 6.0], dW);
        Assert.StartsWith("dW overlaps Scale,", Refused("GenericGradientIntoScale", new[] { 1.0, 3.0 }).Message, StringComparison.Ordinal);
        Assert.Equal([2.0, 1, 1], Scale);

        // A float output and float data: its own data array is an array parameter (checked before this stop); Scale is
        // a double[] and cannot share a float output's memory, so nothing is refused.
        var dF = new float[1];
        Assert.Equal(2f, (float)Call("FloatGradient", new[] { 2f }, new float[1], dF)!);
        Assert.Equal([1f], dF);
        var shared = new float[1];
        Assert.StartsWith("dW overlaps unused", Refused("FloatGradient", new[] { 2f }, shared, shared).Message, StringComparison.Ordinal);
    }

    /// <summary>The runtime check sees the rows of a jagged field and the storage of a list; not another collection's.</summary>
    [Fact]
    public void TheRuntimeCheckSeesRowsListsSegmentsAndMatrices()
    {
        var row = new double[4];
        double[][] rows = [new double[2], row];
        Assert.Throws<ArgumentException>(() => SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlaps<double>(row.AsSpan(1, 2), "dW", rows, "Rows"));
        Assert.Throws<ArgumentException>(() => SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlaps<double>(row, "dW", new List<double[]> { row }, "Rows"));
        Assert.Throws<ArgumentException>(() => SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlaps<double>(row, "dW", new ArraySegment<double>(row, 3, 1), "Seg"));
        var matrix = new double[2, 2];
        Assert.Throws<ArgumentException>(() => SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlaps<double>(SymbolicGrad.Internal.MatrixArguments.AsSpan(matrix).Slice(3), "dW", matrix, "M"));
        Assert.Throws<ArgumentException>(() => SymbolicGrad.Internal.AdjointBuffers.ThrowIfMemoryOverlaps<double, double>(row, "dW", row.AsMemory(2), "Mem"));
        var list = new List<double> { 1, 2, 3 };
        Assert.Throws<ArgumentException>(() => SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlaps<double>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list), "dW", list, "List"));

        // No shared memory, no exception: separate arrays, a segment elsewhere in the array, an unknown collection.
        SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlaps<double>(row.AsSpan(0, 2), "dW", new ArraySegment<double>(row, 2, 2), "Seg");
        SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlaps<double>(new double[2], "dW", rows, "Rows");
        SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlaps<double>(row, "dW", new System.Collections.ObjectModel.ReadOnlyCollection<double>(row), "Wrapped");
        SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlapsRows<double>(null, "dW", rows, "Rows");
        var e = Assert.Throws<ArgumentException>(() => SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlapsRows<double>([new double[1], row], "dW", row, "Data"));
        Assert.StartsWith("dW overlaps Data, which the gradient reads as data", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Outputs and data of 2 GiB or more (a training set in a model field): the check counted their bytes in an int
    /// and threw OverflowException on every call (red-team J). Uninitialized, so the pages are never touched.
    /// </summary>
    [Fact]
    public void DataAndOutputsOfTwoGibibytesAreCheckedWithoutOverflow()
    {
        var big = GC.AllocateUninitializedArray<double>(1 << 28);
        SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlaps<double>(new double[2], "dW", big, "Big");
        SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlaps<double>(big, "dW", new double[2], "Small");
        SymbolicGrad.Internal.AdjointBuffers.ThrowIfMemoryOverlaps<double, double>(big, "dW", new double[2], "Small");
        Assert.Throws<ArgumentException>(() => SymbolicGrad.Internal.AdjointBuffers.ThrowIfDataOverlaps<double>(big.AsSpan((1 << 28) - 2), "dW", big, "Big"));
        Assert.Throws<ArgumentException>(() => SymbolicGrad.Internal.AdjointBuffers.ThrowIfMemoryOverlaps<double, double>(big, "dW", big.AsMemory((1 << 28) - 1), "Big"));
    }
}

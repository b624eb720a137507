using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Second derivatives where a first-derivative rule has a guard (found by a red-team pass written against
/// docs/second-order.md with the Moré–Garbow–Hillstrom problems). Each Hessian is checked against its closed form and
/// against differences of the generated gradient.
/// </summary>
public class SecondOrderEdgeTests
{
    private const string Members = """
        [Differentiable(Hessian = true)] public static double PowXY(double x, double y) => Math.Pow(x, y);
        [Differentiable(Hessian = true)] public static double ScaledPow(double a, double p, [NoDerivative] double t) => a * Math.Pow(t, p);
        [Differentiable(Hessian = true)] public static double SumCubes(double[] x)
        {
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                s += x[i] * x[i] * x[i];
            }

            return s;
        }
        [Differentiable] public static void Decay(double a, double k, [NoDerivative] double[] t, [NoDerivative] double[] y, Span<double> r)
        {
            for (int i = 0; i < t.Length; i++)
            {
                r[i] -= y[i];
                r[i] += a * Math.Exp(-k * t[i]);
            }
        }
        """;

    private static readonly Lazy<Type> Compiled = new(() => Expect.Compiles(Harness.InClass(Members)).GetType("Demo.C")!);

    private static DifferentiableFunction Objective(string name, params object?[] data) =>
        (DifferentiableFunction)Compiled.Value.GetMethod(name + "Objective", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, data)!;

    /// <summary>
    /// ∂²(x^y)/∂x∂y = x^(y−1)(1 + y ln x), which is 1/x at y = 0. The partial ∂/∂x was written y == 0 ? 0 : y·x^(y−1),
    /// whose derivative along y is 0 at y = 0: one triangle of the Hessian had 0, the other 1/x, and the averaged Hessian
    /// 1/(2x), silently (0.25 for 0.5 at (2, 0)). The guard now covers only x = y = 0.
    /// </summary>
    [Theory]
    [InlineData(2.0, 0.0)]
    [InlineData(0.5, 0.0)]
    [InlineData(2.0, 1.0)]
    [InlineData(3.0, 2.5)]
    public void MixedSecondDerivativeOfAPowerAtExponentZero(double x, double y)
    {
        var f = Objective("PowXY");
        var h = new double[4];
        f.Hessian(new[] { x, y }, h);
        double lx = Math.Log(x);
        double hxx = y * (y - 1) * Math.Pow(x, y - 2), hxy = Math.Pow(x, y - 1) * (1 + (y * lx)), hyy = Math.Pow(x, y) * lx * lx;
        double[] expected = { hxx, hxy, hxy, hyy };
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(h[i] - expected[i]) <= 1e-12 * (1 + Math.Abs(expected[i])), $"H[{i}] at ({x}, {y}) = {h[i]:R}, expected {expected[i]:R}");
        }

        GradientCheck.CheckHessian(f, new[] { x, y }, Expect.Tight).ThrowIfFailed();

        // The gradient is unchanged: y·x^(y−1) and x^y·ln x, 0 for ∂/∂x at y = 0.
        var g = new double[2];
        f.ValueAndGradient(new[] { x, y }, g);
        Assert.Equal(y * Math.Pow(x, y - 1), g[0], 1e-12);
    }

    /// <summary>At the origin x = y = 0 the partials stay finite (0), as in the gradient.</summary>
    [Fact]
    public void PowerAtTheOriginStaysFinite()
    {
        var f = Objective("PowXY");
        var g = new double[2];
        f.ValueAndGradient(new[] { 0.0, 0.0 }, g);
        Assert.Equal(new[] { 0.0, 0.0 }, g);
        var h = new double[4];
        f.Hessian(new[] { 0.0, 0.0 }, h);
        Assert.All(h, v => Assert.True(double.IsFinite(v), string.Join(", ", h)));
    }

    /// <summary>A data base with a differentiated exponent (a decay rate): the exponent's Hessian is a·tᵖ ln²t, and 0 at p = 0 for a.</summary>
    [Fact]
    public void DataBaseWithAnExponentAtZero()
    {
        var f = Objective("ScaledPow", 3.0);
        var h = new double[4];
        f.Hessian(new[] { 1.5, 0.0 }, h);
        double l = Math.Log(3);
        double[] expected = { 0, l, l, 1.5 * l * l };
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(h[i] - expected[i]) <= 1e-12, $"H[{i}] = {h[i]:R}, expected {expected[i]:R}");
        }
    }

    private delegate void DecayJacobian(double a, double k, double[] t, double[] y, Span<double> r, Span<double> jacobian);

    private static readonly double[] DecayT = { 0, 0.5, 1, 2, 3, 5 };

    private static readonly double[] DecayY = DecayT.Select(t => 2 * Math.Exp(-0.5 * t)).ToArray();

    /// <summary>
    /// A residual method that accumulates into r (r[i] -= y[i]; r[i] += model) reads the residuals' incoming values.
    /// NameLeastSquares passed the optimizer's buffer as it was, so each evaluation added to the last one's residuals,
    /// and NameJacobian ran the method once per column on the same r (n times the residuals): Levenberg–Marquardt
    /// ended away from the exact fit, silently. Each evaluation now starts from zero residuals, and NameJacobian
    /// leaves r as one call of the method does.
    /// </summary>
    [Fact]
    public void ResidualsAccumulatedIntoRStartFromZeroInEachEvaluation()
    {
        var f = (LeastSquaresFunction)Compiled.Value.GetMethod("DecayLeastSquares", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, new object?[] { DecayT, DecayY, DecayT.Length })!;
        var fit = new Optimizers.LevenbergMarquardt().Minimize(f, [1.0, 0.1]);
        Assert.True(fit.Success, fit.ToString());
        Assert.Equal(2.0, fit.X[0], 1e-9);
        Assert.Equal(0.5, fit.X[1], 1e-9);

        // A buffer that holds something: the same residuals as a fresh one, and the Jacobian's residuals equal them.
        var fresh = new double[6];
        f.Residuals([1.5, 0.2], fresh);
        var dirty = Enumerable.Repeat(7.0, 6).ToArray();
        f.Residuals([1.5, 0.2], dirty);
        Assert.Equal(fresh, dirty);
        var r = Enumerable.Repeat(-3.0, 6).ToArray();
        var j = new double[12];
        f.Jacobian([1.5, 0.2], r, j);
        Assert.Equal(fresh, r);
        GradientCheck.CheckJacobian(f, [1.5, 0.2]).ThrowIfFailed();
    }

    /// <summary>NameJacobian itself leaves r as one call of the method on the caller's r would, with the exact Jacobian.</summary>
    [Fact]
    public void JacobianOfAnAccumulatingMethodLeavesROnceUpdated()
    {
        var jac = Compiled.Value.GetMethod("DecayJacobian", BindingFlags.Public | BindingFlags.Static)!.CreateDelegate<DecayJacobian>();
        var r = Enumerable.Repeat(10.0, 6).ToArray();
        var j = new double[12];
        jac(1.5, 0.2, DecayT, DecayY, r, j);
        for (int i = 0; i < 6; i++)
        {
            double e = Math.Exp(-0.2 * DecayT[i]);
            Assert.Equal(10 - DecayY[i] + (1.5 * e), r[i], 1e-12);
            Assert.Equal(e, j[2 * i], 1e-12);
            Assert.Equal(-1.5 * DecayT[i] * e, j[(2 * i) + 1], 1e-12);
        }
    }

    private delegate void DecayTangent(double a, double k, double[] t, double[] y, Span<double> r, double vA, double vK, Span<double> tangent);

    /// <summary>
    /// NameJacobian writes the Jacobian column by column while the method runs again for the next column, and
    /// NameTangent writes the tangent while it reads the inputs: a jacobian that shared memory with r (or an input) was
    /// read back changed, and the Jacobian came out wrong without a word (J[0][0] = r[1] for r = buffer[0..2], jacobian =
    /// buffer[1..]). Both now check, as gradient outputs are checked: an ArgumentException naming the two.
    /// </summary>
    [Fact]
    public void AJacobianOrTangentSharingMemoryWithTheResultsOrAnInputIsRefused()
    {
        var jac = Compiled.Value.GetMethod("DecayJacobian", BindingFlags.Public | BindingFlags.Static)!.CreateDelegate<DecayJacobian>();
        var buffer = new double[6 + 12];
        var e = Assert.Throws<ArgumentException>(() => jac(1.5, 0.2, DecayT, DecayY, buffer.AsSpan(0, 6), buffer.AsSpan(5, 12)));
        Assert.Equal("jacobian", e.ParamName);
        Assert.Contains("jacobian overlaps r", e.Message, StringComparison.Ordinal);

        // data arrays are inputs too: the Jacobian may not be written over them
        var t = DecayT.Concat(new double[6]).ToArray();
        e = Assert.Throws<ArgumentException>(() => jac(1.5, 0.2, t, DecayY, new double[6], t.AsSpan(0, 12)));
        Assert.Contains("jacobian overlaps t", e.Message, StringComparison.Ordinal);

        var tangent = Compiled.Value.GetMethod("DecayTangent", BindingFlags.Public | BindingFlags.Static)!.CreateDelegate<DecayTangent>();
        var y = DecayY.ToArray();
        e = Assert.Throws<ArgumentException>(() => tangent(1.5, 0.2, DecayT, y, new double[6], 1, 0, y));
        Assert.Contains("tangent overlaps y", e.Message, StringComparison.Ordinal);

        // separate buffers: the Jacobian of r = a·e^(−k·t) − y, exactly
        var r = new double[6];
        var j = new double[12];
        jac(1.5, 0.2, DecayT, DecayY, r, j);
        for (int i = 0; i < 6; i++)
        {
            double ex = Math.Exp(-0.2 * DecayT[i]);
            Assert.Equal(ex, j[2 * i], 1e-12);
            Assert.Equal(-1.5 * DecayT[i] * ex, j[(2 * i) + 1], 1e-12);
        }
    }

    private delegate double SumCubesHvp(double[] x, ReadOnlySpan<double> vX, Span<double> dX, Span<double> hvX);

    /// <summary>
    /// NameHessianVectorProduct clears its outputs at entry and reads the direction and x after: hvX = vX (H·v in place,
    /// as a CG loop might write it) gave 0, hvX over x or dX over vX a wrong product, all without a word; only dX against
    /// x and against hvX were checked. Every output is now checked against x and the directions too. H of Σ xᵢ³ is
    /// diag(6xᵢ).
    /// </summary>
    [Fact]
    public void AHessianVectorProductSharingMemoryWithXOrTheDirectionIsRefused()
    {
        var hvp = Compiled.Value.GetMethod("SumCubesHessianVectorProduct", BindingFlags.Public | BindingFlags.Static)!.CreateDelegate<SumCubesHvp>();
        double[] x = [1.0, -2.0, 0.5];
        var v = new double[] { 1.0, 2.0, -1.0 };
        var e = Assert.Throws<ArgumentException>(() => hvp(x, v, new double[3], v));
        Assert.Contains("hvX overlaps vX", e.Message, StringComparison.Ordinal);
        var xs = x.ToArray();
        Assert.Contains("hvX overlaps x", Assert.Throws<ArgumentException>(() => hvp(xs, v, new double[3], xs)).Message, StringComparison.Ordinal);
        Assert.Contains("dX overlaps vX", Assert.Throws<ArgumentException>(() => hvp(x, v, v, new double[3])).Message, StringComparison.Ordinal);
        Assert.Equal([1.0, 2.0, -1.0], v);

        var d = new double[3];
        var hv = new double[3];
        Assert.Equal(1 - 8 + 0.125, hvp(x, v, d, hv), 12);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(3 * x[i] * x[i], d[i], 12);
            Assert.Equal(6 * x[i] * v[i], hv[i], 12);
        }
    }

    private const string Tagged = """
        using System;
        using SymbolicGrad;
        namespace Demo;

        public struct Tagged { public int Id; public double V; public double W; }

        public static partial class T
        {
            [Differentiable] public static void Res(Tagged g, double[] x, Span<double> r)
            {
                r[0] = g.V * x[0] - g.Id;
                r[1] = g.W * g.V + x[1] * g.Id;
            }

            [Differentiable(Hessian = true)] public static double Loss(Tagged g, double x) => g.Id * g.V * g.V * x + g.W * g.W;
        }
        """;

    /// <summary>
    /// A differentiated struct parameter with a member that is not real (an int Id): NameLeastSquares was SG9999 (an
    /// index error in the generator) and NameObjective was silently not generated (CS0117 at the caller). Both now take
    /// the struct after the array lengths, and its other members stay as given: the packed vector holds V and W.
    /// </summary>
    [Fact]
    public void StructsWithMembersThatAreNotRealGetObjectivesAndLeastSquares()
    {
        var type = Expect.Compiles(Tagged).GetType("Demo.T")!;
        var tagType = type.Assembly.GetType("Demo.Tagged")!;
        var tag = Activator.CreateInstance(tagType)!;
        tagType.GetField("Id")!.SetValue(tag, 3);
        tagType.GetField("V")!.SetValue(tag, 100.0); // replaced by the vector's
        var ls = (LeastSquaresFunction)type.GetMethod("ResLeastSquares")!.Invoke(null, new object?[] { 2, tag, 2 })!;
        Assert.Equal(new[] { "g.V", "g.W", "x[0]", "x[1]" }, ls.ParameterNames);
        double v = 0.5, w = 2, x0 = 1.5, x1 = -0.25;
        var r = new double[2];
        var j = new double[8];
        ls.Jacobian([v, w, x0, x1], r, j);
        Assert.Equal(new[] { (v * x0) - 3, (w * v) + (x1 * 3) }, r);
        Assert.Equal(new[] { x0, 0, v, 0, w, v, 0, 3 }, j);

        var f = (DifferentiableFunction)type.GetMethod("LossObjective")!.Invoke(null, new object?[] { tag })!;
        var h = new double[9];
        f.Hessian([v, w, x0], h);
        Assert.Equal(new[] { 6 * x0, 0, 6 * v, 0, 2, 0, 6 * v, 0, 0 }, h);
    }

    /// <summary>
    /// NameLeastSquares made with too few residuals threw a bare IndexOutOfRangeException from inside the method, and with
    /// none an ArgumentOutOfRangeException about a 'residualCount' the caller never named. Both now name the method and
    /// rLength (the original exception inside). A data parameter named like the handler's variable still compiles.
    /// </summary>
    [Fact]
    public void AResidualCountThatDoesNotFitIsNamed()
    {
        var type = Expect.Compiles(Harness.InClass(
            "    [Differentiable] public static void Two(double a, [NoDerivative] double indexError, Span<double> r) { r[0] = a - indexError; r[1] = a * a; }")).GetType("Demo.C")!;
        var make = type.GetMethod("TwoLeastSquares")!;
        var few = (LeastSquaresFunction)make.Invoke(null, new object?[] { 1.0, 1 })!;
        var error = Assert.Throws<IndexOutOfRangeException>(() => new Optimizers.LevenbergMarquardt().Minimize(few, [0.5]));
        Assert.Contains("Two indexed past the end of an array with rLength = 1", error.Message, StringComparison.Ordinal);
        Assert.IsType<IndexOutOfRangeException>(error.InnerException);
        var none = Assert.Throws<TargetInvocationException>(() => make.Invoke(null, new object?[] { 1.0, 0 })).InnerException;
        var outOfRange = Assert.IsType<ArgumentOutOfRangeException>(none);
        Assert.Equal("rLength", outOfRange.ParamName);
        Assert.Contains("Two needs at least one residual", outOfRange.Message, StringComparison.Ordinal);
        var right = (LeastSquaresFunction)make.Invoke(null, new object?[] { 1.0, 2 })!;
        var r = new double[2];
        var j = new double[2];
        right.Jacobian([3.0], r, j);
        Assert.Equal(new[] { 2.0, 9.0 }, r);
        Assert.Equal(new[] { 1.0, 6.0 }, j);
    }
}

using System.Reflection;
using Microsoft.CodeAnalysis;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// The second-order contract: [Differentiable(Hessian = true)] gives NameTangent, NameHessianVectorProduct and an objective
/// with HasHessian; a method that writes its last Span&lt;double&gt; gives NameTangent, NameJacobian and NameLeastSquares.
/// Every product is checked against differences of the generated gradient (or of the residuals) and, where one exists, a
/// closed form.
/// </summary>
public class SecondOrderTests
{
    private const string Source = """
        using System;
        using System.Linq;
        using SymbolicGrad;
        namespace Demo;

        public struct Vec2
        {
            public double X;
            public double Y;
            public Vec2(double x, double y) { X = x; Y = y; }
            public static Vec2 operator -(Vec2 a, Vec2 b) => new(a.X - b.X, a.Y - b.Y);
            public double Norm2 => X * X + Y * Y;
        }

        public static partial class H
        {
            [Differentiable(Hessian = true)]
            public static double Rosenbrock(double x, double y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);

            // x^y with a moving exponent: at x < 0 only the y-direction of H is NaN (x^y·ln x), not ∂²/∂x².
            [Differentiable(Hessian = true)]
            public static double PowerOfBoth(double x, double y) => Math.Pow(x, y) + x * y;

            // ½ wᵀAw + bᵀw with A given row-major: H = (A + Aᵀ)/2.
            [Differentiable(Hessian = true)]
            public static double Quadratic(double[] w, [NoDerivative] double[] a, [NoDerivative] double[] b)
            {
                int n = w.Length;
                double s = 0;
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < n; j++) s += 0.5 * w[i] * a[i * n + j] * w[j];
                    s += b[i] * w[i];
                }
                return s;
            }

            // Σ log(1 + exp(−yᵢ wᵀxᵢ)): H = Σ σ(zᵢ)(1 − σ(zᵢ)) xᵢxᵢᵀ.
            [Differentiable(Hessian = true)]
            public static double Logistic(double[] w, [NoDerivative] double[] xs, [NoDerivative] double[] ys)
            {
                int d = w.Length;
                double loss = 0;
                for (int i = 0; i < ys.Length; i++)
                {
                    double z = 0;
                    for (int j = 0; j < d; j++) z += w[j] * xs[i * d + j];
                    loss += Math.Log(1 + Math.Exp(-ys[i] * z));
                }
                return loss;
            }

            static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

            // A 2-3-1 network with a helper, a per-example hidden layer and a squared error.
            [Differentiable(Hessian = true)]
            public static double Mlp(double[] p, [NoDerivative] double[] xs, [NoDerivative] double[] ys)
            {
                double loss = 0;
                for (int i = 0; i < ys.Length; i++)
                {
                    var h = new double[3];
                    for (int k = 0; k < 3; k++) h[k] = Math.Tanh(p[2 * k] * xs[2 * i] + p[2 * k + 1] * xs[2 * i + 1] + p[6 + k]);
                    double o = p[12];
                    for (int k = 0; k < 3; k++) o += p[9 + k] * h[k];
                    double e = Sigmoid(o) - ys[i];
                    loss += e * e;
                }
                return loss / ys.Length;
            }

            [Differentiable(Hessian = true)]
            public static double Branchy(double x, double y)
            {
                double s = 0;
                double t = x;
                int k = 0;
                while (t < 3 && k < 10) { t = t * 1.5 + 0.1 * y; k++; }
                if (t * y > 1) s = Math.Exp(0.3 * t) * y; else s = Math.Log(1 + t * t) + y * y * y;
                switch (k)
                {
                    case 0: s += Math.Sin(x); break;
                    case 1: s += Math.Cos(x * y); break;
                    default: s += Math.Sqrt(1 + x * x * y * y); break;
                }
                return s + Math.Pow(Math.Abs(y) + 1, 1.5) + Math.Atan2(y, 2 + x);
            }

            [Differentiable(Hessian = true)]
            public static double Structs(Vec2 p, Vec2 q, [NoDerivative] double k)
            {
                var d = p - q;
                (double u, double v) = (d.X * d.Y, d.Norm2);
                return k * u * u + Math.Sqrt(1 + v) + new[] { p.X, q.Y }.Select(z => z * z * z).Sum();
            }

            [Differentiable(Hessian = true)]
            public static float Single(float x, float y) => MathF.Exp(0.5f * x) * y * y;

            // Issue #8: arrays whose adjoint array the forward sweep allocates and keeps for the reverse (pushed each
            // iteration). Their H·v threw IndexOutOfRangeException or NullReferenceException: the reverse sweep popped a
            // tangent for the adjoint array that the forward sweep never pushed.
            [Differentiable(Hessian = true)]
            public static double CarriedArray(double x, double y)
            {
                double s = 0;
                var w = new double[2];
                w[0] = x; w[1] = y;
                for (int i = 0; i < 3; i++)
                {
                    var next = new double[2];
                    next[0] = Math.Sin(w[1]); next[1] = w[0] * w[1];
                    s += next[0] * next[1];
                    w = next;
                }
                return s;
            }

            [Differentiable(Hessian = true)]
            public static double ArrayInABranchOfAReturningLoop(double x, double y)
            {
                for (int i = 0; i < 2; i++)
                {
                    if (x > 0)
                    {
                        var h = new double[3];
                        for (int k = 0; k < 3; k++) h[k] = Math.Tanh(h[k] + x) * y;
                        return h[2] * x;
                    }
                    x = x + 1;
                }
                return x * y;
            }

            static double AfterAnEarlyReturn(double x, double y, int n)
            {
                if (y > 0) return y * x * x;
                Span<double> h = stackalloc double[n];
                for (int k = 0; k < h.Length; k++) h[k] = Math.Tanh(h[(k + 1) % n] + x) * y;
                return x * h[n - 1];
            }

            static double SliceAfterAnEarlyReturn(double x, double y, double z)
            {
                if (z < 0.5) return x * z;
                Span<double> h = stackalloc double[2];
                for (int k = 0; k < 2; k++) h[k] = Math.Tanh(y + h[1 - k]);
                return x * h[1..][0];
            }

            // Random batch 1773165002's M36 (through M28): the reverse sweep takes a guarded view of the adjoint array
            // (missing on iterations that returned early); its tangent view was unguarded and threw ArgumentOutOfRangeException.
            [Differentiable(Hessian = true)]
            public static double SliceInAHelperCalledInALoop(double x, double y, double z)
            {
                double s = 0;
                for (int i = 0; i < 2; i++)
                {
                    s += SliceAfterAnEarlyReturn(x, y, z) * s + x;
                }
                return s;
            }

            // Issue #9: the layer input re-pointed at the slice the layer wrote (ADBench LSTM), with a nonlinear layer.
            [Differentiable(Hessian = true)]
            public static double SpanRepointedInLayers(double[] x, double[] w)
            {
                var s = new double[4];
                var h = new double[2];
                double total = 0;
                for (int t = 0; t < 2; t++)
                {
                    for (int j = 0; j < 2; j++) h[j] = x[j] + t;
                    ReadOnlySpan<double> xp = h;
                    for (int i = 0; i < 2; i++)
                    {
                        for (int j = 0; j < 2; j++) s[i * 2 + j] = Math.Tanh(xp[j] * w[i] + xp[1 - j]);
                        xp = s.AsSpan(i * 2, 2);
                    }

                    for (int j = 0; j < 2; j++) total += xp[j] * xp[j] * x[j];
                }

                return total;
            }

            // Random batch 1421942335's M124: t shares a class with u (u = t), so its views looked differentiated and
            // second order was refused (SG0006 'an array that is partly data'); views of data have a zero tangent.
            [Differentiable(Hessian = true)]
            public static double ViewsOfDataThatAParameterMayHold(double[] u, [NoDerivative] double[] t)
            {
                double v0 = u[0] * u[1];
                var head = t[..1];
                var copy = t.ToArray();
                if (v0 + head[0] < 1.25) u = t;
                return v0 * u[1] * u[0] + head[0] * v0 * copy[1];
            }

            // The shape of M58 in the second-order random batch 1773124499 (its H·v threw).
            [Differentiable(Hessian = true)]
            public static double StackallocInAHelperCalledInALoop(double x, double y, double[] u)
            {
                foreach (var e in u)
                {
                    if (e > x) return AfterAnEarlyReturn(e * x, y, u.Length);
                }
                return x * y * u.Min();
            }

            public static string Misuse()
            {
                try
                {
                    QuadraticHessianVectorProduct(new double[2], new double[4], new double[2], new double[3], new double[2], new double[2]);
                    return "no exception";
                }
                catch (ArgumentException e)
                {
                    return e.Message;
                }
            }
        }

        public static partial class V
        {
            // Geometric circle fit: rᵢ = ‖pᵢ − c‖ − radius.
            [Differentiable]
            public static void Circle(double cx, double cy, double radius, [NoDerivative] double[] px, [NoDerivative] double[] py, Span<double> r)
            {
                for (int i = 0; i < px.Length; i++)
                    r[i] = Math.Sqrt((px[i] - cx) * (px[i] - cx) + (py[i] - cy) * (py[i] - cy)) - radius;
            }

            static (double, double) Rotate(double angle, double x, double y) =>
                (Math.Cos(angle) * x - Math.Sin(angle) * y, Math.Sin(angle) * x + Math.Cos(angle) * y);

            // Rigid 2-D registration: r = R(θ)·p + t − q, two residuals per point; a helper returning a tuple.
            [Differentiable]
            public static void Register(double[] pose, [NoDerivative] double[] p, [NoDerivative] double[] q, Span<double> r)
            {
                for (int i = 0; i < p.Length / 2; i++)
                {
                    var (x, y) = Rotate(pose[0], p[2 * i], p[2 * i + 1]);
                    r[2 * i] = x + pose[1] - q[2 * i];
                    r[2 * i + 1] = y + pose[2] - q[2 * i + 1];
                }
            }

            // More parameters than residuals, a local array and a branch.
            [Differentiable]
            public static void Wide(double[] x, Span<double> r)
            {
                var s = new double[x.Length];
                double acc = 0;
                for (int i = 0; i < x.Length; i++) { acc += x[i] * x[i]; s[i] = acc; }
                r[0] = s[x.Length - 1] > 1 ? Math.Log(s[x.Length - 1]) : s[x.Length - 1];
                r[1] = x.Zip(s, (a, b) => a * b).Sum();
            }
        }
        """;

    private static readonly Lazy<Assembly> Compiled = new(() =>
    {
        var run = Harness.Run(Source);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Empty(run.CompilationProblems);
        return run.Load();
    });

    private static Type TypeOf(string name) => Compiled.Value.GetType("Demo." + name)!;

    private static DifferentiableFunction Objective(string method, params object[] args) =>
        (DifferentiableFunction)TypeOf("H").GetMethod(method + "Objective")!.Invoke(null, args)!;

    private static LeastSquaresFunction LeastSquares(string method, params object[] args) =>
        (LeastSquaresFunction)TypeOf("V").GetMethod(method + "LeastSquares")!.Invoke(null, args)!;

    private static double[] RandomVector(Random random, int n, double scale = 1) =>
        Enumerable.Range(0, n).Select(_ => scale * ((2 * random.NextDouble()) - 1)).ToArray();

    /// <summary>H·v by a Richardson-extrapolated centered difference of the generated gradient along v.</summary>
    private static double[] DifferencedHessianTimes(DifferentiableFunction f, double[] x, double[] v)
    {
        double[] Difference(double h)
        {
            var up = new double[f.Dimension];
            var down = new double[f.Dimension];
            f.ValueAndGradient(x.Zip(v, (a, b) => a + (h * b)).ToArray(), up);
            f.ValueAndGradient(x.Zip(v, (a, b) => a - (h * b)).ToArray(), down);
            return up.Zip(down, (a, b) => (a - b) / (2 * h)).ToArray();
        }

        var coarse = Difference(1e-3);
        var fine = Difference(5e-4);
        return fine.Zip(coarse, (a, b) => ((4 * a) - b) / 3).ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    private static void CheckProducts(DifferentiableFunction f, int seed, double tolerance = 1e-7)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 3; trial++)
        {
            var x = RandomVector(random, f.Dimension);
            CheckProduct(f, x, RandomVector(random, f.Dimension), tolerance);
        }
    }

    /// <summary>As <see cref="CheckProducts"/>, at given points (to reach every branch).</summary>
    private static void CheckProductsAt(DifferentiableFunction f, double[][] points, double tolerance = 1e-7)
    {
        var random = new Random(points.Length);
        foreach (var x in points)
        {
            CheckProduct(f, x, RandomVector(random, f.Dimension), tolerance);
        }
    }

    private static void CheckProduct(DifferentiableFunction f, double[] x, double[] v, double tolerance)
    {
        Assert.True(f.HasHessian, f.Name);
        var hv = new double[f.Dimension];
        f.HessianVectorProduct(x, v, hv);
        AssertClose(DifferencedHessianTimes(f, x, v), hv, tolerance, f.Name + " H·v");

        // The dense Hessian: symmetric, and H·v again.
        var h = new double[f.Dimension * f.Dimension];
        f.Hessian(x, h);
        var product = new double[f.Dimension];
        for (int i = 0; i < f.Dimension; i++)
        {
            for (int j = 0; j < f.Dimension; j++)
            {
                Assert.Equal(h[(i * f.Dimension) + j], h[(j * f.Dimension) + i]);
                product[i] += h[(i * f.Dimension) + j] * v[j];
            }
        }

        AssertClose(hv, product, tolerance * 1e-4, f.Name + " H from products");
    }

    [Fact]
    public void RosenbrockHessianIsTheClosedForm()
    {
        var f = Objective("Rosenbrock");
        var random = new Random(1);
        for (int trial = 0; trial < 5; trial++)
        {
            double x = (4 * random.NextDouble()) - 2;
            double y = (4 * random.NextDouble()) - 2;
            var h = new double[4];
            f.Hessian([x, y], h);
            double[] expected = [2 - (400 * y) + (1200 * x * x), -400 * x, -400 * x, 200];
            AssertClose(expected, h, 1e-13, "Rosenbrock H");
        }

        CheckProducts(f, 2);
    }

    [Fact]
    public void PowerOfANegativeBaseHasAnExactXxEntry()
    {
        var f = Objective("PowerOfBoth");
        foreach (var (x, y) in new[] { (-2.0, 3.0), (-1.5, 2.0), (-0.5, 4.0) })
        {
            var h = new double[4];
            f.Hessian([x, y], h);

            // ∂²/∂x² = y(y − 1)x^(y−2), finite; every entry with a y in it holds ln x of a negative number.
            Assert.Equal(y * (y - 1) * Math.Pow(x, y - 2), h[0], 12);
            Assert.True(double.IsNaN(h[1]) && double.IsNaN(h[2]) && double.IsNaN(h[3]), string.Join(", ", h));
        }

        // Where x > 0 every entry is the closed form.
        var h2 = new double[4];
        f.Hessian([2.0, 3.0], h2);
        double lnX = Math.Log(2.0);
        double[] expected = [6 * 2.0, (4 * (1 + (3 * lnX))) + 1, (4 * (1 + (3 * lnX))) + 1, 8 * lnX * lnX];
        AssertClose(expected, h2, 1e-13, "x^y H");
        CheckProductsAt(f, [[2.0, 3.0], [0.7, 1.3]]);
    }

    [Fact]
    public void QuadraticHessianIsTheSymmetricPartOfA()
    {
        const int n = 5;
        var random = new Random(3);
        var a = RandomVector(random, n * n, 3);
        var b = RandomVector(random, n);
        var f = Objective("Quadratic", n, a, b);
        var h = new double[n * n];
        f.Hessian(RandomVector(random, n), h);
        var expected = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                expected[(i * n) + j] = 0.5 * (a[(i * n) + j] + a[(j * n) + i]);
            }
        }

        AssertClose(expected, h, 1e-14, "quadratic H");
    }

    [Fact]
    public void LogisticRegressionHessianIsXTransposeSX()
    {
        const int d = 4;
        const int m = 30;
        var random = new Random(4);
        var xs = RandomVector(random, m * d, 2);
        var ys = Enumerable.Range(0, m).Select(i => i % 3 == 0 ? -1.0 : 1.0).ToArray();
        var f = Objective("Logistic", d, xs, ys);
        var w = RandomVector(random, d);
        var expected = new double[d * d];
        for (int i = 0; i < m; i++)
        {
            double z = 0;
            for (int j = 0; j < d; j++)
            {
                z += w[j] * xs[(i * d) + j];
            }

            double s = 1 / (1 + Math.Exp(-ys[i] * z));
            for (int j = 0; j < d; j++)
            {
                for (int k = 0; k < d; k++)
                {
                    expected[(j * d) + k] += s * (1 - s) * xs[(i * d) + j] * xs[(i * d) + k];
                }
            }
        }

        var h = new double[d * d];
        f.Hessian(w, h);
        AssertClose(expected, h, 1e-12, "logistic H");
        CheckProducts(f, 5);
    }

    [Fact]
    public void MlpBranchesAndStructsHaveExactProducts()
    {
        var random = new Random(6);
        var xs = RandomVector(random, 16);
        var ys = RandomVector(random, 8).Select(v => 0.5 + (0.4 * v)).ToArray();
        CheckProducts(Objective("Mlp", 13, xs, ys), 7);
        CheckProducts(Objective("Branchy"), 8);
        CheckProducts(Objective("Structs", 0.7), 9);
        CheckProducts(Objective("Single"), 10, 1e-3);
    }

    /// <summary>Issue #8: adjoint arrays that the forward sweep allocates and pushes carry their tangent arrays too.</summary>
    [Fact]
    public void ArraysKeptForTheReverseSweepHaveExactProducts()
    {
        double[][] points = [[0.7, -0.4], [-0.6, 0.8], [-1.5, 1.3], [0.5, 0.9]];
        CheckProductsAt(Objective("CarriedArray"), points);
        CheckProductsAt(Objective("ArrayInABranchOfAReturningLoop"), points);

        // Each branch: the first element above x or none, then y on either side of 0.
        double[][] withU = [[0.1, -0.4, -0.5, 0.6, 0.2], [0.1, 0.8, -0.5, 0.6, 0.2], [0.9, -0.4, -0.5, 0.6, 0.2], [0.9, 0.7, -0.5, 0.6, 0.2]];
        CheckProductsAt(Objective("StackallocInAHelperCalledInALoop", 3), withU);
    }

    /// <summary>Issue #8: a view of data has a zero tangent even when a differentiated array variable may hold the data.</summary>
    [Fact]
    public void ViewsOfDataHaveZeroTangents() =>
        CheckProductsAt(Objective("ViewsOfDataThatAParameterMayHold", 2, new[] { 0.5, 0.25 }), [[0.7, -0.4], [1.6, 0.9]]);

    /// <summary>Issue #8: the tangent of a guarded view (an array missing on some iterations) is guarded too.</summary>
    [Fact]
    public void GuardedViewsHaveGuardedTangents() =>
        CheckProductsAt(Objective("SliceInAHelperCalledInALoop"), [[0.7, -0.4, 0.3], [-0.6, 0.8, 1.1], [1.2, 0.3, -0.5], [0.4, -1.3, 0.8]]);

    /// <summary>Issue #9: spans re-pointed in a loop (each iteration's view taken again in the reverse sweep) have exact products.</summary>
    [Fact]
    public void SpansRepointedInALoopHaveExactProducts() =>
        CheckProductsAt(Objective("SpanRepointedInLayers", 2, 2), [[0.7, -0.4, 1.3, -0.6], [-0.2, 0.5, 0.4, 0.9]]);

    [Fact]
    public void TangentIsTheDirectionalDerivative()
    {
        var method = TypeOf("H").GetMethod("RosenbrockTangent")!;
        var random = new Random(11);
        for (int trial = 0; trial < 5; trial++)
        {
            var x = RandomVector(random, 2, 2);
            var v = RandomVector(random, 2);
            var args = new object?[] { x[0], x[1], v[0], v[1], null };
            double value = (double)method.Invoke(null, args)!;
            double tangent = (double)args[4]!;
            double gx = (-2 * (1 - x[0])) - (400 * x[0] * (x[1] - (x[0] * x[0])));
            double gy = 200 * (x[1] - (x[0] * x[0]));
            Assert.Equal(Math.Pow(1 - x[0], 2) + (100 * Math.Pow(x[1] - (x[0] * x[0]), 2)), value, 1e-12);
            Assert.Equal((gx * v[0]) + (gy * v[1]), tangent, 1e-9);
        }
    }

    [Fact]
    public void HessianVectorProductAlsoReturnsTheValueAndGradient()
    {
        var method = TypeOf("H").GetMethod("RosenbrockHessianVectorProduct")!;
        var args = new object?[] { -1.2, 1.0, 1.0, 0.0, null, null, null, null };
        double value = (double)method.Invoke(null, args)!;
        Assert.Equal(24.2, value, 1e-12);
        Assert.Equal(-215.6, (double)args[4]!, 1e-10);
        Assert.Equal(-88.0, (double)args[5]!, 1e-10);
        Assert.Equal(2 - 400 + (1200 * 1.44), (double)args[6]!, 1e-10);
        Assert.Equal(480.0, (double)args[7]!, 1e-10);
    }

    [Fact]
    public void JacobiansOfVectorValuedMethodsMatchDifferences()
    {
        var random = new Random(12);
        var px = Enumerable.Range(0, 7).Select(i => (3 * Math.Cos(i)) + 1 + (0.05 * random.NextDouble())).ToArray();
        var py = Enumerable.Range(0, 7).Select(i => (3 * Math.Sin(i)) - 2).ToArray();
        var circle = LeastSquares("Circle", px, py, 7);
        Assert.Equal((3, 7), (circle.Dimension, circle.ResidualCount));
        Assert.Equal(["cx", "cy", "radius"], circle.ParameterNames);
        var check = GradientCheck.CheckJacobian(circle, [0.5, -1.5, 2.0]);
        Assert.True(check.Passed, check.ToString());

        var p = RandomVector(random, 10);
        var q = RandomVector(random, 10);
        var register = LeastSquares("Register", 3, p, q, 10);
        Assert.Equal(["pose[0]", "pose[1]", "pose[2]"], register.ParameterNames);
        check = GradientCheck.CheckJacobian(register, [0.3, 0.1, -0.2]);
        Assert.True(check.Passed, check.ToString());

        var wide = LeastSquares("Wide", 6, 2);
        check = GradientCheck.CheckJacobian(wide, RandomVector(random, 6));
        Assert.True(check.Passed, check.ToString());
    }

    [Fact]
    public void CircleJacobianIsTheClosedForm()
    {
        double[] px = [1, 4, 2];
        double[] py = [0, 1, 5];
        var f = LeastSquares("Circle", px, py, 3);
        double cx = 1.5, cy = 2, radius = 2.5;
        var r = new double[3];
        var j = new double[9];
        f.Jacobian([cx, cy, radius], r, j);
        for (int i = 0; i < 3; i++)
        {
            double d = Math.Sqrt(((px[i] - cx) * (px[i] - cx)) + ((py[i] - cy) * (py[i] - cy)));
            Assert.Equal(d - radius, r[i], 1e-14);
            Assert.Equal(-(px[i] - cx) / d, j[i * 3], 1e-14);
            Assert.Equal(-(py[i] - cy) / d, j[(i * 3) + 1], 1e-14);
            Assert.Equal(-1.0, j[(i * 3) + 2]);
        }
    }

    [Fact]
    public void LevenbergMarquardtFitsACircleWithTheGeneratedJacobian()
    {
        var angles = Enumerable.Range(0, 12).Select(i => i * 0.5).ToArray();
        var px = angles.Select(a => 2 + (3 * Math.Cos(a))).ToArray();
        var py = angles.Select(a => -1 + (3 * Math.Sin(a))).ToArray();
        var f = LeastSquares("Circle", px, py, 12);
        var result = new Optimizers.LevenbergMarquardt().Minimize(f, [0.0, 0.0, 1.0]);
        Assert.True(result.Success, result.ToString());
        Assert.Equal(2.0, result.X[0], 1e-8);
        Assert.Equal(-1.0, result.X[1], 1e-8);
        Assert.Equal(3.0, result.X[2], 1e-8);
    }

    [Fact]
    public void MisuseThrowsExceptionsThatNameTheProblem()
    {
        var f = LeastSquares("Circle", new double[] { 1, 2 }, new double[] { 3, 4 }, 2);
        var e = Assert.Throws<ArgumentException>(() => f.Jacobian([0.0, 0.0, 1.0], new double[2], new double[5]));
        Assert.Contains("jacobian", e.Message);

        string message = (string)TypeOf("H").GetMethod("Misuse")!.Invoke(null, null)!;
        Assert.Contains("vW", message);

        var plain = Objective("Branchy");
        Assert.True(plain.HasHessian);
        var withoutHessian = new DifferentiableFunction(2, plain.AsValue(), plain.AsValueAndGradient(), "Branchy");
        var n = Assert.Throws<NotSupportedException>(() => withoutHessian.HessianVectorProduct([1.0, 2.0], [1.0, 0.0], new double[2]));
        Assert.Contains("Hessian = true", n.Message);
    }

    [Fact]
    public void CheckHessianPassesOnGeneratedHessiansAndCatchesAWrongOne()
    {
        var f = Objective("Branchy");
        var check = GradientCheck.CheckHessian(f, [0.4, 0.9], new GradientCheckOptions { Richardson = true });
        Assert.True(check.Passed, check.ToString());
        Assert.Equal((2, 2), (check.RowCount, check.ColumnCount));

        // The same function with a Hessian-vector product that is off by 1% in one entry.
        var wrong = new DifferentiableFunction(2, f.AsValue(), f.AsValueAndGradient(), "wrong", null, null,
            (x, v, hv) =>
            {
                f.HessianVectorProduct(x, v, hv);
                hv[0] += 0.01 * hv[0];
            });
        var failed = GradientCheck.CheckHessian(wrong, [0.4, 0.9]);
        Assert.False(failed.Passed);
        Assert.Equal(0, failed.Worst.Row);
        Assert.Throws<NotSupportedException>(() => GradientCheck.CheckHessian(new DifferentiableFunction(2, f.AsValue(), f.AsValueAndGradient()), [0.4, 0.9]));
    }

    [Fact]
    public void SecondDerivativesThroughACompiledDerivativeAreRefusedAtTheCall()
    {
        string source = Harness.InClass("""
                [CustomDerivative(nameof(SoftplusGradient))]
                public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
                public static double SoftplusGradient(double x, out double dX) { dX = 1 / (1 + Math.Exp(-x)); return Softplus(x); }

                [Differentiable(Hessian = true)]
                public static double F(double x, double y) => Softplus(x * y) + x * x;

                // First order through the custom derivative is fine: a Jacobian needs only first derivatives.
                [Differentiable]
                public static void R(double x, double y, Span<double> r) { r[0] = Softplus(x * y); r[1] = x - y; }
            """);
        var run = Harness.Run(source);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("SG0034", error.Id);
        Assert.Contains("'Softplus'", error.GetMessage(), StringComparison.Ordinal);
        Assert.Equal(source.IndexOf("Softplus(x * y)", StringComparison.Ordinal), error.Location.SourceSpan.Start);
        Assert.Contains("Hessian = true", error.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.CompilationProblems);
        var r = (LeastSquaresFunction)run.Load().GetType("Demo.C")!.GetMethod("RLeastSquares")!.Invoke(null, [2])!;
        var check = GradientCheck.CheckJacobian(r, [0.3, -0.7]);
        Assert.True(check.Passed, check.ToString());
    }
}

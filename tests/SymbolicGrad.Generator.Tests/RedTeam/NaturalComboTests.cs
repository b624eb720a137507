using System.Reflection;
using Microsoft.CodeAnalysis;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Bugs found by writing combinations of the issue-9 features as a first draft would (helpers, slices, LINQ, tuples,
/// structs, matrices, guards), each with <c>Hessian = true</c> and, where the method has one, its residual form
/// (red-team pass, issues #9 and #14). Each test failed before its fix; gradients and Hessians are checked against
/// closed forms and against centered differences.
/// </summary>
public class NaturalComboTests
{
    /// <summary>
    /// An array indexed with a long or a uint (for (long i = 0; ...) x[i], x[u]), which C# allows: the generated code
    /// indexed the gradient span dX with it too, and a span takes only an int (CS1503: generated code that did not
    /// compile, in the gradient and the Hessian-vector product). The index is now converted, checked, to an int.
    /// </summary>
    [Fact]
    public void LongAndUintIndicesCompile()
    {
        var assembly = MlDraftTests.CompilesPreview("""
                [Differentiable(Hessian = true)]
                public static double Indices(double[] x)
                {
                    double s = 0;
                    for (long i = 0; i < x.LongLength; i++) s += x[i] * x[i];
                    uint u = 2;
                    ulong first = 0;
                    var copy = new double[(long)x.Length];
                    for (long i = copy.LongLength - 1; i >= 0; i--) copy[i] = 3 * x[i];
                    return s + x[u] * x[first] + copy[^1];
                }
            """);
        double[] x = { 0.5, -1.25, 2.0, 0.75 };
        double value = x.Sum(v => v * v) + x[2] * x[0] + 3 * x[3];
        double[] gradient = { 2 * x[0] + x[2], 2 * x[1], 2 * x[2] + x[0], 2 * x[3] + 3 };
        var hessian = new double[16];
        for (int i = 0; i < 4; i++) hessian[i * 5] = 2;
        hessian[2] = hessian[8] = 1;
        CheckSecondOrder(assembly, "Indices", x, value, gradient, hessian);
    }

    /// <summary>
    /// x ?? throw new ArgumentNullException(nameof(x)) on a differentiated array, with Hessian = true: the gradient was
    /// generated, but forward mode refused the placeholder value of the throw arm with SG0006 "forward mode of an array
    /// that is partly data (t)", at the method's name and naming a temporary. The arm is never reached; its tangent is
    /// now zeros of its length, as the reverse sweep already gave it an adjoint nobody reads.
    /// </summary>
    [Fact]
    public void ThrowExpressionOnAnArrayHasSecondDerivatives()
    {
        var assembly = MlDraftTests.CompilesPreview("""
                [Differentiable(Hessian = true)]
                public static double Guarded(double[] x)
                {
                    var xs = x ?? throw new ArgumentNullException(nameof(x));
                    var ys = xs.Length >= 2 ? xs : throw new ArgumentException($"{nameof(x)} needs two elements", nameof(x));
                    return xs[0] * ys[1] + ys[1] * ys[1];
                }
            """);
        double[] x = { 1.5, -0.5 };
        CheckSecondOrder(assembly, "Guarded", x, x[0] * x[1] + x[1] * x[1], new[] { x[1], x[0] + 2 * x[1] }, new double[] { 0, 1, 1, 2 });
        var one = Objective(assembly, "Guarded", new object[] { 1 });
        Assert.Throws<ArgumentException>(() => one.ValueAndGradient(new[] { 1.0 }, new double[1]));
        Assert.Throws<ArgumentException>(() => one.HessianVectorProduct(new[] { 1.0 }, new[] { 1.0 }, new double[1]));
    }

    /// <summary>
    /// pts[^1] on a local array of tuples (var pts = new (double X, double W)[] { ... }; pts[^1].X) was SG0017 "this
    /// index of an array of tuples", although x[^1] on an array of doubles works. It now counts from the end.
    /// </summary>
    [Fact]
    public void ATupleArrayIndexedFromTheEnd()
    {
        var assembly = MlDraftTests.CompilesPreview("""
                [Differentiable(Hessian = true)]
                public static double Last(double[] x)
                {
                    var pts = new (double X, double W)[] { (x[0], 1), (x[1] * x[0], 2), (x[1], 4) };
                    return pts[^2].X * pts[^1].W + pts[^1].X * pts[^3].X;
                }
            """);
        double[] x = { 0.5, 3.0 };
        CheckSecondOrder(assembly, "Last", x, 4 * x[0] * x[1] + x[0] * x[1], new[] { 5 * x[1], 5 * x[0] }, new double[] { 0, 5, 5, 0 });
    }

    /// <summary>
    /// GradientCheck.CheckHessian of a float method's objective (Hessian = true on a float method), with its default
    /// options: it used double's step and tolerances and failed a correct Hessian by float rounding (relative errors of
    /// 1e-2), where GradientCheck.Check of the same objective picks float's. It now picks them the same way.
    /// </summary>
    [Fact]
    public void CheckHessianOfAFloatMethodUsesFloatTolerances()
    {
        var assembly = MlDraftTests.CompilesPreview("""
                [Differentiable(Hessian = true)]
                public static float Soft(float x, float y) => MathF.Exp(x * y) + x * x * y;
            """);
        var f = Objective(assembly, "Soft", Array.Empty<object>());
        Assert.True(f.RoundingUnit > DifferentiableFunction.DoubleRoundingUnit);
        foreach (var (x, y) in new[] { (0.655, 1.045), (1.116, 0.281), (0.3, -0.7) })
        {
            double e = Math.Exp(x * y);
            double[] expected = { y * y * e + 2 * y, e * (1 + x * y) + 2 * x, e * (1 + x * y) + 2 * x, x * x * e };
            var h = new double[4];
            f.Hessian(new[] { x, y }, h);
            for (int k = 0; k < 4; k++)
            {
                Assert.True(Math.Abs(h[k] - expected[k]) <= 1e-5 * (1 + Math.Abs(expected[k])), $"H[{k}] = {h[k]:R}, expected {expected[k]:R}");
            }

            var check = GradientCheck.CheckHessian(f, new[] { x, y });
            Assert.True(check.Passed, check.ToString());
        }
    }

    /// <summary>
    /// double.SinCosPi(a) (and float.SinCosPi, T.SinCosPi) was SG0015 'no derivative rule', while Math.SinCos was
    /// supported: it is now (SinPi(a), CosPi(a)), in first and second order.
    /// </summary>
    [Fact]
    public void SinCosPiIsATupleOfSinPiAndCosPi()
    {
        var assembly = MlDraftTests.CompilesPreview("""
                [Differentiable(Hessian = true)]
                public static double Wave(double[] p)
                {
                    (double s, double c) = double.SinCosPi(p[0]);
                    var (s2, c2) = Math.SinCos(p[1]);
                    return s * p[1] + c * c + s2 * c2;
                }

                [Differentiable(Hessian = true)]
                public static T Generic<T>(T a, T b) where T : System.Numerics.IFloatingPointIeee754<T>
                {
                    var (s, c) = T.SinCosPi(a * b);
                    return s * b + c;
                }
            """);
        double a = 0.3, b = 1.1, pi = Math.PI;
        double sa = Math.Sin(pi * a), ca = Math.Cos(pi * a);
        double value = sa * b + ca * ca + Math.Sin(b) * Math.Cos(b);
        double[] gradient = { pi * ca * b - 2 * pi * ca * sa, sa + Math.Cos(2 * b) };
        double[] hessian = { -pi * pi * sa * b - 2 * pi * pi * Math.Cos(2 * pi * a), pi * ca, pi * ca, -2 * Math.Sin(2 * b) };
        CheckSecondOrder(assembly, "Wave", new[] { a, b }, value, gradient, hessian);
        var f = Objective(assembly, "Generic", Array.Empty<object>());
        var g = new double[2];
        double z = pi * a * b;
        Assert.Equal(Math.Sin(z) * b + Math.Cos(z), f.ValueAndGradient(new[] { a, b }, g), 12);
        Assert.Equal(pi * b * (Math.Cos(z) * b - Math.Sin(z)), g[0], 12);
        var check = GradientCheck.CheckHessian(f, new[] { a, b }, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }

    /// <summary>
    /// A median as a first draft writes it (var s = (double[])x.Clone(); Array.Sort(s); return s[s.Length / 2];) is refused
    /// with SG0015 at the sort, which advised a [CustomDerivative] (custom derivatives take scalars, not arrays). It
    /// now advises OrderBy or the loop; the insertion sort it describes has the exact gradient and Hessian.
    /// </summary>
    [Theory]
    [InlineData("[|Array.Sort(s)|]")]
    [InlineData("[|s.AsSpan().Sort()|]")]
    public void SortingDifferentiatedValuesAdvisesTheLoop(string sort) => KnownBugs.Expect.Refused(
        "    [Differentiable] public static double Median(double[] x) { var s = (double[])x.Clone(); " + sort + "; return s[s.Length / 2]; }",
        "SG0015", "x.OrderBy(v => v).ToArray()", "sort a local copy with a loop (an insertion sort that compares and moves elements)");

    [Fact]
    public void TheAdvisedInsertionSortHasTheMedianGradient()
    {
        var assembly = MlDraftTests.CompilesPreview("""
                [Differentiable(Hessian = true)]
                public static double Median(double[] x)
                {
                    var s = x.ToArray();
                    for (int i = 1; i < s.Length; i++)
                    {
                        double key = s[i];
                        int j = i - 1;
                        while (j >= 0 && s[j] > key) { s[j + 1] = s[j]; j--; }
                        s[j + 1] = key;
                    }
                    return s[s.Length / 2] * s[0];
                }
            """);
        double[] x = { 0.9, -0.4, 2.5, 0.1, 1.7 };
        // sorted: -0.4, 0.1, 0.9, 1.7, 2.5: the median is x[0], the minimum x[1].
        var hessian = new double[25];
        hessian[1] = hessian[5] = 1;
        CheckSecondOrder(assembly, "Median", x, x[0] * x[1], new[] { x[1], x[0], 0, 0, 0 }, hessian);
    }

    /// <summary>
    /// A local array of structs (var pts = new Vec2[n], a first draft of particles or springs) is SG0006, whose message
    /// said 'An array of this element type' without naming it, and advised arrays of numbers only. It now names the
    /// struct and says how to keep it: arrays of its members, the struct built where it is used.
    /// </summary>
    /// <remarks>Since rt-adbench an array of a struct of numbers is supported (one array per member); one with a member that is not a number is still refused, naming the struct.</remarks>
    [Fact]
    public void AnArrayOfStructsNamesTheStruct() => KnownBugs.Expect.Refused("""
            public readonly record struct Tagged(double X, string Tag);

            [Differentiable] public static double Energy(double[] p)
            {
                var pts = [|new Tagged[p.Length]|];
                for (int i = 0; i < pts.Length; i++) pts[i] = new Tagged(p[i], "p");
                double e = 0;
                foreach (var q in pts) e += q.X * q.X;
                return e;
            }
        """, "SG0006", "An array of the struct 'Tagged'", "is not supported yet", "keep its members in arrays of numbers", "new Tagged(xs[i], ys[i])");

    /// <summary>The draft the test above used to refuse, an array of a record struct of numbers: f = Σ p², ∇f = 2p.</summary>
    [Fact]
    public void AnArrayOfARecordStructOfNumbers() => KnownBugs.Expect.Gradient("""
            public readonly record struct Vec2(double X, double Y);

            [Differentiable] public static double Energy(double[] p)
            {
                var pts = new Vec2[p.Length / 2];
                for (int i = 0; i < pts.Length; i++) pts[i] = new Vec2(p[2 * i], p[2 * i + 1]);
                double e = 0;
                foreach (var q in pts) e += q.X * q.X + q.Y * q.Y;
                return e;
            }
        """, "Energy", new[] { 0.5, -1.5, 2.0, 0.25 }, new[] { 1.0, -3.0, 4.0, 0.5 }, 4);

    /// <summary>
    /// An in parameter given a variable is that variable in C#, not a copy: a helper that writes the variable through a
    /// ref parameter or through an array, then reads its in parameter, reads the new value. The generator bound in
    /// parameters to a copy taken at the call, so Twice(ref s, in s) computed 3s instead of 4s, and the value and the
    /// gradient were silently wrong (the same for in h[0] with the array h written, and in p with ref p of a struct).
    /// An in or ref readonly argument that is a variable is now bound to that variable.
    /// </summary>
    [Fact]
    public void AnInParameterReadsTheVariableItIsGiven()
    {
        var assembly = MlDraftTests.CompilesPreview("""
                public struct Pt { public double X; public double Y; }

                static void Twice(ref double a, in double b) { a = 2 * a; a += b; }
                static double Overwrite(in double v, double[] arr) { arr[0] = 5 * arr[1]; return v * arr[0]; }
                static double Doubled(in Pt p, ref Pt q) { q.X *= 2; return p.X * p.Y; }

                [Differentiable(Hessian = true)]
                public static double Aliased(double x)
                {
                    double s = x;
                    Twice(ref s, in s);
                    return s * s;
                }

                [Differentiable(Hessian = true)]
                public static double ThroughArray(double[] x)
                {
                    var h = (double[])x.Clone();
                    return Overwrite(in h[0], h) * x[0];
                }

                [Differentiable(Hessian = true)]
                public static double ThroughStruct(double x, double y)
                {
                    var p = new Pt { X = x, Y = y };
                    return Doubled(in p, ref p) + p.X;
                }
            """);
        CheckSecondOrderWith(assembly, "Aliased", Array.Empty<object>(), new[] { 0.7 }, 16 * 0.49, new[] { 32 * 0.7 }, new[] { 32.0 });
        double[] x = { 0.6, -1.3, 2.0 };
        double[] hessian = { 0, 50 * x[1], 0, 50 * x[1], 50 * x[0], 0, 0, 0, 0 };
        CheckSecondOrder(assembly, "ThroughArray", x, 25 * x[1] * x[1] * x[0], new[] { 25 * x[1] * x[1], 50 * x[0] * x[1], 0 }, hessian);
        const double X = 1.5, Y = -0.25;
        CheckSecondOrderWith(assembly, "ThroughStruct", Array.Empty<object>(), new[] { X, Y }, 2 * X * Y + 2 * X, new[] { 2 * Y + 2, 2 * X }, new double[] { 0, 2, 2, 0 });
    }

    /// <summary>
    /// A ref local re-pointed in a loop (r = ref h[i], walking a chain) or a delegate local given another lambda in a
    /// loop (f = v => v * v * x[0] after the first call): a loop carried only values, so the next iteration still read
    /// the first place or called the first lambda, and the value and the gradient were silently wrong (19.0 where the
    /// method computes 7.7). Each is now SG0006 at the assignment that re-points it, naming the variable.
    /// </summary>
    [Theory]
    [InlineData(
        "double[] h = (double[])x.Clone(); ref double r = ref h[0]; for (int i = 1; i < h.Length; i++) { r += h[i] * r; [|r = ref h[i]|]; } return h[0] + h[1];",
        "A ref local re-pointed in a loop ('r', which the next iteration reads)")]
    [InlineData(
        "double a = 0, b = 0; ref double r = ref a; for (int i = 0; i < 3; i++) { r += x[i]; [|r = ref b|]; } return a * 10 + b;",
        "A ref local re-pointed in a loop ('r', which the next iteration reads)")]
    [InlineData(
        "Func<double, double> f = v => v; double s = 0; for (int i = 0; i < 3; i++) { s += f(x[i]); [|f = v => v * v * x[0]|]; } return s;",
        "A delegate local given another lambda in a loop ('f', which the next iteration calls)")]
    public void ReBindingARefOrADelegateInALoopIsRefused(string body, string says) =>
        KnownBugs.Expect.Refused("    [Differentiable] public static double F(double[] x) { " + body + " }", "SG0006", says);

    /// <summary>The rewrites the refusals advise: the element indexed in the loop, the lambdas chosen by if/else.</summary>
    [Fact]
    public void TheAdvisedRewritesOfReBindingHaveExactGradients()
    {
        var assembly = MlDraftTests.CompilesPreview("""
                [Differentiable(Hessian = true)]
                public static double Chain(double[] x)
                {
                    var h = x.ToArray();
                    for (int i = 1; i < h.Length; i++) h[i - 1] += h[i] * h[i - 1];
                    return h[0] + h[1];
                }

                [Differentiable(Hessian = true)]
                public static double Choose(double[] x)
                {
                    Func<double, double> first = v => v;
                    Func<double, double> later = v => v * v * x[0];
                    double s = 0;
                    for (int i = 0; i < 3; i++) s += i == 0 ? first(x[i]) : later(x[i]);
                    return s;
                }
            """);
        double[] x = { 0.5, 1.5, -2.0 };
        // Chain: h0 = x0 + x1 x0, h1 = x1 + x2 x1.
        CheckSecondOrder(assembly, "Chain", x, x[0] + x[1] * x[0] + x[1] + x[2] * x[1],
            new[] { 1 + x[1], x[0] + 1 + x[2], x[1] }, new double[] { 0, 1, 0, 1, 0, 1, 0, 1, 0 });
        // Choose: x0 + x0 x1² + x0 x2².
        CheckSecondOrder(assembly, "Choose", x, x[0] + x[0] * (x[1] * x[1] + x[2] * x[2]),
            new[] { 1 + x[1] * x[1] + x[2] * x[2], 2 * x[0] * x[1], 2 * x[0] * x[2] },
            new[] { 0, 2 * x[1], 2 * x[2], 2 * x[1], 2 * x[0], 0, 2 * x[2], 0, 2 * x[0] });
    }

    /// <summary>
    /// A lambda made by a helper, a lambda or a local function and called after its maker returned (a curried
    /// a => b => a * b, static Func&lt;double, double&gt; Scaler(double k) => v => k * v): the generator crashed on it, SG9999
    /// "'k' has no value here. This is a bug in the generator"; then it was SG0017. Since stop 37 the lambda keeps its
    /// maker's variables as they were when that one returned, as a C# closure does: f = x₀·x₁, ∂f = (x₁, x₀).
    /// </summary>
    [Theory]
    [InlineData("    static Func<double, double> Scaler(double k) => v => k * v;\n    [Differentiable] public static double F(double[] x) { var s = Scaler(x[0]); return s(x[1]); }")]
    [InlineData("    [Differentiable] public static double F(double[] x) { Func<double, Func<double, double>> mk = a => b => a * b; var m = mk(x[0]); return m(x[1]); }")]
    [InlineData("    [Differentiable] public static double F(double[] x) { Func<double, double> Make(double k) { return v => v * k; } var f = Make(x[0]); return f(x[1]); }")]
    public void AClosureThatOutlivesItsMakerKeepsItsVariables(string members) =>
        KnownBugs.Expect.Gradient(members, "F", new[] { 1.5, -2.0 }, new[] { -2.0, 1.5 }, 2);

    /// <summary>
    /// A ref local re-pointed on one path of a branch (ref double r = ref a; if (c) r = ref b; r *= k;): after the branch
    /// the generator bound r to neither place, so the write through it changed a plain value and reached neither a nor b,
    /// silently (a zero derivative where the method has k). It is now SG0006 at the re-pointing, as the conditional ref
    /// (c ? ref a : ref b) it stands for is.
    /// </summary>
    [Theory]
    [InlineData("double a = x[0], b = x[1]; ref double r = ref a; if (c) [|r = ref b|]; r *= x[2]; return a * 10 + b;")]
    [InlineData("var h = (double[])x.Clone(); ref double r = ref h[0]; if (x[1] > 0.5) [|r = ref h[1]|]; r += x[2] * x[3]; return h[0] * 10 + h[1];")]
    public void ARefRePointedOnOnePathIsRefused(string body) => KnownBugs.Expect.Refused(
        "    [Differentiable] public static double F(double[] x, [NoDerivative] bool c) { " + body + " }",
        "SG0006", "A ref local re-pointed on some paths only ('r', which the code after the branch may use)", "use an if/else that assigns each place");

    /// <summary>
    /// The same for a field of a struct passed to an in parameter of the struct's own method (a.AddFrom(in a.S), which
    /// adds v twice while v is S): the second addition read the old S, 3x instead of 4x. A [Trainable] field of a model
    /// class passed to an in parameter stays a value (the class's field is not a place the generator re-points).
    /// </summary>
    [Fact]
    public void AnInParameterReadsTheStructFieldItIsGiven()
    {
        var assembly = MlDraftTests.CompilesPreview("""
                public struct Acc { public double S; public void AddFrom(in double v) { S += v; S += v; } }

                [Differentiable(Hessian = true)]
                public static double Accumulated(double x)
                {
                    var a = new Acc { S = x };
                    a.AddFrom(in a.S);
                    return a.S * x;
                }
            """);
        CheckSecondOrderWith(assembly, "Accumulated", Array.Empty<object>(), new[] { 0.75 }, 4 * 0.75 * 0.75, new[] { 8 * 0.75 }, new[] { 8.0 });
        var model = Harness.Run("""
            using System;
            using SymbolicGrad;
            namespace Demo;
            public partial class M
            {
                [Trainable] public double B = 0.5;
                static double Twice(in double v) => 2 * v;
                [Differentiable] public double L(double x) => Twice(in B) * x;
            }
            """);
        Assert.True(model.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", model.GeneratorDiagnostics));
    }

    // ------------------------------------------------------------------ helpers

    internal static DifferentiableFunction Objective(Assembly assembly, string method, object[] dataArguments)
    {
        var objective = assembly.GetType("Demo.C")!.GetMethod(method + "Objective", BindingFlags.Public | BindingFlags.Static);
        Assert.True(objective is not null, $"no {method}Objective was generated");
        return (DifferentiableFunction)objective.Invoke(null, dataArguments)!;
    }

    /// <summary>
    /// The value, gradient and dense Hessian (row-major) of Demo.C.{method}Objective(xLength) against closed forms, a tight
    /// numeric gradient check, and the Hessian against differences of the gradient.
    /// </summary>
    internal static void CheckSecondOrder(Assembly assembly, string method, double[] point, double value, double[] gradient, double[] hessian) =>
        CheckSecondOrderWith(assembly, method, new object[] { point.Length }, point, value, gradient, hessian);

    internal static void CheckSecondOrderWith(Assembly assembly, string method, object[] dataArguments, double[] point, double value, double[] gradient, double[] hessian)
    {
        MlDraftTests.CheckWith(assembly, method, dataArguments, point, value, gradient);
        var f = Objective(assembly, method, dataArguments);
        Assert.True(f.HasHessian, method + "Objective has no Hessian");
        int n = point.Length;
        var h = new double[n * n];
        f.Hessian(point, h);
        for (int k = 0; k < n * n; k++)
        {
            Assert.True(Math.Abs(h[k] - hessian[k]) <= 1e-10 * (1 + Math.Abs(hessian[k])), $"{method}: H[{k / n}, {k % n}] is {h[k]:R}, expected {hessian[k]:R}");
        }

        var check = GradientCheck.CheckHessian(f, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }
}

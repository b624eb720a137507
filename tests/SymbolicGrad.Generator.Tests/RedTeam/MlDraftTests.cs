using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Bugs found by writing the first drafts of ML losses a C# developer writes (issue #11, red-team pass): each test
/// failed before its fix, and checks the value and the gradient against a closed form and numeric differences.
/// </summary>
public class MlDraftTests
{
    /// <summary>
    /// foreach (ref double v in span) v = ...: the write through the iteration variable was dropped, so the value and
    /// the gradient were those of the method without the loop. The variable is now the element itself.
    /// </summary>
    [Fact]
    public void RefForeachWritesTheElements()
    {
        const string Source = """
                [Differentiable] public static double Squares(double[] w)
                {
                    Span<double> h = stackalloc double[2];
                    h[0] = w[0]; h[1] = w[1];
                    foreach (ref double v in h) v = v * v;
                    return h[0] + h[1];
                }

                [Differentiable] public static double Scaled(double[] w)
                {
                    var h = new double[] { w[0], w[1], w[2] };
                    foreach (ref var v in h.AsSpan(1)) { v *= 3 * w[0]; }
                    double s = 0;
                    foreach (ref readonly double v in h.AsSpan()) s += v;
                    return s;
                }
            """;
        var assembly = CompilesPreview(Source);
        Check(assembly, "Squares", new[] { 0.5, 2.0 }, 4.25, 1.0, 4.0);
        const double A = 0.5, B = 2, C = -1;
        Check(assembly, "Scaled", new[] { A, B, C }, A + 3 * A * (B + C), 1 + 3 * (B + C), 3 * A, 3 * A);
    }

    /// <summary>A ref foreach that writes a parameter's elements is SG0018 at the write, as a direct write is.</summary>
    [Fact]
    public void RefForeachOverAParameterIsRefused()
    {
        var run = RunPreview(Harness.InClass("""
                [Differentiable] public static double F(double[] w)
                {
                    foreach (ref double v in w.AsSpan()) v *= 2;
                    return w[0];
                }
            """));
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0018", error.Id);
        Assert.Contains("'v *= 2' writes to the elements of the parameter 'w'", error.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A null-conditional assignment or call as a statement (h?[0] = v, C# 14; h?.CopyTo(g)) was SG0016 (first saying
    /// "an expression statement must assign, call or throw", then naming it); it now runs when h is not null, as C# does
    /// (red team rt-cs14).
    /// </summary>
    [Theory]
    [InlineData("h?[0] = w[0] * 2;", "h![0] * w[0]", 4.0, 1.0)]
    [InlineData("h[0] = w[0]; h?.CopyTo(g);", "g[0] * w[0]", 2.0, 1.0)]
    public void NullConditionalStatementsAreDifferentiated(string statement, string product, double dW0PerW0, double dW1)
    {
        var assembly = CompilesPreview("""
                [Differentiable] public static double F(double[] w)
                {
                    double[]? h = new double[2];
                    var g = new double[2];
                    STATEMENT
                    return w[1] + PRODUCT;
                }
            """.Replace("STATEMENT", statement).Replace("PRODUCT", product));
        double w0 = 1.5, w1 = 0.25;
        Check(assembly, "F", new[] { w0, w1 }, w1 + dW0PerW0 / 2 * w0 * w0, dW0PerW0 * w0, dW1);
    }

    /// <summary>An array of delegates (a list of activation functions) is SG0006 at its creation, advising a switch, not "arrays of numbers".</summary>
    [Fact]
    public void AnArrayOfDelegatesAdvisesASwitch() => KnownBugs.Expect.Refused(
        """
            [Differentiable] public static double F(double x)
            {
                var fs = [|new Func<double, double>[] { Math.Sin, v => v * v }|];
                double s = 0;
                foreach (var f in fs) s += f(x);
                return s;
            }
        """,
        "SG0006", "An array of the delegates 'Func<double, double>'", "switch on the index");

    /// <summary>A write into a model's [Trainable] array is SG0018 naming the member, not "the parameter 'this.W'".</summary>
    [Fact]
    public void AWriteIntoATrainableArrayNamesTheMember()
    {
        var run = Harness.Run(Harness.Usings + """
            namespace Demo;
            public partial class Model
            {
                [Trainable] public double[] W = new double[2];
                [Differentiable] public double Loss([NoDerivative] double x) { W[0] = x; return W[0] * W[1]; }
            }
            """);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0018", error.Id);
        Assert.Contains("writes to the elements of the [Trainable] member 'W'", error.GetMessage(), StringComparison.Ordinal);
        Assert.DoesNotContain("parameter 'this.", error.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Sorting a model's [Trainable] array in place (Array.Sort(W), W.AsSpan().Sort(), a range of it, or as the items of
    /// keys) is SG0018 naming the member, as on a parameter. It was accepted, and the gradient was taken with respect to
    /// the sorted positions: dW = (1, 2, 3) where it is (3, 1, 2) for W = (3, 1, 2) (stop-31 red-team pass).
    /// </summary>
    [Theory]
    [InlineData("Array.Sort(W);")]
    [InlineData("W.AsSpan().Sort();")]
    [InlineData("Array.Sort(W, 0, 2);")]
    [InlineData("Array.Sort(new[] { 3.0, 1.0, 2.0 }, W);")]
    public void SortingATrainableArrayInPlaceIsRefused(string sort)
    {
        var run = Harness.Run(Harness.Usings + """
            namespace Demo;
            public partial class Model
            {
                [Trainable] public double[] W = new double[3];
                [Differentiable] public double Loss() { SORT return W[0] + 2 * W[1] + 3 * W[2]; }
            }
            """.Replace("SORT", sort, StringComparison.Ordinal));
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0018", error.Id);
        Assert.Contains("writes to the elements of the [Trainable] member 'W'", error.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A model's own [Trainable] array passed as its gradient output (model.LossGradient(x, y, model.W, ...), the
    /// buffer a first draft has at hand): no check caught it, the output was cleared before the forward sweep read W,
    /// and the value and gradient were those of W = 0, silently (0.25 instead of 0). A matrix member was already
    /// checked; a vector member now throws ArgumentException naming both, as an input array does.
    /// </summary>
    [Fact]
    public void ATrainableArrayIsNotItsOwnGradientOutput()
    {
        var run = Harness.Run(Harness.Usings + """
            namespace Demo;
            public partial class Lin
            {
                [Trainable] public double[] W = { 0.1, 0.2 };
                [Trainable] public double B;
                [Differentiable] public double Loss([NoDerivative] double[] x, [NoDerivative] double y) => Math.Pow(W[0] * x[0] + W[1] * x[1] + B - y, 2);
                public double Call(double[] x, double y, double[] dW) => LossGradient(x, y, dW, out _);
            }
            """);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", run.GeneratorDiagnostics));
        var type = run.Load().GetType("Demo.Lin")!;
        dynamic model = Activator.CreateInstance(type)!;
        var gradient = type.GetMethod("Call")!;
        var x = new[] { 1.0, 2 };
        var dW = new double[2];
        double value = (double)gradient.Invoke(model, new object?[] { x, 0.25, dW })!;
        Assert.Equal(0.0625, value, 12);
        Assert.Equal(new[] { 0.5, 1.0 }, dW.Select(v => Math.Round(v, 12)));
        var thrown = Assert.Throws<TargetInvocationException>(() => gradient.Invoke(model, new object?[] { x, 0.25, (double[])model.W }));
        var error = Assert.IsType<ArgumentException>(thrown.InnerException);
        Assert.Equal("dW", error.ParamName);
        Assert.StartsWith("dW overlaps this.W", error.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { 0.1, 0.2 }, (double[])model.W);
    }

    private const string Model = """
        using System;
        using SymbolicGrad;
        namespace Demo;
        public partial class Net
        {
            [Trainable] public double[] W = new double[2];
            [Trainable] public double B { get; set; }
            public double Norm => W[0] * W[0] + W[1] * W[1];
            public double Gain = 2;

            double Predict(double x) => W[0] * x + B;

            static double Reg(Net m) => m.W[0] * m.W[0] + m.B * m.B + m.Norm * m.Gain;

            [Differentiable]
            public double Regularized([NoDerivative] double x, [NoDerivative] double y)
            {
                double r = Predict(x) - y;
                var self = this;
                return r * r + 0.5 * Reg(this) + self.W[1] * ((Net)this).B;
            }
        }
        """;

    /// <summary>
    /// this passed to a helper (Reg(this) reading m.W, m.B, m.Norm) or held in a local (var self = this): the helper's
    /// reads of the [Trainable] members were data, constants, so their part of the gradient was missing, silently.
    /// They are now the differentiated members, as this.W is.
    /// </summary>
    [Fact]
    public void ThisPassedToAHelperIsTheModel()
    {
        var run = Harness.Run(Model);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, "the compilation reported:\n" + string.Join("\n", run.CompilationProblems));
        var type = run.Load().GetType("Demo.Net")!;
        var model = Activator.CreateInstance(type)!;
        const double X = 1.5, Y = 0.25, W0 = 0.3, W1 = -0.2, B = 0.5;
        var f = (DifferentiableFunction)type.GetMethod("RegularizedObjective")!.Invoke(model, new object[] { X, Y })!;
        double r = W0 * X + B - Y;
        double value = r * r + 0.5 * (W0 * W0 + B * B + 2 * (W0 * W0 + W1 * W1)) + W1 * B;
        var expected = new[] { 2 * r * X + 3 * W0, 2 * W1 + B, 2 * r + B + W1 };
        var point = new[] { W0, W1, B };
        var g = new double[3];
        Assert.Equal(value, f.ValueAndGradient(point, g), 12);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(Math.Abs(g[i] - expected[i]) <= 1e-12, $"component {i} ({f.ParameterNames[i]}) is {g[i]:R}, expected {expected[i]:R}");
        }

        var check = GradientCheck.Check(f, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }

    /// <summary>
    /// A variable that is this on one path and another model on the other (var m = useThis ? this : other): a read of
    /// the model's members through it is SG0006 at the read (it was read as data: no gradient where it was this).
    /// </summary>
    [Theory]
    [InlineData("m.W[0] * B", "m.W", "Reading 'W' of the model through 'm'")]
    [InlineData("m.Norm * B", "m.Norm", "Reading 'Norm' of the model through 'm'")]
    [InlineData("m.Predict(2.0)", "m.Predict(2.0)", "Reading 'Predict' of the model through 'm'")]
    public void AVariableThatMayBeThisIsRefused(string expression, string node, string says)
    {
        string source = Model.Replace("[Differentiable]", """
            [Differentiable]
            public double Mixed([NoDerivative] Net other, [NoDerivative] bool useThis)
            {
                Net m;
                if (useThis) m = this; else m = other;
                return EXPR;
            }

            [Differentiable]
            """.Replace("EXPR", expression), StringComparison.Ordinal);
        var run = Harness.Run(source);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0006", error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Equal(node, source.Substring(error.Location.SourceSpan.Start, error.Location.SourceSpan.Length));
        Assert.Contains(says + ", which holds this on one path and another object on another", error.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// LINQ's First, Last and ElementAt are supported, but not with a condition or after Where: the refusal
    /// said "Enumerable.First is not supported yet ...; use ... First, Last, ElementAt or ToArray (after
    /// Select/Where/...)", advice that contradicted itself. It now names what is refused and gives the loop.
    /// </summary>
    [Theory]
    [InlineData("[|w.First(v => v < 0)|]", "Enumerable.First with a condition is not supported yet", "foreach (var v in w) if (cond) { found = v; any = true; break; }")]
    [InlineData("[|w.Where(v => v > 0).Last()|]", "Enumerable.Last after Where is not supported yet", "Last without a condition, also after Select, Zip, Skip or Take, is supported")]
    [InlineData("[|w.Where(v => v > 0).DefaultIfEmpty(0)|].Sum()", "Enumerable.DefaultIfEmpty after Where", "First, Last or ElementAt (also after Select, Zip, Skip, Take), ToArray (also after Where)")]
    public void LinqRefusalsSayWhatIsRefused(string expression, string what, string advice) => Refused(
        "using System.Linq;\n" + Harness.InClass("    [Differentiable] public static double F(double[] w) => 2 * " + expression + ";"), "SG0006", what, advice);

    /// <summary>
    /// A model whose [Trainable] array is still null when its objective is made (declared [Trainable] double[] W;, to
    /// be created later): making the objective threw NullReferenceException from the generated code. It now throws
    /// InvalidOperationException naming the member, for a vector, a double[,] and a jagged matrix.
    /// </summary>
    [Theory]
    [InlineData("double[]", "W")]
    [InlineData("double[,]", "M")]
    [InlineData("double[][]", "J")]
    public void ANullTrainableArrayIsNamedWhenTheObjectiveIsMade(string type, string name)
    {
        string source = """
            using System;
            using SymbolicGrad;
            namespace Demo;
            public partial class Lazy
            {
                [Trainable] public double[] W = new double[2];
                [Trainable] public double[,] M = new double[1, 1];
                [Trainable] public double[][] J = { new double[1] };
                [Differentiable] public double Loss([NoDerivative] double x) => W[0] * x + M[0, 0] * J[0][0];
            }
            """.Replace("public " + type + " " + name + " = ", "public " + type + " " + name + " = null!; // ", StringComparison.Ordinal);
        var run = Harness.Run(source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, "the compilation reported:\n" + string.Join("\n", run.CompilationProblems));
        var type0 = run.Load().GetType("Demo.Lazy")!;
        var model = Activator.CreateInstance(type0)!;
        var thrown = Assert.Throws<TargetInvocationException>(() => type0.GetMethod("LossObjective")!.Invoke(model, new object[] { 2.0 }));
        var error = Assert.IsType<InvalidOperationException>(thrown.InnerException);
        Assert.StartsWith("The model's " + name + " is null: a [Trainable] array or matrix must be created", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A loss that reads another model of its own type as data (a target network: Td(Q target) reading target.W
    /// through target.Value(x)), called with this model as the target: the reads through target were constants
    /// though they were the differentiated members, so the gradient missed their part, silently. The gradient now
    /// throws InvalidOperationException naming the parameter; with another model it is exact.
    /// </summary>
    [Fact]
    public void TheModelReadAsDataMustNotBeThisModel()
    {
        const string Source = """
            using System;
            using SymbolicGrad;
            namespace Demo;
            public partial class Q
            {
                [Trainable] public double[] W = new double[2];
                [Trainable] public double B { get; set; }
                public double Gamma = 0.5;
                double Value(double x) => W[0] * x + W[1] + B;

                [Differentiable]
                public double Td([NoDerivative] Q target, [NoDerivative] double x, [NoDerivative] double r)
                {
                    double d = Value(x) - (r + Gamma * target.Value(x));
                    return d * d + (target.B - B) * (target.B - B);
                }
            }
            """;
        var run = Harness.Run(Source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, "the compilation reported:\n" + string.Join("\n", run.CompilationProblems));
        var type = run.Load().GetType("Demo.Q")!;
        dynamic model = Activator.CreateInstance(type)!;
        dynamic target = Activator.CreateInstance(type)!;
        target.W = new[] { 0.4, -0.1 };
        target.B = 0.3;
        const double X = 2, R = 1, W0 = 0.5, W1 = -0.2, B = 0.1;
        var point = new[] { W0, W1, B };
        var f = (DifferentiableFunction)type.GetMethod("TdObjective")!.Invoke(model, new object[] { target, X, R });
        double d = W0 * X + W1 + B - (R + 0.5 * (0.4 * X - 0.1 + 0.3));
        var g = new double[3];
        Assert.Equal(d * d + (0.3 - B) * (0.3 - B), f.ValueAndGradient(point, g), 12);
        var expected = new[] { 2 * d * X, 2 * d, 2 * d - 2 * (0.3 - B) };
        for (int i = 0; i < 3; i++)
        {
            Assert.True(Math.Abs(g[i] - expected[i]) <= 1e-12, $"component {i} is {g[i]:R}, expected {expected[i]:R}");
        }


        var self = (DifferentiableFunction)type.GetMethod("TdObjective")!.Invoke(model, new object[] { model, X, R });
        var error = Assert.Throws<InvalidOperationException>(() => self.ValueAndGradient(point, g));
        Assert.StartsWith("The model read as data through 'target' is this model: its [Trainable] members (W) are differentiated", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A model objective given one of the model's own [Trainable] arrays as data (a penalty toward w0 made with
    /// LossObjective(model.W) instead of a copy): the objective writes each point into W, so w0 moved with the point
    /// while its derivative was taken as zero (here the gradient of W·w0 was W, not 2W). Making such an objective now
    /// throws ArgumentException naming both.
    /// </summary>
    [Fact]
    public void ADataArrayThatIsATrainableArrayIsRefused()
    {
        const string Source = """
            using System;
            using SymbolicGrad;
            namespace Demo;
            public partial class Pen
            {
                [Trainable] public double[] W = { 1.0, 2.0 };
                [Differentiable]
                public double Loss([NoDerivative] double[] w0)
                {
                    double s = 0;
                    for (int j = 0; j < W.Length; j++) s += W[j] * w0[j];
                    return s;
                }
            }
            """;
        var run = Harness.Run(Source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, "the compilation reported:\n" + string.Join("\n", run.CompilationProblems));
        var type = run.Load().GetType("Demo.Pen")!;
        var model = Activator.CreateInstance(type)!;
        var w = (double[])type.GetField("W")!.GetValue(model)!;
        var make = type.GetMethod("LossObjective")!;
        var f = (DifferentiableFunction)make.Invoke(model, new object[] { w.ToArray() })!;
        var g = new double[2];
        Assert.Equal(1.0 * 0.5 + 2.0 * -1, f.ValueAndGradient(new[] { 0.5, -1 }, g), 12);
        Assert.Equal(new[] { 1.0, 2.0 }, g);
        var thrown = Assert.Throws<TargetInvocationException>(() => make.Invoke(model, new object[] { w }));
        var error = Assert.IsType<ArgumentException>(thrown.InnerException);
        Assert.Equal("w0", error.ParamName);
        Assert.StartsWith("w0 is the model's [Trainable] W: the objective writes each point into W", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A double[,] variable that holds a matrix the method computes on one path and a data matrix on the other (a
    /// hand model's transforms: the root's local matrix or the product with its parent, a data pose): its Jacobian
    /// (vector-valued method) and its Hessian were SG0006 'an array chosen between data and a differentiated array',
    /// reported at the method's name, though the gradient was supported. The data side now gets a zero derivative
    /// matrix of its shape, as a vector already did.
    /// </summary>
    [Theory]
    [InlineData(0.6)]
    [InlineData(-0.6)]
    public void AMatrixChosenBetweenDataAndComputedValues(double b)
    {
        const string Members = """
                [Differentiable]
                public static void Pose(double[] theta, [NoDerivative] double[,] d, Span<double> err)
                {
                    var m = new double[2, 2];
                    m[0, 0] = theta[0];
                    var g = theta[1] > 0 ? m : d;
                    err[0] = g[0, 0];
                    err[1] = theta[1];
                }

                [Differentiable(Hessian = true)]
                public static double Chain(double[] theta, [NoDerivative] double[,] d)
                {
                    var m = new double[2, 2];
                    m[0, 0] = theta[0] * theta[0];
                    m[1, 0] = theta[0] * theta[1];
                    double[,] g;
                    if (theta[1] > 0) g = m; else g = d;
                    return g[0, 0] * g[1, 0] + theta[1] * theta[1] * theta[0];
                }
            """;
        var assembly = KnownBugs.Expect.Compiles(Harness.InClass(Members));
        var c = assembly.GetType("Demo.C")!;
        var d = new double[,] { { 5, 6 }, { 7, 8 } };
        const double A = 0.3;
        var point = new[] { A, b };

        var residuals = (LeastSquaresFunction)c.GetMethod("PoseLeastSquares")!.Invoke(null, new object[] { 2, d, 2 })!;
        var r = new double[2];
        var jacobian = new double[4];
        residuals.Jacobian(point, r, jacobian);
        Assert.Equal(new[] { b > 0 ? A : 5, b }, r);
        Assert.Equal(new[] { b > 0 ? 1.0 : 0, 0, 0, 1 }, jacobian);

        double value = b > 0 ? A * A * A * b + b * b * A : 5 * 7 + b * b * A;
        var gradient = b > 0 ? new[] { 3 * A * A * b + b * b, A * A * A + 2 * A * b } : new[] { b * b, 2 * A * b };
        CheckWith(assembly, "Chain", new object[] { 2, d }, point, value, gradient);
        var f = (DifferentiableFunction)c.GetMethod("ChainObjective")!.Invoke(null, new object[] { 2, d })!;
        var h = new double[4];
        f.Hessian(point, h);
        var expected = b > 0 ? new[] { 6 * A * b, 3 * A * A + 2 * b, 3 * A * A + 2 * b, 2 * A } : new[] { 0, 2 * b, 2 * b, 2 * A };
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(h[i] - expected[i]) <= 1e-12, $"H[{i}] is {h[i]:R}, expected {expected[i]:R}");
        }
    }

    /// <summary>
    /// A helper class with a private static readonly constant (static class Act { private static readonly double
    /// Alpha = 0.01; public static double Leaky(double z) => z > 0 ? z : Alpha * z; }): SG0017 'a private member of
    /// Act, which the generated code cannot read'. Initialized with a constant in a type without a static constructor,
    /// it can only hold that value: it is now read as the constant. With a static constructor it stays SG0017.
    /// </summary>
    [Fact]
    public void APrivateStaticReadonlyConstantOfAHelperClass()
    {
        const string Act = """
                static class Act
                {
                    private static readonly double Alpha = 0.01;
                    private static readonly int Count = 2;
                    private static readonly double Third = 1.0 / 3;
                    public static double Leaky(double z) => z > 0 ? z : Alpha * z;
                    public static double Head(double[] w) { double s = 0; for (int i = 0; i < Count; i++) s += Third * w[i]; return s; }
                }

            """;
        KnownBugs.Expect.Gradient(Act + "    [Differentiable] public static double F(double[] w) => Act.Leaky(w[0]) + Act.Leaky(w[1]) + Act.Head(w) * w[2];",
            "F", new[] { 0.5, -0.5, 2.0 }, new[] { 1 + 2.0 / 3, 0.01 + 2.0 / 3, 0 }, 3);
        KnownBugs.Expect.Refused(Act.Replace("static class Act\n    {", "static class Act\n    {\n        static Act() { }", StringComparison.Ordinal).Replace("Alpha * z", "[|Alpha|] * z", StringComparison.Ordinal)
            + "    [Differentiable] public static double F(double[] w) => Act.Leaky(w[0]);", "SG0017", "a private member of 'Act'");
    }

    /// <summary>The inputs of <see cref="LinqMaxAndMinAreEnumerables"/>: the two orders of ±0 are distinct cases (InlineData compares them equal).</summary>
    public static TheoryData<double[]> MaxAndMinCases() => new()
    {
        new[] { 1.0, double.NaN, 3.0 },
        new[] { double.NaN, 2.0 },
        new[] { double.NaN, double.NaN },
        new[] { -0.0, 0.0 },
        new[] { 0.0, -0.0 },
        new[] { 0.5, -1.5, 2.5 },
    };

    /// <summary>
    /// LINQ's Max and Min of reals were lowered to Math.Max and Math.Min, which differ from Enumerable's: .NET's Max
    /// skips a NaN (NaN is below every number: [1, NaN, 3].Max() is 3) while Math.Max returns NaN, and at a tie of zeros
    /// Enumerable keeps the first element ([-0.0, 0.0].Max() is -0) while Math.Max prefers +0. The gradient method
    /// returned NaN where the method returned 3. It now returns the method's value, bit for bit, and the derivative
    /// of the element Enumerable picks.
    /// </summary>
    [Theory]
    [MemberData(nameof(MaxAndMinCases))]
    public void LinqMaxAndMinAreEnumerables(double[] w)
    {
        var assembly = CompilesPreview("""
                [Differentiable] public static double Max(double[] w) => w.Max();
                [Differentiable] public static double Min(double[] w) => w.Min();
                [Differentiable] public static double MaxOf(double[] w) => w.Max(v => 2 * v);
                [Differentiable] public static double MinOf(double[] w) => w.Select(v => 2 * v).Min();
            """);
        var c = assembly.GetType("Demo.C")!;
        foreach (var (name, scale) in new[] { ("Max", 1.0), ("Min", 1.0), ("MaxOf", 2.0), ("MinOf", 2.0) })
        {
            double original = (double)c.GetMethod(name)!.Invoke(null, new object[] { w })!;
            var g = new double[w.Length];
            var objective = (DifferentiableFunction)c.GetMethod(name + "Objective")!.Invoke(null, new object[] { w.Length })!;
            double value = objective.ValueAndGradient(w, g);
            Assert.True(BitConverter.DoubleToInt64Bits(original) == BitConverter.DoubleToInt64Bits(value), $"{name}: the method returned {original:R}, its gradient {value:R}");
            if (double.IsNaN(original))
            {
                continue;
            }

            // The derivative is that of the element Enumerable picks: the first one equal to the result.
            int picked = Array.FindIndex(w, v => BitConverter.DoubleToInt64Bits(scale * v) == BitConverter.DoubleToInt64Bits(original));
            for (int i = 0; i < w.Length; i++)
            {
                Assert.True(g[i] == (i == picked ? scale : 0), $"{name}: component {i} is {g[i]:R}, expected {(i == picked ? scale : 0)}");
            }
        }
    }

    /// <summary>
    /// Enumerable.Average of floats sums in double and divides in double, then rounds to float once; the gradient
    /// method rounded the sum to float first and divided in float, so its value differed from the method's in the
    /// last bit (574.9051 for 574.905). It is now the method's, bit for bit; the gradient is 1/n for each element.
    /// </summary>
    [Fact]
    public void FloatAverageIsTheMethodsBitForBit()
    {
        var assembly = CompilesPreview("""
                [Differentiable] public static float Mean(float[] w) => w.Average();
                [Differentiable] public static float MeanOf(float[] w) => w.Average(v => 1.1f * v);
                public static float MeanG(float[] w, float[] g) => MeanGradient(w, g);
                public static float MeanOfG(float[] w, float[] g) => MeanOfGradient(w, g);
            """);
        var c = assembly.GetType("Demo.C")!;
        var random = new Random(3);
        for (int trial = 0; trial < 40; trial++)
        {
            var w = Enumerable.Range(0, 1 + random.Next(40)).Select(_ => (float)(random.NextDouble() * 1000 - 3)).ToArray();
            foreach (var (name, scale) in new[] { ("Mean", 1f), ("MeanOf", 1.1f) })
            {
                var arguments = new object?[] { w, new float[w.Length] };
                float original = (float)c.GetMethod(name)!.Invoke(null, new object[] { w })!;
                float value = (float)c.GetMethod(name + "G")!.Invoke(null, arguments)!;
                Assert.True(BitConverter.SingleToInt32Bits(original) == BitConverter.SingleToInt32Bits(value), $"{name} of {w.Length}: the method returned {original:R}, its gradient {value:R}");
                Assert.All((float[])arguments[1]!, g => Assert.Equal(scale / w.Length, g, 1e-6f));
            }
        }
    }

    /// <summary>
    /// .NET's newer LINQ in a first draft: w.Zip(x, y) of three sequences was SG0014 "'y' is a delegate whose code is
    /// not known" (y is an array: the three-sequence overload was read as Zip with a result selector), and
    /// foreach (var (i, v) in w.Index()) was SG0006. Both are now lowered to loops, with first and second derivatives.
    /// </summary>
    [Fact]
    public void ThreeWayZipAndIndex()
    {
        var assembly = CompilesPreview("""
                [Differentiable(Hessian = true)]
                public static double Zip3(double[] w, [NoDerivative] double[] x, [NoDerivative] double[] y)
                {
                    double s = 0;
                    foreach (var (a, b, c) in w.Zip(x, y)) s += a * a * b - c * a;
                    return s + w.Zip(x, y).Sum(t => t.First * t.Third);
                }

                [Differentiable(Hessian = true)]
                public static double Indexed(double[] w, [NoDerivative] double[] x)
                {
                    double s = 0;
                    foreach (var (i, v) in w.Index()) s += v * v * x[i] * (i + 1);
                    return s + w.Index().Sum(p => p.Index * p.Item);
                }
            """);
        double[] w = { 0.3, -0.7, 0.5, 1.1 }, x = { 1.0, 2, 3, 4 }, y = { 1.0, 0, 2 };
        double zip = 0, index = 0;
        var dZip = new double[4];
        var dIndex = new double[4];
        for (int i = 0; i < 4; i++)
        {
            if (i < 3)
            {
                zip += w[i] * w[i] * x[i] - y[i] * w[i] + w[i] * y[i];
                dZip[i] = 2 * w[i] * x[i];
            }

            index += w[i] * w[i] * x[i] * (i + 1) + i * w[i];
            dIndex[i] = 2 * w[i] * x[i] * (i + 1) + i;
        }

        CheckWith(assembly, "Zip3", new object[] { 4, x, y }, w, zip, dZip);
        CheckWith(assembly, "Indexed", new object[] { 4, x }, w, index, dIndex);
        var f = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod("IndexedObjective")!.Invoke(null, new object[] { 4, x })!;
        var h = new double[16];
        f.Hessian(w, h);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(2 * x[i] * (i + 1), h[i * 5], 12);
        }
    }

    /// <summary>
    /// A tuple created with new: (double a, double b) t = new(); (SG9999, the generator crashed: InvalidCastException,
    /// a TupleValue cast to a StructValue), new ValueTuple&lt;double, double&gt;(x, y) and (double, double) u = new(x, y).
    /// They are the tuples (0, 0) and (x, y); so is ValueTuple.Create(x, y) (SG0015 'a method of the base class library').
    /// </summary>
    [Fact]
    public void ATupleCreatedWithNew()
    {
        var assembly = CompilesPreview("""
                [Differentiable(Hessian = true)]
                public static double Ctor(double[] w)
                {
                    var t = new ValueTuple<double, double>(w[0] * w[1], w[2]);
                    (double, double) u = new(w[1], 2.0);
                    var (a, b) = ValueTuple.Create(w[1], 3.0);
                    return t.Item1 * t.Item2 + u.Item1 * u.Item2 * w[0] + ValueTuple.Create(a * b * w[0], 1.0).Item1;
                }

                [Differentiable(Hessian = true)]
                public static double Zero(double[] w)
                {
                    (double a, double b) t = new();
                    double s = t.a + t.b;
                    t = (w[0] * w[0], w[2] * w[2]);
                    return t.a * t.b + s;
                }
            """);
        double[] w = { 0.3, -0.7, 0.5 };
        Check(assembly, "Ctor", w, w[0] * w[1] * w[2] + 5 * w[0] * w[1], w[1] * w[2] + 5 * w[1], w[0] * w[2] + 5 * w[0], w[0] * w[1]);
        Check(assembly, "Zero", w, w[0] * w[0] * w[2] * w[2], 2 * w[0] * w[2] * w[2], 0, 2 * w[2] * w[0] * w[0]);
    }

    /// <summary>
    /// A model whose layers are objects without [Trainable] members (Dense[] Layers, a first draft's class per layer):
    /// SG0022 advised only parameters and [NoDerivative]; for an instance method of a class it now names [Trainable].
    /// An init-only [Trainable] property was 'has no setter' (it has an init accessor); it now says so.
    /// </summary>
    [Fact]
    public void ModelMessagesNameTrainable()
    {
        var run = Harness.Run(Harness.Usings + """
            namespace Demo;
            public class Dense { public double[] W = new double[2]; }
            public partial class Net
            {
                public Dense[] Layers = { new Dense() };
                [Differentiable] public double Loss([NoDerivative] double[] x) { double s = 0; foreach (var l in Layers) s += l.W[0] * x[0]; return s; }
            }
            public partial class Lin
            {
                [Trainable] public double B { get; init; }
                [Differentiable] public double Loss([NoDerivative] double x) => B * x;
            }
            """);
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "SG0022", "SG0032" }, errors.Select(e => e.Id));
        Assert.Contains("or mark the model's weights [Trainable]", errors[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("'B' is marked [Trainable] but has only an init accessor", errors[1].GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A spread in a collection expression, double[] hx = [.. h, .. x] (an LSTM's hidden state and input side by side,
    /// C# 12's way to concatenate): SG0006 'copy the elements with a loop'. Arrays and spans of the same element type
    /// are now copied in order into a new array (and a query, see SpreadOfAQueryTests and WhereToArrayTests).
    /// </summary>
    [Fact]
    public void ASpreadConcatenatesArrays()
    {
        var assembly = CompilesPreview("""
                [Differentiable(Hessian = true)]
                public static double Concat(double[] h, [NoDerivative] double[] x)
                {
                    double[] hx = [.. h, 2.0, .. x, .. h.AsSpan(1)];
                    double s = 0;
                    for (int i = 0; i < hx.Length; i++) s += hx[i] * hx[i] * (i + 1);
                    return s;
                }
            """);
        double[] h = { 0.3, -0.7 }, x = { 1.5 };
        // hx = (h0, h1, 2, x0, h1): weights 1, 2, 3, 4, 5.
        double value = h[0] * h[0] + 2 * h[1] * h[1] + 3 * 4 + 4 * x[0] * x[0] + 5 * h[1] * h[1];
        CheckWith(assembly, "Concat", new object[] { 2, x }, h, value, 2 * h[0], 14 * h[1]);
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>The generator and the compilation in the newest C# (a foreach by ref over a span needs C# 13 against net10's Span).</summary>
    internal static GeneratorRun RunPreview(string source)
    {
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var compilation = Harness.Compilation().AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, options, path: "File0.cs"));
        return Harness.Run(compilation, CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: options));
    }

    internal static Assembly CompilesPreview(string members)
    {
        var run = RunPreview("using System.Linq;\n" + Harness.InClass(members));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, "the compilation reported:\n" + string.Join("\n", run.CompilationProblems));
        return run.Load();
    }

    /// <summary>Exactly one SG diagnostic, the error <paramref name="id"/> at the node marked [| |] in a whole source, whose message contains each of <paramref name="says"/>.</summary>
    internal static void Refused(string marked, string id, params string[] says)
    {
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        var run = Harness.Run(marked.Replace("[|", string.Empty, StringComparison.Ordinal).Replace("|]", string.Empty, StringComparison.Ordinal));
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal(id, error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Equal((start, end), (error.Location.SourceSpan.Start, error.Location.SourceSpan.End));
        foreach (var s in says)
        {
            Assert.Contains(s, error.GetMessage(), StringComparison.Ordinal);
        }
    }

    /// <summary>The value and gradient of Demo.C.{method}Objective(dataArguments) against closed forms, and a tight numeric check.</summary>
    internal static void Check(Assembly assembly, string method, double[] point, double value, params double[] gradient) =>
        CheckWith(assembly, method, new object[] { point.Length }, point, value, gradient);

    internal static void CheckWith(Assembly assembly, string method, object[] dataArguments, double[] point, double value, params double[] gradient)
    {
        var objective = assembly.GetType("Demo.C")!.GetMethod(method + "Objective", BindingFlags.Public | BindingFlags.Static);
        Assert.True(objective is not null, $"no {method}Objective was generated");
        var f = (DifferentiableFunction)objective.Invoke(null, dataArguments)!;
        var g = new double[f.Dimension];
        double v = f.ValueAndGradient(point, g);
        Assert.True(Math.Abs(v - value) <= 1e-12 * (1 + Math.Abs(value)), $"{method}: value {v:R}, expected {value:R}");
        Assert.Equal(gradient.Length, g.Length);
        for (int i = 0; i < g.Length; i++)
        {
            Assert.True(Math.Abs(g[i] - gradient[i]) <= 1e-10 * (1 + Math.Abs(gradient[i])), $"{method}: component {i} ({f.ParameterNames[i]}) is {g[i]:R}, expected {gradient[i]:R}");
        }

        var check = GradientCheck.Check(f, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
    }
}

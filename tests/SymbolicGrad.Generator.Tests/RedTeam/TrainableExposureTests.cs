using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A model's [Trainable] members reaching code the generator runs as written (red-team L, stop 35). The members were
/// printed as this.W there, which carries no derivative, and no check saw them, so their derivative through that code
/// was dropped with no diagnostic. The most natural case was a layer object built from the model's weights inside the
/// loss (new Dense(W1, B1, 3)): an all-zero gradient, and training did nothing. Others were a copy of the model, a
/// recursive helper that reads the members through this or the model passed in, reflection on this, and a
/// [CustomDerivative] method that reads the members. The same code with parameters was refused already. Each is now
/// refused at the construct. Code that uses only the model's data (a seeded Random for dropout, a data field, a custom
/// derivative of the model that reads no [Trainable] member) still compiles, with exact gradients.
/// </summary>
public class TrainableExposureTests
{
    private const string Usings = """
        namespace Demo;
        using SymbolicGrad;
        using System;
        using System.Collections.Generic;

        """;

    private static void RefusedAt(string source, string id, string node)
    {
        string text = Usings + source;
        var run = Harness.Run(text);
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && errors[0].Id == id, $"expected one {id} at '{node}', got:\n" + string.Join("\n", run.GeneratorDiagnostics));
        int at = text.LastIndexOf(node, StringComparison.Ordinal);
        Assert.Equal((at, node.Length), (errors[0].Location.SourceSpan.Start, errors[0].Location.SourceSpan.Length));
    }

    [Fact]
    public void ALayerObjectBuiltFromTheWeightsIsRefused() => RefusedAt("""
        public sealed class Dense
        {
            public readonly double[] W; public readonly double[] B; public readonly int N;
            public Dense(double[] w, double[] b, int n) { W = w; B = b; N = n; }
            public double Forward(double[] x, int j) { double a = B[j]; for (int k = 0; k < N; k++) a += W[j * N + k] * x[k]; return Math.Tanh(a); }
        }

        public partial class Net
        {
            [Trainable] public double[] W1 = { 0.1, -0.2, 0.3, 0.4, -0.5, 0.6 };
            [Trainable] public double[] B1 = { 0.05, -0.05 };

            [Differentiable] public double Loss([NoDerivative] double[] x, [NoDerivative] double y)
            {
                var layer = new Dense(W1, B1, 3);
                double o = layer.Forward(x, 0) + layer.Forward(x, 1);
                return (o - y) * (o - y);
            }
        }
        """, "SG0015", "new Dense(W1, B1, 3)");

    [Theory]
    [InlineData("new Box { V = W * 2 }.V", "new Box { V = W * 2 }")]
    [InlineData("KeyValuePair.Create(1, W).Value", "KeyValuePair.Create(1, W)")]
    [InlineData("double.Parse(W.ToString(\"R\"))", "double.Parse(W.ToString(\"R\"))")]
    [InlineData("((M)MemberwiseClone()).W", "MemberwiseClone()")]
    [InlineData("new Box { V = this.W }.V", "new Box { V = this.W }")]
    public void AMemberInCodeRunAsWrittenIsRefused(string expression, string node) => RefusedAt($$"""
        public sealed class Box { public double V; }

        public partial class M
        {
            [Trainable] public double W = 0.5;

            [Differentiable] public double Loss([NoDerivative] double x) => {{expression}} * x + W * W;
        }
        """, "SG0015", node);

    /// <summary>A [Trainable] member passed by ref: one error at the argument (a second, "a call with a missing argument", was false).</summary>
    [Fact]
    public void ATrainablePassedByRefIsOneError() => RefusedAt("""
        public static class Hs { public static double SqR(ref double v) => v * v; }

        public partial class M
        {
            [Trainable] public double W = 0.5;
            [Differentiable] public double Loss([NoDerivative] double x) => Hs.SqR(ref W) * x;
        }
        """, "SG0017", "W");

    /// <summary>A member's value carried by a string local and read back as a number (red-team M): refused at the read, as for a parameter.</summary>
    [Fact]
    public void AMemberThroughAStringLocalIsRefused() => RefusedAt("""
        public partial class M
        {
            [Trainable] public double S = 0.5;
            [Differentiable] public double Loss([NoDerivative] double x) { string s = S.ToString("R"); return double.Parse(s) * x + S * S; }
        }
        """, "SG0015", "double.Parse(s)");

    [Fact]
    public void ARecursiveHelperReadingTheMembersThroughThisIsRefused() => RefusedAt("""
        public partial class M
        {
            [Trainable] public double W = 0.9;
            double Pow(int n) => n == 0 ? 1 : W * Pow(n - 1);
            [Differentiable] public double Loss([NoDerivative] double x) => Pow(3) * x + W;
        }
        """, "SG0024", "Pow(n - 1)");

    [Fact]
    public void ARecursiveHelperGivenTheModelIsRefused() => RefusedAt("""
        public partial class M
        {
            [Trainable] public double W = 0.9;
            static double Pow(M m, int n) => n == 0 ? 1 : m.W * Pow(m, n - 1);
            [Differentiable] public double Loss([NoDerivative] double x) => Pow(this, 3) * x + W;
        }
        """, "SG0024", "Pow(m, n - 1)");

    [Fact]
    public void ACustomDerivativeThatReadsTheMembersIsRefused() => RefusedAt("""
        public partial class M
        {
            [Trainable] public double W = 0.5;
            [CustomDerivative(nameof(ActGradient))] public double Act(double x) => Math.Tanh(x * W);
            public double ActGradient(double x, out double dX) { double t = Math.Tanh(x * W); dX = (1 - t * t) * W; return t; }
            [Differentiable] public double Loss([NoDerivative] double x) => Act(x);
        }
        """, "SG0017", "Act(x)");

    [Fact]
    public void ACustomDerivativeGivenTheModelIsRefused() => RefusedAt("""
        public partial class M
        {
            [Trainable] public double W = 0.5;
            [CustomDerivative(nameof(ActGradient))] public static double Act(double x, [NoDerivative] M m) => Math.Tanh(x * m.W);
            public static double ActGradient(double x, [NoDerivative] M m, out double dX) { double t = Math.Tanh(x * m.W); dX = (1 - t * t) * m.W; return t; }
            [Differentiable] public double Loss([NoDerivative] double x) => Act(x, this) * W;
        }
        """, "SG0017", "Act(x, this)");

    /// <summary>
    /// A [Trainable] member that is private in a base class (or has a private setter there) is written and read by name
    /// from the code generated in the derived class: CS0122 and CS0272 in the generated file (red-team L). Now SG0032 at
    /// the member; a protected one is trained.
    /// </summary>
    [Theory]
    [InlineData("[Trainable] public double W { get; private set; } = 0.5;", "W", "private setter")]
    [InlineData("[Trainable] private double W = 0.5; protected double Wv => W;", "W", "private in the base class")]
    public void APrivateTrainableOfABaseClassIsRefused(string member, string name, string says)
    {
        string source = Usings + "public partial class B { " + member + " }\n"
            + "public partial class D : B { [Differentiable] public double Loss([NoDerivative] double x) => " + (member.Contains("Wv", StringComparison.Ordinal) ? "Wv * Wv" : "W * W") + " * x; }\n";
        var run = Harness.Run(source);
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && errors[0].Id == "SG0032", string.Join("\n", run.GeneratorDiagnostics));
        Assert.Contains(says, errors[0].GetMessage(), StringComparison.Ordinal);
        Assert.Equal(name, source.Substring(errors[0].Location.SourceSpan.Start, errors[0].Location.SourceSpan.Length));
        Assert.Empty(run.CompilationProblems.Where(p => p.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error && !p.Id.StartsWith("CS1061", StringComparison.Ordinal)));
    }

    /// <summary>A protected [Trainable] member of a base class is trained from the derived class: Loss = W²·x, ∂W = 2Wx.</summary>
    [Fact]
    public void AProtectedTrainableOfABaseClassIsTrained()
    {
        var assembly = Expect.Compiles(Usings + """
            public partial class B { [Trainable] protected double W = 0.5; }
            public partial class D : B { [Differentiable] public double Loss([NoDerivative] double x) => W * W * x; }
            """);
        var type = assembly.GetType("Demo.D")!;
        var f = (DifferentiableFunction)type.GetMethod("LossObjective")!.Invoke(Activator.CreateInstance(type), new object[] { 0.8 })!;
        var g = new double[1];
        Assert.Equal(0.09 * 0.8, f.ValueAndGradient(new[] { 0.3 }, g), 12);
        Assert.Equal(2 * 0.3 * 0.8, g[0], 12);
    }

    /// <summary>
    /// What stays supported: dropout with the model's seeded Random, a data field in a call run as written, a custom
    /// derivative of the model that reads no [Trainable] member, and the members in an exception message. Loss =
    /// Σ mask·W[i]·x[i]·Scale + Softplus(W[0]) with the mask from the same seed in both runs.
    /// </summary>
    [Fact]
    public void TheModelsDataStillRunsAsWritten()
    {
        var assembly = Expect.Compiles(Usings + """
            public partial class M
            {
                [Trainable] public double[] W = { 0.5, -1.0, 2.0 };
                public Random Rng = new Random(7);
                public double Scale = 1.25;

                [CustomDerivative(nameof(SoftplusGradient))] public double Softplus(double z) => Math.Log(1 + Math.Exp(z));
                public double SoftplusGradient(double z, out double dZ) { dZ = 1 / (1 + Math.Exp(-z)); return Softplus(z); }

                [Differentiable]
                public double Loss([NoDerivative] double[] x)
                {
                    if (W.Length != x.Length) throw new ArgumentException($"W has {W.Length} weights and x {x.Length} values; W[0] = {W[0]}");
                    double s = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        double keep = Rng.NextDouble() < 0.5 ? 0.0 : 2.0;
                        s += keep * W[i] * x[i] * Math.Round(Scale, 1);
                    }

                    return s + Softplus(W[0]);
                }
            }
            """);
        var type = assembly.GetType("Demo.M")!;
        var model = Activator.CreateInstance(type)!;
        double[] x = { 0.3, -0.7, 1.1 };
        var masks = new Random(7);
        var expected = new double[3];
        for (int i = 0; i < 3; i++)
        {
            expected[i] = (masks.NextDouble() < 0.5 ? 0.0 : 2.0) * x[i] * Math.Round(1.25, 1);
        }

        expected[0] += 1 / (1 + Math.Exp(-0.5));
        var g = new double[3];
        var objective = (DifferentiableFunction)type.GetMethod("LossObjective")!.Invoke(model, new object[] { x })!;
        objective.ValueAndGradient(new[] { 0.5, -1.0, 2.0 }, g);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i], g[i], 12);
        }
    }

    /// <summary>
    /// A member's length in code run as written (new HashSet&lt;int&gt; { W.Length }, new List&lt;double&gt;(W.Length)) is an
    /// integer that carries no derivative; it was SG0015 ("depends on the parameters"), as W itself is (stop 36).
    /// Loss = Σ W[i]²·x·|{W.Length}| + capacity: dW = 2·W·x.
    /// </summary>
    [Fact]
    public void AMembersLengthInCodeRunAsWrittenIsData()
    {
        var assembly = Expect.Compiles(Usings + """
            public partial class M
            {
                [Trainable] public double[] W = { 1.0, 2.0, 3.0 };

                [Differentiable]
                public double Loss([NoDerivative] double x)
                {
                    var lengths = new HashSet<int> { W.Length, this.W.Length };
                    var buffer = new List<double>(W.Length);
                    double s = 0;
                    for (int i = 0; i < W.Length; i++) s += W[i] * W[i] * x * lengths.Count;
                    return s + buffer.Capacity;
                }
            }
            """);
        var type = assembly.GetType("Demo.M")!;
        var f = (DifferentiableFunction)type.GetMethod("LossObjective")!.Invoke(Activator.CreateInstance(type), new object[] { 2.0 })!;
        var g = new double[3];
        Assert.Equal(14 * 2.0 + 3, f.ValueAndGradient(new[] { 1.0, 2.0, 3.0 }, g), 12);
        Assert.Equal(new[] { 4.0, 8.0, 12.0 }, g);
    }
}

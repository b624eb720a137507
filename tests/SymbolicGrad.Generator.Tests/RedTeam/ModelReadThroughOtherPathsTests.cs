using System.Reflection;
using Microsoft.CodeAnalysis;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// A model's [Trainable] members reached other than by a plain read on this (stop-31 red-team pass, all silently wrong
/// before): a virtual, abstract or interface property of the model (read as data: its derivative dropped, dK = 7.35
/// where it is 14.7), a computed property of another object of the model's type that is this model, a reference the
/// model keeps to itself or a static current model (read as constants), two members that are one array (packed twice),
/// and jagged data whose row is a member.
/// </summary>
public class ModelReadThroughOtherPathsTests
{
    private static Assembly Compile(string source)
    {
        var run = Harness.Run(Harness.Usings + "namespace Demo;\n" + source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", run.GeneratorDiagnostics));
        Assert.True(run.CompilationProblems.Count == 0, "the compilation reported:\n" + string.Join("\n", run.CompilationProblems));
        return run.Load();
    }

    [Theory]
    [InlineData("public virtual double Scale => 10 * K;", "Scale * K * x * x", "Scale")]
    [InlineData("public virtual double Scale => 10 * K;", "((IHasK)this).Scale * K * x * x", "Scale")]
    [InlineData("public virtual double this[int i] => K * i;", "this[2] * K * x * x", "this[...]")]
    public void AVirtualOrInterfacePropertyOfTheModelIsRefused(string member, string body, string named)
    {
        var run = Harness.Run(Harness.Usings + """
            namespace Demo;
            public interface IHasK { double Scale { get; } }
            public partial class Spring : IHasK
            {
                [Trainable] public double K = 1.5;
                MEMBER
                double IHasK.Scale => 10 * K;
                [Differentiable] public double Energy([NoDerivative] double x) => BODY;
            }
            """.Replace("MEMBER", member, StringComparison.Ordinal).Replace("BODY", body, StringComparison.Ordinal));
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0020", error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Contains("'" + named + "' is a property of the model read through virtual dispatch", error.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>A sealed override and a non-virtual indexer are inlined: E = 10K²x² and 2K²x², ∂K = 20Kx² and 4Kx².</summary>
    [Fact]
    public void ASealedOverrideAndAnIndexerAreDifferentiated()
    {
        var assembly = Compile("""
            public abstract class Base { public abstract double Scale { get; } }
            public partial class Spring : Base
            {
                [Trainable] public double K = 1.5;
                public sealed override double Scale => 10 * K;
                public double this[int i] => K * i;
                [Differentiable] public double Energy([NoDerivative] double x) => Scale * K * x * x;
                [Differentiable] public double Indexed([NoDerivative] double x) => this[2] * K * x * x;
            }
            """);
        var type = assembly.GetType("Demo.Spring")!;
        var spring = Activator.CreateInstance(type)!;
        var args = new object?[] { 0.7, null };
        type.GetMethod("EnergyGradient")!.Invoke(spring, args);
        Assert.Equal(20 * 1.5 * 0.49, (double)args[1]!, 12);
        type.GetMethod("IndexedGradient")!.Invoke(spring, args);
        Assert.Equal(4 * 1.5 * 0.49, (double)args[1]!, 12);
    }

    /// <summary>
    /// other.KProp (a computed property), this.Self.K and Current.K on the model itself throw, as other.K does; on
    /// another instance they are data: (K − 2K')², ∂K = 2(K − 2K') and K·K', ∂K = K'.
    /// </summary>
    [Fact]
    public void TheModelReadThroughAnotherPathThrowsWhenItIsThisModel()
    {
        var assembly = Compile("""
            public partial class Net
            {
                [Trainable] public double K = 1.5;
                public double KProp => K;
                public Net? Self;
                public static Net? Current;
                [Differentiable] public double Distance([NoDerivative] Net other) => (K - 2 * other.KProp) * (K - 2 * other.KProp);
                [Differentiable] public double SelfK() => K * Self!.K;
                [Differentiable] public double CurrentK() => K * Current!.K;
            }
            """);
        var type = assembly.GetType("Demo.Net")!;
        var net = Activator.CreateInstance(type)!;
        var other = Activator.CreateInstance(type)!;
        type.GetField("K")!.SetValue(other, 0.5);
        var current = type.GetField("Current")!;
        var self = type.GetField("Self")!;

        self.SetValue(net, net);
        current.SetValue(null, net);
        foreach (var call in new Func<object?>[]
        {
            () => type.GetMethod("DistanceGradient")!.Invoke(net, new object?[] { net, null }),
            () => type.GetMethod("SelfKGradient")!.Invoke(net, new object?[] { null }),
            () => type.GetMethod("CurrentKGradient")!.Invoke(net, new object?[] { null }),
        })
        {
            var thrown = Assert.Throws<TargetInvocationException>(call);
            Assert.IsType<InvalidOperationException>(thrown.InnerException);
            Assert.Contains("is this model", thrown.InnerException!.Message, StringComparison.Ordinal);
        }

        self.SetValue(net, other);
        current.SetValue(null, other);
        var args = new object?[] { other, null };
        type.GetMethod("DistanceGradient")!.Invoke(net, args);
        Assert.Equal(2 * (1.5 - 1.0), (double)args[1]!, 12);
        var one = new object?[] { null };
        type.GetMethod("SelfKGradient")!.Invoke(net, one);
        Assert.Equal(0.5, (double)one[0]!, 12);
        type.GetMethod("CurrentKGradient")!.Invoke(net, one);
        Assert.Equal(0.5, (double)one[0]!, 12);
    }

    /// <summary>Two members that are one array, a matrix whose rows are one array, and jagged data holding a member: the objective factory throws, naming them.</summary>
    [Fact]
    public void SharedMembersAndDataHoldingAMemberAreNamedWhenTheObjectiveIsMade()
    {
        var assembly = Compile("""
            public partial class Two
            {
                [Trainable] public double[] A; [Trainable] public double[] B;
                public Two() { A = new double[2]; B = A; }
                [Differentiable] public double Loss() => A[0] * A[0] * B[1] + Math.Sin(B[0]) * A[1];
            }

            public partial class Rows
            {
                [Trainable] public double[][] W;
                public Rows() { var row = new double[2]; W = new[] { row, row }; }
                [Differentiable] public double Loss() => W[0][0] * W[1][1];
            }

            public partial class Data
            {
                [Trainable] public double[] W = { 0.3, 0.4 };
                [Differentiable] public double Loss([NoDerivative] double[][] xs) => (W[0] - xs[0][0]) * (W[0] - xs[0][0]) + W[1] * xs[0][1];
            }
            """);
        object Make(string name) => Activator.CreateInstance(assembly.GetType("Demo." + name)!)!;
        var two = Make("Two");
        var e1 = Assert.Throws<TargetInvocationException>(() => two.GetType().GetMethod("LossObjective")!.Invoke(two, null));
        Assert.Contains("[Trainable] A and B are the same array", e1.InnerException!.Message, StringComparison.Ordinal);
        var rows = Make("Rows");
        var e2 = Assert.Throws<TargetInvocationException>(() => rows.GetType().GetMethod("LossObjective")!.Invoke(rows, null));
        Assert.Contains("[Trainable] W[0] and W[1] are the same array", e2.InnerException!.Message, StringComparison.Ordinal);

        var data = Make("Data");
        var w = (double[])data.GetType().GetField("W")!.GetValue(data)!;
        var objective = data.GetType().GetMethod("LossObjective")!;
        var e3 = Assert.Throws<TargetInvocationException>(() => objective.Invoke(data, new object[] { new[] { w } }));
        Assert.IsType<ArgumentException>(e3.InnerException);
        Assert.Contains("xs[0] is the model's [Trainable] W", e3.InnerException!.Message, StringComparison.Ordinal);
        var f = (DifferentiableFunction)objective.Invoke(data, new object[] { new[] { new[] { 1.0, 2.0 } } })!;
        var g = new double[2];
        f.ValueAndGradient(new[] { 0.3, 0.4 }, g);
        Assert.Equal(new[] { 2 * (0.3 - 1.0), 2.0 }, g);
    }

    /// <summary>
    /// A field that is not [Trainable] but is (View = W) or holds (a List&lt;double[]&gt; of layers) a [Trainable] array
    /// throws before the forward sweep, naming both; a copy, and training data in fields, are read as data exactly:
    /// E = View·W·x-ish with a copied view, ∂W = (View₀x, View₁); Σ (W₀₀x₀ + W₁₁x₁ − y)² over two points.
    /// </summary>
    [Fact]
    public void AFieldThatHoldsATrainableArrayThrowsBeforeTheSweep()
    {
        var assembly = Compile("""
            public partial class Layers
            {
                [Trainable] public double[] W = { 0.5, -0.3 };
                private readonly System.Collections.Generic.List<double[]> _layers;
                public Layers() { _layers = new System.Collections.Generic.List<double[]> { W }; }
                [Differentiable] public double Loss() { double s = 0; foreach (var w in _layers) s += w[0] * w[1]; return s; }
            }

            public partial class Tied
            {
                [Trainable] public double[] W = { 0.5, -0.3 };
                public double[] View;
                public Tied() { View = W; }
                [Differentiable] public double Energy([NoDerivative] double x) => View[0] * W[0] * x + View[1] * W[1];
            }

            public partial class WithData
            {
                [Trainable] public double[][] W = { new[] { 0.5, -0.3 }, new[] { 0.1, 0.2 } };
                private readonly double[][] _x = { new[] { 1.0, 2.0 }, new[] { 3.0, 4.0 } };
                private readonly double[] _y = { 1.0, 0.0 };
                [Differentiable]
                public double Loss()
                {
                    double s = 0;
                    for (int i = 0; i < _x.Length; i++) { double p = W[0][0] * _x[i][0] + W[1][1] * _x[i][1]; s += (p - _y[i]) * (p - _y[i]); }
                    return s;
                }
            }
            """);
        object Make(string name) => Activator.CreateInstance(assembly.GetType("Demo." + name)!)!;
        DifferentiableFunction Objective(object model, string name, params object[] data) => (DifferentiableFunction)model.GetType().GetMethod(name + "Objective")!.Invoke(model, data)!;
        var layers = Objective(Make("Layers"), "Loss");
        var e1 = Assert.Throws<InvalidOperationException>(() => layers.ValueAndGradient(new[] { 0.5, -0.3 }, new double[2]));
        Assert.Contains("_layers[0] is its [Trainable] W", e1.Message, StringComparison.Ordinal);

        var tiedModel = Make("Tied");
        var tied = Objective(tiedModel, "Energy", 0.7);
        var e2 = Assert.Throws<InvalidOperationException>(() => tied.ValueAndGradient(new[] { 0.5, -0.3 }, new double[2]));
        Assert.Contains("View is its [Trainable] W", e2.Message, StringComparison.Ordinal);
        tiedModel.GetType().GetField("View")!.SetValue(tiedModel, new[] { 0.5, -0.3 });
        var g = new double[2];
        tied.ValueAndGradient(new[] { 0.5, -0.3 }, g);
        Assert.Equal(new[] { 0.5 * 0.7, -0.3 }, g);

        var data = Objective(Make("WithData"), "Loss");
        var rows = new double[4];
        data.ValueAndGradient(new[] { 0.5, -0.3, 0.1, 0.2 }, rows);
        double p0 = (0.5 * 1) + (0.2 * 2) - 1, p1 = (0.5 * 3) + (0.2 * 4);
        Assert.Equal(2 * ((p0 * 1) + (p1 * 3)), rows[0], 12);
        Assert.Equal(2 * ((p0 * 2) + (p1 * 4)), rows[3], 12);
    }

    /// <summary>
    /// The same check for a [Trainable] array held other than in an array field (second red-team pass of stop 31): an
    /// IList&lt;double&gt;, an IReadOnlyList&lt;double&gt; or a ReadOnlyMemory&lt;double&gt; over it, an array field of a
    /// class or struct the model holds, a tuple's element, a static field of another class. Each throws, naming the path;
    /// given copies, each is data and F = w₀·v₁ has ∂ = (v₁, 0) = (2, 0).
    /// </summary>
    [Fact]
    public void ATrainableArrayHeldInOtherShapesIsFound()
    {
        var assembly = Compile("""
            public class Holder { public double[] Arr = System.Array.Empty<double>(); }
            public struct SHolder { public double[] Arr; }
            public static class Config { public static double[] Arr = System.Array.Empty<double>(); }
            public partial class V2
            {
                [Trainable] public double[] W = { 0.5, 1.5 };
                public System.Collections.Generic.IList<double> IL = new double[2];
                public System.Collections.Generic.IReadOnlyList<double> RO = new double[2];
                public ReadOnlyMemory<double> Mem;
                public Holder Hold = new();
                public SHolder SH;
                public (double[] A, double B) Tup;
                [Differentiable] public double L1() => W[0] * IL[1];
                [Differentiable] public double L2() => W[0] * RO[1];
                [Differentiable] public double L3() => W[0] * Mem.Span[1];
                [Differentiable] public double L4() => W[0] * Hold.Arr[1];
                [Differentiable] public double L5() => W[0] * SH.Arr[1];
                [Differentiable] public double L6() => W[0] * Tup.A[1];
                [Differentiable] public double L7() => W[0] * Config.Arr[1];
            }
            """);
        var type = assembly.GetType("Demo.V2")!;
        var config = assembly.GetType("Demo.Config")!.GetField("Arr")!;
        var holderType = assembly.GetType("Demo.Holder")!;
        var structType = assembly.GetType("Demo.SHolder")!;
        void Set(object model, Func<double[]> array)
        {
            type.GetField("IL")!.SetValue(model, array());
            type.GetField("RO")!.SetValue(model, array());
            type.GetField("Mem")!.SetValue(model, new ReadOnlyMemory<double>(array()));
            var hold = Activator.CreateInstance(holderType)!;
            holderType.GetField("Arr")!.SetValue(hold, array());
            type.GetField("Hold")!.SetValue(model, hold);
            var sh = Activator.CreateInstance(structType)!;
            structType.GetField("Arr")!.SetValue(sh, array());
            type.GetField("SH")!.SetValue(model, sh);
            type.GetField("Tup")!.SetValue(model, (array(), 1.0));
            config.SetValue(null, array());
        }

        var names = new[] { "IL", "RO", "Mem", "Hold.Arr", "SH.Arr", "Tup.A", "Config.Arr" };
        var model = Activator.CreateInstance(type)!;
        var w = (double[])type.GetField("W")!.GetValue(model)!;
        Set(model, () => w);
        for (int i = 0; i < names.Length; i++)
        {
            var f = (DifferentiableFunction)type.GetMethod("L" + (i + 1) + "Objective")!.Invoke(model, null)!;
            var e = Assert.Throws<InvalidOperationException>(() => f.ValueAndGradient(new[] { 0.5, 1.5 }, new double[2]));
            Assert.Contains("The model's " + names[i] + " is its [Trainable] W", e.Message, StringComparison.Ordinal);
        }

        Set(model, () => new[] { 0.0, 2.0 });
        for (int i = 0; i < names.Length; i++)
        {
            var f = (DifferentiableFunction)type.GetMethod("L" + (i + 1) + "Objective")!.Invoke(model, null)!;
            var g = new double[2];
            f.ValueAndGradient(new[] { 0.5, 1.5 }, g);
            Assert.Equal(new[] { 2.0, 0.0 }, g);
        }
    }

    /// <summary>
    /// A computed property of another model that reads only data (other.K => Fixed * 3) is data even when the other
    /// model is this one: ∂A of A·other.K is 6 (it threw before, red-team); one that reads a [Trainable] member still
    /// throws. Empty [Trainable] arrays ([] is one shared instance) are not "the same array": the objective has the one
    /// coordinate C, ∂C of C² is 2C.
    /// </summary>
    [Fact]
    public void DataPropertiesOfThisModelAndEmptyMembersAreNotRefused()
    {
        var assembly = Compile("""
            public partial class MD
            {
                [Trainable] public double A = 1.5;
                public double Fixed = 2;
                public double K => Fixed * 3;
                public double KA => A * 3;
                [Differentiable] public double DataOnly([NoDerivative] MD other) => A * other.K;
                [Differentiable] public double ReadsA([NoDerivative] MD other) => A * other.KA;
            }

            public partial class E
            {
                [Trainable] public double[] P = [];
                [Trainable] public double[] Q = [];
                [Trainable] public double C = 1;
                [Differentiable] public double Loss() => C * C + P.Length + Q.Length;
            }
            """);
        var type = assembly.GetType("Demo.MD")!;
        var md = Activator.CreateInstance(type)!;
        var args = new object?[] { md, null };
        type.GetMethod("DataOnlyGradient")!.Invoke(md, args);
        Assert.Equal(6.0, (double)args[1]!);
        var thrown = Assert.Throws<TargetInvocationException>(() => type.GetMethod("ReadsAGradient")!.Invoke(md, new object?[] { md, null }));
        Assert.IsType<InvalidOperationException>(thrown.InnerException);

        var e = Activator.CreateInstance(assembly.GetType("Demo.E")!)!;
        var f = (DifferentiableFunction)e.GetType().GetMethod("LossObjective")!.Invoke(e, null)!;
        Assert.Equal(1, f.Dimension);
        var g = new double[1];
        f.ValueAndGradient(new[] { 3.0 }, g);
        Assert.Equal(6.0, g[0]);
    }

    /// <summary>
    /// Virtual members whose getter is known at build time: base.Scale (no dispatch), and this[2] or Scale in a sealed
    /// model (the last override in its own hierarchy runs). They were SG0020; now inlined. With A = 1.5: base.Scale·A =
    /// A³, ∂ = 3A²; this[2]·A = 2A², ∂ = 4A; Scale·A = A⁴ (the override), ∂ = 4A³.
    /// </summary>
    [Fact]
    public void VirtualMembersKnownAtBuildTimeAreInlined()
    {
        var assembly = Compile("""
            public class VB { [Trainable] public double A = 1.5; public virtual double Scale => A * A; public virtual double this[int i] => A * i; }
            public sealed partial class VS : VB
            {
                public override double Scale => A * A * A;
                [Differentiable] public double Base() => base.Scale * A;
                [Differentiable] public double Indexer() => this[2] * A;
                [Differentiable] public double Override() => Scale * A;
            }
            """);
        var type = assembly.GetType("Demo.VS")!;
        var model = Activator.CreateInstance(type)!;
        double D(string name)
        {
            var args = new object?[] { null };
            type.GetMethod(name + "Gradient")!.Invoke(model, args);
            return (double)args[0]!;
        }

        Assert.Equal(3 * 1.5 * 1.5, D("Base"), 12);
        Assert.Equal(4 * 1.5, D("Indexer"), 12);
        Assert.Equal(4 * 1.5 * 1.5 * 1.5, D("Override"), 12);
    }
}

using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team J (stop 34): members the generated code named wrongly. A base-class field hidden by the model's own
/// (base.X with new double[] X) was read as this.X, the model's: value 21 and gradient (7, 7) for 10 and (1, 2),
/// silently; with new int[] X the gradient did not compile. C# 14's field keyword (get => field) printed the backing
/// field's unspeakable name (did not compile), and a generic helper's Holder&lt;U&gt;.Data kept the helper's U (did not
/// compile). Each is now exact, or SG0017 where no name exists (get => field * 2). Closed forms.
/// </summary>
public class MemberNamingTests
{
    private const string Source = Harness.Usings + """
        namespace Demo;
        public class BaseModel { public double[] X = { 1, 2 }; }
        public partial class Derived : BaseModel
        {
            public new double[] X = { 7, 7 };
            [Trainable] public double[] W = { 1, 1 };
            [Differentiable] public double Loss() => W[0] * base.X[0] + W[1] * ((BaseModel)this).X[1] + X[0];
            public double Call(double[] g) => LossGradient(g);
        }

        public class IntBase { public double[] X = { 1, 2 }; }
        public partial class IntDerived : IntBase
        {
            public new int[] X = { 7, 7 };
            [Trainable] public double[] W = { 1, 1 };
            [Differentiable] public double Loss() => W[0] * base.X[0] + W[1] * base.X[1] + X[0];
            public double Call(double[] g) => LossGradient(g);
        }

        public static class Holder<U> { public static double[] Data = { 2, 3 }; }
        public static partial class C
        {
            static double Helper<U>(double[] x) => x[0] * Holder<U>.Data[0] + x[1] * Holder<U>.Data[1];
            [Differentiable] public static double F(double[] x) => Helper<int>(x) * x[0];
            public static double Call(double[] x, double[] g) => FGradient(x, g);
        }
        """;

    /// <summary>
    /// C# 14 (the field keyword): what projects on .NET 10 compile with by default. Settings.Gain, another class's
    /// field-keyword property, was SG0017 "a private member ... make it internal", advice that could not be followed.
    /// </summary>
    private const string FieldKeywordSource = Harness.Usings + """
        namespace Demo;
        public static class Settings { public static double Gain { get => field; set => field = value; } = 1; }
        public partial class FieldKeyword
        {
            public double[] Data { get => field; set => field = value; } = { 1, 2 };
            public double Scale { get { return field; } set => field = value; } = 3;
            [Trainable] public double[] W { get; set; } = { 1, 1 };
            [Differentiable] public double Loss() => (W[0] * Data[0] + W[1] * Data[1]) * Scale * Settings.Gain;
            public double Call(double[] g) => LossGradient(g);
        }
        """;

    private static readonly Lazy<System.Reflection.Assembly> Compiled = new(() => Expect.Compiles(Source));

    private static readonly Lazy<System.Reflection.Assembly> FieldKeyword = new(() => Latest(FieldKeywordSource).Load());

    /// <summary>The generator run on a compilation with the newest C# (the harness uses C# 12 unless told otherwise).</summary>
    private static GeneratorRun Latest(string source)
    {
        var options = new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Preview);
        var driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(
            new[] { Microsoft.CodeAnalysis.GeneratorExtensions.AsSourceGenerator(new SymbolicGrad.Generator.DifferentiableGenerator()) }, parseOptions: options);
        return Harness.Run(Harness.Compilation().AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, options, path: "File0.cs")), driver);
    }

    private static (double Value, double[] Gradient) Model(string type)
    {
        var t = (type == "FieldKeyword" ? FieldKeyword : Compiled).Value.GetType("Demo." + type)!;
        var g = new double[2];
        double value = (double)t.GetMethod("Call")!.Invoke(Activator.CreateInstance(t), new object[] { g })!;
        return (value, g);
    }

    [Fact]
    public void ABaseMemberHiddenByTheModelIsTheBaseOne()
    {
        // L = W₀·1 + W₁·2 + 7 at W = (1, 1).
        var (value, gradient) = Model("Derived");
        Assert.Equal(10.0, value);
        Assert.Equal([1.0, 2.0], gradient);
        (value, gradient) = Model("IntDerived");
        Assert.Equal(10.0, value);
        Assert.Equal([1.0, 2.0], gradient);
    }

    [Fact]
    public void FieldKeywordPropertiesThatReturnTheFieldAreRead()
    {
        // L = (W₀·1 + W₁·2)·3.
        var (value, gradient) = Model("FieldKeyword");
        Assert.Equal(9.0, value);
        Assert.Equal([3.0, 6.0], gradient);
    }

    [Fact]
    public void AFieldKeywordGetterThatComputesIsRefusedAtTheField()
    {
        var run = Latest(Harness.Usings + """
            namespace Demo;
            public partial class M
            {
                public double Scale { get => field * 2; set => field = value; } = 3;
                [Trainable] public double[] W { get; set; } = { 1, 1 };
                [Differentiable] public double Loss() => W[0] * Scale;
            }
            """);
        var error = Assert.Single(run.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0017", error.Id);
        Assert.Contains("backing field ('field') of the property 'Scale'", error.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void AGenericHelpersStaticDataIsReadAtItsTypeArgument()
    {
        // F = (2x₀ + 3x₁)·x₀: ∂ = (4x₀ + 3x₁, 3x₀) = (24, 9) at (3, 4).
        var c = Compiled.Value.GetType("Demo.C")!;
        var g = new double[2];
        Assert.Equal(54.0, (double)c.GetMethod("Call")!.Invoke(null, new object[] { new[] { 3.0, 4.0 }, g })!);
        Assert.Equal([24.0, 9.0], g);
    }

    /// <summary>
    /// C# 14 extension blocks: members called on the extended value or type (x.Scaled(k), x.Sum2, double.Sq(v),
    /// v.Cube()) are inlined and exact; a block member called through its class (Ext.One(v)) was SG9999 ("a bug in the
    /// generator": its body's parameters had no values) and is now SG0017 with the way out (red-team J).
    /// </summary>
    [Fact]
    public void ExtensionBlockMembersAreExactOrRefusedWithAMessage()
    {
        const string Extensions = """
            public static class Ext
            {
                extension(double[] a)
                {
                    public double Scaled(double k) => a[0] * k;
                    public double Sum2 => a[0] + a[1];
                    public static double One(double s) => s * s;
                }
                extension(double d)
                {
                    public static double Sq(double e) => e * e * 3;
                    public double Cube() => d * d * d;
                }
            }
            """;
        var run = Latest(Harness.Usings + "namespace Demo;\n" + Extensions + """
            public static partial class C
            {
                [Differentiable] public static double H(double[] x) => x.Scaled(x[1]) + x.Sum2;
                [Differentiable] public static double K(double[] x) => double.Sq(x[0]) + x[1].Cube();
                public static double CallH(double[] x, double[] g) => HGradient(x, g);
                public static double CallK(double[] x, double[] g) => KGradient(x, g);
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)));
        var c = run.Load().GetType("Demo.C")!;
        var g = new double[2];

        // H = x₀x₁ + x₀ + x₁: ∂ = (x₁ + 1, x₀ + 1); K = 3x₀² + x₁³: ∂ = (6x₀, 3x₁²); at (3, 4).
        Assert.Equal(19.0, (double)c.GetMethod("CallH")!.Invoke(null, new object[] { new[] { 3.0, 4.0 }, g })!);
        Assert.Equal([5.0, 4.0], g);
        Assert.Equal(91.0, (double)c.GetMethod("CallK")!.Invoke(null, new object[] { new[] { 3.0, 4.0 }, g })!);
        Assert.Equal([18.0, 48.0], g);

        var refused = Latest(Harness.Usings + "namespace Demo;\n" + Extensions + """
            public static partial class D
            {
                [Differentiable] public static double F(double[] x) => Ext.One(x[0]);
            }
            """);
        var error = Assert.Single(refused.GeneratorDiagnostics, d => d.Id.StartsWith("SG", StringComparison.Ordinal));
        Assert.Equal("SG0017", error.Id);
        Assert.Contains("extension block called through its class ('Ext.One')", error.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A layer object the model holds (public Layer L1, whose [Trainable] W and B its Forward reads): the gradient
    /// treated them as constants and the layer was never trained, with no diagnostic (red-team J). Now SG0017 at each
    /// read, saying that only the model's own [Trainable] members are differentiated. A static method that takes a model
    /// as data still reads its [Trainable] members as data.
    /// </summary>
    [Fact]
    public void TrainableMembersOfAHeldLayerAreRefused()
    {
        const string Layer = """
            public class Layer
            {
                [Trainable] public double[] W = { 0.5, -0.3 };
                [Trainable] public double B { get; set; } = 0.1;
                public double Forward(double[] x) => Math.Tanh(W[0] * x[0] + W[1] * x[1] + B);
            }
            """;
        var run = Harness.Run(Harness.Usings + "namespace Demo;\n" + Layer + """
            public partial class Net
            {
                public Layer L1 = new Layer();
                [Trainable] public double V = 2;
                [Differentiable] public double Loss([NoDerivative] double[] x, [NoDerivative] double y) => (V * L1.Forward(x) - y) * (V * L1.Forward(x) - y);
            }
            """);
        var errors = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal("SG0017", e.Id));
        Assert.Contains(errors, e => e.GetMessage().Contains("[Trainable] member 'W' of 'Layer', read through an object the model holds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.GetMessage().Contains("[Trainable] member 'B' of 'Layer'", StringComparison.Ordinal));

        // f = v·tanh(0.5x₀ − 0.3x₁ + 0.1) with the layer as data, at v = 2, x = (1, 1): ∂f/∂v = tanh(0.3).
        var data = Expect.Compiles(Harness.Usings + "namespace Demo;\n" + Layer + """
            public static partial class C
            {
                [Differentiable] public static double F(double v, [NoDerivative] double[] x, [NoDerivative] Layer layer) => v * layer.Forward(x);
                public static double Call(double v, double[] x, out double dV) => FGradient(v, x, new Layer(), out dV);
            }
            """).GetType("Demo.C")!;
        var arguments = new object?[] { 2.0, new[] { 1.0, 1.0 }, null };
        double value = (double)data.GetMethod("Call")!.Invoke(null, arguments)!;
        Assert.Equal(2 * Math.Tanh(0.3), value, 14);
        Assert.Equal(Math.Tanh(0.3), (double)arguments[2]!, 14);
    }
}
